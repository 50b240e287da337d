"""The 数商兴农 report as JSON for the province (/api/reports/<county>/<period>/): the same
figures as the files, from the generated report when there is one; scope, periods and
anonymous callers refused with the right status, never a 500 (hypothesis)."""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hyp_settings
from hypothesis import strategies as st

from marketplace.reporting import reports
from marketplace.reporting.services import local_day
from tests import factories
from tests.reporting import test_reports
from tests.reporting.test_reports import MAY, MAYANG, SUICHANG, _analyst, _report

pytestmark = pytest.mark.django_db

# the fixture of test_reports: May 2026 of 遂昌 and 麻阳, with April 2026 and May 2025
sales = test_reports.sales

URL = "/api/reports/{county}/{period}/"


def test_an_analyst_reads_their_countys_month(client, sales):
    # given an analyst of 遂昌 (not platform staff)
    client.force_login(_analyst())
    # when they read May 2026 before any report was generated
    response = client.get(URL.format(county=SUICHANG, period="2026-05"))
    # then it is computed live, with the report's figures
    assert response.status_code == 200
    body = response.json()
    want = reports.report_data(SUICHANG, "month", MAY)
    assert body["source"] == "live" and body["generated_at"] is None
    assert body["indicators"] == want["indicators"]
    assert body["towns"] == want["towns"] and body["top_products"] == want["top_products"]
    assert (body["county"], body["period_key"], body["empty"]) == (
        {"code": SUICHANG, "name": "遂昌县"}, "2026-05", False)


def test_a_generated_report_is_served_as_stored(client, sales):
    report = reports.report_generate(_report())
    client.force_login(_analyst())
    body = client.get(URL.format(county=SUICHANG, period="2026-05")).json()
    assert body["source"] == "stored"
    assert body["generated_at"] == report.generated_at.isoformat()
    assert body["indicators"] == report.data["indicators"]


def test_a_quarter_and_an_empty_month(client, sales):
    client.force_login(_analyst())
    quarter = client.get(URL.format(county=SUICHANG, period="2026-Q2")).json()
    assert quarter["period"] == "quarter" and quarter["last_day"] == "2026-06-30"
    empty = client.get(URL.format(county=SUICHANG, period="2019-03")).json()
    assert empty["empty"] and empty["notice"] == "本期无销售数据"


@pytest.mark.parametrize(("period", "reason"), [
    ("2099-01", "尚未开始"),
    ("current", "尚未结束"),
    ("2026-13", "月份"),
    ("2026-Q9", "格式"),
    ("latest", "格式"),
], ids=["future", "current-month", "month-13", "quarter-9", "word"])
def test_bad_periods_are_400_with_the_reason(client, world, period, reason):
    client.force_login(_analyst())
    if period == "current":
        period = local_day(dt.datetime.now(dt.UTC)).strftime("%Y-%m")
    response = client.get(URL.format(county=SUICHANG, period=period))
    assert response.status_code == 400
    assert reason in response.json()["detail"]


def test_outside_the_scope_is_404(client, sales):
    client.force_login(_analyst(MAYANG, email="analyst-api-mayang@example.com"))
    assert client.get(URL.format(county=SUICHANG, period="2026-05")).status_code == 404
    # a village code, a made-up code
    assert client.get(URL.format(county="331123102209", period="2026-05")).status_code == 404
    assert client.get(URL.format(county="999999000000", period="2026-05")).status_code == 404
    assert client.get(URL.format(county=MAYANG, period="2026-05")).status_code == 200


def test_platform_staff_read_any_county_but_not_a_village(client, sales):
    client.force_login(factories.user(email="api-staff@example.com", is_staff=True))
    body = client.get(URL.format(county=MAYANG, period="2026-05")).json()
    assert body["indicators"][0]["value"] == 20000
    assert client.get(URL.format(county="331123102209", period="2026-05")).status_code == 404


@pytest.mark.parametrize("role", ["anonymous", "buyer", "coop_staff"])
def test_anonymous_buyers_and_cooperative_staff_are_refused(client, world, staff_a, role):
    if role == "buyer":
        client.force_login(factories.user(email="api-buyer@example.com"))
    elif role == "coop_staff":
        client.force_login(staff_a)
    response = client.get(URL.format(county=SUICHANG, period="2026-05"))
    assert response.status_code in (401, 403)
    assert "indicators" not in response.json()


@pytest.fixture
def fuzz_staff(world):
    return factories.user(email="api-fuzz@example.com", is_staff=True)


@hyp_settings(max_examples=40, deadline=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(county=st.text(max_size=14), period=st.text(max_size=10))
def test_whatever_is_in_the_url_is_never_a_500(client, fuzz_staff, county, period):
    client.force_login(fuzz_staff)
    url = f"/api/reports/{quote(county, safe='') or 'x'}/{quote(period, safe='') or 'x'}/"
    response = client.get(url)
    assert response.status_code in (200, 400, 404), (url, response.status_code)


def test_the_schema_documents_the_report(client, db):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    operation = schema["paths"]["/api/reports/{county_code}/{period_key}/"]["get"]
    assert set(operation["responses"]) == {"200", "400", "403", "404"}
    assert "ReportSerializer" not in schema["components"]["schemas"]
    assert {"indicators", "towns", "live", "poverty"} <= set(
        schema["components"]["schemas"]["Report"]["properties"])
