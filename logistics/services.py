"""Write use cases of logistics: the network, shipments for paid orders, and scans."""

from __future__ import annotations

import csv
import io
import logging
import secrets
import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from oscar.core.loading import get_model

from logistics import routing, status
from logistics.models import Hop, Node, ScanEvent, Shipment, ShipmentLine
from logistics.photos import PhotoError, proof_photo_clean
from marketplace.regions import codes as region_codes
from marketplace.regions.models import Region
from marketplace.shop.catalogue.storage import AMBIENT, CHILLED, FROZEN

log = logging.getLogger(__name__)
Order = get_model("order", "Order")

# Printable and hard to misread: no 0/O, 1/I/L; 31 symbols ** 10 ≈ 8 × 10^14 codes.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 10
BATCH_LIMIT = 500
# A device clock may run a little fast; scans from further ahead, or older than this, are
# refused rather than silently reordering a parcel's history.
DEVICE_CLOCK_AHEAD = timedelta(minutes=10)
DEVICE_CLOCK_BEHIND = timedelta(days=30)
TEMPERATURE_LIMITS = (Decimal("-60"), Decimal("60"))


# --- the network -------------------------------------------------------------------------------

CSV_COLUMNS = ("kind", "region", "name", "parent_region", "address", "phone", "opening_hours",
               "holds_chilled", "holds_frozen")


class NetworkError(ValueError):
    """A CSV the network cannot be loaded from; the message names the row."""


@transaction.atomic
def network_load_csv(*, text: str) -> int:
    """Create or update nodes from a CSV with CSV_COLUMNS (a header row first); parents
    before children is not required. All rows are checked before anything is saved: one bad
    row loads nothing. Returns the number of rows loaded."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = [c for c in ("kind", "region", "name") if c not in (reader.fieldnames or [])]
    if missing:
        raise NetworkError(_("缺少列：%(cols)s") % {"cols": ", ".join(missing)})
    rows = list(reader)
    kinds = dict(Node.KINDS)
    order = {Node.HUB: 0, Node.STATION: 1, Node.POINT: 2}
    parsed = []
    for n, row in enumerate(rows, start=2):
        kind = (row.get("kind") or "").strip()
        if kind not in kinds:
            raise NetworkError(_("第 %(n)d 行：类型必须是 hub、station 或 point。") % {"n": n})
        try:
            code = region_codes.pad(row.get("region") or "")
        except ValueError:
            raise NetworkError(_("第 %(n)d 行：区划代码无效。") % {"n": n}) from None
        if region_codes.level_of(code) != Node.LEVEL[kind]:
            raise NetworkError(_("第 %(n)d 行：区划级别与节点类型不符。") % {"n": n})
        name = (row.get("name") or "").strip()
        if not name:
            raise NetworkError(_("第 %(n)d 行：缺少名称。") % {"n": n})
        parsed.append((order[kind], n, kind, code, name, row))
    known = set(Region.objects.filter(pk__in=[p[3] for p in parsed]).values_list("pk", flat=True))
    for _o, n, _k, code, _name, _row in parsed:
        if code not in known:
            raise NetworkError(_("第 %(n)d 行：区划代码 %(code)s 不存在。") % {
                "n": n, "code": code})
    for _o, n, kind, code, name, row in sorted(parsed):
        parent = None
        want = Node.PARENT_KIND[kind]
        if want is not None:
            parent_code = region_codes.ancestor_code(code, Node.LEVEL[want])
            parent = Node.objects.filter(region_id=parent_code, kind=want).first()
            if parent is None:
                raise NetworkError(_("第 %(n)d 行：上级节点（%(code)s）不存在。") % {
                    "n": n, "code": parent_code})
        Node.objects.update_or_create(region_id=code, defaults={
            "kind": kind, "name": name[:100], "parent": parent,
            "address": (row.get("address") or "").strip()[:200],
            "phone": (row.get("phone") or "").strip()[:20],
            "opening_hours": (row.get("opening_hours") or "").strip()[:100],
            "holds_chilled": _truthy(row.get("holds_chilled")),
            "holds_frozen": _truthy(row.get("holds_frozen")),
        })
    return len(parsed)


def _truthy(value) -> bool:
    return str(value or "").strip().lower() in {"1", "true", "yes", "y", "是"}


def network_index(*, county_codes=None) -> routing.Network:
    """The routing view of the nodes (of some counties, or all): one query."""
    nodes = Node.objects.all()
    if county_codes:
        prefixes = [c[:6] for c in county_codes]
        from django.db.models import Q

        q = Q()
        for prefix in prefixes:
            q |= Q(region__code__startswith=prefix)
        nodes = nodes.filter(q)
    return routing.Network.of(
        routing.NodeRef(id=n.pk, kind=n.kind, region=n.region_id, name=n.name,
                        holds_chilled=n.holds_chilled, holds_frozen=n.holds_frozen)
        for n in nodes.only("pk", "kind", "region_id", "name", "holds_chilled", "holds_frozen"))


# --- shipments ---------------------------------------------------------------------------------

def parcel_code_new() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def parcel_code_normalise(text: str) -> str:
    """What an operator typed or a camera read (a bare code, or the label's tracking URL),
    as a stored code: upper case, only ASCII letters and digits kept (spaces and dashes
    people type, and anything a database would refuse, such as NUL, are dropped)."""
    text = str(text or "").strip()
    if "/" in text:
        text = text.rstrip("/").rsplit("/", 1)[-1]
    return "".join(ch for ch in text.upper() if ch.isascii() and ch.isalnum())[:32]


def coldest(storages) -> str:
    found = set(storages)
    if FROZEN in found:
        return FROZEN
    if CHILLED in found:
        return CHILLED
    return AMBIENT


@transaction.atomic
def shipments_create(*, order_id: int) -> list[Shipment]:
    """One shipment per cooperative in a paid order, each with its route. Safe to run twice:
    a cooperative that already has its shipment for the order is skipped."""
    order = (Order.objects.select_for_update(of=("self",)).select_related("shipping_address")
             .get(pk=order_id))
    address = order.shipping_address
    if address is None or not address.region_id:
        log.warning("order %s has no shipping region; no shipment made", order.number)
        return []
    done = set(Shipment.objects.filter(order=order).values_list("partner_id", flat=True))
    lines_by_partner = defaultdict(list)
    # The storage class is a product attribute: loaded for all lines at once, not per line.
    order_lines = order.lines.select_related("partner__cooperative", "product").prefetch_related(
        "product__attribute_values__attribute", "product__attribute_values__value_option")
    for line in order_lines:
        if line.partner_id is not None and line.partner_id not in done:
            lines_by_partner[line.partner_id].append(line)
    if not lines_by_partner:
        return []
    network = network_index()
    made = []
    for partner_id, lines in lines_by_partner.items():
        coop = getattr(lines[0].partner, "cooperative", None)
        origin = coop.village_id if coop is not None else None
        storage = coldest(_storage_of(line.product) for line in lines)
        hops, error = [], ""
        if origin is None:
            error = _("合作社没有登记所在村。")
        else:
            try:
                hops = routing.route(origin, address.region_id, network, storage=storage)
            except routing.RouteError as exc:
                error = str(exc)[:200]
        shipment = Shipment.objects.create(
            code=_unique_code(), order=order, partner_id=partner_id, storage=storage,
            origin_region_id=origin or address.region_id,
            destination_region_id=address.region_id, route_error=error)
        Hop.objects.bulk_create([
            Hop(shipment=shipment, seq=i, node_id=None if hop is None else hop.id)
            for i, hop in enumerate(hops)])
        ShipmentLine.objects.bulk_create([
            ShipmentLine(shipment=shipment, line=line, quantity=line.quantity)
            for line in lines])
        made.append(shipment)
    return made


def _storage_of(product) -> str:
    if product is None:
        return AMBIENT
    try:
        return product.storage or AMBIENT
    except Exception:  # an attribute lookup on a deleted class must not stop a shipment
        return AMBIENT


def _unique_code() -> str:
    for _attempt in range(10):
        code = parcel_code_new()
        if not Shipment.objects.filter(code=code).exists():
            return code
    raise RuntimeError("could not find a free parcel code")


# --- scans -------------------------------------------------------------------------------------

ACCEPTED, DUPLICATE, REJECTED = "accepted", "duplicate", "rejected"


@dataclass(frozen=True)
class ScanResult:
    client_uuid: str
    outcome: str  # accepted, duplicate or rejected
    reason: str = ""
    event: ScanEvent | None = None

    @property
    def ok(self) -> bool:
        return self.outcome in (ACCEPTED, DUPLICATE)


class ScanRefused(Exception):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def node_operated_by(user, node: Node) -> bool:
    return bool(user.is_superuser or node.operators.filter(pk=user.pk).exists())


def scan_record(*, parcel_code: str, node: Node, operator, event: str, device_time,
                client_uuid, recipient_name: str = "", signature: str = "", photo=None,
                reason: str = "", note: str = "", temperature=None, carrier_name: str = "",
                tracking_number: str = "") -> ScanResult:
    """Record one scan at ``node``; what the page, the API batch and the offline sync all call.

    The same ``client_uuid`` again is answered as a duplicate (a success) and stored once.
    A parcel is found only when its route passes through ``node``: an unknown code and a
    parcel of another node get the same answer.
    """
    key = str(client_uuid or "")
    try:
        key = str(uuid.UUID(key))
    except (ValueError, AttributeError, TypeError):
        return ScanResult(key[:64], REJECTED, _("扫描编号（UUID）无效。"))
    code = parcel_code_normalise(parcel_code)
    existing = ScanEvent.objects.filter(client_uuid=key).select_related("shipment").first()
    if existing is not None:
        return _duplicate(existing, key, code, node)
    if not node_operated_by(operator, node):
        return ScanResult(key, REJECTED, _("你不是这个站点的操作员。"))
    try:
        with transaction.atomic():
            fields = _scan_fields(
                event=event, device_time=device_time, recipient_name=recipient_name,
                signature=signature, photo=photo, reason=reason, note=note,
                temperature=temperature, carrier_name=carrier_name,
                tracking_number=tracking_number)
            # Locked so two scans of one parcel (the delivered rule) are decided in turn.
            shipment = (Shipment.objects.select_for_update()
                        .filter(code=code, pk__in=Hop.objects.filter(node=node)
                                .values("shipment_id")).first())
            if shipment is None:
                raise ScanRefused(_("本站点没有这个包裹（运单号不存在或不经过本站）。"))
            route = list(shipment.hops.values_list("node_id", flat=True))
            _check_rules(shipment, route, node, event, fields)
            if event == ScanEvent.DELIVERED and photo is not None:
                fields["proof_photo"] = photo
            scan = ScanEvent.objects.create(client_uuid=key, shipment=shipment, node=node,
                                            operator=operator, kind=event, **fields)
            transaction.on_commit(lambda: _after_scan(scan.pk))
    except ScanRefused as exc:
        return ScanResult(key, REJECTED, exc.reason)
    except IntegrityError:
        # The same UUID arrived twice at once: the other request stored it.
        existing = ScanEvent.objects.filter(client_uuid=key).select_related("shipment").first()
        if existing is None:
            raise
        return _duplicate(existing, key, code, node)
    return ScanResult(key, ACCEPTED, "", scan)


def _duplicate(existing: ScanEvent, key: str, code: str, node: Node) -> ScanResult:
    if existing.shipment.code != code or existing.node_id != node.pk:
        return ScanResult(key, REJECTED, _("这个扫描编号已用于另一次扫描。"))
    return ScanResult(key, DUPLICATE, "", existing)


def _scan_fields(*, event, device_time, recipient_name, signature, photo, reason, note,
                 temperature, carrier_name, tracking_number) -> dict:
    if event not in dict(ScanEvent.KINDS):
        raise ScanRefused(_("未知的扫描类型。"))
    if isinstance(device_time, str):
        from django.utils.dateparse import parse_datetime

        try:
            device_time = parse_datetime(device_time)
        except ValueError:
            device_time = None
    if not isinstance(device_time, datetime) or timezone.is_naive(device_time):
        raise ScanRefused(_("扫描时间无效（需要带时区的时间）。"))
    now = timezone.now()
    if device_time > now + DEVICE_CLOCK_AHEAD:
        raise ScanRefused(_("扫描时间在未来，请校准设备时钟。"))
    if device_time < now - DEVICE_CLOCK_BEHIND:
        raise ScanRefused(_("扫描时间太早（超过 30 天）。"))
    fields = {"device_time": device_time, "note": (note or "").strip()[:500]}
    if event == ScanEvent.DELIVERED:
        name = (recipient_name or "").strip()
        if not name:
            raise ScanRefused(_("签收需要填写签收人。"))
        if photo is None and not (signature or "").strip():
            raise ScanRefused(_("签收需要照片或签名。"))
        fields.update(recipient_name=name[:50], signature=(signature or "").strip()[:100])
    elif event == ScanEvent.EXCEPTION:
        if reason not in dict(ScanEvent.REASONS):
            raise ScanRefused(_("请选择异常原因：破损、拒收或地址问题。"))
        fields["reason"] = reason
    elif event == ScanEvent.TEMPERATURE:
        try:
            value = Decimal(str(temperature).strip())
        except (InvalidOperation, ValueError):
            raise ScanRefused(_("温度必须是数字（℃）。")) from None
        if not value.is_finite() or not TEMPERATURE_LIMITS[0] <= value <= TEMPERATURE_LIMITS[1]:
            raise ScanRefused(_("温度必须在 -60 到 60 ℃ 之间。"))
        fields["temperature"] = value.quantize(Decimal("0.1"))
    if carrier_name or tracking_number:
        fields.update(carrier_name=(carrier_name or "").strip()[:50],
                      tracking_number=(tracking_number or "").strip()[:50])
    return fields


def _check_rules(shipment: Shipment, route: list, node: Node, event: str, fields: dict) -> None:
    nodes = [n for n in route if n is not None]
    last_node = nodes[-1] if nodes else None
    to_carrier = bool(route) and route[-1] is None
    if event in (ScanEvent.DELIVERED, ScanEvent.OUT_FOR_DELIVERY):
        if to_carrier or node.pk != last_node:
            raise ScanRefused(_("只有终点站可以派送或签收这个包裹。"))
    if event == ScanEvent.DISPATCHED:
        if node.pk == last_node and not to_carrier:
            raise ScanRefused(_("这是包裹的终点站：请扫“派送中”或“已妥投”。"))
        if node.pk == last_node and to_carrier and not (
                fields.get("carrier_name") and fields.get("tracking_number")):
            raise ScanRefused(_("交给快递需要填写快递公司和快递单号。"))
    if event in ScanEvent.MOVEMENTS:
        delivered = (shipment.events.filter(kind=ScanEvent.DELIVERED)
                     .values_list("device_time", flat=True).first())
        if delivered is not None and (event == ScanEvent.DELIVERED
                                      or fields["device_time"] >= delivered):
            raise ScanRefused(_("包裹已签收，不能再扫描流转。"))


def _after_scan(event_id: int) -> None:
    from logistics import tasks

    tasks.scan_recorded.delay(event_id)


def scans_record_batch(*, node: Node, operator, scans: list[dict]) -> list[ScanResult]:
    """Many scans from one device (an offline queue being sent): each on its own, results in
    the same order. More than BATCH_LIMIT is refused as a whole by the caller."""
    results = []
    for item in scans:
        if not isinstance(item, dict):
            results.append(ScanResult("", REJECTED, _("每条扫描必须是一个对象。")))
            continue
        photo = item.get("photo")
        if photo is not None:
            try:
                photo = proof_photo_clean(photo)
            except PhotoError as exc:
                results.append(ScanResult(str(item.get("client_uuid", ""))[:64], REJECTED,
                                          str(exc)))
                continue
        results.append(scan_record(
            parcel_code=str(item.get("parcel_code", "")), node=node, operator=operator,
            event=str(item.get("event", "")), device_time=item.get("device_time"),
            client_uuid=item.get("client_uuid"), photo=photo,
            **{k: str(item.get(k) or "") for k in (
                "recipient_name", "signature", "reason", "note", "carrier_name",
                "tracking_number")},
            temperature=item.get("temperature")))
    return results


# --- the order follows its parcels -------------------------------------------------------------

ORDER_FOLLOWS = ("paid", "processing", "shipped", "delivered")


@transaction.atomic
def order_status_follow(*, order_id: int) -> str:
    """Oscar's order status from its parcels: shipped when the first leaves its origin,
    delivered when all are delivered. Moves only forward, one pipeline step at a time, and
    leaves refunded or cancelled orders alone. Returns the status after."""
    order = Order.objects.select_for_update().get(pk=order_id)
    shipments = list(Shipment.objects.filter(order=order).prefetch_related("hops", "events"))
    if not shipments or order.status not in ORDER_FOLLOWS:
        return order.status
    states, left = [], False
    for shipment in shipments:
        route = [h.node_id for h in shipment.hops.all()]
        events = list(shipment.events.all())
        states.append(status.derive(route, events))
        left = left or status.has_left_origin(route, events)
    if all(s.status == status.DELIVERED for s in states):
        target = "delivered"
    elif left:
        target = "shipped"
    else:
        return order.status
    current = ORDER_FOLLOWS.index(order.status)
    for step in ORDER_FOLLOWS[current + 1:ORDER_FOLLOWS.index(target) + 1]:
        order.set_status(step)
    return order.status
