"""The sales dashboard (/dashboard/sales/): each role reads only its own figures, bad filters
get a Chinese reason (never a 500), an empty period says so, the payload matches the
selectors, the menu shows for analysts, and the query count does not grow with the data."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse, reverse_lazy

from marketplace.reporting import selectors, services
from marketplace.reporting.dashboard import TABLES, dashboard_payload
from marketplace.reporting.selectors import Filters, Scope
from tests import factories
from tests.reporting import test_reports
from tests.reporting.test_facts import DAY
from tests.reporting.test_reports import MAY, SUICHANG, _analyst, _line, _order

pytestmark = pytest.mark.django_db

sales = test_reports.sales  # the fixture: May 2026 of 遂昌, April, May 2025 and 麻阳
MAYANG = "431226000000"
MAYANG_TOWN = "431226101000"
SUICHANG_TOWN = "331123102000"  # 湖山乡 (coop_b and the poverty-area cooperative)
MAY_QUERY = {"first": "2026-05-01", "last": "2026-05-31"}
# Lazy: resolving at import (collection, before pytest-django turns DEBUG off) would build the
# URLconf with its DEBUG-only media route, which the access matrix then finds unlisted.
INDEX, DATA = reverse_lazy("sales-dashboard:index"), reverse_lazy("sales-dashboard:data")
MAY_F = Filters(MAY, dt.date(2026, 5, 31))


def _export(table="products", fmt="csv"):
    return reverse_lazy("sales-dashboard:export", args=[table, fmt])


def _kpi(payload, key):
    return next(card for card in payload["kpis"] if card["key"] == key)


def test_an_analyst_reads_their_county_on_the_page_and_as_json(client, sales):
    # given an analyst of 遂昌 (not staff)
    analyst = _analyst()
    assert not analyst.is_staff
    client.force_login(analyst)
    # when they open the page and its data for May
    page = client.get(INDEX, MAY_QUERY)
    data = client.get(DATA, MAY_QUERY)
    # then both show 遂昌's figures only (麻阳's sale left out)
    assert page.status_code == 200 and data.status_code == 200
    want = selectors.kpis(Scope(county=SUICHANG), MAY_F)
    payload = data.json()
    assert _kpi(payload, "gmv_fen")["value"] == want["gmv_fen"] > 0
    assert _kpi(payload, "orders")["value"] == want["orders"]
    assert payload["scope"] == {"county": SUICHANG, "cooperative": False, "label": "遂昌县"}
    assert "冰糖橙" not in page.content.decode() and "冰糖橙" not in data.content.decode()
    html = page.content.decode()
    gmv_text = f"{want['gmv_fen'] / 100:,.2f}"
    assert gmv_text in html  # the KPI card and the table, drawn on the server
    # the menu (built from access_fn) and the link to the reports
    assert "销售分析" in html and "销售看板" in html
    assert reverse("sales-reports:list") in html
    assert "reporting/vendor/uPlot.iife.min.js" in html and 'id="sales-payload"' in html
    # each table has its downloads carrying the filters
    for key in TABLES:
        assert f'{_export(key, "csv")}?first=2026-05-01&amp;last=2026-05-31' in html, key


@pytest.mark.parametrize("params", [{"county": MAYANG}, {"town": MAYANG_TOWN},
                                    {"county": "331123102000"}, {"town": "nonsense"}],
                         ids=["other-county", "town-of-other-county", "town-as-county",
                              "garbage-town"])
def test_an_analyst_gets_404_outside_their_county(client, sales, params):
    client.force_login(_analyst())
    for url in (INDEX, DATA, _export()):
        response = client.get(url, {**MAY_QUERY, **params})
        assert response.status_code == 404, url
    assert "errors" in client.get(DATA, {**MAY_QUERY, **params}).json()


def test_an_analyst_filters_by_a_town_of_their_county(client, sales):
    client.force_login(_analyst())
    payload = client.get(DATA, {**MAY_QUERY, "town": SUICHANG_TOWN}).json()
    want = selectors.kpis(Scope(county=SUICHANG), Filters(MAY, MAY_F.last, town=SUICHANG_TOWN))
    assert _kpi(payload, "gmv_fen")["value"] == want["gmv_fen"] > 0
    assert want["gmv_fen"] < selectors.kpis(Scope(county=SUICHANG), MAY_F)["gmv_fen"]


def test_cooperative_staff_read_only_their_cooperative(client, sales, coop_a, staff_a):
    # given coop A's staff (coop B and the poverty-area cooperative sold in May too)
    client.force_login(staff_a)
    # when
    page = client.get(INDEX, MAY_QUERY)
    payload = client.get(DATA, MAY_QUERY).json()
    # then only coop A's figures
    want = selectors.kpis(Scope(cooperative_ids=(coop_a.pk,)), MAY_F)
    county = selectors.kpis(Scope(county=SUICHANG), MAY_F)
    assert _kpi(payload, "gmv_fen")["value"] == want["gmv_fen"] > 0
    assert want["gmv_fen"] < county["gmv_fen"]
    assert {p["title"] for p in payload["products"]} == {"红米"}
    assert [c["name"] for c in payload["cooperatives"]] == [coop_a.partner.name]
    assert payload["scope"]["cooperative"] is True
    html = page.content.decode()
    assert page.status_code == 200 and "白茶" not in html and "土蜂蜜" not in html
    # the dashboard is in their menu, the county-level reports are not
    assert "销售看板" in html and reverse("sales-reports:list") not in html
    # and a county filter cannot widen their scope
    assert client.get(DATA, {**MAY_QUERY, "county": SUICHANG}).status_code == 404


@pytest.mark.parametrize("url", [INDEX, DATA, _export(), _export("kpis", "xlsx")],
                         ids=["page", "data", "csv", "xlsx"])
def test_buyers_get_403_and_anonymous_the_dashboard_login(client, sales, url):
    response = client.get(url, MAY_QUERY)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("dashboard:login"))
    client.force_login(factories.user(email="buyer-dash@example.com"))
    assert client.get(url, MAY_QUERY).status_code == 403


def test_platform_staff_pick_any_county(client, sales):
    client.force_login(factories.user(email="staff-dash@example.com", is_staff=True))
    everything = client.get(DATA, MAY_QUERY).json()
    mayang = client.get(DATA, {**MAY_QUERY, "county": MAYANG}).json()
    suichang = client.get(DATA, {**MAY_QUERY, "county": SUICHANG}).json()
    assert _kpi(mayang, "gmv_fen")["value"] == 4 * 5000
    assert _kpi(suichang, "gmv_fen")["value"] == selectors.kpis(
        Scope(county=SUICHANG), MAY_F)["gmv_fen"]
    assert _kpi(everything, "gmv_fen")["value"] == _kpi(mayang, "gmv_fen")["value"] + _kpi(
        suichang, "gmv_fen")["value"]
    assert all(t["code"].startswith("431226") for t in mayang["towns"])
    page = client.get(INDEX, {**MAY_QUERY, "county": MAYANG}).content.decode()
    assert 'name="county"' in page and "遂昌县" in page and "麻阳苗族自治县" in page
    assert "冰糖橙" in page


FUTURE = (dt.date.today() + dt.timedelta(days=3)).isoformat()  # a future day in any zone


@pytest.mark.parametrize(("params", "field", "message"), [
    ({"first": "2026-05-01", "last": FUTURE}, "last", "结束日期不能晚于今天"),
    ({"first": "1976-05-01", "last": "2026-05-31"}, "first", "时间范围最长"),
    ({"first": "2026-05-31", "last": "2026-05-01"}, "first", "开始日期不能晚于结束日期"),
    ({"first": "2026-13-45"}, "first", "日期格式不对"),
    ({"last": "yesterday"}, "last", "日期格式不对"),
    ({"category": "999999"}, "category", "没有这个品类"),
    ({"category": "水果"}, "category", "没有这个品类"),
    ({"channel": "tv"}, "channel", "渠道只能是"),
], ids=["future-end", "fifty-years", "first-after-last", "malformed-date", "word-date",
        "unknown-category", "category-name", "unknown-channel"])
def test_bad_filters_get_a_chinese_reason_never_a_500(client, sales, params, field, message):
    client.force_login(_analyst())
    # the JSON: 400 with the field's messages
    data = client.get(DATA, params)
    assert data.status_code == 400
    errors = data.json()["errors"]
    assert any(message in m for m in errors[field]), errors
    # the page: 200 with the form error shown
    page = client.get(INDEX, params)
    assert page.status_code == 200
    assert message in page.content.decode()
    # the export: 400 with the reason as text
    export = client.get(_export(), params)
    assert export.status_code == 400 and message in export.content.decode()


def test_a_period_before_any_data_shows_zeros_and_says_so(client, sales):
    client.force_login(_analyst())
    query = {"first": "2020-01-01", "last": "2020-01-31"}
    payload = client.get(DATA, query).json()
    assert payload["empty"] is True
    assert all(card["value"] == 0 for card in payload["kpis"])
    assert payload["products"] == [] and payload["live"] == []
    assert all(t["gmv_fen"] == 0 for t in payload["towns"]) and len(payload["towns"]) > 10
    assert len(payload["series"]["points"]) == 31
    page = client.get(INDEX, query).content.decode()
    assert "所选时间段内没有销售数据" in page
    assert 'data-role="empty" hidden' not in page


def test_the_payload_matches_the_selectors(sales):
    # given May 2026 of 遂昌
    scope = Scope(county=SUICHANG)
    payload = dashboard_payload(scope, MAY_F)
    # then every card has its 环比 (April) and 同比 (May 2025)
    april = Filters(dt.date(2026, 4, 1), dt.date(2026, 4, 30))
    may_2025 = Filters(dt.date(2025, 5, 1), dt.date(2025, 5, 31))
    gmv = _kpi(payload, "gmv_fen")
    assert gmv["previous"] == selectors.kpis(scope, april)["gmv_fen"] > 0
    assert gmv["year_before"] == selectors.kpis(scope, may_2025)["gmv_fen"] > 0
    assert gmv["mom"] == pytest.approx(selectors.change(gmv["value"], gmv["previous"]))
    assert gmv["yoy"] == pytest.approx(selectors.change(gmv["value"], gmv["year_before"]))
    assert [c["key"] for c in payload["kpis"]] == [
        "gmv_fen", "net_fen", "refund_fen", "orders", "buyers", "aov_fen", "live_share",
        "active_cooperatives", "poverty_gmv_fen", "poverty_share"]
    assert payload["period"]["previous"] == {"first": "2026-04-01", "last": "2026-04-30",
                                             "days": 30}
    # the series: 31 days of May, April's 30 days beside them by index, each adding up
    points = payload["series"]["points"]
    assert len(points) == 31 and points[0]["previous_date"] == "2026-04-01"
    assert points[30]["previous_date"] is None
    assert sum(p["gmv_fen"] for p in points) == gmv["value"]
    assert sum(p["previous_gmv_fen"] or 0 for p in points) == gmv["previous"]
    # the breakdowns
    assert sum(t["gmv_fen"] for t in payload["towns"]) == gmv["value"]
    assert sum(c["gmv_fen"] for c in payload["categories"]) == gmv["value"]
    assert payload["products"][0]["rank"] == 1
    assert [p["product_id"] for p in payload["products"]] == [
        p["product_id"] for p in selectors.top_products(scope, MAY_F)]
    assert [c["cooperative_id"] for c in payload["cooperatives"]] == [
        c["cooperative_id"] for c in selectors.top_cooperatives(scope, MAY_F)]
    assert sum(s["gmv_fen"] for s in payload["live"]) == selectors.kpis(
        scope, MAY_F)["live_gmv_fen"]
    # and the tables the page shows (yuan with 2 decimals)
    assert set(payload["tables"]) == set(TABLES) == {
        "kpis", "series", "products", "cooperatives", "categories", "towns", "live"}
    assert payload["tables"]["kpis"]["rows"][0][1] == f"{gmv['value'] / 100:,.2f}"


def _more_sales(world, n):
    """n more orders of May of every product, live and refunded ones among them."""
    for i in range(n):
        _order(world, i % 6, _line(i % 3, 1 + i % 2, live=i % 2 == 0,
                                   refund="part" if i % 4 == 0 else None), buyer=i % 3)
    services.facts_build_range(DAY, DAY + dt.timedelta(days=6))


def _count_queries(client, url, params) -> int:
    cache.clear()
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("role", ["analyst", "staff", "cooperative"])
def test_query_count_does_not_grow_with_the_data(client, sales, staff_a, role):
    user = {"analyst": _analyst, "cooperative": lambda: staff_a,
            "staff": lambda: factories.user(email="staff-q@example.com", is_staff=True)}[role]()
    client.force_login(user)
    client.get(INDEX, MAY_QUERY)  # warm up the session and content types
    small = {url: _count_queries(client, url, MAY_QUERY) for url in (INDEX, DATA)}
    # when the period has many more orders, products and a second live session
    _more_sales(sales, 24)
    extra = factories.product(factories.cooperative(name="新合作社", village="331123001007"),
                              title="笋干", price="30.00", category="加工食品")
    for day in range(3):
        _order({**sales, "products": [extra]}, day, _line(0, 2))
    services.facts_build_range(DAY, DAY + dt.timedelta(days=6))
    large = {url: _count_queries(client, url, MAY_QUERY) for url in (INDEX, DATA)}
    # then the same number of queries
    assert large == small
    assert 10 < small[DATA] < 60 and 10 < small[INDEX] < 80, small


def _script_strings(html: str) -> dict:
    start = html.index('<script id="sales-strings" type="application/json">')
    body = html[start:].split(">", 1)[1].split("</script>", 1)[0]
    return json.loads(body)


def test_the_pages_script_speaks_the_pages_language(client, sales):
    client.force_login(_analyst())
    chinese = _script_strings(client.get(INDEX, MAY_QUERY).content.decode())
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(INDEX, MAY_QUERY).content.decode()
    english = _script_strings(page)

    assert chinese["mom"] == "环比" and english["mom"] == "Month on month"
    assert english["period"] == "Period %(first)s to %(last)s; compared with %(pf)s to %(pl)s."
    assert set(chinese) == set(english)
    assert all(not re.search(r"[\u4e00-\u9fff]", text) for text in english.values())
    assert "Sales dashboard" in page
