"""Search backends: one interface (base.SearchBackend), chosen by settings.SEARCH_BACKEND
("db", the embedded default, or "elasticsearch" when ELASTICSEARCH_URL is set)."""

from __future__ import annotations

from functools import cache

from django.conf import settings
from django.utils.module_loading import import_string

BACKENDS = {
    "db": "search.backends.db.DatabaseBackend",
    "elasticsearch": "search.backends.elasticsearch.ElasticsearchBackend",
}


@cache
def _backend_class(name: str):
    return import_string(BACKENDS[name])


def get_backend(name: str | None = None):
    """The configured backend (a fresh, cheap instance; connections are pooled inside)."""
    return _backend_class(name or settings.SEARCH_BACKEND)()


# Catalogue and category listings filter in SQL; the search page moves to get_backend().
from search.backends.listing import product_search  # noqa: E402, F401
