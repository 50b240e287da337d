"""Celery tasks of logistics: thin, idempotent wrappers around its services."""

from __future__ import annotations

from celery import shared_task

from logistics import services


@shared_task(name="logistics.shipments_create")
def shipments_create(order_id: int) -> int:
    """Shipments of a paid order (one per cooperative); a second run makes none."""
    return len(services.shipments_create(order_id=order_id))


@shared_task(name="logistics.scan_recorded")
def scan_recorded(event_id: int) -> None:
    """What follows a scan: the order's status follows its parcels."""
    from logistics.models import ScanEvent

    order_id = (ScanEvent.objects.filter(pk=event_id)
                .values_list("shipment__order_id", flat=True).first())
    if order_id is not None:
        services.order_status_follow(order_id=order_id)
