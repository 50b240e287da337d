"""A code's history as an EPCIS 2.0-like list of ObjectEvents, for other platforms.

The same facts as the public page /t/<code>/ (production, inputs, inspections, the sale,
packing, delivery at town/village level), nothing personal: no buyer, phone, address line,
order number or operator. Business steps and dispositions are GS1 CBV short names.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from marketplace.traceability.selectors import TraceView

# Scan kinds of the delivery timeline (settings.TRACE_DELIVERY_TIMELINE) → (bizStep, disposition)
DELIVERY_STEPS = {
    "received": ("arriving", "in_transit"),
    "dispatched": ("departing", "in_transit"),
    "out_for_delivery": ("transporting", "in_transit"),
    "delivered": ("receiving", "in_possession"),
    "exception": ("holding", "in_progress"),
}


def _at(day: dt.date) -> dt.datetime:
    """A day's record (harvest, inspection) as an instant: noon, local time."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time(12)))


def _event(*, when: dt.datetime, epc: str, action: str, step: str, disposition: str,
           description: str, place: dict | None = None, **extra) -> dict:
    local = timezone.localtime(when)
    offset = local.strftime("%z")
    event = {
        "type": "ObjectEvent",
        "eventTime": local.isoformat(),
        "eventTimeZoneOffset": f"{offset[:3]}:{offset[3:]}",
        "action": action,
        "bizStep": step,
        "disposition": disposition,
        "epcList": [epc],
        "description": description,
    }
    if place:
        event["readPoint"] = place
        event["bizLocation"] = place
    event.update(extra)
    return event


def code_events(trace: TraceView, *, epc: str) -> list[dict]:
    """Every event of a code, oldest first. ``epc`` is the code's public trace URL."""
    batch = trace.batch
    plot = {"id": batch.plot_region_id or "", "name": trace.plot_place,
            "description": batch.plot_description}
    events = [_event(
        when=_at(batch.harvested_on), epc=epc, action="ADD", step="commissioning",
        disposition="active", place=plot,
        description=f"采收 {trace.product_title}，批次 {batch.batch_number}",
        ilmd={"batchNumber": batch.batch_number, "harvestDate": batch.harvested_on.isoformat(),
              "plantingDate": batch.planted_on.isoformat() if batch.planted_on else None,
              "quantity": f"{batch.quantity.normalize():f}", "unit": batch.unit,
              "product": trace.product_title, "cooperative": trace.cooperative.legal_name},
    )]
    for record in trace.inputs:
        events.append(_event(
            when=_at(record.applied_on), epc=epc, action="OBSERVE", step="other",
            disposition="active", place=plot,
            description=f"{record.get_kind_display()}：{record.name} {record.amount}",
            input={"kind": record.kind, "name": record.name,
                   "registrationNumber": record.registration_number,
                   "amount": record.amount, "safeIntervalDays": record.safe_interval_days,
                   "intervalProblem": record.interval_problem},
        ))
    for inspection in trace.inspections:
        events.append(_event(
            when=_at(inspection.inspected_on), epc=epc, action="OBSERVE", step="inspecting",
            disposition="conformant" if inspection.result == "pass" else "non_conformant",
            description=f"{inspection.get_kind_display()} {inspection.number}".strip(),
            inspection={"kind": inspection.kind, "number": inspection.number,
                        "issuer": inspection.issuer, "result": inspection.result},
        ))
    if trace.sale:
        sale = trace.sale
        events.append(_event(
            when=sale["placed_at"], epc=epc, action="OBSERVE", step="retail_selling",
            disposition="retail_sold", description=f"售出（{sale['channel']}）",
            sale={"channel": "live" if sale["live"] else "storefront",
                  "liveSession": sale["live_title"] or None},
        ))
    if trace.bound_at:
        events.append(_event(when=trace.bound_at, epc=epc, action="OBSERVE", step="packing",
                             disposition="in_progress", description="打包"))
    for scan in trace.delivery:
        step, disposition = DELIVERY_STEPS.get(scan.get("kind", ""), ("other", "in_transit"))
        events.append(_event(when=scan["at"], epc=epc, action="OBSERVE", step=step,
                             disposition=disposition, description=str(scan["status"]),
                             place={"name": scan["place"]}))
    events.sort(key=lambda e: e["eventTime"])
    return events
