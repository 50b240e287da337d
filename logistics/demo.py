"""Demo logistics for seed_demo (a step, see marketplace/demo/services.py): the demo county's
network loaded from a CSV, operators for the hub, a station and a point, a parcel for every
paid past order and a scan history after each order date. Safe to run again: nothing is
added the second time.

The network: one hub for 遂昌县, a station in each of its towns and a point in each village
where a demo buyer lives or a cooperative works; the paired county 麻阳县 (whose cooperative
sells here) gets a hub, a station and a point on its cooperative's way, so its parcels leave
through its own hub with an express carrier.

History: parcels of completed orders are written as archived scans in bulk (their order is
final, and scan_record refuses device times older than 30 days, as a device's would be);
parcels of open orders are scanned through services.scan_record like a station would, so
their orders follow them (shipped, delivered). Scans after "now" are left for later: recent
parcels are still on their way, and one was refused at the door (an exception). One more
order, for buyer@demo.cn, waits at the county hub for the README's tour.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
import uuid
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.sites.models import Site as DjangoSite
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from oscar.core.loading import get_model

from logistics import selectors, services
from logistics.models import Node, ScanEvent, Shipment
from marketplace.cooperatives.models import Cooperative
from marketplace.demo import data
from marketplace.demo import services as demo_services
from marketplace.regions import codes as region_codes
from marketplace.regions.models import Region
from marketplace.regions.selectors import region_paths, region_short_name
from marketplace.shop.address.mixins import region_address_lines
from marketplace.shop.catalogue.storage import AMBIENT, FROZEN

Order = get_model("order", "Order")
ShippingAddress = get_model("order", "ShippingAddress")
StockRecord = get_model("partner", "StockRecord")
UserAddress = get_model("address", "UserAddress")

HUB_ADDRESS = {data.DEMO_COUNTY: ("遂昌县农村物流分拨中心", "妙高街道北街 8 号", "0578-8123456"),
               data.POVERTY_COUNTY: ("麻阳县农村物流分拨中心", "高村镇物流园 2 号", "0745-5826688")}
OPERATOR_ROLES = ("hub@demo.cn", "town@demo.cn", "village@demo.cn")
TOUR_ORDER = "L000001"
TOUR_SKU = "gaoping-hongmi-organic"
TOUR_BUYER = "buyer@demo.cn"
CARRIER = "中国邮政 EMS"
ARCHIVE_BEFORE = services.DEVICE_CLOCK_BEHIND - dt.timedelta(days=1)
SCAN_NAMESPACE = uuid.UUID("5b1c3f0e-8d2a-4c8e-9a57-2f4d6c1e0b3a")  # demo scans' client UUIDs


def demo_logistics_create(*, ctx) -> None:
    """The seed step: network, operators, shipments and their scans."""
    loaded = demo_network_load()
    if not loaded:
        ctx.log("logistics: skipped, the demo county's regions are missing")
        return
    operators = _operators_assign(ctx=ctx)
    tour = _tour_order_create(ctx=ctx)
    shipped = _shipments_create()
    archived, scanned, refused = _history_create(tour=tour)
    ctx.log(f"logistics: {loaded} nodes, {shipped} orders given parcels, {archived} archived "
            f"and {scanned} live scans ({refused} refused), {operators} operators")


# --- network -----------------------------------------------------------------------------------

def _demo_villages() -> set[str]:
    """Villages where a demo buyer lives (saved or order addresses) or a cooperative works."""
    buyers = ["buyer@demo.cn", *(f"buyer{n:02d}@demo.cn" for n in range(1, data.EXTRA_BUYERS + 1))]
    found = set(UserAddress.objects.filter(user__email__in=buyers)
                .values_list("region_id", flat=True))
    found |= set(ShippingAddress.objects.filter(
        order__number__startswith=demo_services.ORDER_PREFIX)
        .values_list("region_id", flat=True).distinct())
    found |= set(Cooperative.objects.values_list("village_id", flat=True))
    return {c for c in found if c and region_codes.level_of(c) == region_codes.VILLAGE}


def demo_network_csv() -> str:
    """The demo network in the CSV format of services.network_load_csv."""
    villages = {c for c in _demo_villages() if c[:6] in HUB_ADDRESS}
    # 遂昌县: every town; 麻阳县: only the towns its cooperatives' parcels start from.
    coop_towns = {region_codes.ancestor_code(c, region_codes.TOWN) for c in villages
                  if c.startswith(data.POVERTY_COUNTY)}
    regions = Region.objects.filter(
        Q(code__startswith=data.DEMO_COUNTY, level=Region.Level.TOWN)
        | Q(code__in=coop_towns) | Q(code__in=villages)
        | Q(code__in=[region_codes.pad(c) for c in HUB_ADDRESS])).order_by("code")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(services.CSV_COLUMNS)
    for region in regions:
        if region.level == Region.Level.COUNTY:
            name, address, phone = HUB_ADDRESS[region.code[:6]]
            writer.writerow(["hub", region.code, name, "", address, phone, "07:00-21:00", 1, 1])
        elif region.level == Region.Level.TOWN:
            writer.writerow(["station", region.code, f"{region.name}服务站", "",
                             f"{region.name}便民服务中心", "", "08:00-18:00", 1, 1])
        else:
            short = region_short_name(region.name)
            writer.writerow(["point", region.code, f"{short}服务点", "",
                             f"{short}村委会便民店", "", "08:00-20:00", 1, 1])
    return out.getvalue()


def demo_network_load() -> int:
    """Load the demo network (rows whose parents exist: a county without regions is left
    out); returns the number of nodes loaded, 0 when the demo county has no regions."""
    if not Region.objects.filter(pk=region_codes.pad(data.DEMO_COUNTY)).exists():
        return 0
    return services.network_load_csv(text=demo_network_csv())


# --- operators ---------------------------------------------------------------------------------

def _operators_assign(*, ctx) -> int:
    """hub@demo.cn at the hub (where the tour's parcel waits), town@demo.cn and
    village@demo.cn at the station and point it goes on to: buyer@demo.cn's."""
    User = get_user_model()
    users = {u.email: u for u in User.objects.filter(email__in=OPERATOR_ROLES)}
    home = (UserAddress.objects.filter(user__email=TOUR_BUYER)
            .values_list("region_id", flat=True).first())
    wanted = {"hub@demo.cn": region_codes.pad(data.DEMO_COUNTY)}
    if home:
        wanted["town@demo.cn"] = region_codes.ancestor_code(home, region_codes.TOWN)
        wanted["village@demo.cn"] = home
    nodes = {n.region_id: n for n in Node.objects.filter(region_id__in=wanted.values())}
    assigned = 0
    for email, region in wanted.items():
        user, node = users.get(email), nodes.get(region)
        if user is None or node is None:
            continue
        node.operators.add(user)
        assigned += 1
        # Name the node beside the role in the printed log-in table.
        ctx.credentials[:] = [
            (f"{role}（{node.name}）" if e == email and "（" not in role else role, e, pw)
            for role, e, pw in ctx.credentials]
    return assigned


# --- the tour's order --------------------------------------------------------------------------

def _tour_order_create(*, ctx) -> Order | None:
    """buyer@demo.cn's paid order of 高坪有机红米, placed this morning (once; not with
    --orders 0)."""
    existing = Order.objects.filter(number=TOUR_ORDER).first()
    if existing is not None or not ctx.orders:
        return existing
    buyer = get_user_model().objects.filter(email=TOUR_BUYER).first()
    saved = UserAddress.objects.filter(user=buyer).first() if buyer else None
    record = (StockRecord.objects.filter(partner_sku=TOUR_SKU)
              .select_related("product", "partner").first())
    if saved is None or record is None:
        return None
    state, line4 = region_address_lines(region_paths(region_codes=[saved.region_id])[
        saved.region_id])
    address = ShippingAddress.objects.create(
        first_name=saved.first_name, line1=saved.line1, state=state, line4=line4,
        region_id=saved.region_id, country_id="CN", phone_number=saved.phone_number)
    total = record.price + demo_services.SHIPPING_FEE * (
        record.price < demo_services.FREE_SHIPPING_FROM)
    fee = total - record.price
    order = Order.objects.create(
        number=TOUR_ORDER, site=DjangoSite.objects.get(pk=settings.SITE_ID), user=buyer,
        currency=settings.OSCAR_DEFAULT_CURRENCY, total_incl_tax=total, total_excl_tax=total,
        shipping_incl_tax=fee, shipping_excl_tax=fee, shipping_address=address,
        shipping_method=_("快递配送"), shipping_code="demo-express", status="paid",
        date_placed=timezone.now().replace(microsecond=0) - dt.timedelta(hours=14))
    demo_services.past_order_line(order=order, record=record, quantity=1).save()
    demo_services.past_order_payments(orders=[order])
    return order


# --- shipments and their history ---------------------------------------------------------------

def _demo_orders() -> Q:
    return Q(number__startswith=demo_services.ORDER_PREFIX) | Q(number=TOUR_ORDER)


def _shipments_create() -> int:
    """services.shipments_create for every paid demo order that has no parcel yet."""
    ids = list(Order.objects.filter(_demo_orders())
               .exclude(status__in=("pending_payment", "cancelled"))
               .filter(shipments__isnull=True).order_by("pk").values_list("pk", flat=True))
    for order_id in ids:
        services.shipments_create(order_id=order_id)
    return len(ids)


def _plan(shipment: Shipment, *, rng: random.Random, tour: bool) -> list[dict]:
    """The scans of one parcel after its order date: received and dispatched at each node,
    a temperature at cold stores, out for delivery and delivered (with a typed signature) at
    the last point, or handed to an express carrier at the hub."""
    nodes = [n for n in shipment.route_nodes if n is not None]
    to_carrier = bool(shipment.route) and shipment.route[-1] is None
    recipient = shipment.order.shipping_address.first_name or _("本人")
    hours = (lambda lo, hi: dt.timedelta(hours=2.5)) if tour else (
        lambda lo, hi: dt.timedelta(minutes=rng.randint(int(lo * 60), int(hi * 60))))
    t = shipment.order.date_placed + hours(3, 10)
    steps: list[dict] = []
    for i, node in enumerate(nodes):
        last = i == len(nodes) - 1
        steps.append({"node": node, "event": ScanEvent.RECEIVED, "at": t})
        if shipment.storage != AMBIENT and node.kind != Node.POINT:
            low, high = (-22, -18.5) if shipment.storage == FROZEN else (1.5, 6.5)
            value = Decimal(str(round(rng.uniform(low, high), 1)))
            steps.append({"node": node, "event": ScanEvent.TEMPERATURE,
                          "at": t + dt.timedelta(minutes=20), "temperature": value})
        if tour and node.kind == Node.HUB:
            break  # the tour's parcel waits here for the hub's joint delivery run
        if last and not to_carrier:
            t += hours(0.5, 3)
            steps.append({"node": node, "event": ScanEvent.OUT_FOR_DELIVERY, "at": t})
            t += hours(0.5, 4)
            steps.append({"node": node, "event": ScanEvent.DELIVERED, "at": t,
                          "recipient_name": recipient, "signature": recipient})
        else:
            t += hours(1, 6)
            extra = {}
            if last:
                extra = {"carrier_name": CARRIER,
                         "tracking_number": f"E{rng.randrange(10**11, 10**12)}CN"}
            steps.append({"node": node, "event": ScanEvent.DISPATCHED, "at": t, **extra})
            t += hours(2, 8)
    for n, step in enumerate(steps):
        step["uuid"] = uuid.uuid5(SCAN_NAMESPACE, f"{shipment.code}/{n}")
    return steps


def _refused_at_the_door(steps: list[dict]) -> list[dict]:
    """The delivery replaced by a refusal: the buyer was away and the neighbour refused."""
    delivery = next(i for i, s in enumerate(steps) if s["event"] == ScanEvent.DELIVERED)
    refused = {**steps[delivery], "event": ScanEvent.EXCEPTION, "reason": ScanEvent.ADDRESS,
               "note": _("门牌号不清，已电话联系收件人，改日再派"), "recipient_name": "",
               "signature": ""}
    return [*steps[:delivery], refused]


def _history_create(*, tour: Order | None) -> tuple[int, int, int]:
    """Scans of the demo parcels that have none yet; returns (archived, scanned, refused)."""
    now = timezone.now()
    todo = list(selectors.shipments_with_route(
        Shipment.objects.filter(order__in=Order.objects.filter(_demo_orders()), route_error="")
        .exclude(pk__in=ScanEvent.objects.values("shipment_id"))
        .select_related("order__shipping_address", "partner").order_by("order__number", "pk")))
    if not todo:
        return 0, 0, 0
    operator_of: dict[int, int] = {}
    for node_id, user_id in (Node.operators.through.objects.order_by("pk")
                             .values_list("node_id", "user_id")):
        operator_of.setdefault(node_id, user_id)
    User = get_user_model()
    users = {u.pk: u for u in User.objects.filter(pk__in=set(operator_of.values()))}
    admin = User.objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
    archive, live, exception_given = [], [], False
    for shipment in todo:
        selectors.with_state(shipment)
        is_tour = tour is not None and shipment.order_id == tour.pk
        rng = random.Random(f"{shipment.order.number}/{shipment.partner.code}")  # noqa: S311
        steps = [s for s in _plan(shipment, rng=rng, tour=is_tour) if s["at"] <= now]
        open_order = shipment.order.status != "completed"
        if (open_order and not exception_given and not is_tour
                and steps and steps[-1]["event"] == ScanEvent.DELIVERED):
            steps, exception_given = _refused_at_the_door(steps), True
        for step in steps:
            if open_order and step["at"] > now - ARCHIVE_BEFORE and admin is not None:
                live.append((shipment, step))
            else:
                archive.append(_archived(shipment, step, operator_of))
    ScanEvent.objects.bulk_create(archive, batch_size=500, ignore_conflicts=True)
    refused = 0
    for shipment, step in live:
        node = step["node"]
        operator = users.get(operator_of.get(node.pk)) or admin
        result = services.scan_record(
            parcel_code=shipment.code, node=node, operator=operator, event=step["event"],
            device_time=step["at"], client_uuid=step["uuid"],
            **{k: step[k] for k in ("recipient_name", "signature", "reason", "note",
                                    "temperature", "carrier_name", "tracking_number")
               if k in step})
        refused += not result.ok
    return len(archive), len(live) - refused, refused


def _archived(shipment: Shipment, step: dict, operator_of: dict[int, int]) -> ScanEvent:
    return ScanEvent(
        client_uuid=step["uuid"], shipment=shipment, node=step["node"],
        operator_id=operator_of.get(step["node"].pk), kind=step["event"],
        device_time=step["at"], recipient_name=step.get("recipient_name", ""),
        signature=step.get("signature", ""), reason=step.get("reason", ""),
        note=step.get("note", ""), temperature=step.get("temperature"),
        carrier_name=step.get("carrier_name", ""),
        tracking_number=step.get("tracking_number", ""))
