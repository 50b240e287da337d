"""Demo traceability for seed_demo (a step, see marketplace/demo/services.py): a harvest
batch for every demo product with its inputs and inspection, codes issued for it and bound
to the lines of recently delivered demo orders, as a packer would have scanned them.

Realistic enough to read: the plot is the cooperative's village, harvest dates follow the
product's season (or fall just before its first traced sale when the season is older than
its shelf life), organic fertiliser and a registered pesticide applied outside its safe
interval, a 合格证 or 检测报告 from the county's testing station. One batch (高山四季豆) was
sprayed inside its safe interval on purpose, so staff and buyers see the warning.
Registration and report numbers have the real formats but are made up.

Only orders delivered in the last ``BIND_DAYS`` days carry codes (tracing began then; one
batch per product cannot honestly have fed a year of sales), plus buyer@demo.cn's latest
delivered order for the README's tour. Safe to run again: a product that has a batch is
left alone, so a second run adds nothing.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from oscar.core.loading import get_model

from marketplace.demo import data
from marketplace.demo import services as demo_services
from marketplace.regions.selectors import region_short_name
from marketplace.traceability import services
from marketplace.traceability.models import HarvestBatch, InputRecord, Inspection, TraceCode

Line = get_model("order", "Line")
StockRecord = get_model("partner", "StockRecord")

BIND_DAYS = 30  # a code first looked up 30+ days after delivery is flagged as copied
DELIVERED = ("delivered", "completed")
SPARE_CODES = 3  # unbound codes per batch, so the dashboard has labels left to print
TOUR_BUYER = "buyer@demo.cn"
WARNING_SKU = "gaoshan-sijidou"  # sprayed inside its safe interval on purpose
ORGANIC_SKUS = frozenset({"gaoping-hongmi-organic"})
STAFF_EMAIL = "admin@demo.cn"

# category: (plot, quantity, unit, days from planting to harvest or None for perennials)
CATEGORY_PLOTS: dict[str, tuple[str, Decimal, str, int | None]] = {
    "水果": ("果园 3 号地块", Decimal("2400"), "公斤", None),
    "蔬菜": ("高山蔬菜基地 2 号地块", Decimal("1500"), "公斤", 75),
    "粮油": ("梯田 5 号田块", Decimal("6000"), "公斤", 150),
    "茶叶": ("高山茶园 1 号茶山", Decimal("180"), "公斤", None),
    "禽蛋肉": ("林下养殖场 2 号棚", Decimal("800"), "公斤", None),
    "山货干货": ("林地 4 号山场", Decimal("900"), "公斤", None),
    "加工食品": ("加工车间", Decimal("1200"), "件", None),
}
SKU_PLOTS = {  # where the category's plot does not fit
    "shan-chayou": ("油茶林 6 号山场", Decimal("3000"), "公斤", None),
    "mayang-huangdou": ("旱地 3 号地块", Decimal("2000"), "公斤", 110),
}

# category: (pesticide, registration number, amount, safe interval in days)
PESTICIDES: dict[str, tuple[str, str, str, int]] = {
    "水果": ("代森锰锌 80% 可湿性粉剂", "PD20081326", "150 克/亩", 28),
    "蔬菜": ("苦参碱 0.3% 水剂", "PD20101580", "120 毫升/亩", 7),
    "粮油": ("吡虫啉 10% 可湿性粉剂", "PD20084357", "20 克/亩", 21),
    "茶叶": ("苦参碱 0.6% 水剂", "PD20110263", "75 毫升/亩", 10),
    "山货干货": ("甲氨基阿维菌素苯甲酸盐 5% 水分散粒剂", "PD20120927", "15 克/亩", 14),
}
FERTILISER = ("商品有机肥（腐熟羊粪）", "浙农肥（2021）准字 1873 号", "300 公斤/亩")
FEED = ("自配玉米谷物饲料", "", "每日 150 克/只")

STATIONS = {
    data.DEMO_COUNTY: "遂昌县农产品质量安全检测站",
    data.POVERTY_COUNTY: "麻阳苗族自治县农产品质量安全检测站",
}
REPORT_CATEGORIES = frozenset({"粮油", "茶叶", "加工食品"})  # 检测报告; fresh produce 合格证


def demo_trace_create(*, ctx) -> None:
    """The seed step: batches, inputs, inspections and codes bound to delivered lines."""
    User = get_user_model()
    staff = User.objects.filter(email=STAFF_EMAIL, is_staff=True).first() or (
        User.objects.filter(is_superuser=True, is_active=True).order_by("pk").first())
    specs = {p.sku: p for p in data.PRODUCTS}
    records = list(
        StockRecord.objects.filter(partner_sku__in=specs, partner__cooperative__isnull=False)
        .exclude(product__batches__isnull=False)
        .select_related("product", "partner__cooperative__village").order_by("partner_sku"))
    if staff is not None and records:
        _batches_create(ctx=ctx, records=records, specs=specs, staff=staff)
    else:
        ctx.log("trace: nothing to do (every demo product has a batch, or no staff user)")
    _tour_hint(ctx=ctx)


def _batches_create(*, ctx, records: list, specs: dict, staff) -> None:
    lines = _lines_to_trace(products=[r.product_id for r in records])
    batches = codes = bound = 0
    for record in records:
        spec = specs[record.partner_sku]
        product_lines = lines.get(record.product_id, [])
        batch = _batch_create(spec=spec, record=record, lines=product_lines, user=staff)
        batches += 1
        units = sum(line.quantity for line in product_lines)
        issued = services.codes_issue(batch=batch, count=units + SPARE_CODES, user=staff)
        codes += len(issued)
        free = iter(c.code for c in issued)
        for line in product_lines:
            services.codes_bind(order_line=line, codes=[next(free) for _i in
                                                          range(line.quantity)], user=staff)
            bound += line.quantity
    ctx.log(f"trace: {batches} batches, {codes} codes ({bound} bound to delivered lines)")


def _tour_hint(*, ctx) -> None:
    """Print a sample trace page and name the order that carries it in the log-in table:
    the tour buyer's latest from a cooperative of the demo county (its parcel was signed for
    in the buyer's village; 麻阳县's leave with an express carrier), else their latest."""
    theirs = (TraceCode.objects.filter(order_line__order__user__email=TOUR_BUYER)
              .select_related("order_line__order")
              .order_by("-order_line__order__date_placed", "order_line_id", "serial"))
    sample = (theirs.filter(batch__cooperative__village__code__startswith=data.DEMO_COUNTY).first()
              or theirs.first())
    if sample is None:
        return
    number = sample.order_line.order.number
    ctx.log(f"trace: {TOUR_BUYER}'s order {number} carries 溯源码 "
            f"http://{ctx.domain}/t/{sample.code}/")
    ctx.credentials[:] = [
        (_("%(role)s（订单 %(number)s 可查看溯源码）") % {"role": role, "number": number}
         if email == TOUR_BUYER and number not in role else role, email, pw)
        for role, email, pw in ctx.credentials]


def _lines_to_trace(*, products: list[int]) -> dict[int, list]:
    """Lines of delivered demo orders of the last BIND_DAYS days, and of the tour buyer's
    latest delivered order, oldest first, by product; none already bound."""
    since = timezone.now() - dt.timedelta(days=BIND_DAYS)
    delivered = Q(order__status__in=DELIVERED,
                  order__number__startswith=demo_services.ORDER_PREFIX)
    tour_order = (Line.objects.filter(delivered, order__user__email=TOUR_BUYER)
                  .order_by("-order__date_placed").values_list("order_id", flat=True).first())
    found = (Line.objects.filter(delivered, product_id__in=products)
             .filter(Q(order__date_placed__gte=since) | Q(order_id=tour_order))
             .exclude(trace_codes__isnull=False)
             .select_related("order__user").order_by("order__date_placed", "pk"))
    by_product: dict[int, list] = defaultdict(list)
    for line in found:
        by_product[line.product_id].append(line)
    return by_product


def _season_months(season: str) -> set[int]:
    """"9-10月" → {9, 10}; "11-2月" → {11, 12, 1, 2}; "全年" and the like → every month."""
    found = re.fullmatch(r"(\d{1,2})(?:-(\d{1,2}))?月", season)
    if not found:
        return set(range(1, 13))
    first = int(found.group(1))
    last = int(found.group(2) or first)
    months, month = {first}, first
    while month != last:
        month = month % 12 + 1
        months.add(month)
    return months


def _harvest_date(*, spec, first_sale: dt.date) -> dt.date:
    """The latest day of the product's season at least two days before its first traced
    sale, unless that is older than its shelf life: then two days before that sale."""
    latest = first_sale - dt.timedelta(days=2)
    months = _season_months(spec.season)
    day = latest
    for _i in range(370):
        if day.month in months:
            break
        day -= dt.timedelta(days=1)
    if (first_sale - day).days > spec.shelf_life_days:
        return latest
    return day


def _batch_create(*, spec, record, lines: list, user) -> HarvestBatch:
    cooperative = record.partner.cooperative
    today = timezone.localdate()
    first_sale = (timezone.localtime(lines[0].order.date_placed).date() if lines
                  else today - dt.timedelta(days=7))
    harvested = _harvest_date(spec=spec, first_sale=first_sale)
    plot, quantity, unit, growing_days = SKU_PLOTS.get(spec.sku) or CATEGORY_PLOTS[
        spec.category]
    village = cooperative.village
    place = region_short_name(village.name) if village else cooperative.legal_name
    batch = services.batch_create(
        user=user, cooperative=cooperative, product=record.product,
        batch_number=f"{harvested:%Y%m%d}-{spec.sku.upper()}"[:40],
        harvested_on=harvested, quantity=quantity, unit=unit, plot_region=village,
        plot_description=f"{place} {plot}",
        planted_on=harvested - dt.timedelta(days=growing_days) if growing_days else None)
    _inputs_add(spec=spec, batch=batch, user=user)
    kind = (Inspection.Kind.REPORT if spec.category in REPORT_CATEGORIES
            else Inspection.Kind.CERTIFICATE)
    inspected = min(harvested + dt.timedelta(days=1), first_sale)
    county = village.code[:6] if village else data.DEMO_COUNTY
    services.inspection_add(
        user=user, batch=batch, kind=kind, issuer=STATIONS.get(county, STATIONS[data.DEMO_COUNTY]),
        inspected_on=inspected, result=Inspection.Result.PASS,
        number=f"JC{inspected:%Y%m%d}-{batch.pk:04d}")
    return batch


def _inputs_add(*, spec, batch: HarvestBatch, user) -> None:
    harvested = batch.harvested_on
    if spec.category == "禽蛋肉":
        name, registration, amount = FEED
        services.input_add(user=user, batch=batch, kind=InputRecord.Kind.OTHER, name=name,
                           amount=amount, applied_on=harvested - dt.timedelta(days=30),
                           registration_number=registration)
        return
    name, registration, amount = FERTILISER
    services.input_add(user=user, batch=batch, kind=InputRecord.Kind.FERTILISER, name=name,
                       amount=amount, applied_on=harvested - dt.timedelta(days=60),
                       registration_number=registration)
    pesticide = PESTICIDES.get(spec.category)
    if pesticide is None or spec.sku in ORGANIC_SKUS:
        return
    name, registration, amount, interval = pesticide
    days_before = 4 if spec.sku == WARNING_SKU else interval + 12
    services.input_add(user=user, batch=batch, kind=InputRecord.Kind.PESTICIDE, name=name,
                       amount=amount, applied_on=harvested - dt.timedelta(days=days_before),
                       registration_number=registration, safe_interval_days=interval)
