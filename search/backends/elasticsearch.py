"""Elasticsearch search backend (elasticsearch-dsl): products are read and written through an
alias (settings.ELASTICSEARCH_INDEX); a rebuild fills a fresh index and moves the alias.

The request bodies are built by pure functions (build_search, suggest_search) so they are
tested without a cluster. The buyer's text only ever reaches match / multi_match / term
queries, never query_string: ``title:红米 AND (*`` is searched as words.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable
from functools import cache

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from elasticsearch_dsl import A, Q, Search

from search import es_mapping
from search.backends.base import SearchBackend, SearchUnavailable
from search.query import (
    FACETS,
    PRICE_RANGES,
    SUGGEST_LIMIT,
    FacetValue,
    SearchRequest,
    SearchResult,
    Suggestion,
    clean_text,
    price_range_label,
    price_range_value,
)
from search.suggestcache import index_changed

logger = logging.getLogger(__name__)

# Filters with a list of values → the document field they match.
FILTER_FIELDS = {"category": "category_ids", "certification": "certifications",
                 "county": "county_code", "town": "town_code", "cooperative": "cooperative_id"}
# The field a list facet aggregates: "<value>|<label>" where the label is stored with it.
FACET_FIELDS = {"category": "category_facet", "certification": "certifications",
                "county": "county_facet", "town": "town_facet",
                "cooperative": "cooperative_facet"}
FACET_SIZE = 100
BULK_PRODUCTS = 500  # products per bulk request when re-indexing a list of ids
# Title above category, cooperative and region names, description last. The .cjk sub-fields
# exist when a plugin analyses the main field (single characters: 茶 finds 茶叶).
TEXT_FIELDS = ["title^3", "title.cjk^3", "category_path^1.5", "category_path.cjk^1.5",
               "cooperative", "county", "town", "village", "description^0.5"]
# One edit for Latin words of 4 to 19 letters ("hongmu" → hongmi); shorter ones exact.
FUZZINESS = "AUTO:4,20"
# The same orders as the DB backend, each ending on the id so pages never overlap.
_SALES, _NEWEST = {"sales": {"order": "desc"}}, {"date_created": {"order": "desc"}}
SORTS = {
    "relevance": [{"_score": {"order": "desc"}}, _SALES, {"id": {"order": "desc"}}],
    # Relevance without text: every score is equal, best sellers first.
    "relevance_all": [_SALES, _NEWEST, {"id": {"order": "desc"}}],
    "price_asc": [{"price": {"order": "asc", "missing": "_last"}}, _SALES,
                  {"id": {"order": "asc"}}],
    "price_desc": [{"price": {"order": "desc", "missing": "_last"}}, _SALES,
                   {"id": {"order": "asc"}}],
    "sales": [_SALES, _NEWEST, {"id": {"order": "desc"}}],
    "newest": [_NEWEST, {"id": {"order": "desc"}}],
}


class SearchIndexError(RuntimeError):
    """Elasticsearch refused documents of a bulk request (first reasons in the message)."""


def latin_words(text: str) -> str:
    """The Latin letters and digits of ``text`` as lowercase words ("Hong mi!" → "hong mi")."""
    return " ".join(re.findall(r"[0-9a-z]+", text.lower()))


# --- Request bodies (pure) ----------------------------------------------------------------

def _collapse_repeats(text: str) -> str:
    """A run of 2+ characters repeated three times or more, once ("红米红米红米…" → "红米"): a
    pasted repetition would otherwise ask for words that only exist at its seams (米红)."""
    return " ".join(re.sub(r"([^\s\d]{2,20}?)\1{2,}", r"\1", text).split())


def text_query(q: str) -> Q:
    """Relevance for the buyer's text: every word found in the title, category, cooperative,
    region or description (taken as one field, title weighing most); Latin words also as
    pinyin (the title's start, a word of the title, a word's start, a word one typo away)
    and initials ("hm" → 红米)."""
    q = _collapse_repeats(clean_text(q))
    if not q:
        return Q("match_all")
    should = [
        Q("multi_match", query=q, fields=TEXT_FIELDS, type="cross_fields", operator="and"),
        Q("match_phrase", title={"query": q, "boost": 2}),
    ]
    words = latin_words(q)
    if words:
        compact = words.replace(" ", "")

        def every(field: str, boost: float, **options) -> Q:
            return Q("match", **{field: {"query": words, "operator": "and", "boost": boost,
                                         **options}})

        should += [
            Q("match", pinyin={"query": compact, "boost": 3}),
            every("pinyin_words", 2),
            every("pinyin_words.prefix", 1),
            every("pinyin_words", 0.5, fuzziness=FUZZINESS, prefix_length=1),
            Q("match", initials={"query": compact, "boost": 1.5}),
            every("initials_words", 1.5),
        ]
    return Q("bool", should=should, minimum_should_match=1)


def filter_clauses(request: SearchRequest) -> dict[str, Q]:
    """One filter per active facet (values of one facet OR'ed, facets AND'ed)."""
    out = {}
    for name, field in FILTER_FIELDS.items():
        values = request.filters.get(name)
        if values:
            out[name] = Q("terms", **{field: list(values)})
    bounds = {}
    if request.price_min is not None:
        bounds["gte"] = float(request.price_min)
    if request.price_max is not None:
        bounds["lte"] = float(request.price_max)
    if bounds:
        out["price"] = Q("range", price=bounds)
    for name in ("in_stock", "live_now"):
        value = getattr(request, name)
        if value is not None:
            out[name] = Q("term", **{name: value})
    return out


def facet_aggregation(name: str) -> A:
    if name == "price":
        ranges = []
        for low, high in PRICE_RANGES:
            bucket = {"key": price_range_value(low, high)}
            if low is not None:
                bucket["from"] = float(low)
            if high is not None:
                bucket["to"] = float(high)
            ranges.append(bucket)
        return A("range", field="price", ranges=ranges)
    if name in ("in_stock", "live_now"):
        return A("filter", filter=Q("term", **{name: True}))
    return A("terms", field=FACET_FIELDS[name], size=FACET_SIZE)


def build_search(request: SearchRequest, *, index: str = "products") -> Search:
    """The whole search request: the text query, active filters as a post_filter (hits are
    filtered, aggregations are not), one aggregation per facet counted under all OTHER
    active filters, the sort with an id tiebreak, the page and a typo suggestion."""
    filters = filter_clauses(request)
    s = Search(index=index).query(text_query(request.q)).source(False)
    if filters:
        s = s.post_filter(Q("bool", filter=list(filters.values())))
    for name in FACETS:
        others = [clause for other, clause in filters.items() if other != name]
        scope = Q("bool", filter=others) if others else Q("match_all")
        s.aggs.bucket(f"facet_{name}", "filter", filter=scope).bucket(
            "values", facet_aggregation(name))
    words = latin_words(request.q)
    if words:
        s = s.suggest("corrected", words, term={
            "field": "pinyin_words", "suggest_mode": "missing", "max_edits": 1,
            "prefix_length": 1, "min_word_length": 4, "size": 1})
    sort = SORTS.get(request.sort, SORTS["relevance"])
    if request.sort == "relevance" and not clean_text(request.q):
        sort = SORTS["relevance_all"]
    s = s.sort(*sort).extra(track_total_hits=True)
    return s[request.offset:request.offset + request.per_page]


def suggest_search(prefix: str, *, limit: int = SUGGEST_LIMIT,
                   index: str = "products") -> Search | None:
    """Products whose title, pinyin or initials start with ``prefix`` (also a word of the
    title in pinyin: "hong" → 妙高红米); each kind of match scores a fixed amount (the best
    one counts), then best sellers first. None when there is nothing to look for."""
    text = clean_text(prefix)
    if not text:
        return None

    def scored(query: Q, boost: float) -> Q:
        return Q("constant_score", filter=query, boost=boost)

    clauses = [scored(Q("match", **{"title.prefix": text}), 4),
               scored(Q("match_phrase", title=text), 2),
               scored(Q("match_phrase", **{"title.cjk": text}), 2)]
    words = latin_words(text)
    if words:
        compact = words.replace(" ", "")
        clauses += [scored(Q("match", pinyin=compact), 3),
                    scored(Q("match", initials=compact), 2.5),
                    scored(Q("match", **{"pinyin_words.prefix": compact}), 1.5),
                    scored(Q("match", initials_words=compact), 1)]
    return (Search(index=index).query(Q("dis_max", queries=clauses))
            .source(["id", "title", "url"])
            .sort({"_score": {"order": "desc"}}, _SALES, {"id": {"order": "desc"}})
            [:max(0, min(limit, SUGGEST_LIMIT))])


# --- Responses ----------------------------------------------------------------------------

def _certification_labels() -> dict[str, str]:
    from marketplace.cooperatives.models import Certification

    return {str(value): str(label) for value, label in Certification.Kind.choices}


def facets_from(aggregations: dict, request: SearchRequest) -> dict[str, list[FacetValue]]:
    """FacetValue lists from the aggregations of build_search's response."""
    facets: dict[str, list[FacetValue]] = {}
    for name in FACETS:
        values = (aggregations.get(f"facet_{name}") or {}).get("values") or {}
        if name == "price":
            counts = {b.get("key"): b.get("doc_count", 0) for b in values.get("buckets", [])}
            # Ranges nobody can pick are left out, unless chosen (the buyer can undo it).
            chosen = (request.price_min or 0, request.price_max)
            facets[name] = [
                FacetValue(value=price_range_value(low, high),
                           label=price_range_label(low, high),
                           count=counts.get(price_range_value(low, high), 0),
                           selected=chosen == (low or 0, high))
                for low, high in PRICE_RANGES
                if counts.get(price_range_value(low, high)) or chosen == (low or 0, high)]
        elif name in ("in_stock", "live_now"):
            label = _("有货") if name == "in_stock" else _("直播中")
            count, selected = values.get("doc_count", 0), getattr(request, name) is True
            facets[name] = ([FacetValue(value="1", label=label, count=count, selected=selected)]
                            if count or selected else [])
        else:
            chosen = set(request.filters.get(name, ()))
            labels = _certification_labels() if name == "certification" else {}
            items = []
            for bucket in values.get("buckets", []):
                if name == "certification":
                    value, label = str(bucket["key"]), labels.get(str(bucket["key"]))
                else:
                    value, label = es_mapping.split_label(bucket["key"])
                items.append(FacetValue(value=value, label=label or value,
                                        count=bucket.get("doc_count", 0),
                                        selected=value in chosen))
            items.sort(key=lambda v: (-v.count, v.label))
            seen = {v.value for v in items}
            # A chosen value without hits stays listed (selected, 0) so it can be removed.
            items += [FacetValue(value=value, label=value, count=0, selected=True)
                      for value in request.filters.get(name, ()) if value not in seen]
            facets[name] = items
    return facets


def corrected_from(suggest: dict | None, q: str) -> str | None:
    """The query with each typo'd Latin word replaced by the indexed word one edit away
    ("hongmu" → "hongmi"), or None when nothing was corrected."""
    entries = (suggest or {}).get("corrected") or []
    replacements = {e["text"]: e["options"][0]["text"] for e in entries if e.get("options")}
    if not replacements:
        return None
    return re.sub(r"[0-9a-z]+", lambda m: replacements.get(m.group(), m.group()),
                  clean_text(q).lower())


# --- The backend --------------------------------------------------------------------------

@cache
def _client(url: str):
    from elasticsearch import Elasticsearch

    return Elasticsearch(url, request_timeout=10, max_retries=2, retry_on_timeout=True)


def _call(method, **kwargs):
    """Call the client; an unreachable, timed out or overloaded cluster is SearchUnavailable."""
    from elasticsearch import ApiError, TransportError

    try:
        result = method(**kwargs)
    except TransportError as exc:
        raise SearchUnavailable(f"Elasticsearch unreachable: {exc}") from exc
    except ApiError as exc:
        if exc.meta.status == 429 or exc.meta.status >= 500:
            raise SearchUnavailable(f"Elasticsearch unavailable: {exc}") from exc
        raise
    # The client's responses wrap the body (a HEAD request's is a bool); fakes answer it.
    return getattr(result, "body", result)


# Aliases known to exist in this process (checked once, then written to without asking).
_ready_aliases: set[tuple[int, str]] = set()


class ElasticsearchBackend(SearchBackend):
    name = "elasticsearch"

    def __init__(self, *, client=None, alias: str | None = None):
        if client is None:
            if not settings.ELASTICSEARCH_URL:
                raise SearchUnavailable("ELASTICSEARCH_URL is not set")
            client = _client(settings.ELASTICSEARCH_URL)
        self.client = client
        self.alias = (alias or settings.ELASTICSEARCH_INDEX).lower()

    # Reading
    def _search(self, body: dict) -> dict:
        from elasticsearch import NotFoundError

        try:
            return _call(self.client.search, index=self.alias, body=body)
        except NotFoundError as exc:
            raise SearchUnavailable(f"No index behind the alias {self.alias!r} yet: run "
                                    "manage.py search_index --rebuild") from exc

    def search(self, request: SearchRequest) -> SearchResult:
        raw = self._search(build_search(request, index=self.alias).to_dict())
        hits = raw["hits"]
        total = hits["total"]["value"] if isinstance(hits["total"], dict) else hits["total"]
        return SearchResult(
            product_ids=[int(hit["_id"]) for hit in hits["hits"]], total=int(total),
            facets=facets_from(raw.get("aggregations") or {}, request), request=request,
            corrected=corrected_from(raw.get("suggest"), request.q))

    def suggest(self, prefix: str, *, limit: int = SUGGEST_LIMIT) -> list[Suggestion]:
        s = suggest_search(prefix, limit=limit, index=self.alias)
        if s is None or limit <= 0:
            return []
        raw = self._search(s.to_dict())
        return [Suggestion(text=hit["_source"].get("title", ""), product_id=int(hit["_id"]),
                           url=hit["_source"].get("url", ""))
                for hit in raw["hits"]["hits"]]

    # Writing
    def analysis_kind(self) -> str:
        """IK, smartcn or cjk, from the cluster's plugins (cjk when they cannot be listed)."""
        from elasticsearch import ApiError

        try:
            plugins = _call(self.client.cat.plugins, format="json")
        except ApiError as exc:
            logger.warning("Cannot list Elasticsearch plugins (%s); using the cjk analyzer", exc)
            plugins = []
        return es_mapping.analysis_kind(plugins)

    def _create_index(self, name: str, *, building: bool = False, aliases=None) -> None:
        body = es_mapping.index_body(self.analysis_kind(), building=building)
        _call(self.client.indices.create, index=name, settings=body["settings"],
              mappings=body["mappings"], **({"aliases": aliases} if aliases else {}))

    def _new_index_name(self) -> str:
        return f"{self.alias}-{timezone.now():%Y%m%d%H%M%S%f}"

    def ensure_index(self) -> None:
        """Create the first index behind the alias if there is none (writes to a missing
        alias would make Elasticsearch guess a mapping)."""
        key = (id(self.client), self.alias)
        if key in _ready_aliases:
            return
        if not _call(self.client.indices.exists_alias, name=self.alias):
            self._create_index(self._new_index_name(), aliases={self.alias: {}})
        _ready_aliases.add(key)

    def _bulk(self, index: str, docs: list[dict], deleted: Iterable[int] = (), *,
              refresh: str | bool = False) -> int:
        operations: list[dict] = []
        for doc in docs:
            operations += [{"index": {"_index": index, "_id": str(doc["id"])}},
                           es_mapping.stored_document(doc)]
        for pk in deleted:
            operations.append({"delete": {"_index": index, "_id": str(pk)}})
        if not operations:
            return 0
        raw = _call(self.client.bulk, operations=operations,
                    **({"refresh": refresh} if refresh else {}))
        if raw.get("errors"):
            # A delete of a document that was never indexed answers 404 without an error.
            reasons = [f"{action} {result.get('_id')}: {result['error']}"
                       for item in raw.get("items", []) for action, result in item.items()
                       if result.get("error")]
            if reasons:
                raise SearchIndexError("; ".join(str(r) for r in reasons[:3]))
        return len(docs)

    def index_products(self, product_ids: Iterable[int]) -> int:
        from search.documents import product_documents

        ids = list(dict.fromkeys(int(i) for i in product_ids))
        if not ids:
            return 0
        self.ensure_index()
        # A rebuild filling its new index gets the change too (it may have passed the
        # product already); without refresh there (it has none until complete).
        building = self._building_indices()
        written = 0
        for start in range(0, len(ids), BULK_PRODUCTS):
            chunk = ids[start:start + BULK_PRODUCTS]
            docs = product_documents(chunk)
            deleted = [pk for pk in chunk if pk not in {doc["id"] for doc in docs}]
            for index in building:
                self._bulk(index, docs, deleted=deleted)
            # wait_for: when the task is done, the change is searchable (at most a refresh
            # interval later, spent in the worker, not by a buyer).
            written += self._bulk(self.alias, docs, deleted=deleted, refresh="wait_for")
        index_changed()
        return written

    def _building_indices(self) -> list[str]:
        """Indices named "<alias>-…" that the alias does not point to: a rebuild's."""
        found = _call(self.client.indices.get, index=f"{self.alias}-*",
                      ignore_unavailable=True, allow_no_indices=True)
        return sorted(name for name, info in (found or {}).items()
                      if self.alias not in (info.get("aliases") or {}))

    def rebuild(self, *, progress: Callable[[int, int], None] | None = None,
                batch_size: int = 500) -> int:
        """Fill "<alias>-<timestamp>" in batches, then move the alias to it in one
        update_aliases call (readers see the old index until then) and delete the old ones.
        Re-index tasks running meanwhile write to both indices; products saved while it ran
        are indexed once more after the swap (a batch may have read them just before the
        change). One rebuild at a time: a second one would lose its index at the first's end."""
        from oscar.core.loading import get_model

        from search.documents import product_documents

        Product = get_model("catalogue", "Product")
        started = timezone.now()
        name = self._new_index_name()
        ids = list(Product.objects.browsable().order_by("pk").values_list("pk", flat=True))
        total, done, written = len(ids), 0, 0
        self._create_index(name, building=True)
        try:
            if progress:
                progress(0, total)
            for start in range(0, total, max(1, batch_size)):
                batch = ids[start:start + batch_size]
                written += self._bulk(name, product_documents(batch))
                done += len(batch)
                if progress:
                    progress(done, total)
            _call(self.client.indices.put_settings, index=name,
                  settings={"index": {"refresh_interval": None}})
            _call(self.client.indices.refresh, index=name)
            old, actions = self._swap_actions(name)
            _call(self.client.indices.update_aliases, actions=actions)
        except BaseException:
            try:
                self.client.indices.delete(index=name, ignore_unavailable=True)
            except Exception:  # the original error is the one to report
                logger.exception("Could not delete the unfinished index %s", name)
            raise
        _ready_aliases.add((id(self.client), self.alias))
        # The old indices, and any left by a rebuild that died before its swap.
        for index in sorted({*old, *self._building_indices()}):
            _call(self.client.indices.delete, index=index, ignore_unavailable=True)
        changed = list(Product.objects.filter(date_updated__gte=started)
                       .values_list("pk", flat=True))
        if changed:
            self.index_products(changed)
        index_changed()
        return written

    def _swap_actions(self, new_index: str) -> tuple[list[str], list[dict]]:
        """The indices the alias points to now and the actions moving it to ``new_index``
        (an index created under the alias's own name, e.g. by a write before any rebuild,
        is removed in the same call)."""
        indices = self.client.indices
        actions: list[dict] = []
        old: list[str] = []
        if _call(indices.exists_alias, name=self.alias):
            old = sorted(_call(indices.get_alias, name=self.alias))
            actions += [{"remove": {"index": index, "alias": self.alias}} for index in old]
        elif _call(indices.exists, index=self.alias):
            actions.append({"remove_index": {"index": self.alias}})
        actions.append({"add": {"index": new_index, "alias": self.alias}})
        return [index for index in old if index != new_index], actions
