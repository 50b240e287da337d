"""The payment provider interface."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol


@dataclass(frozen=True)
class PaymentStart:
    """What starting a payment gave: paid at once (sandbox), or a page/secret for the buyer."""

    reference: str
    paid: bool
    redirect_url: str = ""
    client_secret: str = ""


class PaymentProvider(Protocol):
    code: str
    label: str
    is_sandbox: bool

    def start(self, *, order_number: str, amount: Decimal, currency: str) -> PaymentStart: ...
