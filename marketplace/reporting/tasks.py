"""Celery tasks that keep the sales facts current."""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.db import transaction
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
    # after the builds' commits, whose own on-commit bump would make the warmed figures stale
    transaction.on_commit(figures_warm.delay)
    return [day.isoformat() for day in sorted(days)]


@shared_task(name="reporting.figures_warm")
def figures_warm() -> int:
    """After the hourly build: the dashboards people open first, computed into the cache."""
    from marketplace.reporting.dashboard import dashboard_warm

    return dashboard_warm()


@shared_task(name="reporting.report_generate")
def report_generate_task(report_id: int) -> str:
    """Generate (or regenerate) one 数商兴农 report; its row keeps status and progress."""
    from marketplace.reporting.models import SalesReport
    from marketplace.reporting.reports import report_generate

    if not SalesReport.objects.filter(pk=report_id).exists():
        return "missing"
    return report_generate(report_id).status


@shared_task(name="reporting.reports_generate_monthly")
def reports_generate_monthly(force: bool = False) -> list[int]:
    """Beat, the 1st of each month: the previous month's report of every county that has
    cooperatives. A report already generated is kept unless ``force``; running twice is
    harmless. The month's last day is rebuilt first (orders of its last hour)."""
    from marketplace.reporting.models import SalesReport
    from marketplace.reporting.reports import counties_with_cooperatives, previous_month

    period = previous_month()
    services.facts_build(period.last)
    queued = []
    for county in counties_with_cooperatives():
        report, created = SalesReport.objects.get_or_create(
            county=county, period=period.kind, first_day=period.first,
            defaults={"last_day": period.last})
        if not created and report.status == SalesReport.DONE and not force:
            continue
        SalesReport.objects.filter(pk=report.pk).update(status=SalesReport.PENDING, progress=0,
                                                        error="")
        report_generate_task.delay(report.pk)
        queued.append(report.pk)
    return queued
