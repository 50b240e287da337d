"""seed_demo's reporting step: the analyst's county and the sales facts of the demo's orders."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.utils import timezone

from marketplace.demo import data
from marketplace.regions.models import Region
from marketplace.reporting.models import AnalystScope, SalesReport
from marketplace.reporting.reports import previous_month, report_generate
from marketplace.reporting.services import facts_build_range, local_day

ANALYST_EMAIL = "analyst@demo.cn"
FACT_MONTHS = 13  # a year of orders and the month a year before this one (同比)


def facts_first_day(today: dt.date) -> dt.date:
    """The first day of the month FACT_MONTHS months before ``today``'s."""
    index = today.year * 12 + today.month - 1 - FACT_MONTHS
    return dt.date(index // 12, index % 12 + 1, 1)


def demo_reporting_create(*, ctx) -> None:
    """analyst@demo.cn reads the demo county (遂昌县); the daily sales facts of the last 13
    months are built, so the dashboard and the reports have figures before the hourly
    build first runs, and the county's 数商兴农 report of last month is generated (as the
    beat does on the 1st), so it can be downloaded at once. Runs after the steps that place
    or re-time past orders (orders, live sessions); a second run rebuilds the same facts and
    adds nothing."""
    county = Region.objects.filter(code=f"{data.DEMO_COUNTY}000000",
                                   level=Region.Level.COUNTY).first()
    analyst = get_user_model().objects.filter(email=ANALYST_EMAIL).first()
    if county is None or analyst is None:
        ctx.log("reporting: skipped, the demo county or the analyst is missing")
        return
    AnalystScope.objects.update_or_create(user=analyst, defaults={"county": county})
    today = local_day(timezone.now())
    first = facts_first_day(today)
    rows = facts_build_range(first, today)
    ctx.log(f"reporting: {analyst.email} reads {county.name}; sales facts of {first} to "
            f"{today} built ({rows} rows)")
    period = previous_month(today)
    report, _created = SalesReport.objects.get_or_create(
        county=county, period=period.kind, first_day=period.first,
        defaults={"last_day": period.last})
    if report.status != SalesReport.DONE:
        report = report_generate(report)
    ctx.log(f"reporting: the 数商兴农 report of {county.name} {period.key}: {report.status}")
