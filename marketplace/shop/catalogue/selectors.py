"""Read queries for product listings: everything a product card needs in a fixed query count."""

from __future__ import annotations

from django.db.models import Exists, Min, OuterRef, Prefetch, QuerySet
from oscar.core.loading import get_model

Product = get_model("catalogue", "Product")
StockRecord = get_model("partner", "StockRecord")
ProductImage = get_model("catalogue", "ProductImage")
Option = get_model("catalogue", "Option")


def product_listing() -> QuerySet:
    """Browsable products with stock records (and cooperative), images and min price.

    The number of queries does not depend on how many products are shown: options are
    annotated (as Oscar's base_queryset does); stock records, partners, images prefetched.
    """
    return (
        Product.objects.browsable()
        .select_related("product_class", "origin_region")
        .annotate(
            has_product_class_options=Exists(
                Option.objects.filter(productclass=OuterRef("product_class"))
            ),
            has_product_options=Exists(Option.objects.filter(product=OuterRef("pk"))),
        )
        .prefetch_related(
            "children",
            "product_options",
            "product_class__options",
            Prefetch(
                "stockrecords",
                queryset=StockRecord.objects.select_related("partner__cooperative").order_by(
                    "price", "pk"
                ),
            ),
            Prefetch("images", queryset=ProductImage.objects.order_by("display_order", "pk")),
        )
        .annotate(min_price=Min("stockrecords__price"))
    )


def products_featured(*, limit: int = 8) -> list:
    """Newest products that are in stock, for the home page."""
    return list(product_listing().filter(stockrecords__num_in_stock__gt=0).distinct()
                .order_by("-date_created", "-id")[:limit])
