"""Celery tasks of livestream: thin, idempotent wrappers around its services."""

import smtplib

from celery import shared_task
from django.conf import settings

from marketplace.livestream import services


@shared_task(name="livestream.reminders_send", autoretry_for=(OSError, smtplib.SMTPException),
             retry_backoff=True, max_retries=5)
def reminders_send() -> int:
    """Start reminders (开播提醒) for sessions beginning within LIVE_REMINDER_MINUTES."""
    return services.reminders_send_due(minutes=settings.LIVE_REMINDER_MINUTES)
