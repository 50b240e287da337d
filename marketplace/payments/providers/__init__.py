"""Payment providers behind one interface; checkout and orders speak only to it."""

from __future__ import annotations

from django.conf import settings
from django.utils.module_loading import import_string

from marketplace.payments.providers.base import PaymentProvider, PaymentStart

PROVIDERS = {"sandbox": "marketplace.payments.providers.sandbox.SandboxProvider"}


def get_provider(code: str | None = None) -> PaymentProvider:
    code = code or settings.PAYMENT_PROVIDER
    try:
        return import_string(PROVIDERS[code])()
    except KeyError as exc:
        raise LookupError(f"unknown payment provider {code!r}") from exc


__all__ = ["PaymentProvider", "PaymentStart", "get_provider"]
