"""Payment use cases: start a payment, apply the provider's view of it, refund, reconcile.

One rule holds everywhere: what the provider says about an intent *now* (read back with
``retrieve``) decides, never the order in which webhooks happen to arrive. A handler locks
the order row, compares, and changes only what differs, so running it twice, concurrently
or out of order changes the order once.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from oscar.core.loading import get_model

from marketplace.livestream.services import FlashUnavailable
from marketplace.payments.models import Payment, ProviderEvent, Refund, RefundLine, idempotency_key
from marketplace.payments.money import from_fen, to_fen
from marketplace.payments.providers import get_provider
from marketplace.payments.providers.base import (
    CANCELED,
    REQUIRES_PAYMENT_METHOD,
    SUCCEEDED,
    IntentState,
    PaymentProvider,
    PaymentStart,
    WebhookEvent,
)
from marketplace.shop.order import services as order_services
from marketplace.shop.partner.models import InsufficientStock

logger = logging.getLogger(__name__)

Order = get_model("order", "Order")
Line = get_model("order", "Line")

REFUNDABLE_STATUSES = order_services.PAID_STATUSES


class PaymentNotPossible(Exception):
    """The order cannot take a payment now (already paid, cancelled …); message for buyers."""


class RefundNotAllowed(Exception):
    """A refund request that cannot be carried out; the message is shown to staff."""


# --- Starting a payment -----------------------------------------------------------------

def payment_start(*, order_id: int) -> PaymentStart:
    """Start (or resume) paying an order: one open attempt per order at a time.

    The order row is locked while the attempt is looked up or created, and ``(order,
    attempt)`` is unique, so two simultaneous submits or page loads share one attempt and
    one PaymentIntent. The Idempotency-Key (order number + attempt) makes a retried create
    call at the provider return that same intent.
    """
    provider = get_provider()
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=order_id)
        if order.status != order_services.STATUS_PENDING_PAYMENT:
            raise PaymentNotPossible(order.status)
        amount_fen = to_fen(order.total_incl_tax)
        if amount_fen == 0:
            order_services.order_mark_paid(
                order_id=order.pk, provider_code="free", provider_label=_("无需支付"),
                reference=f"FREE-{order.number}", amount=order.total_incl_tax,
            )
            return PaymentStart(reference=f"FREE-{order.number}", paid=True)
        current = (
            Payment.objects.filter(order=order, provider=provider.code, status=Payment.OPEN)
            .order_by("-attempt").first()
        )
        if current is not None:
            return PaymentStart(reference=current.reference, paid=False,
                                client_secret=provider.client_secret(current.reference))
        attempt = (Payment.objects.filter(order=order).aggregate(n=Max("attempt"))["n"] or 0) + 1
        payment = Payment.objects.create(
            order=order, attempt=attempt, provider=provider.code, amount_fen=amount_fen,
            currency=order.currency,
        )
        start = provider.start(
            order_number=order.number, attempt=attempt, amount_fen=amount_fen,
            currency=order.currency, idempotency_key=idempotency_key(order.number, attempt),
        )
        payment.reference = start.reference
        payment.status = Payment.SUCCEEDED if start.paid else Payment.OPEN
        payment.save(update_fields=["reference", "status", "updated_at"])
        if start.paid:
            order_services.order_mark_paid(
                order_id=order.pk, provider_code=provider.code, provider_label=provider.label,
                reference=start.reference, amount=order.total_incl_tax,
            )
    return start


# --- Applying the provider's state --------------------------------------------------------

def payment_sync(*, reference: str, failed: bool = False,
                 provider_code: str | None = None) -> str:
    """Read one intent back from the provider and bring the order in line with it.

    ``failed`` says a payment_failed event prompted the call: an intent back in
    ``requires_payment_method`` is then a failed payment, which cancels the order and
    releases its stock (the intent is cancelled first, so it can no longer succeed).
    """
    provider = get_provider(provider_code)
    return _apply(provider, provider.retrieve(reference), failed=failed)


def _apply(provider: PaymentProvider, state: IntentState, *, failed: bool) -> str:
    with transaction.atomic():
        payment = Payment.objects.filter(reference=state.reference).first()
        if payment is not None:
            order = Order.objects.select_for_update().get(pk=payment.order_id)
            payment.refresh_from_db()
        elif state.order_number:
            order = Order.objects.select_for_update().filter(number=state.order_number).first()
        else:
            order = None
        if state.status == SUCCEEDED:
            return _apply_succeeded(provider, state, payment, order)
        if state.status == CANCELED or (failed and state.status == REQUIRES_PAYMENT_METHOD):
            return _apply_failed(provider, state, payment, order)
        return f"unchanged:{state.status}"


def _apply_succeeded(provider, state: IntentState, payment: Payment | None, order) -> str:
    if order is None:
        # Money with no order to fill (the order's transaction never committed): give it back.
        provider.refund(reference=state.reference, amount_fen=state.amount_fen,
                        idempotency_key=f"orphan-{state.reference}",
                        metadata={"reason": "no order"})
        logger.error("payment %s (order %r) has no order: refunded in full",
                     state.reference, state.order_number)
        return "refunded:no-order"
    if payment is None:
        # The intent exists at the provider but our row for it was lost (crash between the
        # create call and the commit): write it now.
        attempt = (Payment.objects.filter(order=order).aggregate(n=Max("attempt"))["n"] or 0) + 1
        payment = Payment.objects.create(
            order=order, attempt=attempt, provider=provider.code, reference=state.reference,
            amount_fen=state.amount_fen, currency=state.currency,
        )
    if payment.status == Payment.SUCCEEDED:
        return "unchanged:paid"
    payment.status = Payment.SUCCEEDED
    payment.save(update_fields=["status", "updated_at"])
    expected = to_fen(order.total_incl_tax)
    if state.amount_fen != expected or state.currency != order.currency:
        return _refund_whole(provider, order, payment, _("金额与订单不符"))
    if order.status == order_services.STATUS_PENDING_PAYMENT:
        order_services.order_mark_paid(
            order_id=order.pk, provider_code=provider.code, provider_label=provider.label,
            reference=state.reference, amount=order.total_incl_tax,
        )
        return "paid"
    if order.status == order_services.STATUS_CANCELLED:
        # Paid after the deadline cancelled it: fill it if the stock is still there.
        try:
            with transaction.atomic():
                order_services.order_reinstate_paid(order_id=order.pk)
        except (InsufficientStock, FlashUnavailable):
            return _refund_whole(provider, order, payment, _("订单已取消且库存不足"))
        order_services.order_mark_paid(
            order_id=order.pk, provider_code=provider.code, provider_label=provider.label,
            reference=state.reference, amount=order.total_incl_tax,
        )
        return "paid:reinstated"
    # Paid already through another attempt: this second payment goes back.
    return _refund_whole(provider, order, payment, _("重复支付"))


def _apply_failed(provider, state: IntentState, payment: Payment | None, order) -> str:
    if state.status != CANCELED:
        # Cancel at the provider before releasing stock, so this intent cannot succeed
        # later for an order that no longer holds its goods.
        state = provider.cancel(state.reference)
        if state.status == SUCCEEDED:
            return _apply_succeeded(provider, state, payment, order)
    if payment is not None and payment.status == Payment.OPEN:
        payment.status = Payment.CANCELED
        payment.save(update_fields=["status", "updated_at"])
    if order is not None and order_services.order_cancel_unpaid(
        order_id=order.pk, reason=_("支付未成功，订单已取消，库存已释放。")
    ):
        return "cancelled"
    return "unchanged"


def _refund_whole(provider, order, payment: Payment, reason: str) -> str:
    refund = Refund.objects.create(order=order, payment=payment, amount_fen=payment.amount_fen,
                                   origin=Refund.AUTOMATIC, reason=reason)
    result = provider.refund(reference=payment.reference, amount_fen=payment.amount_fen,
                             idempotency_key=f"refund-auto-{payment.reference}",
                             metadata={"order_number": order.number, "refund": str(refund.pk)})
    refund.reference = result.reference
    refund.save(update_fields=["reference"])
    logger.warning("order %s: payment %s refunded automatically (%s)",
                   order.number, payment.reference, reason)
    return "refunded:auto"


# --- Deadlines and reconciliation ----------------------------------------------------------

def order_expire(*, order_id: int, reason: str = "") -> str:
    """Cancel an unpaid order (past its deadline, or by staff) unless its payment succeeded
    meanwhile: open intents are cancelled at the provider first, then the stock released."""
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=order_id)
        if order.status != order_services.STATUS_PENDING_PAYMENT:
            return "unchanged"
        for payment in Payment.objects.filter(order=order, status=Payment.OPEN):
            provider = get_provider(payment.provider)
            state = provider.cancel(payment.reference)
            if state.status == SUCCEEDED:
                return _apply_succeeded(provider, state, payment, order)
            payment.status = Payment.CANCELED
            payment.save(update_fields=["status", "updated_at"])
        order_services.order_cancel_unpaid(
            order_id=order.pk, reason=reason or _("超过支付时限未付款，订单已取消，库存已释放。")
        )
        return "cancelled"


def orders_expired_ids() -> list[int]:
    deadline = timezone.now() - timedelta(minutes=settings.PAYMENT_DEADLINE_MINUTES)
    return list(
        Order.objects.filter(status=order_services.STATUS_PENDING_PAYMENT,
                             date_placed__lt=deadline)
        .order_by("date_placed").values_list("pk", flat=True)[:500]
    )


@dataclass
class ReconcileReport:
    intents_seen: int = 0
    repaired: int = 0
    refunds_recorded: int = 0


def payments_reconcile(*, provider_code: str | None = None) -> ReconcileReport:
    """Repair what webhooks missed: every recent succeeded (or cancelled) intent ends in a
    paid order or a refund; refunds made at the provider are recorded."""
    provider = get_provider(provider_code)
    since = timezone.now() - timedelta(hours=settings.PAYMENT_RECONCILE_LOOKBACK_HOURS)
    report = ReconcileReport()
    for state in provider.recent_intents(since):
        report.intents_seen += 1
        if state.status not in (SUCCEEDED, CANCELED):
            continue
        settled = Payment.SUCCEEDED if state.status == SUCCEEDED else Payment.CANCELED
        if Payment.objects.filter(reference=state.reference, status=settled).exists():
            continue
        outcome = _apply(provider, state, failed=False)
        if not outcome.startswith("unchanged"):
            report.repaired += 1
            logger.warning("reconcile: intent %s → %s", state.reference, outcome)
    # Refunds made at the provider whose charge.refunded webhook we missed.
    for reference in provider.recently_refunded(since):
        report.refunds_recorded += refunds_record_provider(reference=reference,
                                                           provider_code=provider.code)
    return report


# --- Webhooks -----------------------------------------------------------------------------

INTENT_EVENTS = frozenset({
    "payment_intent.succeeded", "payment_intent.payment_failed", "payment_intent.canceled",
    "payment_intent.processing", "payment_intent.requires_action",
})
REFUND_EVENTS = frozenset({"charge.refunded", "charge.refund.updated", "refund.created",
                           "refund.updated"})


def webhook_receive(*, provider_code: str, event: WebhookEvent) -> str:
    """Handle one verified webhook event exactly once (its id is stored with the result).

    A duplicate delivery, even a concurrent one, waits on the unique event id and then
    answers "duplicate" without touching the order.
    """
    try:
        with transaction.atomic():
            record = ProviderEvent.objects.create(
                provider=provider_code, event_id=event.id, type=event.type[:64],
                object_id=event.object_id[:128],
            )
            outcome = _dispatch(provider_code, event)
            record.outcome = outcome[:64]
            record.save(update_fields=["outcome"])
            return outcome
    except IntegrityError:
        if ProviderEvent.objects.filter(provider=provider_code, event_id=event.id).exists():
            return "duplicate"
        raise


def _dispatch(provider_code: str, event: WebhookEvent) -> str:
    if not event.payment_reference:
        return "ignored"
    if event.type in INTENT_EVENTS:
        return payment_sync(reference=event.payment_reference, provider_code=provider_code,
                            failed=event.type == "payment_intent.payment_failed")
    if event.type in REFUND_EVENTS:
        n = refunds_record_provider(reference=event.payment_reference,
                                    provider_code=provider_code)
        return f"refunds:{n}"
    return "ignored"


# --- Refunds ------------------------------------------------------------------------------

@dataclass(frozen=True)
class LineRefund:
    line_id: int
    quantity: int
    amount_fen: int


def line_refunded(line_ids) -> dict[int, tuple[int, int]]:
    """Per line id: (quantity refunded, fen refunded) so far."""
    rows = (
        RefundLine.objects.filter(line_id__in=list(line_ids)).values("line_id")
        .annotate(q=Sum("quantity"), a=Sum("amount_fen"))
    )
    return {r["line_id"]: (r["q"] or 0, r["a"] or 0) for r in rows}


def refund_create(*, order_id: int, lines: list[LineRefund], user, reason: str = "") -> Refund:
    """Refund parts of an order, per line, through its provider; all or nothing.

    ``user`` must be platform staff or belong to the cooperative (partner) of every line.
    Amounts are capped per line by what is left of its total after earlier refunds.
    """
    if not lines:
        raise RefundNotAllowed(_("请至少选择一行退款。"))
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=order_id)
        if order.status not in REFUNDABLE_STATUSES:
            raise RefundNotAllowed(_("该订单当前状态不能退款。"))
        payment = (Payment.objects.filter(order=order, status=Payment.SUCCEEDED)
                   .order_by("attempt").first())
        if payment is None:
            raise RefundNotAllowed(_("该订单没有可退款的支付记录。"))
        order_lines = {line.pk: line for line in order.lines.select_related("partner")}
        done = line_refunded(order_lines)
        own_partner_ids = None if user.is_staff else set(
            user.partners.values_list("pk", flat=True))
        total = 0
        for item in lines:
            line = order_lines.get(item.line_id)
            if line is None or (own_partner_ids is not None
                                and line.partner_id not in own_partner_ids):
                raise RefundNotAllowed(_("只能退自己合作社的订单行。"))
            qty_done, fen_done = done.get(line.pk, (0, 0))
            if item.amount_fen <= 0 or item.quantity < 0:
                raise RefundNotAllowed(_("退款金额必须大于零。"))
            if item.quantity > line.quantity - qty_done:
                raise RefundNotAllowed(_("“%(title)s”最多还能退 %(n)d 件。")
                                       % {"title": line.title, "n": line.quantity - qty_done})
            left = to_fen(line.line_price_incl_tax) - fen_done
            if item.amount_fen > left:
                raise RefundNotAllowed(_("“%(title)s”最多还能退 ¥%(amount)s。")
                                       % {"title": line.title, "amount": from_fen(left)})
            total += item.amount_fen
        refunded_before = Refund.objects.filter(payment=payment).aggregate(
            s=Sum("amount_fen"))["s"] or 0
        if total > payment.amount_fen - refunded_before:
            raise RefundNotAllowed(_("退款总额超过了实付金额。"))
        refund = Refund.objects.create(order=order, payment=payment, amount_fen=total,
                                       origin=Refund.DASHBOARD, reason=reason[:200],
                                       created_by=user)
        RefundLine.objects.bulk_create([
            RefundLine(refund=refund, line_id=i.line_id, quantity=i.quantity,
                       amount_fen=i.amount_fen) for i in lines
        ])
        provider = get_provider(payment.provider)
        result = provider.refund(reference=payment.reference, amount_fen=total,
                                 idempotency_key=f"refund-{refund.pk}",
                                 metadata={"order_number": order.number, "refund": str(refund.pk)})
        refund.reference = result.reference
        refund.save(update_fields=["reference"])
        _record_refund(order, payment, refund, lines=[(order_lines[i.line_id], i) for i in lines])
    return refund


def refunds_record_provider(*, reference: str, provider_code: str | None = None) -> int:
    """Record refunds made at the provider (its dashboard, or one we lost) that we lack."""
    provider = get_provider(provider_code)
    payment = Payment.objects.filter(reference=reference).first()
    if payment is None:
        return 0
    remote = [r for r in provider.refunds_of(reference) if r.status in (SUCCEEDED, "pending")]
    if not remote:
        return 0
    recorded = 0
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=payment.order_id)
        known = set(Refund.objects.filter(payment=payment).values_list("reference", flat=True))
        for item in remote:
            if item.reference in known:
                continue
            refund = Refund.objects.create(order=order, payment=payment, reference=item.reference,
                                           amount_fen=item.amount_fen, origin=Refund.PROVIDER,
                                           reason=_("在支付平台发起的退款"))
            _record_refund(order, payment, refund, lines=[])
            recorded += 1
    return recorded


def _record_refund(order, payment: Payment, refund: Refund, *, lines) -> None:
    """Oscar's records of a refund (payment event, source, statuses), from our Refund row."""
    amount = from_fen(refund.amount_fen)
    order_services.order_record_refund(
        order_id=order.pk, amount=amount, reference=refund.reference,
        provider_code=payment.provider,
        line_quantities=[(line.pk, item.quantity) for line, item in lines],
    )
    refunded_lines = line_refunded([line.pk for line, _item in lines])
    for line, _item in lines:
        _qty, fen = refunded_lines.get(line.pk, (0, 0))
        full = fen >= to_fen(line.line_price_incl_tax)
        order_services.line_set_refund_status(line_id=line.pk, full=full)
    total = Refund.objects.filter(payment=payment).aggregate(s=Sum("amount_fen"))["s"] or 0
    order_services.order_set_refund_status(order_id=order.pk, full=total >= payment.amount_fen)
