"""Order use cases of the commerce core: recording a payment and moving to ``paid``."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from oscar.core.loading import get_model

from marketplace.livestream.services import flash_release, flash_take

Order = get_model("order", "Order")
Line = get_model("order", "Line")
PaymentEventType = get_model("order", "PaymentEventType")
Source = get_model("payment", "Source")
SourceType = get_model("payment", "SourceType")

STATUS_PENDING_PAYMENT = "pending_payment"
STATUS_PAID = "paid"
STATUS_CANCELLED = "cancelled"
STATUS_REFUNDED = "refunded"
STATUS_PARTIALLY_REFUNDED = "partially_refunded"
# Money was taken and (at least partly) kept: the order is being or has been fulfilled.
PAID_STATUSES = frozenset({STATUS_PAID, "processing", "shipped", "delivered", "completed",
                           STATUS_PARTIALLY_REFUNDED})


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


@transaction.atomic
def order_cancel_unpaid(*, order_id: int, reason: str) -> bool:
    """Cancel an order that was never paid and give its units back to stock (释放库存).

    Returns False when the order is no longer awaiting payment (paid meanwhile, or already
    cancelled): the stock is released once, however often this runs.
    """
    order = Order.objects.select_for_update().get(pk=order_id)
    if order.status != STATUS_PENDING_PAYMENT:
        return False
    for line in order.lines.select_related("stockrecord"):
        if line.stockrecord is not None:
            line.stockrecord.cancel_allocation(line.quantity)
        if line.live_item_id is not None:
            flash_release(item_id=line.live_item_id, user_id=order.user_id,
                          quantity=line.quantity)
        line.set_status(STATUS_CANCELLED)
    order.set_status(STATUS_CANCELLED)
    order.notes.create(note_type="System", message=str(reason))
    return True


@transaction.atomic
def order_reinstate_paid(*, order_id: int) -> None:
    """Take the stock of a cancelled order again and make it await payment once more.

    For a payment that succeeded after the deadline cancelled its order. Raises
    InsufficientStock (and the caller's transaction rolls back) when the units are gone.
    """
    order = Order.objects.select_for_update().get(pk=order_id)
    if order.status != STATUS_CANCELLED:
        return
    for line in order.lines.select_related("stockrecord"):
        if line.stockrecord is not None:
            line.stockrecord.allocate(line.quantity)
        if line.live_item_id is not None:
            flash_take(item_id=line.live_item_id, user_id=order.user_id,
                       quantity=line.quantity)
    # Outside Oscar's pipeline on purpose: "cancelled" is final for people, not for a
    # payment that arrives late and finds the goods still there.
    order.lines.update(status=STATUS_PENDING_PAYMENT)
    order.status_changes.create(old_status=order.status, new_status=STATUS_PENDING_PAYMENT)
    Order.objects.filter(pk=order.pk).update(status=STATUS_PENDING_PAYMENT)


@transaction.atomic
def order_record_refund(*, order_id: int, amount: Decimal, reference: str, provider_code: str,
                        line_quantities: list[tuple[int, int]]) -> None:
    """Oscar's records of a refund: a "refunded" payment event and the source's refund."""
    order = Order.objects.get(pk=order_id)
    event_type, _ = PaymentEventType.objects.get_or_create(
        code="refunded", defaults={"name": "已退款"}
    )
    event = order.payment_events.create(event_type=event_type, amount=amount, reference=reference)
    for line_id, quantity in line_quantities:
        if quantity:
            event.line_quantities.create(line_id=line_id, quantity=quantity)
    source = order.sources.filter(source_type__code=provider_code).first()
    if source is not None:
        source.refund(amount, reference=reference)


def line_set_refund_status(*, line_id: int, full: bool) -> None:
    line = Line.objects.get(pk=line_id)
    new = STATUS_REFUNDED if full else STATUS_PARTIALLY_REFUNDED
    if new in line.available_statuses():
        line.set_status(new)


def order_set_refund_status(*, order_id: int, full: bool) -> None:
    order = Order.objects.get(pk=order_id)
    new = STATUS_REFUNDED if full else STATUS_PARTIALLY_REFUNDED
    if new in order.available_statuses():
        order.set_status(new)


ORDER_PLACED_EVENT_CODE = "ORDER_PLACED"


@transaction.atomic
def order_confirmation_send(*, order_id: int) -> bool:
    """Send the buyer's order confirmation (下单确认) once; returns False when it was sent
    already or the order is gone.

    The order row is locked while sending, and the communication event that marks it sent is
    written in the same transaction: a second run waits, then finds the event. A mail
    server failure raises, rolls the event back and leaves the task to retry; only a crash
    between the mail leaving and the commit can send it twice (mail is not transactional).
    """
    from django.contrib.sites.models import Site
    from django.urls import reverse
    from oscar.core.loading import get_class

    CommunicationEvent = get_model("order", "CommunicationEvent")
    CommunicationEventType = get_model("communication", "CommunicationEventType")
    order = Order.objects.select_for_update().filter(pk=order_id).first()
    if order is None:
        return False
    event_type, _ = CommunicationEventType.objects.get_or_create(
        code=ORDER_PLACED_EVENT_CODE,
        defaults={"name": "Order placed", "category": CommunicationEventType.ORDER_RELATED},
    )
    if CommunicationEvent.objects.filter(order=order, event_type=event_type).exists():
        return False
    if order.is_anonymous:
        path = reverse("customer:anon-order", kwargs={
            "order_number": order.number, "hash": order.verification_hash()})
    else:
        path = reverse("customer:order", kwargs={"order_number": order.number})
    context = {
        "user": order.user, "order": order, "lines": order.lines.all(),
        "status_path": path, "status_url": f"https://{Site.objects.get_current().domain}{path}",
    }
    dispatcher = get_class("order.utils", "OrderDispatcher")()
    dispatcher.send_order_placed_email_for_user(order, context)
    # Oscar records the event only when a message went out (a user without an e-mail
    # address gets none); record it regardless, so a retry does not try again forever.
    CommunicationEvent.objects.get_or_create(order=order, event_type=event_type)
    return True
