"""Catalogue and category listings (and, until the search backends serve it, the search
page): filters and orders Oscar products in SQL."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import (
    Case,
    Exists,
    ExpressionWrapper,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from oscar.core.loading import get_model

from marketplace.shop.catalogue.selectors import product_listing

ProductCategory = get_model("catalogue", "ProductCategory")
StockRecord = get_model("partner", "StockRecord")

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
        # Subqueries, not joins: no duplicate rows, so no DISTINCT over whole product rows.
        qs = qs.filter(pk__in=ProductCategory.objects.filter(
            category__in=list(categories)).values("product_id"))
    terms = [t for t in (query or "").split() if t]
    for term in terms:
        qs = qs.filter(
            Q(title__icontains=term)
            | Q(description__icontains=term)
            | Exists(StockRecord.objects.filter(product=OuterRef("pk"),
                                                partner__name__icontains=term))
            | Q(origin_region__name__icontains=term)
        )
    title_hits = sum(
        (Case(When(title__icontains=term, then=Value(1)), default=Value(0)) for term in terms),
        Value(0),
    )
    qs = qs.annotate(title_hits=ExpressionWrapper(title_hits, output_field=IntegerField()))
    return qs.order_by(*SORTS.get(sort, SORTS["relevancy"]))
