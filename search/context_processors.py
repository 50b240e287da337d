"""Puts the search box's form on every page."""

from search.forms import SearchForm


def search_form(request):
    return {"search_form": SearchForm(request.GET or None)}
