"""The payment provider interface: what checkout, webhooks, refunds and reconciliation use."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol


class ProviderError(Exception):
    """The provider could not be reached or refused the call (safe to retry later)."""


class PaymentDeclined(ProviderError):
    """The buyer's payment method was declined."""


class InvalidWebhook(Exception):
    """A webhook whose signature, timestamp or body does not check out (answered with 400)."""


# Provider-neutral intent states (Stripe's names, which the sandbox borrows).
SUCCEEDED = "succeeded"
PROCESSING = "processing"
REQUIRES_PAYMENT_METHOD = "requires_payment_method"
REQUIRES_ACTION = "requires_action"
REQUIRES_CONFIRMATION = "requires_confirmation"
CANCELED = "canceled"


@dataclass(frozen=True)
class PaymentStart:
    """What starting a payment gave: paid at once (sandbox), or a secret for the buyer's page."""

    reference: str
    paid: bool
    client_secret: str = ""


@dataclass(frozen=True)
class IntentState:
    """A payment as the provider sees it now (the source of truth for every handler)."""

    reference: str
    status: str
    amount_fen: int
    currency: str
    order_number: str = ""
    attempt: int = 0
    created: datetime | None = None


@dataclass(frozen=True)
class RefundState:
    reference: str
    amount_fen: int
    status: str
    payment_reference: str = ""


@dataclass(frozen=True)
class WebhookEvent:
    id: str
    type: str
    object_id: str
    # For charge events: the payment intent the charge belongs to.
    payment_reference: str = ""
    data: dict = field(default_factory=dict)


class PaymentProvider(Protocol):
    code: str
    label: str
    is_sandbox: bool
    # True when start() takes the money at once (sandbox); False when the buyer must act.
    pays_at_once: bool

    def start(self, *, order_number: str, attempt: int, amount_fen: int, currency: str,
              idempotency_key: str) -> PaymentStart: ...

    def client_secret(self, reference: str) -> str: ...

    def retrieve(self, reference: str) -> IntentState: ...

    def cancel(self, reference: str) -> IntentState: ...

    def refund(self, *, reference: str, amount_fen: int, idempotency_key: str,
               metadata: dict[str, str]) -> RefundState: ...

    def refunds_of(self, reference: str) -> list[RefundState]: ...

    def recent_intents(self, since: datetime) -> Iterable[IntentState]: ...

    def recently_refunded(self, since: datetime) -> set[str]:
        """References of payments refunded at the provider since ``since``."""
        ...

    def parse_webhook(self, payload: bytes, signature: str) -> WebhookEvent: ...
