"""Cold-chain alerts (冷链温度告警): a temperature reading outside its parcel's range tells the
cooperative and the next node, once per reading."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import IntegrityError, transaction
from django.utils.html import escape
from django.utils.translation import gettext as _
from oscar.core.loading import get_model

from logistics.models import Node, ScanEvent, Shipment, TemperatureAlert


def storage_range(storage: str) -> tuple[Decimal, Decimal] | None:
    """The allowed temperatures (℃, inclusive) of a storage class; None: not watched (常温)."""
    limits = settings.LOGISTICS_COLD_CHAIN_RANGES.get(storage)
    if not limits:
        return None
    low, high = limits
    return Decimal(str(low)), Decimal(str(high))


def out_of_range(storage: str, temperature) -> tuple[Decimal, Decimal] | None:
    """The range a reading broke, or None when it is within (or the class is not watched)."""
    limits = storage_range(storage)
    if limits is None or temperature is None:
        return None
    value = Decimal(str(temperature))
    return None if limits[0] <= value <= limits[1] else limits


def _recipients(event: ScanEvent) -> list:
    """The cooperative's staff and the operators of the parcel's next node (the node that
    took the reading when it is the last stop), active accounts, each once."""
    route = list(event.shipment.hops.values_list("node_id", flat=True))
    nodes = [n for n in route if n is not None]
    try:
        i = nodes.index(event.node_id)
    except ValueError:
        i = len(nodes) - 1
    next_id = nodes[i + 1] if i + 1 < len(nodes) else event.node_id
    users = {}
    for user in event.shipment.partner.users.filter(is_active=True):
        users[user.pk] = user
    for user in Node.objects.get(pk=next_id).operators.filter(is_active=True):
        users[user.pk] = user
    return sorted(users.values(), key=lambda u: u.pk)


def temperature_alert_raise(*, event_id: int) -> TemperatureAlert | None:
    """The alert for a temperature reading outside its parcel's range: an in-site
    notification and an e-mail to each recipient. Once per event however often this runs
    (the event is the alert's natural key); a reading within range raises nothing. A mail
    failure rolls the alert back, so the next run retries."""
    event = (ScanEvent.objects.select_related("shipment__partner", "node")
             .filter(pk=event_id, kind=ScanEvent.TEMPERATURE).first())
    if event is None or TemperatureAlert.objects.filter(event_id=event_id).exists():
        return None
    broken = out_of_range(event.shipment.storage, event.temperature)
    if broken is None:
        return None
    Notification = get_model("communication", "Notification")
    shipment = event.shipment
    recipients = _recipients(event)
    params = {
        "code": shipment.code, "storage": shipment.storage, "node": event.node.name,
        "t": event.temperature, "low": broken[0], "high": broken[1],
        "path": f"/track/{shipment.code}/",
    }
    subject = _("冷链温度异常：包裹 %(code)s") % params
    body = _("包裹 %(code)s（%(storage)s）在“%(node)s”测得 %(t)s ℃，超出允许的 "
             "%(low)s～%(high)s ℃，请尽快检查。查看：%(path)s") % params
    try:
        with transaction.atomic():
            alert = TemperatureAlert.objects.create(
                event=event, shipment=shipment, node=event.node, temperature=event.temperature,
                low=broken[0], high=broken[1], notified=len(recipients))
            # Oscar shows a notification's body as HTML: node names are text.
            Notification.objects.bulk_create([
                Notification(recipient=user, subject=subject, body=escape(body))
                for user in recipients])
            send_mass_mail([(subject, body, None, [user.email])
                            for user in recipients if user.email])
    except IntegrityError:
        return None  # another run raised it meanwhile
    return alert


def alerts_for_shipment(shipment: Shipment) -> list[TemperatureAlert]:
    """The parcel's temperature alerts, oldest first, with their node (for tracking)."""
    return list(TemperatureAlert.objects.filter(shipment=shipment).select_related("node")
                .order_by("created_at", "pk"))
