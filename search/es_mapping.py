"""The Elasticsearch product index: its settings and mapping (the Chinese analyzer chosen from
the cluster's plugins when an index is created) and the stored form of a search document."""

from __future__ import annotations

import re

from elasticsearch_dsl import (
    Boolean,
    Date,
    Index,
    Integer,
    Keyword,
    Mapping,
    ScaledFloat,
    Text,
    analyzer,
    token_filter,
)

# Which Chinese analysis an index uses: IK or smartcn when the cluster has the plugin
# (they segment words), else the built-in cjk bigrams.
IK, SMARTCN, CJK = "ik", "smartcn", "cjk"
PLUGIN_COMPONENTS = {"analysis-ik": IK, "analysis-smartcn": SMARTCN}
# Facet label fields hold "<value>|<label>" so a terms aggregation answers both at once.
LABEL_SEP = "|"
# Longest run of title characters indexed as one pinyin word.
MAX_WORD_CHARS = 4

_edge = token_filter("prefix_edge", "edge_ngram", min_gram=1, max_gram=20)
_whole_edge = token_filter("whole_prefix_edge", "edge_ngram", min_gram=1, max_gram=40)
# Whole string as one token (a title or its pinyin), indexed as its prefixes: "hongmi" is
# found by "h", "ho" … (suggest); searched as the unchanged lowercased string.
PREFIX = analyzer("prefix_index", tokenizer="keyword", filter=["lowercase", _whole_edge])
PREFIX_SEARCH = analyzer("prefix_search", tokenizer="keyword", filter=["lowercase"])
# Space-separated pinyin words ("miaogao hongmi"), each indexed as its prefixes.
WORD_PREFIX = analyzer("word_prefix_index", tokenizer="whitespace", filter=["lowercase", _edge])
WORD = analyzer("word", tokenizer="whitespace", filter=["lowercase"])
# Bigrams plus single characters: the built-in cjk analyzer indexes bigrams only, so a
# one-character query (茶) would miss 茶叶. Searched with the built-in cjk analyzer, which
# keeps a lone character as a unigram and turns longer text into bigrams (红米 stays precise).
CJK_UNIGRAMS = analyzer(
    "cjk_index", tokenizer="standard",
    filter=["cjk_width", "lowercase",
            token_filter("cjk_bigram_unigrams", "cjk_bigram", output_unigrams=True)])


def analysis_kind(plugins) -> str:
    """The Chinese analysis for a cluster whose plugins are ``plugins`` (the rows of
    ``cat.plugins(format="json")``): IK first (finer segmentation), then smartcn, else cjk."""
    components = {str(row.get("component", "")) for row in plugins or ()}
    for component in ("analysis-ik", "analysis-smartcn"):
        if component in components:
            return PLUGIN_COMPONENTS[component]
    return CJK


def chinese_text(kind: str, *, characters: bool = False, **kwargs) -> Text:
    """A text field analysed for Chinese with ``kind``. ``characters``: also found by one
    character (茶 finds 茶叶; titles and categories only, so 茶 does not find every product of
    湖山茶叶合作社): indexed with single characters, or with a plugin a ``cjk`` sub-field that
    has them (a plugin's words miss 茶 in 茶叶)."""
    fields = kwargs.pop("fields", {})
    if kind != CJK and characters:
        fields = {"cjk": Text(analyzer=CJK_UNIGRAMS, search_analyzer="cjk"), **fields}
    options = {"fields": fields} if fields else {}
    if kind == IK:
        return Text(analyzer="ik_max_word", search_analyzer="ik_smart", **options, **kwargs)
    if kind == SMARTCN:
        return Text(analyzer="smartcn", **options, **kwargs)
    if characters:
        return Text(analyzer=CJK_UNIGRAMS, search_analyzer="cjk", **options, **kwargs)
    return Text(analyzer="cjk", **options, **kwargs)


def _prefixed(**fields) -> Text:
    """Pinyin or initials: the whole string's prefixes, a keyword and word prefixes."""
    return Text(analyzer=PREFIX, search_analyzer=PREFIX_SEARCH,
                fields={"raw": Keyword(), **fields})


def product_mapping(kind: str) -> Mapping:
    m = Mapping()
    m.meta("dynamic", "strict")
    m.meta("_meta", {"analysis": kind})
    m.field("id", Integer())
    m.field("title", chinese_text(kind, characters=True, fields={
        "raw": Keyword(ignore_above=256),
        "prefix": Text(analyzer=PREFIX, search_analyzer=PREFIX_SEARCH)}))
    m.field("description", chinese_text(kind))
    m.field("url", Keyword(index=False, doc_values=False))
    # Ids as keywords: a filter value typed into the URL ("abc") must not be a number error.
    m.field("category_ids", Keyword())
    m.field("category_names", Keyword())
    m.field("category_path", chinese_text(kind, characters=True))
    m.field("category_facet", Keyword())
    m.field("cooperative_id", Keyword())
    m.field("cooperative", chinese_text(kind, fields={"raw": Keyword(ignore_above=256)}))
    m.field("cooperative_facet", Keyword())
    m.field("certifications", Keyword())
    m.field("county_code", Keyword())
    m.field("town_code", Keyword())
    m.field("county_facet", Keyword())
    m.field("town_facet", Keyword())
    for name in ("county", "town", "village"):
        m.field(name, chinese_text(kind, fields={"raw": Keyword(ignore_above=256)}))
    m.field("storage", Keyword())
    m.field("price", ScaledFloat(scaling_factor=100))
    m.field("in_stock", Boolean())
    m.field("sales", Integer())
    m.field("live_now", Boolean())
    m.field("pinyin", _prefixed())
    m.field("initials", _prefixed())
    # Pinyin and initials of the title's character runs ("hong mi hongmi …", "hm …"): a word
    # in the middle of a title is found, and a typo'd Latin word is one edit from a word.
    m.field("pinyin_words", Text(analyzer=WORD, fields={
        "prefix": Text(analyzer=WORD_PREFIX, search_analyzer=WORD)}))
    m.field("initials_words", Text(analyzer=WORD, fields={
        "prefix": Text(analyzer=WORD_PREFIX, search_analyzer=WORD)}))
    m.field("date_created", Date())
    return m


def index_body(kind: str, *, building: bool = False) -> dict:
    """The body of ``indices.create`` (settings with analysis, mappings). ``building``: no
    refresh while a rebuild fills the index (set back when it is complete)."""
    index = Index("products")
    index.settings(number_of_shards=1, number_of_replicas=1,
                   **({"refresh_interval": "-1"} if building else {}))
    index.mapping(product_mapping(kind))
    return index.to_dict()


def _runs(title: str):
    """Runs of Chinese characters (as lists of syllables and initials) and Latin words."""
    from pypinyin import Style, lazy_pinyin

    for run in re.findall(r"[\u3400-\u9fff\uf900-\ufaff]+|[0-9A-Za-z]+", title or ""):
        if run.isascii():
            yield [run.lower()], [""]
        else:
            yield (lazy_pinyin(run), lazy_pinyin(run, style=Style.FIRST_LETTER))


def pinyin_words(title: str) -> tuple[list[str], list[str]]:
    """Pinyin of every run of 1 to MAX_WORD_CHARS characters of the title (红米 in 妙高红米 is
    "hongmi" whatever the word segmentation), with Latin words as they are, and initials of
    runs of 2 to MAX_WORD_CHARS characters ("hm"; one letter alone would match too much)."""
    full, initials = [], []
    for syllables, letters in _runs(title):
        for i in range(len(syllables)):
            for j in range(i + 1, min(len(syllables), i + MAX_WORD_CHARS) + 1):
                full.append("".join(syllables[i:j]))
                if j - i >= 2:
                    initials.append("".join(letters[i:j]))
    clean = lambda words: list(dict.fromkeys(w for w in words if w.isascii() and w))  # noqa: E731
    return clean(full), clean(initials)


def stored_document(doc: dict) -> dict:
    """What Elasticsearch stores for one search.documents document: the same fields (ids as
    strings), facet label fields and the pinyin of each title word."""
    full_words, initial_words = pinyin_words(doc["title"])
    price = doc.get("price")
    created = doc.get("date_created")

    def label(value, name) -> str | None:
        return f"{value}{LABEL_SEP}{name}" if value not in (None, "") else None

    return {
        **doc,
        "category_ids": [str(i) for i in doc.get("category_ids") or []],
        "category_facet": [label(i, n) for i, n in zip(doc.get("category_ids") or [],
                                                       doc.get("category_names") or [],
                                                       strict=False)],
        "cooperative_id": str(doc["cooperative_id"]) if doc.get("cooperative_id") else None,
        "cooperative_facet": label(doc.get("cooperative_id"), doc.get("cooperative")),
        "county_facet": label(doc.get("county_code"), doc.get("county") or doc.get("county_code")),
        "town_facet": label(doc.get("town_code"), doc.get("town") or doc.get("town_code")),
        "price": float(price) if price is not None else None,
        "pinyin_words": " ".join(full_words),
        "initials_words": " ".join(initial_words),
        "date_created": created.isoformat() if hasattr(created, "isoformat") else created,
    }


def split_label(key: str) -> tuple[str, str]:
    value, _sep, name = str(key).partition(LABEL_SEP)
    return value, name or value
