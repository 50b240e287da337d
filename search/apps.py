"""Product search: the fork of Oscar's search app (label ``search``), without Haystack."""

from django.urls import path
from oscar.apps.search import apps


class SearchConfig(apps.SearchConfig):
    name = "search"
    label = "search"

    def ready(self):
        from search import views

        self.search_view = views.FacetedSearchView

    def get_urls(self):
        return self.post_process_urls([path("", self.search_view.as_view(), name="search")])
