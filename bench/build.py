"""Writes the bench data set into a migrated database and prepares it before each run.

Run inside Django with DJANGO_SETTINGS_MODULE=bench.settings (the project) or
bench.vanilla_settings (plain Oscar): ``python -m bench.build {marker,build,prepare} ...``.
Both write the same products from bench.spec; only the project gets what plain Oscar has no
place for (cooperative profiles, origin regions, region addresses) and the past orders.
"""

from __future__ import annotations

import argparse
import datetime
import io
import json
import sys
import time
from decimal import Decimal
from pathlib import Path

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.sessions.backends.cached_db import SessionStore  # noqa: E402
from django.contrib.sites.models import Site  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402
from oscar.apps.catalogue.categories import create_from_breadcrumbs  # noqa: E402
from oscar.core.loading import get_model  # noqa: E402
from PIL import Image  # noqa: E402

from bench import spec as specmod  # noqa: E402

PROJECT = settings.BENCH_TARGET == "project"
BATCH = 2000

Partner = get_model("partner", "Partner")
StockRecord = get_model("partner", "StockRecord")
Product = get_model("catalogue", "Product")
ProductClass = get_model("catalogue", "ProductClass")
ProductAttribute = get_model("catalogue", "ProductAttribute")
ProductAttributeValue = get_model("catalogue", "ProductAttributeValue")
AttributeOptionGroup = get_model("catalogue", "AttributeOptionGroup")
AttributeOption = get_model("catalogue", "AttributeOption")
Category = get_model("catalogue", "Category")
ProductCategory = get_model("catalogue", "ProductCategory")
ProductImage = get_model("catalogue", "ProductImage")
Country = get_model("address", "Country")
UserAddress = get_model("address", "UserAddress")
Order = get_model("order", "Order")
Line = get_model("order", "Line")
ShippingAddress = get_model("order", "ShippingAddress")
Basket = get_model("basket", "Basket")

MARKER_TABLE = "bench_marker"
# Django's prefix for "no password": bench buyers are logged in through written sessions.
UNUSABLE_PASSWORD = "!bench"  # noqa: S105
PRODUCT_CLASS_SLUG = "farm-produce"


def log(msg: str) -> None:
    print(f"  [{settings.BENCH_TARGET} build] {msg}", flush=True)


# --- Marker ------------------------------------------------------------------------------


def marker_read() -> dict | None:
    with connection.cursor() as cur:
        cur.execute("SELECT to_regclass(%s)", [MARKER_TABLE])
        if cur.fetchone()[0] is None:
            return None
        cur.execute(f"SELECT spec FROM {MARKER_TABLE} WHERE id = 1")  # noqa: S608
        row = cur.fetchone()
    return json.loads(row[0]) if row else None


def marker_write(marker: dict) -> None:
    with connection.cursor() as cur:
        cur.execute(f"CREATE TABLE IF NOT EXISTS {MARKER_TABLE} (id int PRIMARY KEY, spec text)")
        cur.execute(f"DELETE FROM {MARKER_TABLE}")  # noqa: S608
        cur.execute(f"INSERT INTO {MARKER_TABLE} VALUES (1, %s)", [json.dumps(marker)])  # noqa: S608


# --- Build -------------------------------------------------------------------------------


def _site_and_catalogue() -> tuple[object, dict[str, object], dict[str, object]]:
    """Site, country, the product class with its attributes, and the categories."""
    if PROJECT:
        from marketplace.demo.services import SeedContext, demo_regions_load, demo_site_setup
        from marketplace.shop.catalogue.services import catalogue_setup

        ctx = SeedContext(domain="127.0.0.1", log=log)
        demo_regions_load(ctx=ctx)
        demo_site_setup(ctx=ctx)
        pclass = catalogue_setup()
    else:
        Site.objects.update_or_create(pk=settings.SITE_ID,
                                      defaults={"domain": "127.0.0.1", "name": "Oscar"})
        Country.objects.get_or_create(
            iso_3166_1_a2="CN",
            defaults={"iso_3166_1_a3": "CHN", "iso_3166_1_numeric": "156",
                      "printable_name": "中国", "name": "China", "is_shipping_country": True},
        )
        pclass, _ = ProductClass.objects.get_or_create(
            slug=PRODUCT_CLASS_SLUG, defaults={"name": "农产品", "track_stock": True})
        group, _ = AttributeOptionGroup.objects.get_or_create(name="储存方式")
        for option in specmod.STORAGE_OPTIONS:
            AttributeOption.objects.get_or_create(group=group, option=option)
        ProductAttribute.objects.get_or_create(
            product_class=pclass, code="spec", defaults={"name": "规格", "type": "text"})
        ProductAttribute.objects.get_or_create(
            product_class=pclass, code="storage",
            defaults={"name": "储存方式", "type": "option", "option_group": group})
        for name in specmod.CATEGORIES:
            create_from_breadcrumbs(name)
    attrs = {a.code: a for a in ProductAttribute.objects.filter(product_class=pclass)}
    options = {o.option: o for o in AttributeOption.objects.filter(group__name="储存方式")}
    return pclass, attrs, options


def _images() -> dict[str, str]:
    """One small shared JPEG per category under MEDIA_ROOT/bench/ (file name per category)."""
    root = Path(settings.MEDIA_ROOT) / "bench"
    root.mkdir(parents=True, exist_ok=True)
    names = {}
    for i, category in enumerate(specmod.CATEGORIES):
        name = f"bench/category-{i}.jpg"
        path = Path(settings.MEDIA_ROOT) / name
        if not path.exists():
            buf = io.BytesIO()
            Image.new("RGB", (400, 400), (40 + 30 * i, 160, 200 - 20 * i)).save(buf, "JPEG")
            path.write_bytes(buf.getvalue())
        names[category] = name
    missing = Path(settings.MEDIA_ROOT) / settings.OSCAR_MISSING_IMAGE_URL
    if not missing.exists():
        import oscar

        source = Path(oscar.__file__).parent / "static/oscar/img/image_not_found.jpg"
        missing.write_bytes(source.read_bytes())
    return names


def _villages() -> list[str]:
    """Village codes of 遂昌县, where the bench's cooperatives and buyers live."""
    from marketplace.regions.models import Region

    return list(Region.objects.filter(code__startswith="331123", level=Region.Level.VILLAGE)
                .order_by("code").values_list("code", flat=True))


def _partners(spec: specmod.Spec) -> list:
    partners = Partner.objects.bulk_create(
        [Partner(code=c.slug, name=c.name) for c in spec.cooperatives])
    if PROJECT:
        from marketplace.cooperatives.models import Cooperative

        villages = _villages()
        coops = []
        for c, partner in zip(spec.cooperatives, partners, strict=True):
            coop = Cooperative(
                partner=partner, slug=c.slug, legal_name=c.legal_name,
                credit_code=c.credit_code, village_id=villages[(c.seq * 7) % len(villages)],
                contact_phone=c.phone, member_households=20 + c.seq,
            )
            coop.full_clean(exclude=["partner"])  # the credit codes must pass GB 32100
            coops.append(coop)
        Cooperative.objects.bulk_create(coops)
        for partner, coop in zip(partners, coops, strict=True):
            partner.village_id = coop.village_id
    return partners


def _products(spec, pclass, attrs, options, partners) -> list:
    """Products, categories, attribute values, stock records and images; returns stock
    records indexed like spec.products (None for parents)."""
    categories = {c.name: c for c in Category.objects.filter(depth=1)}
    images = _images()
    rows = []
    for p in spec.products:
        kwargs = {}
        if PROJECT:
            kwargs["origin_region_id"] = partners[p.coop].village_id
        rows.append(Product(
            structure=p.structure, title=p.title, slug=f"bench-{p.sku.lower()}",
            description=f"{p.title}：遂昌县合作社直供，{p.storage}保存。",
            product_class=None if p.structure == "child" else pclass,
            upc=p.sku, is_public=True, **kwargs,
        ))
    # Parents first so children can point at their pk.
    parents_and_standalone = [r for r, p in zip(rows, spec.products, strict=True)
                              if p.structure != "child"]
    Product.objects.bulk_create(parents_and_standalone, batch_size=BATCH)
    for r, p in zip(rows, spec.products, strict=True):
        if p.structure == "child":
            r.parent = rows[p.parent]
    Product.objects.bulk_create([r for r, p in zip(rows, spec.products, strict=True)
                                 if p.structure == "child"], batch_size=BATCH)
    log(f"products: {len(rows)} rows")

    ProductCategory.objects.bulk_create(
        [ProductCategory(product=r, category=categories[p.category])
         for r, p in zip(rows, spec.products, strict=True) if p.structure != "child"],
        batch_size=BATCH)
    values = []
    for r, p in zip(rows, spec.products, strict=True):
        if p.structure == "child":
            continue
        values.append(ProductAttributeValue(product=r, attribute=attrs["spec"],
                                            value_text=p.pack))
        values.append(ProductAttributeValue(product=r, attribute=attrs["storage"],
                                            value_option=options[p.storage]))
    ProductAttributeValue.objects.bulk_create(values, batch_size=BATCH)
    ProductImage.objects.bulk_create(
        [ProductImage(product=r, original=images[p.category], caption=p.title, display_order=0)
         for r, p in zip(rows, spec.products, strict=True) if p.structure != "child"],
        batch_size=BATCH)
    records: list = [None] * len(rows)
    stock = []
    for r, p in zip(rows, spec.products, strict=True):
        if not p.purchasable:
            continue
        rec = StockRecord(product=r, partner=partners[p.coop], partner_sku=p.sku,
                          price=p.price, price_currency="CNY", num_in_stock=10_000_000,
                          num_allocated=0)
        records[p.index] = rec
        stock.append(rec)
    StockRecord.objects.bulk_create(stock, batch_size=BATCH)
    log(f"stock records: {len(stock)}, attribute values: {len(values)}")
    return records


def _buyers(spec) -> list:
    """Buyers with a saved address in a village of 遂昌县; their passwords are unusable
    because the bench logs them in by writing sessions, not through the form."""
    User = get_user_model()
    villages = _villages()
    users = [User(email=specmod.buyer_email(i), first_name=f"买家{i}", password=UNUSABLE_PASSWORD)
             for i in range(spec.sizes.buyers)]
    User.objects.bulk_create(users, batch_size=BATCH)
    addresses = []
    for i, user in enumerate(users):
        address = UserAddress(
            user=user, first_name=f"买家{i}", line1=f"村口 {i + 1} 号",
            region_id=villages[(i * 37) % len(villages)], country_id="CN",
            phone_number=f"+86139{i:08d}", is_default_for_shipping=True,
            is_default_for_billing=True,
        )
        address.fill_region_names()
        addresses.append(address)
    UserAddress.objects.bulk_create(addresses, batch_size=BATCH)
    log(f"buyers: {len(users)} with saved addresses")
    return list(zip(users, addresses, strict=True))


def _orders(spec, records, buyers) -> None:
    from marketplace.demo.services import past_order_line

    site = Site.objects.get(pk=settings.SITE_ID)
    now = timezone.now().replace(microsecond=0)
    done = 0
    # In chunks so 100,000 lines never sit in memory as model instances at once.
    chunk = 5000
    for start in range(0, len(spec.orders), chunk):
        plans = spec.orders[start:start + chunk]
        shipping, orders, lines = [], [], []
        for plan in plans:
            _user, saved = buyers[plan.buyer]
            shipping.append(ShippingAddress(
                first_name=saved.first_name, line1=saved.line1, state=saved.state,
                line4=saved.line4, region_id=saved.region_id, country_id="CN",
                phone_number=saved.phone_number,
            ))
        ShippingAddress.objects.bulk_create(shipping, batch_size=BATCH)
        for plan, address in zip(plans, shipping, strict=True):
            total = sum((records[i].price * q for i, q in plan.lines), Decimal("0.00"))
            order = Order(
                number=plan.number, site=site, user=buyers[plan.buyer][0], currency="CNY",
                total_incl_tax=total, total_excl_tax=total, shipping_incl_tax=Decimal("0.00"),
                shipping_excl_tax=Decimal("0.00"), shipping_address=address,
                shipping_method="免运费", shipping_code="free-shipping", status=plan.status,
                date_placed=now - datetime.timedelta(days=plan.days_ago, seconds=plan.seconds),
            )
            orders.append(order)
            lines.extend(past_order_line(order=order, record=records[i], quantity=qty)
                         for i, qty in plan.lines)
        Order.objects.bulk_create(orders, batch_size=BATCH)
        Line.objects.bulk_create(lines, batch_size=BATCH)
        done += len(lines)
    log(f"orders: {len(spec.orders)} with {done} lines")


def build(spec: specmod.Spec) -> None:
    started = time.monotonic()
    with transaction.atomic():
        pclass, attrs, options = _site_and_catalogue()
        partners = _partners(spec)
        records = _products(spec, pclass, attrs, options, partners)
        if PROJECT:
            buyers = _buyers(spec)
            _orders(spec, records, buyers)
        marker_write(spec.marker())
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    log(f"built in {time.monotonic() - started:.0f} s")


# --- Prepare (every run) ---------------------------------------------------------------------


def prepare(*, sessions: int) -> dict:
    """Undo what earlier runs left (orders, baskets, allocations, sessions, cache) and
    return what the load generator needs: URLs, product ids, buyer sessions."""
    with transaction.atomic():
        placed = Order.objects.exclude(number__startswith="B")
        n_placed = placed.count()
        if PROJECT:
            # Payments and refunds protect their orders from deletion; the webhook events
            # of earlier runs would answer "duplicate" to nothing, but need not pile up.
            from logistics.models import Shipment
            from marketplace.payments.models import Payment, ProviderEvent, Refund

            Refund.objects.filter(order__in=placed).delete()
            Payment.objects.filter(order__in=placed).delete()
            ProviderEvent.objects.all().delete()
            # Paid orders get their parcels from the Celery worker (shipments_create); a
            # parcel protects its order.
            Shipment.objects.filter(order__in=placed).delete()
        if n_placed:
            placed.delete()
        Basket.objects.all().delete()
        StockRecord.objects.exclude(num_allocated=0).update(num_allocated=0)
    cache.delete_pattern("*")
    purged = _celery_purge() if PROJECT else 0
    log(f"reset: {n_placed} orders from earlier runs removed (with their payments), baskets "
        f"emptied, cache cleared, {purged} queued Celery tasks dropped")

    category = Category.objects.get(depth=1, name=specmod.CATEGORIES[2])
    listed = Product.objects.browsable().filter(categories=category).count()
    pages = max(1, min(10, listed // settings.OSCAR_PRODUCTS_PER_PAGE))
    browsable = list(Product.objects.browsable().order_by("pk").values_list("pk", "slug"))
    step = max(1, len(browsable) // 2000)
    details = [f"/catalogue/{slug}_{pk}/" for pk, slug in browsable[::step]]
    standalone = list(Product.objects.filter(structure="standalone").order_by("pk")
                      .values_list("pk", flat=True))
    addable = standalone[::max(1, len(standalone) // 2000)]
    out = {
        "category_url": category.get_absolute_url(),
        "category_products": listed,
        "category_pages": pages,
        "detail_urls": details,
        "addable_ids": addable,
        "search_words": sorted({w for words in specmod.PRODUCE.values() for w in words}),
        "buyers": [],
    }
    if PROJECT:
        out["buyers"] = _sessions(sessions)
        out.update(_live())
        out.update(_logistics())
        out.update(_search())
    return out


def _search() -> dict:
    """The search index (rebuilt when missing or stale) and the search and suggest URLs."""
    from bench.search import search_prepare

    out = search_prepare(log=log)
    log(f"search: {len(out['search_urls'])} search URLs, {len(out['suggest_urls'])} "
        "suggest prefixes")
    return out


def _celery_purge() -> int:
    """Tasks left in the broker by an earlier run (the replay queues its scans' follow-ups
    after the worker has stopped): dropped, so this run's worker starts idle."""
    from marketplace.celery import app

    return app.control.purge() or 0


def _logistics() -> dict:
    """The network, parcels and station operators of the scans and tracking scenarios
    (made on the first run, then reused); earlier runs' scans removed."""
    from bench.logistics import logistics_prepare

    started = time.monotonic()
    out = logistics_prepare()
    pools = ", ".join(str(len(s["codes"])) for s in out["stations"])
    log(f"logistics: {out['logistics_nodes']} nodes, {out['logistics_parcels']} parcels, "
        f"{len(out['stations'])} station operators ({pools} parcels each), "
        f"{len(out['track_codes'])} tracked, {out['logistics_scans_removed']} earlier scans "
        f"removed, {time.monotonic() - started:.0f} s")
    return out


def _live() -> dict:
    """The live session of the live_* scenarios (made on the first run, then reused) and
    its pool of viewers, marked as seen again now that the cache is cleared."""
    from bench.live import live_prepare

    commenters = list(get_user_model().objects.filter(email__startswith="bench-buyer-")
                      .order_by("email")[:10])
    live = live_prepare(commenters=commenters)
    log(f"live session {live['live_slug']}: {live['live_viewers']} viewers marked as seen")
    return live


def _sessions(n: int) -> list[dict]:
    """A fresh logged-in session per locust user, written through the real session store."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.models import Session

    Session.objects.all().delete()
    User = get_user_model()
    users = list(User.objects.filter(email__startswith="bench-buyer-").order_by("email")[:n])
    if len(users) < n:
        raise SystemExit(f"only {len(users)} bench buyers for {n} logged-in users")
    addresses = dict(UserAddress.objects.filter(user__in=users).values_list("user_id", "pk"))
    buyers = []
    for user in users:
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = "oscar.apps.customer.auth_backends.EmailBackend"
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
        buyers.append({"email": user.email, "session": store.session_key,
                       "address_id": addresses[user.pk]})
    return buyers


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.build")
    parser.add_argument("command", choices=["marker", "build", "prepare"])
    parser.add_argument("--sessions", type=int, default=32)
    parser.add_argument("--out")
    args = parser.parse_args(argv)
    spec = specmod.generate()
    if args.command == "marker":
        print(json.dumps({"found": marker_read(), "wanted": spec.marker()}))
        return 0
    if args.command == "build":
        build(spec)
        return 0
    result = prepare(sessions=args.sessions)
    Path(args.out).write_text(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
