"""What a parcel's tracking shows: its route, current place and timeline, built from the
prefetched shipment for the public page (/track/<code>/) and for the buyer's order page.

The public view never carries personal data: no recipient, phone, address line, buyer or
order number; places are named down to the town and village only. The owner's view (the
order page) adds the recipient who signed and the operators' notes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from logistics import selectors, status
from logistics.models import Node, ScanEvent, Shipment, ShipmentLine
from marketplace.regions import codes as region_codes
from marketplace.regions.selectors import PLACEHOLDER_NAMES, region_paths


@dataclass(frozen=True)
class Stop:
    name: str
    place: str
    done: bool  # the parcel has been seen here (or beyond)
    current: bool


@dataclass(frozen=True)
class Entry:
    time: datetime  # Asia/Shanghai
    kind: str
    label: str
    node: str
    place: str
    detail: str = ""
    alert: bool = False  # a temperature outside the parcel's range


@dataclass
class ParcelView:
    code: str
    storage: str
    status: str
    status_label: str
    place: str  # where it is now (node name, town / village), or "" before the first scan
    next_stop: str
    since: datetime | None
    origin: str  # town / village names only
    destination: str
    route_error: str
    stops: list[Stop] = field(default_factory=list)
    timeline: list[Entry] = field(default_factory=list)  # newest first
    lines: list = field(default_factory=list)  # (title, quantity) for the owner only

    @property
    def delivered(self) -> bool:
        return self.status == status.DELIVERED


def _place(path) -> str:
    """Town and village names of a region path (county for the hub), e.g. 妙高街道 叶坦社区."""
    names = [r.name for r in path if r.name not in PLACEHOLDER_NAMES]
    levels = [r.level for r in path if r.name not in PLACEHOLDER_NAMES]
    low = [n for n, lvl in zip(names, levels, strict=True) if lvl >= region_codes.TOWN]
    if low:
        return " ".join(low)
    return names[-1] if names else ""


def _ranges() -> dict:
    return getattr(settings, "LOGISTICS_COLD_CHAIN_RANGES", {}) or {}


def _out_of_range(storage: str, value) -> tuple[Decimal, Decimal] | None:
    limits = _ranges().get(storage)
    if not limits or value is None:
        return None
    low, high = Decimal(str(limits[0])), Decimal(str(limits[1]))
    return None if low <= Decimal(str(value)) <= high else (low, high)


def _detail(event: ScanEvent, storage: str, *, owner: bool) -> tuple[str, bool]:
    parts, alert = [], False
    if event.kind == ScanEvent.EXCEPTION and event.reason:
        parts.append(str(dict(ScanEvent.REASONS).get(event.reason, event.reason)))
    if event.kind == ScanEvent.TEMPERATURE and event.temperature is not None:
        parts.append(f"{event.temperature} ℃")
        broken = _out_of_range(storage, event.temperature)
        if broken is not None:
            alert = True
            parts.append(_("超出%(storage)s范围（%(low)s～%(high)s ℃）") % {
                "storage": storage, "low": broken[0], "high": broken[1]})
    if event.carrier_name:
        parts.append(_("%(carrier)s 单号 %(number)s") % {
            "carrier": event.carrier_name, "number": event.tracking_number})
    if owner:
        if event.kind == ScanEvent.DELIVERED and event.recipient_name:
            parts.append(_("签收人：%(name)s") % {"name": event.recipient_name})
        if event.note:
            parts.append(event.note)
    return "；".join(parts), alert


def _views(shipments: list[Shipment], *, owner: bool) -> list[ParcelView]:
    """Views of shipments fetched with selectors.shipments_with_route (and, for the owner,
    ``lines__line``); one query for the place names of all of them."""
    wanted = set()
    for s in shipments:
        selectors.with_state(s)
        wanted.update({s.origin_region_id, s.destination_region_id})
        wanted.update(n.region_id for n in s.route_nodes if n is not None)
        wanted.update(e.node.region_id for e in s.timeline)
    paths = region_paths(region_codes=wanted) if wanted else {}
    place = {code: _place(path) for code, path in paths.items()}
    return [_view(s, place, owner=owner) for s in shipments]


def _node_label(node: Node | None) -> str:
    return _("快递公司") if node is None else node.name


def _view(s: Shipment, place: dict[str, str], *, owner: bool) -> ParcelView:
    state = s.state
    nodes = {n.pk: n for n in s.route_nodes if n is not None}
    nodes.update((e.node_id, e.node) for e in s.timeline)
    seen = {e.node_id for e in s.timeline if e.kind in ScanEvent.MOVEMENTS}
    last_seen = max((i for i, h in enumerate(s.route) if h in seen), default=-1)
    stops = []
    for i, node in enumerate(s.route_nodes):
        here = node is not None and node.pk == state.node_id
        carrier_done = node is None and state.status == status.WITH_CARRIER
        stops.append(Stop(
            name=_node_label(node), place="" if node is None else place.get(node.region_id, ""),
            done=i <= last_seen or carrier_done, current=here or carrier_done))
    entries = []
    for event in reversed(s.timeline):
        detail, alert = _detail(event, s.storage, owner=owner)
        entries.append(Entry(
            time=timezone.localtime(event.device_time), kind=event.kind,
            label=str(dict(ScanEvent.KINDS).get(event.kind, event.kind)),
            node=event.node.name, place=place.get(event.node.region_id, ""),
            detail=detail, alert=alert))
    now_node = nodes.get(state.node_id)
    if state.status == status.CREATED:
        first = s.route_nodes[0] if s.route_nodes else None
        now_place = _("等待合作社交寄到%(node)s") % {"node": first.name} if first else ""
    elif now_node is not None:
        now_place = " · ".join(x for x in (now_node.name, place.get(now_node.region_id)) if x)
    else:
        now_place = ""
    if state.status == status.WITH_CARRIER:
        next_stop = ""
    elif state.next_node_id is not None and state.next_node_id in nodes:
        next_stop = nodes[state.next_node_id].name
    else:
        next_stop = ""
    lines = []
    if owner:
        lines = [(sl.line.title, sl.quantity) for sl in s.lines.all()]
    return ParcelView(
        code=s.code, storage=s.storage, status=state.status, status_label=state.label,
        place=now_place, next_stop=next_stop,
        since=timezone.localtime(state.since) if state.since else None,
        origin=place.get(s.origin_region_id, ""), destination=place.get(
            s.destination_region_id, ""),
        route_error=s.route_error, stops=stops, timeline=entries, lines=lines)


def parcel_public(code: str) -> ParcelView | None:
    """The public tracking of one parcel by its (normalised) code; None when unknown."""
    shipment = selectors.shipments_with_route(Shipment.objects.filter(code=code)).first()
    if shipment is None:
        return None
    return _views([shipment], owner=False)[0]


def parcels_of_order(order) -> list[ParcelView]:
    """Every parcel of an order, with its lines, for the order's owner: a fixed number of
    queries however many parcels and scans."""
    shipments = list(selectors.shipments_with_route(
        Shipment.objects.filter(order_id=order.pk).order_by("pk"))
        .prefetch_related(Prefetch("lines", queryset=ShipmentLine.objects
                                   .select_related("line").order_by("pk"))))
    return _views(shipments, owner=True)
