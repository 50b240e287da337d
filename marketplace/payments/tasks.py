"""Celery tasks of payments: thin, idempotent wrappers around its services (beat runs them)."""

from __future__ import annotations

import logging

from celery import shared_task

from marketplace.payments import services
from marketplace.payments.providers import ProviderError

logger = logging.getLogger(__name__)


@shared_task(name="payments.orders_cancel_expired")
def orders_cancel_expired() -> int:
    """Cancel unpaid orders past the payment deadline and release their stock."""
    cancelled = 0
    for order_id in services.orders_expired_ids():
        try:
            if services.order_expire(order_id=order_id) == "cancelled":
                cancelled += 1
        except ProviderError:
            # The provider is unreachable: this order waits for the next run (a minute).
            logger.warning("order %s: provider unreachable, expiry postponed", order_id)
    return cancelled


@shared_task(name="payments.payments_reconcile", autoretry_for=(ProviderError,),
             retry_backoff=True, max_retries=5)
def payments_reconcile() -> dict:
    report = services.payments_reconcile()
    return {"intents_seen": report.intents_seen, "repaired": report.repaired,
            "refunds_recorded": report.refunds_recorded}

