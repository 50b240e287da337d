"""seed_demo's sales data: a year of orders that follows the seasons, a live channel, the
analyst's county and the daily facts built from it, reconciling with the orders."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

import pytest
from django.contrib.sites.models import Site as DjangoSite
from django.core.cache import cache
from django.db.models import Sum
from django.utils import timezone
from oscar.core.loading import get_model

from marketplace.demo import data
from marketplace.demo import services as demo_services
from marketplace.livestream.demo import PAST_PREFIX
from marketplace.reporting import selectors
from marketplace.reporting.demo import FACT_MONTHS, demo_reporting_create, facts_first_day
from marketplace.reporting.models import (
    AnalystScope,
    FactDay,
    OrderFact,
    SalesFact,
    SalesReport,
)
from marketplace.reporting.reports import previous_month
from marketplace.reporting.services import SALE_STATUSES, local_day
from marketplace.shop.catalogue.services import category_by_name

Order = get_model("order", "Order")
Line = get_model("order", "Line")
Product = get_model("catalogue", "Product")

ORDERS = 300  # enough for the seasons to stand out whatever the day the test runs
STEP = "marketplace.reporting.demo.demo_reporting_create"
SPRING, AUTUMN = (3, 4, 5), (9, 10, 11)
CITRUS_WINTER = (11, 12, 1)
CITRUS_REST = ((2, 3, 4), (5, 6, 7), (8, 9, 10))


@pytest.fixture
def seeded(db, settings, tmp_path, django_capture_on_commit_callbacks):
    """The whole seed_demo, as tests/logistics/test_demo.py runs it, with more orders."""
    settings.MEDIA_ROOT = tmp_path
    logged: list[str] = []
    with django_capture_on_commit_callbacks(execute=True):
        ctx = demo_services.demo_seed(orders=ORDERS, skip_regions=True, log=logged.append)
    yield ctx, logged
    DjangoSite.objects.clear_cache()
    cache.clear()


def _gmv_by_month(facts) -> dict[int, int]:
    by_month: dict[int, int] = defaultdict(int)
    for day, gmv in facts.values_list("day", "gmv_fen"):
        by_month[day.month] += gmv
    return by_month


def test_the_step_runs_after_the_orders_are_placed_and_before_indexing():
    steps = demo_services.seed_steps()

    assert STEP in steps
    assert steps.index(STEP) > steps.index("marketplace.livestream.demo.demo_live_sessions_create")
    assert steps.index(STEP) > steps.index("logistics.demo.demo_logistics_create")
    assert steps.index(STEP) < steps.index("search.demo.demo_search_index_rebuild")


def test_tea_sells_in_spring_and_citrus_in_winter(seeded):
    tea = category_by_name("茶叶")
    citrus = Product.objects.filter(title__regex=r"冰糖橙|椪柑")
    assert citrus.count() == 3

    tea_months = _gmv_by_month(SalesFact.objects.filter(category=tea))
    citrus_months = _gmv_by_month(SalesFact.objects.filter(product__in=citrus))

    spring, autumn = (sum(tea_months[m] for m in months) for months in (SPRING, AUTUMN))
    assert spring > 1.5 * autumn > 0
    winter = sum(citrus_months[m] for m in CITRUS_WINTER)
    assert winter > 1.2 * max(sum(citrus_months[m] for m in q) for q in CITRUS_REST)


def test_past_live_sessions_sold_a_share_of_the_year(seeded):
    today = local_day(timezone.now())
    year = selectors.Filters(first=facts_first_day(today), last=today)

    kpis = selectors.kpis(selectors.Scope(staff=True), year)

    assert 0.05 < kpis["live_share"] < 0.6
    live_lines = Line.objects.filter(live_session__isnull=False).select_related(
        "order", "live_session")
    assert live_lines.exists()
    for line in live_lines:
        # bought during the session, from the session's cooperative, at a completed order
        session = line.live_session
        assert session.slug.startswith(PAST_PREFIX)
        assert session.started_at <= line.order.date_placed < session.ended_at
        assert session.cooperatives.get().partner_id == line.partner_id
        assert line.order.status == "completed"
    league = selectors.live_league(selectors.Scope(staff=True), year, limit=None)
    assert len(league) == live_lines.order_by().values("live_session").distinct().count() >= 10


def test_facts_reconcile_with_the_orders(seeded):
    sold = Line.objects.filter(order__status__in=SALE_STATUSES)

    total = SalesFact.objects.aggregate(gmv=Sum("gmv_fen"), units=Sum("units"))

    assert total["gmv"] == int(sold.aggregate(s=Sum("line_price_incl_tax"))["s"] * 100)
    assert total["units"] == sold.aggregate(s=Sum("quantity"))["s"]
    assert OrderFact.objects.values("order").distinct().count() == \
        Order.objects.filter(status__in=SALE_STATUSES).count()
    live = SalesFact.objects.filter(live_session__isnull=False).aggregate(g=Sum("gmv_fen"))["g"]
    assert Decimal(live) / 100 == sold.filter(live_session__isnull=False).aggregate(
        s=Sum("line_price_incl_tax"))["s"]
    today = local_day(timezone.now())
    first = facts_first_day(today)
    assert FactDay.objects.filter(day__gte=first).count() == (today - first).days + 1
    assert (today - first).days + 1 > 365 + 28  # a year and the month before, for 同比


def test_the_analyst_reads_the_demo_county(seeded, client):
    scope = AnalystScope.objects.get(user__email="analyst@demo.cn")

    assert scope.county_id == f"{data.DEMO_COUNTY}000000"
    assert selectors.scope_for_user(scope.user) == selectors.Scope(county=scope.county_id)


def test_last_months_report_is_ready_to_download(seeded):
    period = previous_month(local_day(timezone.now()))

    report = SalesReport.objects.get()

    assert (report.county_id, report.period, report.first_day, report.last_day) == (
        f"{data.DEMO_COUNTY}000000", "month", period.first, period.last)
    assert report.status == SalesReport.DONE and report.progress == 100
    assert report.xlsx.read(4) == b"PK\x03\x04" and report.pdf.read(5) == b"%PDF-"
    month = SalesFact.objects.filter(day__gte=period.first, day__lte=period.last,
                                     origin_county=report.county_id)
    values = {row["key"]: row["value"] for row in report.data["indicators"]}
    assert values["gmv_fen"] == month.aggregate(g=Sum("gmv_fen"))["g"] > 0


def test_running_the_steps_again_changes_nothing(seeded):
    ctx, logged = seeded
    before = (SalesFact.objects.count(), OrderFact.objects.count(),
              SalesFact.objects.aggregate(g=Sum("gmv_fen"))["g"],
              AnalystScope.objects.count(), SalesReport.objects.count(),
              Line.objects.filter(live_session__isnull=False).count(),
              list(Order.objects.order_by("number").values_list("number", "date_placed")))

    demo_services.demo_seed(orders=ORDERS, skip_regions=True, log=logged.append)
    demo_reporting_create(ctx=ctx)

    assert (SalesFact.objects.count(), OrderFact.objects.count(),
            SalesFact.objects.aggregate(g=Sum("gmv_fen"))["g"],
            AnalystScope.objects.count(), SalesReport.objects.count(),
            Line.objects.filter(live_session__isnull=False).count(),
            list(Order.objects.order_by("number").values_list("number", "date_placed"))) == before
    assert "past live sessions: already made" in logged
    assert FACT_MONTHS == 13
    assert dt.date(2026, 1, 31) > facts_first_day(dt.date(2026, 2, 14)) == dt.date(2025, 1, 1)
