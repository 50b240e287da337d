"""The local sandbox provider (embedded default): pays at once, takes no real money."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime

from django.utils.translation import gettext_lazy as _

from marketplace.payments.providers.base import (
    SUCCEEDED,
    IntentState,
    InvalidWebhook,
    PaymentStart,
    RefundState,
)


class SandboxProvider:
    code = "sandbox"
    label = _("沙箱支付（测试环境，不会真实扣款）")
    is_sandbox = True
    pays_at_once = True

    def start(self, *, order_number: str, attempt: int, amount_fen: int, currency: str,
              idempotency_key: str) -> PaymentStart:
        if amount_fen < 0:
            raise ValueError("amount must not be negative")
        return PaymentStart(reference=f"SBX-{order_number}-{uuid.uuid4().hex[:8]}", paid=True)

    def client_secret(self, reference: str) -> str:
        return ""

    def retrieve(self, reference: str) -> IntentState:
        # A sandbox payment succeeds the moment it starts; the amount lives in our row.
        return IntentState(reference=reference, status=SUCCEEDED, amount_fen=0, currency="CNY")

    def cancel(self, reference: str) -> IntentState:
        return self.retrieve(reference)

    def refund(self, *, reference: str, amount_fen: int, idempotency_key: str,
               metadata: dict[str, str]) -> RefundState:
        return RefundState(reference=f"SBXR-{uuid.uuid4().hex[:12]}", amount_fen=amount_fen,
                           status=SUCCEEDED, payment_reference=reference)

    def refunds_of(self, reference: str) -> list[RefundState]:
        return []

    def recent_intents(self, since: datetime) -> Iterable[IntentState]:
        return []

    def recently_refunded(self, since: datetime) -> set[str]:
        return set()

    def parse_webhook(self, payload: bytes, signature: str):
        raise InvalidWebhook("the sandbox sends no webhooks")
