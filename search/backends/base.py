"""The contract every search backend keeps (the behaviour suite in tests/search/ runs the
same queries against each)."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from search.query import SUGGEST_LIMIT, SearchRequest, SearchResult, Suggestion


class SearchUnavailable(RuntimeError):
    """The backend's store cannot answer now (unreachable, overloaded, no index yet): pages
    answer 503, indexing tasks retry."""


class SearchBackend:
    name = "base"

    def search(self, request: SearchRequest) -> SearchResult:
        """Hits for one page in the request's order, the total, and facet counts for every
        name in query.FACETS (counts computed with the other facets' filters applied, the
        facet's own filter left out, so a buyer sees what choosing another value gives)."""
        raise NotImplementedError

    def suggest(self, prefix: str, *, limit: int = SUGGEST_LIMIT) -> list[Suggestion]:
        """Products whose title starts with, or whose pinyin or initials start with, the
        prefix ("hong" and "hm" find 红米); best sellers first."""
        raise NotImplementedError

    def index_products(self, product_ids: Iterable[int]) -> int:
        """(Re)index these products from search.documents; products without a document
        (deleted, unpublished) are removed. Returns how many were written."""
        raise NotImplementedError

    def rebuild(self, *, progress: Callable[[int, int], None] | None = None,
                batch_size: int = 500) -> int:
        """Index every product into a fresh index and switch to it when complete (readers see
        the old one until then); progress(done, total) after each batch."""
        raise NotImplementedError
