"""The DB search backend (embedded default): filters and orders Oscar products in SQL."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Case, ExpressionWrapper, IntegerField, Q, QuerySet, Value, When

from marketplace.shop.catalogue.selectors import product_listing

SORTS = {
    "newest": ("-date_created", "-id"),
    "price-asc": ("min_price", "id"),
    "price-desc": ("-min_price", "id"),
    # With a query: products whose title matches more terms first, then the newest.
    "relevancy": ("-title_hits", "-date_created", "-id"),
}


def product_search(
    *, query: str = "", categories: Iterable | None = None, sort: str = "relevancy"
) -> QuerySet:
    qs = product_listing()
    if categories is not None:
        qs = qs.filter(categories__in=list(categories)).distinct()
    terms = [t for t in (query or "").split() if t]
    for term in terms:
        qs = qs.filter(
            Q(title__icontains=term)
            | Q(description__icontains=term)
            | Q(stockrecords__partner__name__icontains=term)
            | Q(origin_region__name__icontains=term)
        )
    title_hits = sum(
        (Case(When(title__icontains=term, then=Value(1)), default=Value(0)) for term in terms),
        Value(0),
    )
    qs = qs.annotate(title_hits=ExpressionWrapper(title_hits, output_field=IntegerField()))
    if terms:
        qs = qs.distinct()
    return qs.order_by(*SORTS.get(sort, SORTS["relevancy"]))
