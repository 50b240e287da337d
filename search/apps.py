"""Product search: the fork of Oscar's search app (label ``search``), without Haystack."""

from django.urls import path
from oscar.apps.search import apps


class SearchConfig(apps.SearchConfig):
    name = "search"
    label = "search"

    def ready(self):
        from django.db.models.signals import post_migrate

        from search import indexing, views

        self.search_view = views.FacetedSearchView
        indexing.connect()
        post_migrate.connect(_fulltext_schema, sender=self, dispatch_uid="search.fulltext")

    def get_urls(self):
        from search import views

        return self.post_process_urls([
            path("", self.search_view.as_view(), name="search"),
            path("suggest/", views.suggest, name="suggest"),
        ])


def _fulltext_schema(sender, using="default", **kwargs):
    """The index's FTS5 table / tsvector column, also where tables come without migrations
    (test databases)."""
    from django.db import connections

    from search.backends.db import fulltext_schema_create

    fulltext_schema_create(connections[using])
