"""The local sandbox provider (embedded default): pays at once, takes no real money."""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from marketplace.payments.providers.base import PaymentStart


class SandboxProvider:
    code = "sandbox"
    label = _("沙箱支付（测试环境，不会真实扣款）")
    is_sandbox = True

    def start(self, *, order_number: str, amount: Decimal, currency: str) -> PaymentStart:
        if amount < 0:
            raise ValueError("amount must not be negative")
        return PaymentStart(reference=f"SBX-{order_number}-{uuid.uuid4().hex[:8]}", paid=True)
