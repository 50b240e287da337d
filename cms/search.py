"""Page search for the shop's search page (相关内容 beside the products), through Wagtail's
search index, with Chinese words findable inside running text.

Wagtail's database backends (SQLite FTS5, PostgreSQL ``simple``) take a run of 汉字 without
spaces as one word, so "红米" would never find "妙高红米合作社的故事". Searchable pages therefore
index one more field, ``search_words`` (SearchWordsMixin): their text as the product search
indexes it (jieba words, single 汉字 and 汉字 bigrams, search.text), and a query is searched as
its bigrams, all of which must match: any contiguous Chinese text of a page finds it.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.encoding import force_str
from wagtail.search import index

SEARCH_WORDS = "search_words"
MAX_QUERY_WORDS = 16


def _flatten(value) -> Iterable[str]:
    if value is None:
        return
    if isinstance(value, str):
        yield value
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _flatten(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _flatten(item)
    else:
        yield force_str(value)


class SearchWordsMixin:
    """For page models: add ``index.SearchField("search_words")`` to their search_fields."""

    def search_words(self) -> str:
        """The words of every other SearchField of the page (title, summary, stream fields as
        Wagtail extracts them), segmented for the index."""
        from search.text import index_words

        texts = []
        for field in self.get_search_fields():
            if isinstance(field, index.SearchField) and field.field_name != SEARCH_WORDS:
                texts.extend(_flatten(field.get_value(self)))
        return " ".join(index_words(" ".join(texts)))


def search_words_field() -> index.SearchField:
    return index.SearchField(SEARCH_WORDS)


def _query_string(query: str) -> str:
    from search.text import query_words

    return " ".join(word for word, _prefix in query_words(query)[:MAX_QUERY_WORDS])


def _kind_label(page) -> str:
    kind_display = getattr(page, "get_kind_display", None)
    if kind_display is not None:
        return force_str(kind_display())
    return force_str(page._meta.verbose_name)


def page_hits(query: str, limit: int = 5) -> list[dict]:
    """Live, public stories, festivals and articles matching ``query``, best first:
    ``[{"title", "url", "summary", "kind"}]``. A fixed number of queries, whatever the hits."""
    from wagtail.models import Page

    from cms.models import ArticlePage, CooperativeStoryPage, FestivalPage

    terms = _query_string(query or "")
    if not terms or limit <= 0:
        return []
    pages = (
        Page.objects.live().public()
        .type(CooperativeStoryPage, FestivalPage, ArticlePage)
        .defer_streamfields().specific()
        .search(terms, operator="and")[:limit]
    )
    hits = []
    for page in pages:
        url = page.get_url()
        if not url:  # not under a site: nowhere to link to
            continue
        hits.append({
            "title": page.title,
            "url": url,
            "summary": getattr(page, "summary", "") or "",
            "kind": _kind_label(page),
        })
    return hits
