"""Read queries of logistics: parcels with their derived state, by node or by code."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from logistics import status
from logistics.models import Hop, Node, ScanEvent, Shipment


def shipments_with_route(queryset: QuerySet[Shipment] | None = None) -> QuerySet[Shipment]:
    """Shipments with hops (and their nodes) and events prefetched: ``with_state`` then
    needs no query."""
    queryset = Shipment.objects.all() if queryset is None else queryset
    return queryset.prefetch_related(
        Prefetch("hops", queryset=Hop.objects.select_related("node").order_by("seq")),
        Prefetch("events", queryset=ScanEvent.objects.select_related("node")),
    )


def with_state(shipment: Shipment) -> Shipment:
    """Sets ``shipment.route`` (node ids, None for the carrier), ``route_nodes`` and
    ``state`` (a status.ParcelState) from prefetched hops and events."""
    hops = list(shipment.hops.all())
    shipment.route = [h.node_id for h in hops]
    shipment.route_nodes = [h.node for h in hops]
    shipment.timeline = sorted(shipment.events.all(),
                               key=lambda e: (e.device_time, e.recorded_at, e.pk))
    shipment.state = status.derive(shipment.route, shipment.timeline)
    return shipment


def shipment_by_code(code: str) -> Shipment | None:
    shipment = shipments_with_route(Shipment.objects.filter(code=code)).first()
    return None if shipment is None else with_state(shipment)


def shipments_through(node: Node) -> QuerySet[Shipment]:
    """Every shipment whose route passes through ``node`` (what its operators may see)."""
    return Shipment.objects.filter(pk__in=Hop.objects.filter(node=node).values("shipment_id"))


def nodes_operated_by(user) -> QuerySet[Node]:
    if user.is_superuser:
        return Node.objects.all()
    return Node.objects.filter(operators=user)


# --- the station console: what a node expects, holds and has sent on ---------------------------

STATION_LEFT_DAYS = 7


def station_parcels(node: Node, *, left_days: int = STATION_LEFT_DAYS) -> dict[str, list[Shipment]]:
    """The parcels routed through ``node`` in three lists (each with its state, route and
    regions): ``expected`` (not yet received here), ``on_hand`` (received here, not yet sent
    on or delivered) and ``dispatched`` (left here, or delivered here, in the last
    ``left_days``). Three queries whatever the number of parcels."""
    from datetime import timedelta

    from django.utils import timezone

    cutoff = timezone.now() - timedelta(days=left_days)
    gone = ScanEvent.objects.filter(
        node=node, kind__in=(ScanEvent.DISPATCHED, ScanEvent.DELIVERED), device_time__lt=cutoff)
    delivered_long_ago = ScanEvent.objects.filter(kind=ScanEvent.DELIVERED,
                                                  device_time__lt=cutoff)
    queryset = (shipments_through(node)
                .exclude(pk__in=gone.values("shipment_id"))
                .exclude(pk__in=delivered_long_ago.values("shipment_id"))
                .select_related("origin_region__parent", "destination_region__parent"))
    lists: dict[str, list[Shipment]] = {"expected": [], "on_hand": [], "dispatched": []}
    for shipment in shipments_with_route(queryset):
        with_state(shipment)
        kind = _station_list(shipment, node, cutoff)
        if kind:
            lists[kind].append(shipment)
    lists["expected"].sort(key=lambda s: s.created_at)
    lists["on_hand"].sort(key=lambda s: s.state.since or s.created_at)
    lists["dispatched"].sort(key=lambda s: s.left_at, reverse=True)
    return lists


def _station_list(shipment: Shipment, node: Node, cutoff) -> str | None:
    state = shipment.state
    here = [e for e in shipment.timeline if e.node_id == node.pk and e.kind in status.MOVEMENTS]
    if not here:
        if state.status in (status.DELIVERED, status.WITH_CARRIER):
            return None
        route = shipment.route
        if state.node_id in route and route.index(state.node_id) > route.index(node.pk):
            return None  # seen further along without a scan here: no longer coming
        return "expected"
    if state.node_id == node.pk and state.status in (
            status.AT_NODE, status.OUT_FOR_DELIVERY, status.EXCEPTION):
        return "on_hand"
    shipment.left_at = here[-1].device_time
    return "dispatched" if shipment.left_at >= cutoff else None
