"""Catalogue use cases: the 农产品 product class, seeded categories, and creating a listing."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _
from oscar.apps.catalogue.categories import create_from_breadcrumbs
from oscar.core.loading import get_model

from marketplace.shop.catalogue.storage import AMBIENT, STORAGE_OPTIONS

Product = get_model("catalogue", "Product")
ProductClass = get_model("catalogue", "ProductClass")
ProductAttribute = get_model("catalogue", "ProductAttribute")
AttributeOptionGroup = get_model("catalogue", "AttributeOptionGroup")
AttributeOption = get_model("catalogue", "AttributeOption")
ProductCategory = get_model("catalogue", "ProductCategory")
ProductImage = get_model("catalogue", "ProductImage")
StockRecord = get_model("partner", "StockRecord")

PRODUCT_CLASS_NAME = "农产品"
PRODUCT_CLASS_SLUG = "farm-produce"
CATEGORIES = ["水果", "蔬菜", "粮油", "茶叶", "禽蛋肉", "山货干货", "加工食品"]

# code, name, type
ATTRIBUTES = [
    ("spec", "规格", "text"),
    ("shelf_life_days", "保质期（天）", "integer"),
    ("storage", "储存方式", "option"),
    ("harvest_season", "采收季节", "text"),
]


def ensure_missing_image() -> None:
    """Oscar thumbnails products without a picture from MEDIA_ROOT/OSCAR_MISSING_IMAGE_URL.

    Oscar creates that file lazily inside a request, and two requests doing it at once on a
    fresh media folder make one of them fail (a 500). The web entry points call this at
    start-up; the copy goes through a temporary file and an atomic rename, so workers
    starting together cannot trip over each other either.
    """
    import os
    import shutil
    import tempfile
    from pathlib import Path

    import oscar
    from django.conf import settings

    target = Path(settings.MEDIA_ROOT) / settings.OSCAR_MISSING_IMAGE_URL
    if target.exists():
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    source = Path(oscar.__file__).parent / "static" / "oscar" / "img" / "image_not_found.jpg"
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".missing-")
    os.close(fd)
    try:
        shutil.copyfile(source, tmp)
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


@transaction.atomic
def catalogue_setup() -> ProductClass:
    """Create (or find) the 农产品 product class with its attributes, and the categories."""
    ensure_missing_image()
    pclass, _created = ProductClass.objects.get_or_create(
        slug=PRODUCT_CLASS_SLUG,
        defaults={"name": PRODUCT_CLASS_NAME, "requires_shipping": True, "track_stock": True},
    )
    group, _created = AttributeOptionGroup.objects.get_or_create(name="储存方式")
    for option in STORAGE_OPTIONS:
        AttributeOption.objects.get_or_create(group=group, option=option)
    for code, name, type_ in ATTRIBUTES:
        ProductAttribute.objects.get_or_create(
            product_class=pclass,
            code=code,
            defaults={
                "name": name,
                "type": type_,
                "option_group": group if type_ == "option" else None,
                "required": code in {"spec", "storage"},
            },
        )
    for name in CATEGORIES:
        create_from_breadcrumbs(name)
    return pclass


def category_by_name(name: str):
    Category = get_model("catalogue", "Category")
    return Category.objects.get(name=name, depth=1)


def stock_values_check(*, price: Decimal, num_in_stock: int) -> Decimal:
    """A stock record's price and stock on hand may not be negative; returns the price."""
    price = Decimal(price)
    if price < 0:
        raise ValidationError({"price": _("价格不能为负数。")})
    if num_in_stock < 0:
        raise ValidationError({"num_in_stock": _("库存不能为负数。")})
    return price


@transaction.atomic
def product_create(
    *,
    title: str,
    partner,
    category,
    price: Decimal,
    num_in_stock: int,
    origin_region_code: str | None = None,
    spec: str = "",
    shelf_life_days: int | None = None,
    storage: str = AMBIENT,
    harvest_season: str = "",
    description: str = "",
    image: tuple[str, bytes] | None = None,
    sku: str | None = None,
) -> Product:
    """Create a 农产品 listing with its stock record at the cooperative's partner."""
    price = stock_values_check(price=price, num_in_stock=num_in_stock)
    if storage not in STORAGE_OPTIONS:
        raise ValidationError({"storage": _("储存方式只能是常温、冷藏或冷冻。")})
    pclass = ProductClass.objects.get(slug=PRODUCT_CLASS_SLUG)
    product = Product(
        product_class=pclass,
        title=title,
        slug=slugify(sku or "") or None,
        description=description,
        origin_region_id=origin_region_code,
        structure=Product.STANDALONE,
    )
    product.attr.spec = spec or "1份"
    if shelf_life_days is not None:
        product.attr.shelf_life_days = shelf_life_days
    product.attr.storage = AttributeOption.objects.get(group__name="储存方式", option=storage)
    if harvest_season:
        product.attr.harvest_season = harvest_season
    product.save()
    ProductCategory.objects.create(product=product, category=category)
    StockRecord.objects.create(
        product=product,
        partner=partner,
        partner_sku=sku or f"{partner.code}-{product.pk}",
        price=price,
        num_in_stock=num_in_stock,
    )
    if image:
        filename, content = image
        img = ProductImage(product=product, display_order=0, caption=title)
        img.original.save(filename, ContentFile(content), save=False)
        img.save()
    return product
