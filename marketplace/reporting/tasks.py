"""Celery tasks that keep the sales facts current."""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.utils import timezone

from marketplace.reporting import services


@shared_task(name="reporting.facts_build_day")
def facts_build_day(day_iso: str) -> int:
    """Rebuild one local day's facts (on demand, e.g. from the dashboard)."""
    return services.facts_build(dt.date.fromisoformat(day_iso))


@shared_task(name="reporting.facts_build_recent")
def facts_build_recent(hours: int = 2) -> list[str]:
    """Hourly: today, yesterday (orders paid after midnight), and the sale days of refunds
    made in the last ``hours`` (a refund nets against the day of the sale it returns)."""
    now = timezone.now()
    today = services.local_day(now)
    days = {today, today - dt.timedelta(days=1)}
    days |= services.stale_days(now - dt.timedelta(hours=hours))
    for day in sorted(days):
        services.facts_build(day)
    return [day.isoformat() for day in sorted(days)]
