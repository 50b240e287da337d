"""Downloads of the sales dashboard's tables: CSV (UTF-8 with BOM) and XLSX with Chinese
headers whose figures add up to the selectors', a Chinese file name, and 404 for what is not
a table, a format or the user's county."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from urllib.parse import quote

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from marketplace.reporting import reports, selectors
from marketplace.reporting.dashboard import TABLES
from marketplace.reporting.exports import XLSX_HEADER_ROW
from marketplace.reporting.report_xlsx import report_xlsx
from marketplace.reporting.selectors import Filters, Scope
from tests.reporting import test_reports
from tests.reporting.test_reports import MAY, SUICHANG, _analyst

pytestmark = pytest.mark.django_db

sales = test_reports.sales  # the fixture: May 2026 of 遂昌, April, May 2025 and 麻阳
MAY_QUERY = {"first": "2026-05-01", "last": "2026-05-31"}
MAY_F = Filters(MAY, dt.date(2026, 5, 31))


def _url(table, fmt):
    return reverse("sales-dashboard:export", args=[table, fmt])


def _csv(response) -> list[list[str]]:
    body = response.content
    assert body.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def _yuan(fen: int) -> Decimal:
    return (Decimal(fen) / 100).quantize(Decimal("0.01"))


@pytest.fixture
def analyst_client(client, sales):
    client.force_login(_analyst())
    return client


@pytest.mark.parametrize("table", list(TABLES))
def test_every_table_downloads_as_csv_and_xlsx_with_chinese_headers(analyst_client, table):
    headers = TABLES[table].headers()
    # CSV
    response = analyst_client.get(_url(table, "csv"), MAY_QUERY)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = _csv(response)
    assert rows[0] == headers
    # XLSX: a title row, then the header row
    response = analyst_client.get(_url(table, "xlsx"), MAY_QUERY)
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(response.content))
    ws = wb.active
    assert "遂昌县" in ws.cell(row=1, column=1).value and "2026-05-01" in ws.cell(1, 1).value
    assert [c.value for c in ws[XLSX_HEADER_ROW]] == headers
    data = list(ws.iter_rows(min_row=XLSX_HEADER_ROW + 1, values_only=True))
    assert len(data) == len(rows) - 1
    # values, never formulas
    assert not any(isinstance(v, str) and v.startswith("=") for row in data for v in row)


def test_csv_totals_equal_the_selectors(analyst_client):
    scope = Scope(county=SUICHANG)
    want = selectors.kpis(scope, MAY_F)
    assert want["gmv_fen"] > 0
    # towns: every town of 遂昌, adding up to the county's sales
    rows = _csv(analyst_client.get(_url("towns", "csv"), MAY_QUERY))
    gmv = rows[0].index("销售额（元）")
    assert sum(Decimal(r[gmv]) for r in rows[1:]) == _yuan(want["gmv_fen"])
    assert len(rows) - 1 == len(selectors.by_town(scope, MAY_F))
    # categories and the series add up too; net is GMV less refunds
    for table in ("categories", "series"):
        rows = _csv(analyst_client.get(_url(table, "csv"), MAY_QUERY))
        head = rows[0]
        assert sum(Decimal(r[head.index("销售额（元）")]) for r in rows[1:]) == \
            _yuan(want["gmv_fen"]), table
        assert sum(Decimal(r[head.index("净销售额（元）")]) for r in rows[1:]) == \
            _yuan(want["net_fen"]), table
    # products: the selectors' top 10 in order
    rows = _csv(analyst_client.get(_url("products", "csv"), MAY_QUERY))
    top = selectors.top_products(scope, MAY_F)
    assert [r[1] for r in rows[1:]] == [p["title"] for p in top]
    assert [Decimal(r[3]) for r in rows[1:]] == [_yuan(p["gmv_fen"]) for p in top]
    # the KPI table: value, 环比 base and 同比 base of GMV
    rows = _csv(analyst_client.get(_url("kpis", "csv"), MAY_QUERY))
    gmv_row = next(r for r in rows if r[0] == "销售额（元）")
    april = selectors.kpis(scope, selectors.previous_period(MAY_F))["gmv_fen"]
    assert (Decimal(gmv_row[1]), Decimal(gmv_row[2])) == (_yuan(want["gmv_fen"]), _yuan(april))
    assert float(gmv_row[3]) == pytest.approx(selectors.change(want["gmv_fen"], april), abs=1e-6)


def test_xlsx_totals_equal_the_selectors(analyst_client):
    scope = Scope(county=SUICHANG)
    want = selectors.kpis(scope, MAY_F)
    wb = load_workbook(io.BytesIO(analyst_client.get(_url("cooperatives", "xlsx"),
                                                     MAY_QUERY).content))
    ws = wb.active
    headers = [c.value for c in ws[XLSX_HEADER_ROW]]
    rows = list(ws.iter_rows(min_row=XLSX_HEADER_ROW + 1, values_only=True))
    gmv = headers.index("销售额（元）")
    # fewer than 10 cooperatives sold, so the top 10 is all of them
    assert sum(Decimal(str(r[gmv])) for r in rows) == _yuan(want["gmv_fen"])
    assert sum(r[headers.index("订单数")] for r in rows) >= want["orders"]
    assert {r[headers.index("脱贫地区")] for r in rows} == {"是", "否"}
    live = load_workbook(io.BytesIO(analyst_client.get(_url("live", "xlsx"),
                                                       MAY_QUERY).content)).active
    rows = list(live.iter_rows(min_row=XLSX_HEADER_ROW + 1, values_only=True))
    assert sum(Decimal(str(r[4])) for r in rows) == _yuan(want["live_gmv_fen"])


def test_the_file_name_is_chinese_in_rfc_5987_form(analyst_client):
    response = analyst_client.get(_url("products", "xlsx"), MAY_QUERY)
    disposition = response["Content-Disposition"]
    assert disposition.startswith('attachment; filename="sales-products-2026-05-01-2026-05-31'
                                  '.xlsx"')
    assert "filename*=UTF-8''" + quote("遂昌县商品销售额 TOP10_2026-05-01_2026-05-31.xlsx") \
        in disposition


@pytest.mark.parametrize("path", ["/dashboard/sales/export/nothing.csv",
                                  "/dashboard/sales/export/products.pdf",
                                  "/dashboard/sales/export/products.CSV",
                                  "/dashboard/sales/export/products"],
                         ids=["unknown-table", "unknown-format", "upper-case", "no-format"])
def test_unknown_tables_and_formats_are_404(analyst_client, path):
    # (without a format, APPEND_SLASH redirects first; that URL is no export either)
    assert analyst_client.get(path, MAY_QUERY, follow=True).status_code == 404


def test_another_county_is_404_and_bad_filters_400(analyst_client):
    assert analyst_client.get(_url("towns", "csv"),
                              {**MAY_QUERY, "county": "431226000000"}).status_code == 404
    response = analyst_client.get(_url("towns", "csv"), {"first": "2026-06-01",
                                                          "last": "2026-05-01"})
    assert response.status_code == 400
    assert "开始日期不能晚于结束日期" in response.content.decode()


def test_cooperative_staff_download_their_own_figures(client, sales, coop_a, staff_a):
    client.force_login(staff_a)
    rows = _csv(client.get(_url("products", "csv"), MAY_QUERY))
    assert [r[1] for r in rows[1:]] == ["红米"]
    want = selectors.kpis(Scope(cooperative_ids=(coop_a.pk,)), MAY_F)
    assert Decimal(rows[1][3]) == _yuan(want["gmv_fen"])


FORMULA_TITLE = '=HYPERLINK("http://evil.example/","点我领券")'


def test_a_title_typed_as_a_formula_stays_text_in_every_file(analyst_client, sales):
    # given a cooperative that named its product like a spreadsheet formula
    product = sales["products"][0]
    product.title = FORMULA_TITLE
    product.save()
    # then the CSV cell carries an apostrophe, so Excel shows it as text (CSV injection)
    rows = _csv(analyst_client.get(_url("products", "csv"), MAY_QUERY))
    assert ["'" + FORMULA_TITLE] == [cell for row in rows for cell in row
                                     if FORMULA_TITLE in cell]
    # and no cell of the XLSX download or of the 数商兴农 report is a formula
    xlsx = analyst_client.get(_url("products", "xlsx"), MAY_QUERY).content
    report = report_xlsx(reports.report_data(SUICHANG, "month", MAY))
    for body in (xlsx, report):
        wb = load_workbook(io.BytesIO(body))
        cells = [cell for ws in wb.worksheets for row in ws.iter_rows() for cell in row]
        assert not [cell.coordinate for cell in cells if cell.data_type == "f"]
        assert FORMULA_TITLE in [cell.value for cell in cells]
