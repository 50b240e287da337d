"""An analyst on a phone: the sales dashboard of their county, a change of period, and last
month's 数商兴农 report downloaded as XLSX whose totals are the orders' (Chromium)."""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.db.models import Sum
from django.utils import timezone
from openpyxl import load_workbook
from oscar.core.loading import get_model
from playwright.sync_api import expect

from marketplace.regions.models import Region
from marketplace.reporting import services
from marketplace.reporting.models import AnalystScope
from marketplace.reporting.reports import previous_month
from tests import factories
from tests.e2e.test_buyer_checkout import log_in
from tests.reporting.test_facts import DAY, _make

Line = get_model("order", "Line")

pytestmark = pytest.mark.django_db(transaction=True)

SUICHANG = "331123000000"


def _sell(product, buyer, day: dt.date, quantity: int, status: str = "paid") -> None:
    """An order of ``product`` placed at 10:00 local time on ``day``."""
    _make({"products": [product], "session": None, "buyers": [buyer, buyer, buyer]},
          {"day": (day - DAY).days, "minute": 600, "status": status, "buyer": 0,
           "region": 0, "lines": [{"product": 0, "quantity": quantity, "live": False,
                                   "refund": None}]})


def _money(fen: int) -> str:
    return f"{Decimal(fen) / 100:,.2f}"


def _county_gmv(first: dt.date, last: dt.date) -> Decimal:
    """遂昌's sales of the period straight from the order lines (the cancelled left out)."""
    start, _ = services.day_bounds(first)
    _, end = services.day_bounds(last)
    return Line.objects.filter(
        order__date_placed__gte=start, order__date_placed__lt=end,
        order__status__in=services.SALE_STATUSES,
        partner__cooperative__village__code__startswith=SUICHANG[:6],
    ).aggregate(s=Sum("line_price_incl_tax"))["s"]


def test_analyst_changes_the_period_and_downloads_last_months_report(
    base_data_tx, live_server, phone, shot, coop_a, coop_b, buyer
):
    # given sales of 遂昌 last month and this month, a cancelled order, and a sale in another
    # county that the analyst must not see
    today = services.local_day(timezone.now())
    month = previous_month(today)
    this_month = today.replace(day=1)
    rice = factories.product(coop_a, title="妙高红米 2.5千克", price="39.90")
    tea = factories.product(coop_b, title="湖山白茶 250克", price="128.00", category="茶叶")
    _sell(rice, buyer, month.first + dt.timedelta(days=9), 2)
    _sell(tea, buyer, month.first + dt.timedelta(days=14), 1)
    _sell(tea, buyer, month.first + dt.timedelta(days=15), 3, status="cancelled")
    _sell(rice, buyer, this_month, 1)
    mayang = factories.cooperative(name="麻阳冰糖橙合作社", village="431226101001")
    orange = factories.product(mayang, title="冰糖橙", price="50.00", category="水果")
    _sell(orange, buyer, month.first + dt.timedelta(days=9), 4)
    services.facts_build_range(month.first, today)
    analyst = factories.user(email="analyst-e2e@example.com")
    AnalystScope.objects.create(user=analyst, county=Region.objects.get(code=SUICHANG))
    last_month_fen = 2 * 3990 + 12800
    this_month_fen = 3990
    assert _county_gmv(month.first, month.last) == Decimal(last_month_fen) / 100

    page = phone()
    log_in(page, analyst.email)
    # when the analyst opens the sales dashboard
    page.goto("/dashboard/sales/")
    expect(page.locator("h1")).to_contain_text("销售看板")
    expect(page.get_by_text("遂昌县").first).to_be_visible()
    gmv_card = page.locator("[data-role=kpi-cards] .sales-kpi").first
    expect(gmv_card).to_be_visible()
    shot(page, "dashboard-last-30-days")

    # and picks last month
    page.locator(".sales-quick a", has_text="上月").click()
    expect(page).to_have_url(re.compile(rf"first={month.first.isoformat()}"))
    expect(gmv_card).to_contain_text(_money(last_month_fen))
    # the tables beside the charts follow: the two products of last month, and no orange
    products = page.locator("section:has(#title-products) table")
    expect(products).to_contain_text("妙高红米")
    expect(products).to_contain_text("湖山白茶")
    expect(products).not_to_contain_text("冰糖橙")
    # the period's line against the previous period's (uPlot), and the towns' tile map with
    # the two towns that sold
    expect(page.locator("[data-key=series] canvas").first).to_be_attached()
    expect(page.locator("[data-chart=map] svg")).to_be_visible()
    expect(page.locator("section:has(#title-towns) table")).to_contain_text("妙高街道")
    shot(page, "dashboard-last-month")

    # and then this month
    page.locator(".sales-quick a", has_text="本月").click()
    expect(page).to_have_url(re.compile(rf"first={this_month.isoformat()}"))
    expect(gmv_card).to_contain_text(_money(this_month_fen))

    # when they open the reports and generate last month's
    page.get_by_role("link", name=re.compile("数商兴农报表")).click()
    expect(page.locator("[name=period]")).to_have_value(month.key)
    page.get_by_role("button", name="生成报表").click()
    expect(page.locator("[data-role=bar]")).to_have_text("100%")
    shot(page, "report-done")
    with page.expect_download() as download:
        page.locator("[data-role=xlsx]").click()
    # then the file is the month's figures, as the orders have them
    path = download.value.path()
    assert download.value.suggested_filename.endswith(".xlsx")
    wb = load_workbook(io.BytesIO(Path(path).read_bytes()))
    rows = {row[0]: row for row in wb["核心指标"].iter_rows(values_only=True) if row and row[0]}
    assert rows["农产品网络零售额（元）"][1] == float(_county_gmv(month.first, month.last))
    assert rows["订单数"][1] == 2
    assert rows["销售件数"][1] == 3
