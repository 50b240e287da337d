"""Payment providers behind one interface; checkout and orders speak only to it."""

from __future__ import annotations

from django.conf import settings
from django.utils.module_loading import import_string

from marketplace.payments.providers.base import (
    InvalidWebhook,
    PaymentDeclined,
    PaymentProvider,
    PaymentStart,
    ProviderError,
)

PROVIDERS = {
    "sandbox": "marketplace.payments.providers.sandbox.SandboxProvider",
    "stripe": "marketplace.payments.providers.stripe.StripeProvider",
}


def get_provider(code: str | None = None) -> PaymentProvider:
    code = code or settings.PAYMENT_PROVIDER
    try:
        return import_string(PROVIDERS[code])()
    except KeyError as exc:
        raise LookupError(f"unknown payment provider {code!r}") from exc


__all__ = [
    "InvalidWebhook", "PaymentDeclined", "PaymentProvider", "PaymentStart", "ProviderError",
    "get_provider",
]
