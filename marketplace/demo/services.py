"""Building the demo county 遂昌县, step by step; every step is safe to run again.

A step is a callable ``step(*, ctx: SeedContext) -> None`` named by its dotted path. The
default steps are ``DEFAULT_STEPS``; the setting ``DEMO_SEED_STEPS`` replaces that list and
``DEMO_SEED_EXTRA_STEPS`` appends to it, so later packages (logistics, livestream) add their
own demo data without this module knowing them. A step finds earlier steps' rows by their
natural keys (emails, cooperative slugs, SKUs) and may add rows to ``ctx.credentials``.
"""

from __future__ import annotations

import datetime
import functools
import io
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.contenttypes.models import ContentType
from django.contrib.sites.models import Site as DjangoSite
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from oscar.core.loading import get_model
from PIL import Image, ImageDraw, ImageFont

from marketplace.cooperatives.models import Certification, Cooperative
from marketplace.cooperatives.services import cooperative_create, cooperative_staff_add
from marketplace.demo import data
from marketplace.payments.models import Payment
from marketplace.payments.money import to_fen
from marketplace.payments.providers.sandbox import SandboxProvider
from marketplace.regions.models import Region
from marketplace.regions.selectors import region_paths
from marketplace.regions.services import regions_load
from marketplace.shop.address.mixins import region_address_lines
from marketplace.shop.catalogue.services import catalogue_setup, category_by_name, product_create
from marketplace.validators import uscc_check_character

Country = get_model("address", "Country")
UserAddress = get_model("address", "UserAddress")
StockRecord = get_model("partner", "StockRecord")
Order = get_model("order", "Order")
Line = get_model("order", "Line")
ShippingAddress = get_model("order", "ShippingAddress")
Source = get_model("payment", "Source")
SourceType = get_model("payment", "SourceType")

DEFAULT_STEPS: list[str] = [
    "marketplace.demo.services.demo_regions_load",
    "marketplace.demo.services.demo_site_setup",
    "marketplace.demo.services.demo_catalogue_setup",
    "marketplace.demo.services.demo_cooperatives_create",
    "marketplace.demo.services.demo_products_create",
    "marketplace.demo.services.demo_users_create",
    "marketplace.demo.services.demo_orders_create",
]

DEFAULT_ORDERS = 500
DEFAULT_DOMAIN = "127.0.0.1:8000"
ORDER_PREFIX = "D"
RANDOM_SEED = 2022
FREE_SHIPPING_FROM = Decimal("99.00")
SHIPPING_FEE = Decimal("10.00")

# Fonts that can draw 汉字 on product images; the first one found is used.
CJK_FONTS = (
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),  # index 2: Simplified Chinese
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc", 2),
    ("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc", 2),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
    ("/usr/share/fonts/truetype/arphic/uming.ttc", 0),
)

CATEGORY_COLOURS = {
    "水果": (240, 140, 40),
    "蔬菜": (80, 160, 70),
    "粮油": (190, 60, 50),
    "茶叶": (60, 120, 80),
    "禽蛋肉": (200, 110, 90),
    "山货干货": (130, 90, 60),
    "加工食品": (180, 140, 50),
}


def _role_labels() -> dict[str, str]:
    return {
        "buyer": _("买家"),
        "coop_staff": _("合作社员工"),
        "live_host": _("直播主播"),
        "hub_operator": _("县级物流中心操作员"),
        "town_operator": _("乡镇站点操作员"),
        "village_operator": _("村级服务点操作员"),
        "analyst": _("数据分析员"),
        "admin": _("平台管理员"),
    }


@dataclass
class SeedContext:
    """What the steps share: options, a logger, and the log-in table printed at the end."""

    orders: int = DEFAULT_ORDERS
    skip_regions: bool = False
    domain: str = DEFAULT_DOMAIN
    log: Callable[[str], None] = print
    credentials: list[tuple[str, str, str]] = field(default_factory=list)  # role, email, pw

    def credential_add(self, *, role: str, email: str, password: str) -> None:
        if (role, email, password) not in self.credentials:
            self.credentials.append((role, email, password))


def seed_steps() -> list[str]:
    steps = getattr(settings, "DEMO_SEED_STEPS", None)
    steps = list(DEFAULT_STEPS) if steps is None else list(steps)
    return steps + list(getattr(settings, "DEMO_SEED_EXTRA_STEPS", []))


def demo_seed(
    *,
    orders: int = DEFAULT_ORDERS,
    skip_regions: bool = False,
    domain: str = DEFAULT_DOMAIN,
    log: Callable[[str], None] = print,
    steps: list[str] | None = None,
) -> SeedContext:
    """Run the seed steps in order, each in its own transaction; return the shared context."""
    ctx = SeedContext(orders=orders, skip_regions=skip_regions, domain=domain, log=log)
    for path in seed_steps() if steps is None else steps:
        step = import_string(path)
        with transaction.atomic():
            step(ctx=ctx)
    return ctx


# --- Regions, site, catalogue ------------------------------------------------------------


def demo_regions_load(*, ctx: SeedContext) -> None:
    """The whole country down to towns, and the villages of 遂昌县 and 麻阳县."""
    if ctx.skip_regions:
        ctx.log("regions: skipped (--skip-regions)")
        return
    loaded = all(
        Region.objects.filter(code__startswith=county, level=Region.Level.VILLAGE).exists()
        for county in data.VILLAGE_COUNTIES
    ) and Region.objects.filter(level=Region.Level.TOWN, code__startswith="11").exists()
    if loaded:
        ctx.log("regions: already loaded")
        return
    result = regions_load(village_counties=data.VILLAGE_COUNTIES)
    ctx.log(f"regions: loaded {result.total}")


def demo_site_setup(*, ctx: SeedContext) -> None:
    """Oscar's country CN, Django's site and Wagtail's site with a HomePage as its root."""
    country, _created = Country.objects.get_or_create(
        iso_3166_1_a2="CN",
        defaults={"iso_3166_1_a3": "CHN", "iso_3166_1_numeric": "156", "printable_name": "中国",
                  "name": "People's Republic of China", "is_shipping_country": True},
    )
    if not country.is_shipping_country:
        Country.objects.filter(pk=country.pk).update(is_shipping_country=True)

    site_name = str(settings.WAGTAIL_SITE_NAME)
    site, _created = DjangoSite.objects.get_or_create(
        pk=settings.SITE_ID, defaults={"domain": ctx.domain, "name": site_name}
    )
    if (site.domain, site.name) != (ctx.domain, site_name):
        site.domain, site.name = ctx.domain, site_name
        site.save()
    DjangoSite.objects.clear_cache()
    _wagtail_home_setup(ctx=ctx, site_name=site_name)


def _wagtail_home_setup(*, ctx: SeedContext, site_name: str) -> None:
    from wagtail.models import Locale, Page, Site

    from cms.models import HomePage

    hostname, _sep, port = ctx.domain.partition(":")
    port = int(port or 80)
    root = Page.get_first_root_node()
    if root is None:
        locale, _created = Locale.objects.get_or_create(language_code=settings.LANGUAGE_CODE)
        root = Page.add_root(instance=Page(title="Root", slug="root", locale=locale))
    home = HomePage.objects.first()
    if home is None:
        taken = root.get_children().filter(slug="home").exists()
        home = root.add_child(instance=HomePage(
            title=site_name,
            slug="suichang-home" if taken else "home",
            intro=_("<p>遂昌县农民专业合作社直供：高山茶叶、红米、冬笋和山货，产地直发。</p>"),
        ))
        ctx.log("wagtail: home page created")

    wagtail_site = Site.objects.filter(is_default_site=True).first()
    if wagtail_site is None:
        Site.objects.create(hostname=hostname, port=port, root_page=home, is_default_site=True,
                            site_name=site_name)
    else:
        wanted = {"hostname": hostname, "port": port, "root_page_id": home.pk,
                  "site_name": site_name}
        if any(getattr(wagtail_site, k) != v for k, v in wanted.items()):
            for k, v in wanted.items():
                setattr(wagtail_site, k, v)
            wagtail_site.save()

    # Wagtail's "Welcome to your new Wagtail site!" page: a bare Page directly under the root
    # that no site points at any more.
    page_type = ContentType.objects.get_for_model(Page)
    for page in root.get_children().filter(content_type=page_type):
        if not Site.objects.filter(root_page=page).exists() and page.numchild == 0:
            page.delete()
            ctx.log("wagtail: default welcome page removed")
    home.refresh_from_db()
    if home.slug != "home" and not root.get_children().filter(slug="home").exists():
        home.slug = "home"
        home.save()


def demo_catalogue_setup(*, ctx: SeedContext) -> None:
    catalogue_setup()


# --- Cooperatives and products -----------------------------------------------------------


def demo_credit_code(*, county: str, seq: int) -> str:
    """A valid 统一社会信用代码 for a farmer cooperative (93) registered in ``county``."""
    first17 = f"93{county}MA2{seq:06d}"
    return first17 + uscc_check_character(first17)


def demo_cooperatives_create(*, ctx: SeedContext) -> None:
    created = 0
    for seq, spec in enumerate(data.COOPERATIVES, start=1):
        coop = Cooperative.objects.filter(slug=spec.slug).first()
        if coop is None:
            coop = cooperative_create(
                name=spec.name,
                slug=spec.slug,
                legal_name=spec.legal_name,
                credit_code=demo_credit_code(county=spec.village[:6], seq=seq),
                village_code=spec.village,
                contact_phone=spec.phone,
                description=spec.description,
                member_households=spec.households,
                poverty_area=spec.poverty_area,
            )
            created += 1
        for cert in spec.certifications:
            Certification.objects.get_or_create(
                kind=cert.kind, number=cert.number,
                defaults={"cooperative": coop, "issuer": cert.issuer,
                          "valid_until": cert.valid_until},
            )
    ctx.log(f"cooperatives: {created} created, {len(data.COOPERATIVES) - created} existed")


@functools.cache
def _cjk_font_source() -> tuple[str, int] | None:
    for path, index in CJK_FONTS:
        if not Path(path).exists():
            continue
        for i in (index, 0):
            try:
                font = ImageFont.truetype(path, 40, index=i)
            except OSError:
                continue
            if font.getbbox("遂昌")[2] > 0:
                return path, i
    return None


def _font(size: int):
    source = _cjk_font_source()
    if source is None:
        return None
    return ImageFont.truetype(source[0], size, index=source[1])


def product_image_render(*, title: str, category: str, spec: str = "") -> bytes:
    """A 600x600 JPEG: the category's colour with the product's name, or shapes if no font."""
    colour = CATEGORY_COLOURS.get(category, (120, 120, 120))
    light = tuple(min(255, c + 90) for c in colour)
    img = Image.new("RGB", (600, 600), colour)
    draw = ImageDraw.Draw(img)
    draw.rounded_rectangle((40, 40, 560, 560), radius=40, fill=light)
    title_font = _font(min(84, 480 // max(len(title), 1)))
    if title_font is None:
        # No CJK font on this machine: a plain emblem still tells categories apart.
        draw.ellipse((170, 170, 430, 430), fill=colour)
        draw.ellipse((240, 240, 360, 360), fill=(255, 255, 255))
    else:
        small = _font(36)
        draw.text((300, 270), title, font=title_font, fill=(40, 40, 40), anchor="mm")
        if spec:
            draw.text((300, 370), spec, font=small, fill=(70, 70, 70), anchor="mm")
        draw.text((300, 500), f"{category} · 遂昌农品", font=small, fill=colour, anchor="mm")
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=82)
    return buf.getvalue()


def demo_products_create(*, ctx: SeedContext) -> None:
    coops = {c.slug: c for c in Cooperative.objects.select_related("partner")}
    existing = set(
        StockRecord.objects.filter(partner_sku__in=[p.sku for p in data.PRODUCTS])
        .values_list("partner__code", "partner_sku")
    )
    categories = {name: category_by_name(name) for name in {p.category for p in data.PRODUCTS}}
    created = 0
    for spec in data.PRODUCTS:
        coop = coops[spec.coop]
        if (coop.partner.code, spec.sku) in existing:
            continue
        product_create(
            title=spec.title,
            partner=coop.partner,
            category=categories[spec.category],
            price=spec.price,
            num_in_stock=spec.stock,
            origin_region_code=coop.village_id,
            spec=spec.spec,
            shelf_life_days=spec.shelf_life_days,
            storage=spec.storage,
            harvest_season=spec.season,
            description=spec.description,
            image=(f"{spec.sku}.jpg", product_image_render(
                title=spec.title, category=spec.category, spec=spec.spec)),
            sku=spec.sku,
        )
        created += 1
    ctx.log(f"products: {created} created, {len(data.PRODUCTS) - created} existed")


# --- People ------------------------------------------------------------------------------


def _buyer_specs() -> list[data.PersonSpec]:
    return [
        data.PersonSpec("buyer", f"buyer{n:02d}@demo.cn", data.BUYER_NAMES[n - 1],
                        f"1390000{n:04d}")
        for n in range(1, data.EXTRA_BUYERS + 1)
    ]


def _village_codes(county: str) -> list[str]:
    return list(
        Region.objects.filter(code__startswith=county, level=Region.Level.VILLAGE)
        .order_by("code").values_list("code", flat=True)
    )


def demo_users_create(*, ctx: SeedContext) -> None:
    """One user per role (printed with their passwords) and the buyers of the past orders."""
    User = get_user_model()
    specs = [*data.PEOPLE, *_buyer_specs()]
    existing = set(User.objects.filter(email__in=[s.email for s in specs])
                   .values_list("email", flat=True))
    hashes: dict[str, str] = {}  # hash each password once: hashing is deliberately slow
    created = 0
    for spec in specs:
        if spec.email in existing:
            continue
        if spec.password not in hashes:
            hashes[spec.password] = make_password(spec.password)
        is_admin = spec.role == "admin"
        User.objects.create(
            email=spec.email, first_name=spec.first_name, phone=spec.phone,
            password=hashes[spec.password], is_staff=is_admin, is_superuser=is_admin,
        )
        created += 1
    users = {u.email: u for u in User.objects.filter(email__in=[s.email for s in specs])}

    for email, coop_slug in zip(("coop1@demo.cn", "coop2@demo.cn"), data.STAFF_COOPERATIVES,
                                strict=True):
        coop = Cooperative.objects.select_related("partner").get(slug=coop_slug)
        if not coop.partner.users.filter(pk=users[email].pk).exists():
            cooperative_staff_add(cooperative=coop, user=users[email])

    # Every buyer has a saved address in a village of the county, picked deterministically.
    villages = _village_codes(data.DEMO_COUNTY)
    with_address = set(UserAddress.objects.filter(user__in=users.values())
                       .values_list("user_id", flat=True))
    for i, spec in enumerate(s for s in specs if s.role == "buyer"):
        user = users[spec.email]
        if user.pk in with_address or not villages:
            continue
        UserAddress.objects.create(
            user=user, first_name=spec.first_name, region_id=villages[(i * 37) % len(villages)],
            line1=data.STREETS[i % len(data.STREETS)], country_id="CN",
            phone_number=f"+86{spec.phone}", is_default_for_shipping=True,
            is_default_for_billing=True,
        )

    labels = _role_labels()
    coop_names = dict(Cooperative.objects.filter(slug__in=data.STAFF_COOPERATIVES)
                      .values_list("slug", "partner__name"))
    staff_of = dict(zip(("coop1@demo.cn", "coop2@demo.cn"), data.STAFF_COOPERATIVES,
                        strict=True))
    for spec in data.PEOPLE:
        role = labels[spec.role]
        if spec.email in staff_of:
            role = f"{role}（{coop_names[staff_of[spec.email]]}）"
        ctx.credential_add(role=role, email=spec.email, password=spec.password)
    ctx.credential_add(
        role=_("下单买家（%(n)d 位）") % {"n": data.EXTRA_BUYERS},
        email=f"buyer01@demo.cn … buyer{data.EXTRA_BUYERS:02d}@demo.cn",
        password=data.DEMO_PASSWORD,
    )
    ctx.log(f"users: {created} created, {len(specs) - created} existed")


# --- Past orders -------------------------------------------------------------------------


@dataclass(frozen=True)
class _PlannedOrder:
    number: str
    buyer_email: str
    placed: datetime.datetime
    status: str
    lines: tuple[tuple[int, int], ...]  # (index into the sorted stock records, quantity)


def _weighted_sample(rng: random.Random, items: list, weights: list[float], k: int) -> list:
    """``k`` distinct items, each draw weighted (items of weight 0 only when nothing else is
    left)."""
    items, weights = list(items), list(weights)
    chosen = []
    for _n in range(min(k, len(items))):
        i = rng.choices(range(len(items)), weights=weights)[0] if sum(weights) > 0 else 0
        chosen.append(items.pop(i))
        weights.pop(i)
    return chosen


def _orders_plan(*, count: int, buyers: list[str], offers: dict[str, list[int]],
                 now: datetime.datetime,
                 seasons: dict[int, tuple[float, ...]] | None = None) -> list[_PlannedOrder]:
    """Decide every order from one seeded generator, so each run plans the same orders.

    Orders are spread evenly over the last 365 days; what they buy follows the seasons:
    ``seasons`` maps a stock record's index to its weight in each month (January first, see
    data.month_weights; a record without one weighs 1 every month), and an order picks its
    cooperatives by the weight of their products in the month it is placed, then products
    of each by their own weight. So spring orders buy tea and bamboo shoots, winter ones
    oranges, and the dashboard shows it.
    """
    rng = random.Random(RANDOM_SEED)  # noqa: S311 - demo data, not security
    seasons = seasons or {}
    flat = (1.0,) * 12
    coop_slugs = sorted(offers)
    plans = []
    for i in range(count):
        buyer = rng.choice(buyers)
        days_ago = rng.randrange(365)
        placed = now - datetime.timedelta(days=days_ago, seconds=rng.randrange(86400))
        month = timezone.localtime(placed).month - 1
        weight = {idx: seasons.get(idx, flat)[month] for idxs in offers.values() for idx in idxs}
        n_coops = rng.choices((1, 2, 3), weights=(70, 22, 8))[0]
        coops = _weighted_sample(rng, coop_slugs,
                                 [sum(weight[idx] for idx in offers[s]) for s in coop_slugs],
                                 n_coops)
        lines = []
        for slug in coops:
            picked = _weighted_sample(rng, offers[slug], [weight[idx] for idx in offers[slug]],
                                      rng.choice((1, 1, 2)))
            lines.extend((idx, rng.choice((1, 1, 1, 2, 3))) for idx in picked)
        if rng.random() < 0.06:
            status = "cancelled"
        elif days_ago < 7:
            status = "paid"
        else:
            status = "completed"
        plans.append(_PlannedOrder(f"{ORDER_PREFIX}{i + 1:06d}", buyer, placed, status,
                                   tuple(lines)))
    return plans


def past_order_line(*, order, record, quantity: int):
    """An unsaved line of a past order (for bulk_create) buying ``quantity`` of a stock
    record at its price, in the order's status; the demo and the benchmark build history
    with it."""
    amount = record.price * quantity
    return Line(
        order=order, partner=record.partner, partner_name=record.partner.name,
        partner_sku=record.partner_sku, stockrecord=record, product=record.product,
        title=record.product.title, upc=record.product.upc, quantity=quantity,
        line_price_incl_tax=amount, line_price_excl_tax=amount,
        line_price_before_discounts_incl_tax=amount,
        line_price_before_discounts_excl_tax=amount,
        unit_price_incl_tax=record.price, unit_price_excl_tax=record.price,
        status=order.status, num_allocated=0,
    )


def demo_orders_create(*, ctx: SeedContext) -> None:
    """Past orders over the last 12 months, buying what is in season, written in bulk; stock
    levels are not touched."""
    User = get_user_model()
    buyer_emails = ["buyer@demo.cn", *(s.email for s in _buyer_specs())]
    users = {u.email: u for u in User.objects.filter(email__in=buyer_emails)}
    records = list(
        StockRecord.objects.filter(partner__cooperative__isnull=False,
                                   partner_sku__in=[p.sku for p in data.PRODUCTS])
        .select_related("product", "partner", "partner__cooperative")
        .order_by("partner_sku")
    )
    offers: dict[str, list[int]] = {}
    for idx, rec in enumerate(records):
        offers.setdefault(rec.partner.cooperative.slug, []).append(idx)
    if not records or not users:
        ctx.log("orders: no products or buyers, skipped")
        return

    now = timezone.now().replace(microsecond=0)
    specs = {p.sku: p for p in data.PRODUCTS}
    seasons = {idx: data.month_weights(specs[rec.partner_sku]) for idx, rec in enumerate(records)}
    plans = _orders_plan(count=ctx.orders, buyers=sorted(users), offers=offers, now=now,
                         seasons=seasons)
    existing = set(Order.objects.filter(number__startswith=ORDER_PREFIX)
                   .values_list("number", flat=True))
    plans = [p for p in plans if p.number not in existing]
    if not plans:
        ctx.log(f"orders: 0 created, {ctx.orders} existed")
        _past_payments_backfill(ctx=ctx)
        return

    addresses = {a.user_id: a for a in UserAddress.objects.filter(user__in=users.values())}
    fallback_village = _village_codes(data.DEMO_COUNTY)[0]
    paths = region_paths(region_codes={a.region_id for a in addresses.values()}
                         | {fallback_village})
    site = DjangoSite.objects.get(pk=settings.SITE_ID)

    shipping = []
    for plan in plans:
        user = users[plan.buyer_email]
        saved = addresses.get(user.pk)
        region = saved.region_id if saved else fallback_village
        state, line4 = region_address_lines(paths[region])
        shipping.append(ShippingAddress(
            first_name=saved.first_name if saved else user.first_name,
            line1=saved.line1 if saved else data.STREETS[0],
            state=state,
            line4=line4,
            region_id=region, country_id="CN",
            phone_number=saved.phone_number if saved else "+8613800000000",
        ))
    ShippingAddress.objects.bulk_create(shipping, batch_size=500)

    orders, line_rows = [], []
    for plan, address in zip(plans, shipping, strict=True):
        subtotal = sum((records[i].price * q for i, q in plan.lines), Decimal("0.00"))
        fee = Decimal("0.00") if subtotal >= FREE_SHIPPING_FROM else SHIPPING_FEE
        order = Order(
            number=plan.number, site=site, user=users[plan.buyer_email],
            currency=settings.OSCAR_DEFAULT_CURRENCY,
            total_incl_tax=subtotal + fee, total_excl_tax=subtotal + fee,
            shipping_incl_tax=fee, shipping_excl_tax=fee, shipping_address=address,
            shipping_method=_("快递配送"), shipping_code="demo-express",
            status=plan.status, date_placed=plan.placed,
        )
        orders.append(order)
        line_rows.extend(past_order_line(order=order, record=records[i], quantity=qty)
                         for i, qty in plan.lines)
    Order.objects.bulk_create(orders, batch_size=500)
    Line.objects.bulk_create(line_rows, batch_size=500)
    paid = past_order_payments(orders=orders)
    ctx.log(f"orders: {len(orders)} created ({len(line_rows)} lines, {paid} paid), "
            f"{ctx.orders - len(orders)} existed")
    _past_payments_backfill(ctx=ctx)


PAST_PAID_STATUSES = frozenset({"paid", "completed"})


def past_order_payments(*, orders) -> int:
    """Sandbox payments of saved past orders that were paid, written in bulk: what
    ``order_mark_paid`` leaves for a paid order (our Payment row and Oscar's Source), so
    staff can refund them from the dashboard. Returns how many orders got one; the demo
    and the benchmark build history with it."""
    paid = [o for o in orders if o.status in PAST_PAID_STATUSES]
    if not paid:
        return 0
    source_type, _created = SourceType.objects.get_or_create(
        code=SandboxProvider.code, defaults={"name": str(SandboxProvider.label)[:128]}
    )
    Payment.objects.bulk_create([
        Payment(order=o, attempt=1, provider=SandboxProvider.code, reference=f"SBX-{o.number}",
                amount_fen=to_fen(o.total_incl_tax), currency=o.currency,
                status=Payment.SUCCEEDED)
        for o in paid
    ], batch_size=1000)
    Source.objects.bulk_create([
        Source(order=o, source_type=source_type, currency=o.currency,
               amount_allocated=o.total_incl_tax, amount_debited=o.total_incl_tax,
               reference=f"SBX-{o.number}")
        for o in paid
    ], batch_size=1000)
    return len(paid)


def _past_payments_backfill(*, ctx: SeedContext) -> None:
    """Demo orders seeded before past orders had payments get theirs (once)."""
    missing = list(
        Order.objects.filter(number__startswith=ORDER_PREFIX, status__in=PAST_PAID_STATUSES,
                             payments__isnull=True)
        .only("pk", "number", "status", "total_incl_tax", "currency")
    )
    if missing:
        ctx.log(f"orders: {past_order_payments(orders=missing)} earlier orders given a payment")
