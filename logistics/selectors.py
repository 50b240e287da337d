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
