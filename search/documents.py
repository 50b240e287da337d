"""What is indexed per product: one plain dict per product, built in a fixed number of
queries for any batch, that both backends store (the DB backend in its SearchEntry rows,
Elasticsearch as documents). Changing a field here is changing the index: rebuild it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Sum
from django.utils import timezone
from oscar.core.loading import get_model

from marketplace.regions import codes as region_codes

Product = get_model("catalogue", "Product")
StockRecord = get_model("partner", "StockRecord")
ProductCategory = get_model("catalogue", "ProductCategory")
Line = get_model("order", "Line")

# Orders that count as sales (paid and kept); the same set as order services' PAID_STATUSES.
SALE_STATUSES = ("paid", "processing", "shipped", "delivered", "completed", "partially_refunded")


def pinyin_of(text: str) -> tuple[str, str]:
    """(full pinyin without spaces, initials) of ``text``: 辣椒 → ("lajiao", "lj"). Latin
    letters and digits stay in the full form (lower case); initials come from Chinese only."""
    from pypinyin import Style, lazy_pinyin

    full = "".join(lazy_pinyin(text, errors=lambda chars: list(chars))).lower()
    initials = "".join(lazy_pinyin(text, style=Style.FIRST_LETTER,
                                   errors=lambda chars: [""] * len(chars))).lower()
    return "".join(c for c in full if c.isascii() and c.isalnum()), initials


def product_documents(product_ids: Iterable[int]) -> list[dict]:
    """The index documents of browsable products among ``product_ids`` (others, e.g.
    deleted or child products, have none: the caller removes them from the index)."""
    ids = list(dict.fromkeys(int(i) for i in product_ids))
    if not ids:
        return []
    products = list(
        Product.objects.browsable().filter(pk__in=ids)
        .select_related("origin_region")
        .only("pk", "title", "description", "slug", "date_created", "origin_region__code",
              "origin_region__name", "is_public", "structure", "parent_id")
    )
    if not products:
        return []
    pks = [p.pk for p in products]
    # Children carry the stock of a parent product.
    owners = {p.pk: p.pk for p in products}
    for child_pk, parent_pk in Product.objects.filter(parent_id__in=pks).values_list(
            "pk", "parent_id"):
        owners[child_pk] = parent_pk
    stock = defaultdict(lambda: {"price": None, "in_stock": False, "partners": set()})
    for row in (StockRecord.objects.filter(product_id__in=list(owners))
                .values("product_id", "partner_id", "price", "num_in_stock",
                        "num_allocated")):
        entry = stock[owners[row["product_id"]]]
        if row["price"] is not None and (entry["price"] is None or row["price"] < entry["price"]):
            entry["price"] = row["price"]
        if (row["num_in_stock"] or 0) - (row["num_allocated"] or 0) > 0:
            entry["in_stock"] = True
        entry["partners"].add(row["partner_id"])
    partner_ids = {pid for e in stock.values() for pid in e["partners"]}
    coops = _cooperatives(partner_ids)
    categories = _categories(pks)
    sales = defaultdict(int)
    for row in (Line.objects.filter(product_id__in=list(owners),
                                    order__status__in=SALE_STATUSES)
                .values("product_id").annotate(n=Sum("quantity"))):
        sales[owners[row["product_id"]]] += row["n"] or 0
    live = _live_now(pks)
    regions = _region_names({p.origin_region.code for p in products if p.origin_region})
    storage = _attribute(pks, "storage")

    docs = []
    for p in products:
        entry = stock[p.pk]
        coop = next((coops[pid] for pid in sorted(entry["partners"]) if pid in coops), None)
        full, initials = pinyin_of(p.title)
        origin = p.origin_region.code if p.origin_region else ""
        docs.append({
            "id": p.pk,
            "title": p.title,
            "description": _plain(p.description),
            "url": p.get_absolute_url(),
            "category_ids": [c[0] for c in categories[p.pk]],
            "category_names": [c[1] for c in categories[p.pk]],
            "category_path": " > ".join(c[1] for c in categories[p.pk]),
            "cooperative_id": coop["id"] if coop else None,
            "cooperative": coop["name"] if coop else "",
            "certifications": coop["certifications"] if coop else [],
            "county_code": region_codes.ancestor_code(origin, region_codes.COUNTY)
            if origin else "",
            "town_code": region_codes.ancestor_code(origin, region_codes.TOWN)
            if origin and region_codes.level_of(origin) >= region_codes.TOWN else "",
            "county": regions.get(origin[:6].ljust(12, "0"), "") if origin else "",
            "town": regions.get(origin[:9].ljust(12, "0"), "") if origin else "",
            "village": regions.get(origin, "") if origin and len(origin.rstrip("0")) > 9 else "",
            "storage": storage.get(p.pk, ""),
            "price": entry["price"],
            "in_stock": entry["in_stock"],
            "sales": sales[p.pk],
            "live_now": p.pk in live,
            "pinyin": full,
            "initials": initials,
            "date_created": p.date_created,
        })
    return docs


def _plain(html: str) -> str:
    from django.utils.html import strip_tags

    return " ".join(strip_tags(html or "").split())[:2000]


def _cooperatives(partner_ids) -> dict[int, dict]:
    if not partner_ids:
        return {}
    from marketplace.cooperatives.models import Certification, Cooperative

    today = timezone.localdate()
    coops = {partner_id: {"id": pk, "name": name, "certifications": []}
             for pk, partner_id, name in Cooperative.objects.filter(
                 partner_id__in=partner_ids).values_list("pk", "partner_id", "partner__name")}
    for partner_id, kind in (Certification.objects
                             .filter(cooperative__partner_id__in=partner_ids,
                                     valid_until__gte=today)
                             .values_list("cooperative__partner_id", "kind").distinct()):
        if kind not in coops[partner_id]["certifications"]:
            coops[partner_id]["certifications"].append(kind)
    return coops


def _categories(pks) -> dict[int, list[tuple[int, str]]]:
    """Each product's categories with their ancestors, root first (the path a buyer reads)."""
    Category = get_model("catalogue", "Category")
    out = defaultdict(list)
    rows = list(ProductCategory.objects.filter(product_id__in=pks).values_list(
        "product_id", "category__path"))
    paths = {path for _pk, path in rows}
    steps = Category.steplen
    needed = {path[:i] for path in paths for i in range(steps, len(path) + 1, steps)}
    names = dict(Category.objects.filter(path__in=needed).values_list("path", "pk"))
    labels = dict(Category.objects.filter(path__in=needed).values_list("path", "name"))
    for pk, path in rows:
        for i in range(steps, len(path) + 1, steps):
            item = (names[path[:i]], labels[path[:i]])
            if item not in out[pk]:
                out[pk].append(item)
    return out


def _live_now(pks) -> set[int]:
    from marketplace.livestream.models import LiveSession, SessionItem

    return set(SessionItem.objects.filter(product_id__in=pks, session__status=LiveSession.LIVE)
               .values_list("product_id", flat=True))


def _region_names(codes: set[str]) -> dict[str, str]:
    from marketplace.regions.models import Region

    wanted = set()
    for code in codes:
        wanted |= {code[:6].ljust(12, "0"), code[:9].ljust(12, "0"), code}
    return dict(Region.objects.filter(code__in=wanted).values_list("code", "name"))


def _attribute(pks, code: str) -> dict[int, str]:
    ProductAttributeValue = get_model("catalogue", "ProductAttributeValue")
    out = {}
    for row in ProductAttributeValue.objects.filter(
            product_id__in=pks, attribute__code=code).select_related("attribute", "value_option"):
        out[row.product_id] = str(row.value) if row.value is not None else ""
    return out

