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
    """What follows a scan: the order's status follows its parcels; a cold-chain reading
    out of range raises its alert (once per event)."""
    from logistics.models import ScanEvent

    row = (ScanEvent.objects.filter(pk=event_id)
           .values_list("shipment__order_id", "kind").first())
    if row is None:
        return
    order_id, kind = row
    if kind == ScanEvent.TEMPERATURE:
        from logistics import alerts

        alerts.temperature_alert_raise(event_id=event_id)
    else:
        services.order_status_follow(order_id=order_id)


@shared_task(name="logistics.sla_watch")
def sla_watch() -> dict:
    """Beat: flag parcels staying too long at a node, resolve those that moved on."""
    from logistics import sla

    result = sla.sla_watch()
    return {"flagged": result.flagged, "resolved": result.resolved}
