"""SLA watch (时效监控): parcels that stay at a node longer than its level allows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from logistics import selectors, status
from logistics.models import Node, ScanEvent, Shipment, SlaBreach


def limit_hours(kind: str) -> int:
    return int(settings.LOGISTICS_SLA_HOURS[kind])


@dataclass(frozen=True)
class WatchResult:
    flagged: int
    resolved: int


@transaction.atomic
def sla_watch(*, now: datetime | None = None) -> WatchResult:
    """Flag each parcel that was received at a node and has stayed there (not dispatched,
    out for delivery or delivered) longer than the node level's limit in
    LOGISTICS_SLA_HOURS, once per (parcel, node); resolve open breaches whose parcel has
    moved on. Safe to run twice or concurrently (unique (shipment, node), conditional
    updates); ``now`` lets tests move the clock."""
    now = now or timezone.now()
    shortest = min(limit_hours(kind) for kind, _label in Node.KINDS)
    finished = ScanEvent.objects.filter(kind=ScanEvent.DELIVERED).values("shipment_id")
    open_breaches = SlaBreach.objects.filter(resolved_at__isnull=True)
    candidates = Shipment.objects.filter(
        pk__in=ScanEvent.objects.filter(
            kind=ScanEvent.RECEIVED, device_time__lte=now - timedelta(hours=shortest),
        ).exclude(shipment_id__in=finished).values("shipment_id"),
    ) | Shipment.objects.filter(pk__in=open_breaches.values("shipment_id"))
    kinds = dict(Node.objects.values_list("pk", "kind"))
    staying: dict[int, tuple[int, datetime]] = {}  # shipment -> (node, since)
    new = []
    for shipment in selectors.shipments_with_route(candidates.distinct()):
        state = selectors.with_state(shipment).state
        if state.status != status.AT_NODE or state.node_id is None:
            continue
        staying[shipment.pk] = (state.node_id, state.since)
        hours = limit_hours(kinds[state.node_id])
        if now - state.since > timedelta(hours=hours):
            new.append(SlaBreach(shipment=shipment, node_id=state.node_id,
                                 arrived_at=state.since, limit_hours=hours, detected_at=now))
    before = SlaBreach.objects.count()
    SlaBreach.objects.bulk_create(new, ignore_conflicts=True)
    flagged = SlaBreach.objects.count() - before
    resolved = 0
    for breach in open_breaches.only("pk", "shipment_id", "node_id"):
        if staying.get(breach.shipment_id, (None,))[0] != breach.node_id:
            resolved += SlaBreach.objects.filter(pk=breach.pk, resolved_at__isnull=True).update(
                resolved_at=now)
    return WatchResult(flagged, resolved)


def open_breaches_under(hub: Node) -> QuerySet[SlaBreach]:
    """Open breaches at the hub and every node of its county (what the hub dashboard lists),
    longest waiting first."""
    county = hub.region_id[:6]
    return (SlaBreach.objects
            .filter(resolved_at__isnull=True, node__region__code__startswith=county)
            .select_related("shipment", "node").order_by("arrived_at", "pk"))
