"""Read queries for product listings: everything a product card needs in a fixed query count."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import (
    Exists,
    Min,
    OuterRef,
    Prefetch,
    QuerySet,
    Subquery,
    prefetch_related_objects,
)
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
        .prefetch_related(*_card_prefetches())
        # A correlated subquery, not Min() over a join: the join made PostgreSQL group the
        # whole product row (description included) for every listing and count.
        .annotate(min_price=Subquery(
            StockRecord.objects.filter(product=OuterRef("pk")).order_by()
            .values("product").annotate(lowest=Min("price")).values("lowest")[:1]
        ))
    )


def _card_prefetches() -> list:
    """What a product card (oscar/catalogue/partials/product.html) reads besides the row."""
    return [
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
    ]


def products_prepare_for_cards(products: Iterable) -> list:
    """The given products as a list, with what their cards show loaded in a fixed number of
    queries: for products that did not come from ``product_listing`` (offer ranges,
    recommendations). Lookups already prefetched are not fetched again."""
    products = list(products)
    prefetch_related_objects(products, *_card_prefetches())
    for product in products:
        # Oscar's has_options reads these annotations and otherwise queries per product.
        if getattr(product, "has_product_options", None) is None:
            product_class = product.product_class if product.product_class_id else None
            product.has_product_class_options = bool(
                product_class.options.all() if product_class else product.options
            )
            product.has_product_options = bool(product.product_options.all())
    return products


def products_featured(*, limit: int = 8) -> list:
    """Newest products that are in stock, for the home page."""
    in_stock = StockRecord.objects.filter(product=OuterRef("pk"), num_in_stock__gt=0)
    return list(product_listing().filter(Exists(in_stock))
                .order_by("-date_created", "-id")[:limit])


def product_detail_queryset() -> QuerySet:
    """One product page: attributes, images, stock records with the cooperative and its valid
    certifications, and public children with their stock records, all prefetched."""
    from marketplace.cooperatives.selectors import valid_certifications_prefetch

    stock = StockRecord.objects.select_related("partner__cooperative__village").prefetch_related(
        valid_certifications_prefetch("partner__cooperative__certifications")
    ).order_by("price", "pk")
    children = (
        Product.objects.public()
        .prefetch_related(
            Prefetch("stockrecords", queryset=StockRecord.objects.order_by("price", "pk")),
            "images",
        )
        .order_by("pk")
    )
    return (
        Product.objects.select_related("product_class", "parent", "origin_region")
        .prefetch_attribute_values(include_parent_children_attributes=True)
        .prefetch_related(
            Prefetch("stockrecords", queryset=stock),
            Prefetch("images", queryset=ProductImage.objects.order_by("display_order", "pk")),
            Prefetch("children", queryset=children, to_attr="_prefetched_public_children"),
            "product_options",
            "product_class__options",
        )
    )


def product_origin_path(*, product) -> str:
    """产地 as 浙江省丽水市遂昌县…, from the product's origin region (one query)."""
    from marketplace.regions.selectors import region_full_name

    if not product.origin_region_id:
        return ""
    return region_full_name(code=product.origin_region_id)
