"""The delivery part of a product's public trace page (/t/<code>/): the hand-overs of the
parcel that carried an order line, named down to town and village only.

traceability (commerce core) never imports logistics; it loads ``order_line_timeline``
through settings.TRACE_DELIVERY_TIMELINE. Like the public tracking page, nothing here
carries personal data: no recipient, phone, address line, operator, note, order number
or carrier tracking number.
"""

from __future__ import annotations

from datetime import datetime
from typing import TypedDict

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from logistics import selectors
from logistics.models import ScanEvent, Shipment
from marketplace.regions import codes as region_codes
from marketplace.regions.selectors import PLACEHOLDER_NAMES, region_paths


class TimelineEvent(TypedDict):
    at: datetime
    place: str
    status: str
    kind: str  # the scan's kind (received, dispatched, …), for machine readers (trace API)


class Timeline(TypedDict):
    events: list[TimelineEvent]  # oldest first
    delivered_at: datetime | None


# What a buyer understands each hand-over as, on a product's page (not an operator's words).
STATUS = {
    ScanEvent.RECEIVED: gettext_lazy("到达"),
    ScanEvent.DISPATCHED: gettext_lazy("发出"),
    ScanEvent.OUT_FOR_DELIVERY: gettext_lazy("派送中"),
    ScanEvent.DELIVERED: gettext_lazy("已签收"),
    ScanEvent.EXCEPTION: gettext_lazy("异常"),
}


def _place(path) -> str:
    """E.g. 妙高街道 · 金竹村; the county's name for the hub; never anything finer."""
    named = [r for r in path if r.name not in PLACEHOLDER_NAMES]
    low = [r.name for r in named if r.level >= region_codes.TOWN]
    if low:
        return " · ".join(low)
    return named[-1].name if named else ""


def _status(event: ScanEvent, carrier_after: bool) -> str:
    if event.kind == ScanEvent.DISPATCHED and carrier_after:
        return _("已交快递")
    if event.kind == ScanEvent.EXCEPTION and event.reason:
        reason = dict(ScanEvent.REASONS).get(event.reason, event.reason)
        return _("异常（%(reason)s）") % {"reason": reason}
    return str(STATUS[event.kind])


def order_line_timeline(order_line) -> Timeline:
    """The hand-overs of the parcel holding ``order_line`` (oldest first) and when it was
    signed for; empty before the line is shipped. Four queries."""
    shipment = (selectors.shipments_with_route(
        Shipment.objects.filter(lines__line_id=order_line.pk)).first())
    if shipment is None:
        return {"events": [], "delivered_at": None}
    selectors.with_state(shipment)
    shown = [e for e in shipment.timeline if e.kind in STATUS]
    paths = region_paths(region_codes={e.node.region_id for e in shown}) if shown else {}
    last_node = shipment.route[-1] if shipment.route else None
    carrier_at = shipment.route[-2] if last_node is None and len(shipment.route) > 1 else None
    events: list[TimelineEvent] = [
        {"at": timezone.localtime(e.device_time),
         "place": _place(paths.get(e.node.region_id, [])),
         "status": _status(e, carrier_after=carrier_at is not None
                           and e.node_id == carrier_at),
         "kind": e.kind}
        for e in shown]
    delivered = [e.device_time for e in shown if e.kind == ScanEvent.DELIVERED]
    return {"events": events,
            "delivered_at": timezone.localtime(delivered[-1]) if delivered else None}
