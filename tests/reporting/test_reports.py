"""The 数商兴农 report: its XLSX sheets add up to the orders, its PDF is drawn in an embedded
Chinese font, periods are checked, the pages and downloads keep to the analyst's county, and
the monthly beat task reports the month before for every county with cooperatives."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import translation
from hypothesis import HealthCheck, given
from hypothesis import settings as hyp_settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from oscar.core.loading import get_model
from PIL import Image

from marketplace.regions.models import Region
from marketplace.reporting import reports, services, tasks
from marketplace.reporting.models import AnalystScope, SalesReport
from marketplace.reporting.report_xlsx import report_xlsx
from marketplace.reporting.selectors import Filters, Scope
from tests import factories
from tests.reporting.test_facts import DAY, _make, _wipe, order_spec
from tests.reporting.test_selectors import _direct

Line = get_model("order", "Line")

pytestmark = pytest.mark.django_db

SUICHANG = "331123000000"
MAYANG = "431226000000"
MAY = dt.date(2026, 5, 1)
PNG_DIR = Path("/tmp/report-pngs")  # noqa: S108 - the rendered pages, for a person to look at


def _line(product, quantity=1, live=False, refund=None):
    return {"product": product, "quantity": quantity, "live": live, "refund": refund}


def _order(world, day, *lines, buyer=0, region=0, status="paid"):
    _make(world, {"day": day, "minute": 600, "status": status, "buyer": buyer,
                  "region": region, "lines": list(lines)})


@pytest.fixture
def sales(world, coop_a):
    """May 2026 (DAY is 10 May): store and live sales of three products of two towns, refunds,
    a cancelled order, a poverty-area cooperative; April 2026 and May 2025 to compare with;
    and a sale of a cooperative of 麻阳 (another county)."""
    _wipe()
    poor = factories.cooperative(name="湖山脱贫合作社", village="331123102209", poverty_area=True)
    honey = factories.product(poor, title="土蜂蜜", price="88.00", category="粮油")
    world = {**world, "products": [*world["products"], honey]}
    _order(world, 0, _line(0, 2), _line(1, 1, refund="part"))
    _order(world, 1, _line(2, 3, live=True), buyer=1, region=1)
    _order(world, 2, _line(3, 1), _line(0, 1, live=True, refund="all"), buyer=2)
    _order(world, 5, _line(1, 2), buyer=3, region=4)
    _order(world, 3, _line(0, 5), status="cancelled")
    _order(world, -30, _line(0, 1))  # 10 April 2026
    _order(world, -365, _line(1, 1), _line(3, 1))  # 10 May 2025
    mayang = factories.cooperative(name="麻阳冰糖橙合作社", village="431226101001")
    orange = factories.product(mayang, title="冰糖橙", price="50.00", category="水果")
    _order({**world, "products": [orange]}, 0, _line(0, 4))
    for first, last in [(DAY - dt.timedelta(days=365), DAY - dt.timedelta(days=365)),
                        (DAY - dt.timedelta(days=30), DAY + dt.timedelta(days=5))]:
        services.facts_build_range(first, last)
    return world


def _analyst(county=SUICHANG, email="analyst-report@example.com"):
    user = factories.user(email=email)
    AnalystScope.objects.create(user=user, county=Region.objects.get(code=county))
    return user


def _sheet_rows(ws) -> list[tuple]:
    return [row for row in ws.iter_rows(values_only=True) if any(v not in (None, "")
                                                                 for v in row)]


def _total(ws) -> tuple:
    return next(row for row in _sheet_rows(ws) if row[0] == "合计")


def _yuan(fen: int) -> float:
    """Yuan as openpyxl reads a cell back (a float of the decimal written)."""
    return float(Decimal(fen) / 100)


def test_every_sheet_adds_up_to_the_orders(sales):
    # given May 2026 of 遂昌 computed straight from the order lines
    f = Filters(first=MAY, last=dt.date(2026, 5, 31))
    scope = Scope(county=SUICHANG)
    want = _direct(sales, scope, f)
    assert want["gmv_fen"] > 0 and want["refund_fen"] > 0 and want["live_gmv_fen"] > 0
    # when the report is written as a workbook and read back
    data = reports.report_data(SUICHANG, "month", MAY)
    wb = load_workbook(io.BytesIO(report_xlsx(data)))
    # then one sheet per section, with Chinese names
    assert wb.sheetnames == ["核心指标", "品类分布", "乡镇分布", "商品TOP10", "直播带货",
                             "脱贫地区", "合作社与农户"]
    # the indicators are the orders' figures (麻阳's sale and the cancelled order left out)
    indicators = {row[0]: row for row in _sheet_rows(wb["核心指标"])}
    assert indicators["农产品网络零售额（元）"][1] == _yuan(want["gmv_fen"])
    assert indicators["退款额（元）"][1] == _yuan(want["refund_fen"])
    assert indicators["净销售额（元）"][1] == _yuan(want["net_fen"])
    assert indicators["订单数"][1] == want["orders"]
    assert indicators["销售件数"][1] == want["units"]
    assert indicators["下单买家数"][1] == want["buyers"]
    assert indicators["直播销售额（元）"][1] == _yuan(want["live_gmv_fen"])
    assert indicators["参与合作社数"][1] == want["active_cooperatives"]
    # every breakdown's total row is the county's total (orders counted once each)
    for name in ("品类分布", "乡镇分布"):
        total = _total(wb[name])
        measures = [v for v in total[1:] if v is not None and not isinstance(v, str)]
        assert measures[:5] == [_yuan(want["gmv_fen"]), _yuan(want["refund_fen"]),
                                _yuan(want["net_fen"]), want["orders"], want["units"]], name
    # the towns are 遂昌's, every one listed, the two selling towns with their sales
    towns = {row[1]: row for row in _sheet_rows(wb["乡镇分布"])[3:] if row[0] != "合计"}
    assert all(code.startswith("331123") for code in towns if code and code[0].isdigit())
    assert len(towns) > 10
    # top products: each row is that product's sales, biggest first
    products = [row for row in _sheet_rows(wb["商品TOP10"]) if isinstance(row[0], int)]
    for _rank, title, _coop, gmv, refund, net, _orders, units in products:
        lines = [p for p in sales["products"] if p.title == title]
        per_product = _product_direct(lines[0], f)
        assert (gmv, refund, net, units) == (_yuan(per_product["gmv"]),
                                             _yuan(per_product["refund"]),
                                             _yuan(per_product["gmv"] - per_product["refund"]),
                                             per_product["units"]), title
    assert [row[3] for row in products] == sorted((row[3] for row in products), reverse=True)
    assert _total(wb["商品TOP10"])[3] == _yuan(want["gmv_fen"])  # fewer than 10 products
    # live selling: the summary and the sessions' total are the live channel's sales
    live = {row[0]: row[1] for row in _sheet_rows(wb["直播带货"])}
    assert live["直播成交额（元）"] == _yuan(want["live_gmv_fen"])
    assert live["直播场次（开播）"] == 0  # the fixture's session never went on air
    assert _total(wb["直播带货"])[3] == _yuan(want["live_gmv_fen"])
    # poverty-area sales: the honey of the poverty-area cooperative
    poverty_fen = _product_direct(sales["products"][3], f)["gmv"]
    poverty = {row[0]: row[1] for row in _sheet_rows(wb["脱贫地区"])}
    assert poverty["脱贫地区农产品销售额（元）"] == _yuan(poverty_fen)
    assert _total(wb["脱贫地区"])[3] == _yuan(poverty_fen)
    assert indicators["脱贫地区农产品销售额（元）"][1] == _yuan(poverty_fen)
    # cooperatives and the households they involve
    coops = _total(wb["合作社与农户"])
    assert coops[3] == _yuan(want["gmv_fen"])
    sellers = [p.stockrecords.get().partner.cooperative for p in sales["products"]]
    assert coops[2] == sum({c.pk: c.member_households for c in sellers}.values())
    # no formulas anywhere
    for ws in wb:
        assert not any(isinstance(c.value, str) and c.value.startswith("=")
                       for row in ws.iter_rows() for c in row)


@hyp_settings(max_examples=12, deadline=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture,
                                     HealthCheck.too_slow])
@given(specs=st.lists(order_spec, min_size=0, max_size=6))
def test_sheet_totals_equal_the_orders_for_any_orders(world, specs):
    # given random orders of 10–12 May 2026 (any status, refunds, live or not, guests)
    _wipe()
    for spec in specs:
        _make(world, spec)
    services.facts_build_range(DAY, DAY + dt.timedelta(days=2))
    want = _direct(world, Scope(county=SUICHANG), Filters(MAY, dt.date(2026, 5, 31)))
    # when the month's workbook is written
    data = reports.report_data(SUICHANG, "month", MAY)
    wb = load_workbook(io.BytesIO(report_xlsx(data)))
    # then every breakdown adds up to the orders, and an empty month says so
    money = [_yuan(want["gmv_fen"]), _yuan(want["refund_fen"]), _yuan(want["net_fen"])]
    for name in ("品类分布", "乡镇分布"):
        total = [v for v in _total(wb[name])[1:] if v is not None and not isinstance(v, str)]
        assert total[:5] == [*money, want["orders"], want["units"]], name
    assert _total(wb["合作社与农户"])[3:6] == tuple(money)
    live = {row[0]: row[1] for row in _sheet_rows(wb["直播带货"])}
    assert live["直播成交额（元）"] == _yuan(want["live_gmv_fen"])
    assert data["empty"] == (want["gmv_fen"] == 0 and want["orders"] == 0)
    if data["empty"]:
        assert all("本期无销售数据" in str(_sheet_rows(ws)[2][0]) for ws in wb)


def _product_direct(product, f: Filters) -> dict:
    out = {"gmv": 0, "refund": 0, "units": 0}
    for line in Line.objects.filter(product=product).select_related("order"):
        day = services.local_day(line.order.date_placed)
        if line.order.status in ("pending_payment", "cancelled") or not f.first <= day <= f.last:
            continue
        out["gmv"] += int(line.line_price_incl_tax * 100)
        out["refund"] += sum(line.refund_lines.values_list("amount_fen", flat=True))
        out["units"] += line.quantity
    return out


def test_month_on_month_and_year_on_year(sales):
    data = reports.report_data(SUICHANG, "month", MAY)
    gmv = {i["key"]: i for i in data["indicators"]}["gmv_fen"]
    may = _direct(sales, Scope(county=SUICHANG), Filters(MAY, dt.date(2026, 5, 31)))
    april = _direct(sales, Scope(county=SUICHANG), Filters(dt.date(2026, 4, 1),
                                                            dt.date(2026, 4, 30)))
    may_2025 = _direct(sales, Scope(county=SUICHANG), Filters(dt.date(2025, 5, 1),
                                                               dt.date(2025, 5, 31)))
    assert (gmv["value"], gmv["previous"], gmv["year_before"]) == (
        may["gmv_fen"], april["gmv_fen"], may_2025["gmv_fen"])
    assert gmv["mom"] == pytest.approx((may["gmv_fen"] - april["gmv_fen"]) / april["gmv_fen"])
    assert gmv["yoy"] == pytest.approx(
        (may["gmv_fen"] - may_2025["gmv_fen"]) / may_2025["gmv_fen"])
    assert data["previous_period"] == {"first_day": "2026-04-01", "last_day": "2026-04-30"}
    assert not data["empty"] and data["notice"] == ""


def test_a_quarter_covers_its_three_months(sales):
    quarter = reports.report_data(SUICHANG, "quarter", dt.date(2026, 4, 1))
    months = [reports.report_data(SUICHANG, "month", dt.date(2026, m, 1)) for m in (4, 5, 6)]
    gmv = lambda d: {i["key"]: i for i in d["indicators"]}["gmv_fen"]["value"]  # noqa: E731
    assert gmv(quarter) == sum(gmv(m) for m in months) > 0
    assert (quarter["period_key"], quarter["period_label"]) == ("2026-Q2", "2026年第2季度")
    assert quarter["previous_period"]["first_day"] == "2026-01-01"


def test_a_month_without_sales_says_so_everywhere(sales):
    # given a month before any data
    data = reports.report_data(SUICHANG, "month", dt.date(2020, 1, 1))
    # then the JSON says so, with zeros and the same shape
    assert data["empty"] and data["notice"] == "本期无销售数据"
    assert all(i["value"] == 0 for i in data["indicators"])
    assert data["top_products"] == [] and data["live"]["sessions"] == []
    # and so does every sheet of the workbook
    wb = load_workbook(io.BytesIO(report_xlsx(data)))
    for ws in wb:
        assert any("本期无销售数据" in str(row[0]) for row in _sheet_rows(ws)), ws.title
    # and the PDF
    from marketplace.reporting.report_pdf import report_pdf

    assert "本期无销售数据" in _pdf_text(report_pdf(data))


def _pdf_text(pdf: bytes) -> str:
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (Debian poppler-utils) is not installed")
    done = subprocess.run(["pdftotext", "-enc", "UTF-8", "-", "-"], input=pdf,
                          capture_output=True, check=True)
    return done.stdout.decode()


@pytest.mark.parametrize(("key", "message"), [
    ("2026-13", "月份须在 1 到 12 之间"),
    ("2026-00", "月份须在 1 到 12 之间"),
    ("2026-Q5", "格式"),
    ("26-10", "格式"),
    ("2026/10", "格式"),
    ("", "格式"),
    ("1999-12", "2000"),
    ("九月", "格式"),
], ids=["month-13", "month-0", "quarter-5", "short-year", "slash", "blank", "too-old",
        "words"])
def test_bad_period_keys_are_refused_with_a_reason(key, message):
    with pytest.raises(reports.PeriodError, match=message):
        reports.period_parse(key)


@pytest.mark.parametrize(("key", "today", "refused"), [
    ("2026-10", dt.date(2026, 11, 1), None),
    ("2026-11", dt.date(2026, 11, 24), "尚未结束"),
    ("2026-12", dt.date(2026, 11, 24), "尚未开始"),
    ("2026-Q3", dt.date(2026, 10, 1), None),
    ("2026-Q4", dt.date(2026, 11, 24), "尚未结束"),
    ("2027-Q1", dt.date(2026, 11, 24), "尚未开始"),
    ("2026-10", dt.date(2026, 10, 31), "尚未结束"),
], ids=["last-month", "this-month", "next-month", "last-quarter", "this-quarter",
        "next-quarter", "last-day-of-month"])
def test_only_finished_periods_are_reported(key, today, refused):
    period = reports.period_parse(key)
    if refused is None:
        reports.period_check(period, today)
    else:
        with pytest.raises(reports.PeriodError, match=refused):
            reports.period_check(period, today)


def _report(county=SUICHANG, first=MAY) -> SalesReport:
    return SalesReport.objects.create(county=Region.objects.get(code=county),
                                      period=SalesReport.MONTH, first_day=first,
                                      last_day=reports.period_of("month", first).last)


def test_the_pdf_has_charts_and_embedded_chinese_text(sales):
    # given a generated report
    report = reports.report_generate(_report())
    assert report.status == SalesReport.DONE, report.error
    pdf = report.pdf.read()
    # then its Chinese font is embedded (the fallback CID font would not be)
    if not shutil.which("pdftoppm"):
        pytest.skip("pdftoppm/pdffonts (Debian poppler-utils) are not installed")
    fonts = subprocess.run(["pdffonts", "-"], input=pdf, capture_output=True,
                           check=True).stdout.decode()
    cjk = [line for line in fonts.splitlines() if "Platform" in line or "CJK" in line
           or "WenQuanYi" in line or "STSong" in line]
    assert cjk, fonts
    if Path(settings.LOGISTICS_PDF_FONT).exists():
        assert all(" yes " in line for line in cjk), fonts  # emb column
    assert "遂昌县2026年5月数商兴农农产品网络零售报告" in _pdf_text(pdf).replace(" ", "")
    # and the first page, drawn, is not blank: text and green chart bars
    PNG_DIR.mkdir(exist_ok=True)
    subprocess.run(["pdftoppm", "-r", "80", "-png", "-", str(PNG_DIR / "report")],
                   input=pdf, check=True)
    pages = sorted(PNG_DIR.glob("report-*.png"))
    assert pages
    image = Image.open(pages[0]).convert("RGB")
    pixels = list(image.getdata())
    dark = sum(1 for p in pixels if sum(p) < 300)
    green = sum(1 for r, g, b in pixels if g > r + 40 and g > b + 40)
    assert dark > 2000, dark
    assert green > 200, green  # the category chart


def test_regenerating_replaces_the_files(sales):
    report = reports.report_generate(_report())
    first = (report.xlsx.name, report.pdf.name)
    assert all(default_storage.exists(name) for name in first)
    again = reports.report_generate(report.pk)
    assert again.status == SalesReport.DONE and again.progress == 100
    assert (again.xlsx.name, again.pdf.name) != first
    assert not any(default_storage.exists(name) for name in first)
    assert all(default_storage.exists(name) for name in (again.xlsx.name, again.pdf.name))


def test_an_unfinished_period_fails_with_its_reason(world):
    today = services.local_day(dt.datetime.now(dt.UTC))
    report = reports.report_generate(_report(first=today.replace(day=1)))
    assert report.status == SalesReport.FAILED and "尚未结束" in report.error


# --- pages --------------------------------------------------------------------------------

def test_an_analyst_generates_polls_and_downloads_a_report(
        client, sales, django_capture_on_commit_callbacks):
    # given an analyst of 遂昌 who is not platform staff
    analyst = _analyst()
    assert not analyst.is_staff
    client.force_login(analyst)
    assert client.get(reverse("sales-reports:list")).status_code == 200
    # when they ask for May 2026
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("sales-reports:list"), {"period": "2026-05"})
    # then the report page opens, and the task (eager) has generated it
    report = SalesReport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("sales-reports:detail", args=[report.pk])
    assert report.county_id == SUICHANG and report.requested_by == analyst
    assert "2026年5月" in client.get(reverse("sales-reports:list")).content.decode()
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "progress-bar" in page.content.decode() and "data-status-url" in page.content.decode()
    status = client.get(reverse("sales-reports:status", args=[report.pk])).json()
    assert status["status"] == "done" and status["progress"] == 100 and status["finished"]
    # and both files download under a Chinese name
    xlsx = client.get(status["xlsx_url"])
    assert xlsx.status_code == 200
    assert "filename*=UTF-8''%E9%81%82%E6%98%8C%E5%8E%BF2026%E5%B9%B45%E6%9C%88" \
        in xlsx["Content-Disposition"]
    wb = load_workbook(io.BytesIO(b"".join(xlsx.streaming_content)))
    assert "核心指标" in wb.sheetnames
    pdf = client.get(status["pdf_url"])
    assert pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")


def test_status_shows_progress_while_pending(client, sales):
    analyst = _analyst()
    client.force_login(analyst)
    report = _report()
    SalesReport.objects.filter(pk=report.pk).update(status=SalesReport.RUNNING, progress=50)
    status = client.get(reverse("sales-reports:status", args=[report.pk])).json()
    assert (status["status"], status["progress"], status["finished"]) == ("running", 50, False)
    assert status["xlsx_url"] is None
    # no download before it is done
    assert client.get(reverse("sales-reports:xlsx", args=[report.pk])).status_code == 404


@pytest.mark.parametrize(("period", "message"), [
    ("2099-01", "尚未开始"),
    ("current", "尚未结束"),
    ("2026-13", "月份须在"),
    ("hello", "格式"),
], ids=["future", "current-month", "month-13", "garbage"])
def test_the_form_refuses_bad_periods(client, world, period, message):
    client.force_login(_analyst())
    if period == "current":
        period = services.local_day(dt.datetime.now(dt.UTC)).strftime("%Y-%m")
    response = client.post(reverse("sales-reports:list"), {"period": period})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not SalesReport.objects.exists()


def test_a_month_before_any_data_makes_an_empty_report(
        client, world, django_capture_on_commit_callbacks):
    client.force_login(_analyst())
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("sales-reports:list"), {"period": "2021-02"})
    report = SalesReport.objects.get()
    assert report.status == SalesReport.DONE and report.data["empty"]
    page = client.get(reverse("sales-reports:detail", args=[report.pk])).content.decode()
    assert "本期无销售数据" in page


def test_another_countys_reports_are_not_found(client, sales):
    # given a report of 遂昌 and an analyst of 麻阳
    report = reports.report_generate(_report())
    client.force_login(_analyst(MAYANG, email="analyst-mayang@example.com"))
    # then none of 遂昌's report URLs exist for them
    for name in ("detail", "status", "xlsx", "pdf"):
        assert client.get(reverse(f"sales-reports:{name}", args=[report.pk])).status_code \
            == 404, name
    # their list does not show it, and asking for 遂昌's report is a 404
    assert "2026年5月" not in client.get(reverse("sales-reports:list")).content.decode()
    response = client.post(reverse("sales-reports:list"),
                           {"county": SUICHANG, "period": "2026-05"})
    assert response.status_code == 404
    assert SalesReport.objects.count() == 1


@pytest.mark.parametrize("role", ["buyer", "coop_staff"])
def test_buyers_and_cooperative_staff_get_403(client, sales, staff_a, role):
    report = _report()
    user = staff_a if role == "coop_staff" else factories.user(email="buyer-rep@example.com")
    client.force_login(user)
    assert client.get(reverse("sales-reports:list")).status_code == 403
    assert client.get(reverse("sales-reports:detail", args=[report.pk])).status_code == 403
    assert client.post(reverse("sales-reports:list"), {"period": "2026-05"}).status_code == 403


def test_platform_staff_pick_a_county(client, sales, django_capture_on_commit_callbacks):
    client.force_login(factories.user(email="staff-rep@example.com", is_staff=True))
    page = client.get(reverse("sales-reports:list")).content.decode()
    assert "遂昌县" in page and "麻阳" in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("sales-reports:list"), {"county": MAYANG, "period": "2026-Q2"})
    report = SalesReport.objects.get()
    assert (report.county_id, report.period, report.first_day, report.last_day) == (
        MAYANG, "quarter", dt.date(2026, 4, 1), dt.date(2026, 6, 30))
    assert report.data["indicators"][0]["value"] == 20000  # 4 冰糖橙 at 50.00
    # a code that is no county is a 404
    assert client.post(reverse("sales-reports:list"),
                       {"county": "331123102209", "period": "2026-05"}).status_code == 404


def test_regenerating_from_the_page_reuses_the_row(client, sales,
                                                   django_capture_on_commit_callbacks):
    client.force_login(_analyst())
    names = []
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            client.post(reverse("sales-reports:list"), {"period": "2026-05"})
        names.append(SalesReport.objects.values_list("xlsx", "pdf").get())
    assert SalesReport.objects.count() == 1
    assert all(default_storage.exists(n) for n in names[1])
    assert not any(default_storage.exists(n) for n in names[0])  # replaced


def test_list_and_detail_query_budgets(client, sales, django_assert_max_num_queries):
    client.force_login(_analyst())
    report = reports.report_generate(_report())
    for month in range(1, 4):
        _report(first=dt.date(2025, month, 1))
    with django_assert_max_num_queries(12):
        assert client.get(reverse("sales-reports:list")).status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get(reverse("sales-reports:detail", args=[report.pk])).status_code == 200


# --- the monthly beat task --------------------------------------------------------------

def test_the_beat_runs_on_the_first_of_each_month():
    entry = settings.CELERY_BEAT_SCHEDULE["reporting-reports-monthly"]
    assert entry["task"] == "reporting.reports_generate_monthly"
    schedule = entry["schedule"]
    assert schedule.day_of_month == {1} and schedule.hour == {2}
    assert settings.CELERY_TIMEZONE == "Asia/Shanghai"


def test_the_beat_task_reports_last_month_for_every_county(sales, monkeypatch):
    # given it is 1 June 2026 and cooperatives in 遂昌 and 麻阳
    monkeypatch.setattr(reports, "local_day", lambda _now: dt.date(2026, 6, 1))
    # when the beat task runs (twice: the second run keeps what the first made)
    queued = tasks.reports_generate_monthly.delay().get()
    again = tasks.reports_generate_monthly.delay().get()
    # then May's report of each county is generated
    made = SalesReport.objects.order_by("county_id")
    assert [(r.county_id, r.first_day, r.status) for r in made] == [
        (SUICHANG, MAY, "done"), (MAYANG, MAY, "done")]
    assert sorted(queued) == sorted(r.pk for r in made) and again == []
    assert made[1].data["indicators"][0]["value"] == 20000


def test_the_files_are_chinese_whoever_asks(sales):
    # given a report asked for from an English page (a task run eagerly in that request)
    with translation.override("en"):
        report = reports.report_generate(_report())
    # then the workbook and the stored JSON keep the Chinese headers
    wb = load_workbook(report.xlsx.open("rb"))
    assert wb.sheetnames[0] == "核心指标"
    assert report.data["indicators"][0]["label"] == "农产品网络零售额（元）"


def test_progress_rises_step_by_step_to_100(sales, monkeypatch):
    # given the progress each step commits, as the polling page sees it
    seen = []
    real = reports._progress

    def record(report_id, percent, **fields):
        real(report_id, percent, **fields)
        seen.append(SalesReport.objects.values_list("progress", flat=True).get(pk=report_id))

    monkeypatch.setattr(reports, "_progress", record)
    # when the report is generated
    report = reports.report_generate(_report())
    # then the bar moved forward through the figures and both files, and ends full
    assert len(seen) >= 7 and seen == sorted(seen) and 0 < seen[0] < seen[-1] < 100
    assert (report.status, report.progress) == ("done", 100)
