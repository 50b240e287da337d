"""Payment attempts, received provider events and refunds, each unique by its natural key."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from marketplace.payments.money import from_fen


class Payment(models.Model):
    """One attempt to pay one order (a Stripe PaymentIntent, or a sandbox payment).

    ``(order, attempt)`` is unique: two concurrent submits of one checkout both try to
    create attempt 1 and only one row (and so one PaymentIntent) can exist.
    """

    OPEN = "open"
    SUCCEEDED = "succeeded"
    CANCELED = "canceled"
    STATUS_CHOICES = [
        (OPEN, _("待支付")),
        (SUCCEEDED, _("已支付")),
        (CANCELED, _("已取消")),
    ]

    order = models.ForeignKey("order.Order", on_delete=models.PROTECT, related_name="payments")
    attempt = models.PositiveSmallIntegerField(default=1)
    provider = models.CharField(max_length=32)
    # The provider's id (pi_… for Stripe); empty only between the row and the provider call.
    reference = models.CharField(max_length=128, blank=True, default="")
    amount_fen = models.PositiveBigIntegerField()
    currency = models.CharField(max_length=3, default="CNY")
    status = models.CharField(max_length=16, choices=STATUS_CHOICES, default=OPEN)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("支付")
        verbose_name_plural = _("支付")
        constraints = [
            models.UniqueConstraint(fields=["order", "attempt"], name="payment_one_per_attempt"),
            models.UniqueConstraint(
                fields=["reference"], condition=~Q(reference=""), name="payment_reference_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.provider}:{self.reference or '-'} ({self.status})"

    @property
    def idempotency_key(self) -> str:
        return idempotency_key(self.order.number, self.attempt)


def idempotency_key(order_number: str, attempt: int) -> str:
    """The Idempotency-Key sent when creating the intent of one order attempt."""
    return f"order-{order_number}-attempt-{attempt}"


class ProviderEvent(models.Model):
    """A webhook event as received: stored once per event id, which makes handling it once."""

    provider = models.CharField(max_length=32)
    event_id = models.CharField(max_length=128)
    type = models.CharField(max_length=64)
    object_id = models.CharField(max_length=128, blank=True, default="")
    outcome = models.CharField(max_length=64, blank=True, default="")
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("支付通知")
        verbose_name_plural = _("支付通知")
        constraints = [
            models.UniqueConstraint(fields=["provider", "event_id"], name="provider_event_once"),
        ]

    def __str__(self) -> str:
        return f"{self.event_id} {self.type}"


class Refund(models.Model):
    """Money returned to the buyer, from the dashboard, from Stripe's own dashboard, or
    automatically for a payment whose order can no longer be filled."""

    DASHBOARD = "dashboard"
    PROVIDER = "provider"
    AUTOMATIC = "automatic"
    ORIGIN_CHOICES = [
        (DASHBOARD, _("后台退款")),
        (PROVIDER, _("支付平台退款")),
        (AUTOMATIC, _("自动退款（订单无法履行）")),
    ]

    order = models.ForeignKey("order.Order", on_delete=models.PROTECT, related_name="refunds")
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refunds")
    reference = models.CharField(max_length=128, blank=True, default="")
    amount_fen = models.PositiveBigIntegerField()
    origin = models.CharField(max_length=16, choices=ORIGIN_CHOICES)
    reason = models.CharField(max_length=200, blank=True, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("退款")
        verbose_name_plural = _("退款")
        constraints = [
            models.UniqueConstraint(
                fields=["reference"], condition=~Q(reference=""), name="refund_reference_unique"
            ),
            models.CheckConstraint(condition=Q(amount_fen__gt=0), name="refund_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.reference or '-'} ¥{from_fen(self.amount_fen)}"

    @property
    def amount(self):
        """The refund in yuan (Decimal), for display."""
        return from_fen(self.amount_fen)


class RefundLine(models.Model):
    """The part of a refund that belongs to one order line (dashboard refunds are per line)."""

    refund = models.ForeignKey(Refund, on_delete=models.CASCADE, related_name="lines")
    line = models.ForeignKey("order.Line", on_delete=models.PROTECT, related_name="refund_lines")
    quantity = models.PositiveIntegerField(default=0)
    amount_fen = models.PositiveBigIntegerField()

    class Meta:
        verbose_name = _("退款明细")
        verbose_name_plural = _("退款明细")
        constraints = [
            models.UniqueConstraint(fields=["refund", "line"], name="refund_line_once"),
        ]

    def __str__(self) -> str:
        return f"{self.line_id} × {self.quantity}: {from_fen(self.amount_fen)}"

    @property
    def amount(self):
        return from_fen(self.amount_fen)
