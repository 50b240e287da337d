"""Order use cases of the commerce core: recording a payment and moving to ``paid``."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from oscar.core.loading import get_model

Order = get_model("order", "Order")
PaymentEventType = get_model("order", "PaymentEventType")
Source = get_model("payment", "Source")
SourceType = get_model("payment", "SourceType")

STATUS_PENDING_PAYMENT = "pending_payment"
STATUS_PAID = "paid"


@transaction.atomic
def order_mark_paid(*, order_id: int, provider_code: str, provider_label: str, reference: str,
                    amount: Decimal) -> bool:
    """Record a captured payment and set the order (and its lines) to paid.

    Safe to call twice: an order already past pending_payment is left alone (returns False).
    """
    order = Order.objects.select_for_update().get(pk=order_id)
    if order.status != STATUS_PENDING_PAYMENT:
        return False
    source_type, _ = SourceType.objects.get_or_create(
        code=provider_code, defaults={"name": str(provider_label)[:128]}
    )
    Source.objects.create(
        order=order, source_type=source_type, currency=order.currency,
        amount_allocated=amount, amount_debited=amount, reference=reference,
    )
    event_type, _ = PaymentEventType.objects.get_or_create(
        code="paid", defaults={"name": "已支付"}
    )
    event = order.payment_events.create(event_type=event_type, amount=amount, reference=reference)
    for line in order.lines.all():
        event.line_quantities.create(line=line, quantity=line.quantity)
        line.set_status(STATUS_PAID)
    order.set_status(STATUS_PAID)
    return True
