"""Celery tasks of the order app: thin, idempotent wrappers around its services."""

import smtplib

from celery import shared_task

from marketplace.shop.order import services


@shared_task(name="order.order_confirmation_send", autoretry_for=(OSError, smtplib.SMTPException),
             retry_backoff=True, max_retries=8)
def order_confirmation_send(order_id: int) -> bool:
    """Mail the order confirmation once; a mail server outage is retried with backoff."""
    return services.order_confirmation_send(order_id=order_id)
