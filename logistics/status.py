"""A parcel's status, derived from its route and its scan events (pure: no database).

Nothing stores a parcel's status; every page and API reads it from here, so an offline scan
arriving late (ordered by its device time) can never leave a stale copy behind.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from django.utils.translation import gettext_lazy as _

CREATED, AT_NODE, IN_TRANSIT = "created", "at_node", "in_transit"
OUT_FOR_DELIVERY, DELIVERED, WITH_CARRIER, EXCEPTION = (
    "out_for_delivery", "delivered", "with_carrier", "exception")
LABELS = {
    CREATED: _("待揽收"),
    AT_NODE: _("在站"),
    IN_TRANSIT: _("运输中"),
    OUT_FOR_DELIVERY: _("派送中"),
    DELIVERED: _("已签收"),
    WITH_CARRIER: _("已交快递"),
    EXCEPTION: _("异常"),
}
MOVEMENTS = ("received", "dispatched", "out_for_delivery", "delivered")


class EventLike(Protocol):
    kind: str
    node_id: int
    device_time: datetime
    reason: str


@dataclass(frozen=True)
class ParcelState:
    status: str
    node_id: int | None  # where it is (or was last seen)
    next_node_id: int | None  # where it goes next (None: delivered, carrier or unknown)
    since: datetime | None  # when it got into this status
    reason: str = ""  # for exceptions

    @property
    def label(self) -> str:
        return str(LABELS[self.status])


def derive(route: Sequence[int | None], events: Sequence[EventLike]) -> ParcelState:
    """The state after ``events`` (any order; sorted here by device time) on ``route`` (node
    ids in order, None for the express carrier after the hub)."""
    ordered = sorted(events, key=lambda e: e.device_time)
    first = route[0] if route else None
    last_move = None
    exception = None
    for event in ordered:
        if event.kind in MOVEMENTS:
            last_move = event
            exception = None
        elif event.kind == "exception":
            exception = event
    if last_move is None:
        if exception is not None:
            return ParcelState(EXCEPTION, exception.node_id, first, exception.device_time,
                               exception.reason)
        return ParcelState(CREATED, None, first, None)
    node = last_move.node_id
    nxt = _next(route, node)
    if exception is not None:
        return ParcelState(EXCEPTION, exception.node_id, nxt, exception.device_time,
                           exception.reason)
    kind = last_move.kind
    if kind == "delivered":
        return ParcelState(DELIVERED, node, None, last_move.device_time)
    if kind == "out_for_delivery":
        return ParcelState(OUT_FOR_DELIVERY, node, None, last_move.device_time)
    if kind == "dispatched":
        if nxt is None and route and route[-1] is None:
            return ParcelState(WITH_CARRIER, node, None, last_move.device_time)
        return ParcelState(IN_TRANSIT, node, nxt, last_move.device_time)
    return ParcelState(AT_NODE, node, nxt, last_move.device_time)


def _next(route: Sequence[int | None], node: int) -> int | None:
    try:
        i = list(route).index(node)
    except ValueError:
        return None
    return route[i + 1] if i + 1 < len(route) else None


def has_left_origin(route: Sequence[int | None], events: Sequence[EventLike]) -> bool:
    """Whether the parcel has left its first node (Oscar's order becomes "shipped"): it was
    dispatched from there, or seen at any later node."""
    first = route[0] if route else None
    for event in events:
        if event.kind not in MOVEMENTS:
            continue
        if event.node_id != first or event.kind in ("dispatched", "out_for_delivery",
                                                    "delivered"):
            return True
    return False
