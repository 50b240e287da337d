"""Downloads of the sales dashboard's tables (/dashboard/sales/export/<table>.<csv|xlsx>):
the same rows the page shows for the same filters, as CSV (UTF-8 with BOM, so Excel in China
opens it right) or XLSX (values, not formulas), with Chinese headers."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from urllib.parse import quote

from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from openpyxl import Workbook
from openpyxl.styles import Font

from marketplace.reporting.access import sales_scope_required
from marketplace.reporting.dashboard import TABLES, Table, dashboard_payload
from marketplace.reporting.report_xlsx import values_only
from marketplace.reporting.views import read_filters

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
# The XLSX header row: row 1 is the title (period and scope), row 2 blank, row 3 the headers.
XLSX_HEADER_ROW = 3


# A CSV cell starting with one of these is a formula to Excel (CSV injection): such text is
# written with a leading apostrophe, which Excel shows as text.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _csv_cell(value) -> object:
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    if isinstance(value, float):
        return f"{value:.6f}".rstrip("0").rstrip(".")
    return value


def table_csv(table: Table, payload: dict) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(table.headers())
    for row in table.values(payload):
        writer.writerow([_csv_cell(v) for v in row])
    return out.getvalue().encode("utf-8-sig")


def title_line(table: Table, payload: dict) -> str:
    period = payload["period"]
    return f"{payload['scope']['label']} {table.title} {period['first']} – {period['last']}"


def table_xlsx(table: Table, payload: dict) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = str(table.title)[:31]
    ws.cell(row=1, column=1, value=title_line(table, payload)).font = Font(bold=True)
    for n, header in enumerate(table.headers(), start=1):
        ws.cell(row=XLSX_HEADER_ROW, column=n, value=header).font = Font(bold=True)
        ws.column_dimensions[ws.cell(row=XLSX_HEADER_ROW, column=n).column_letter].width = \
            max(10, len(header) * 2 + 2)
    for r, row in enumerate(table.values(payload), start=XLSX_HEADER_ROW + 1):
        for n, (column, value) in enumerate(zip(table.columns, row, strict=True), start=1):
            cell = ws.cell(row=r, column=n, value=value)
            kind = column.kind_of(table.rows(payload)[r - XLSX_HEADER_ROW - 1])
            if isinstance(value, Decimal):
                cell.number_format = "#,##0.00"
            elif kind in ("ratio", "change") and value is not None:
                cell.number_format = "0.0%" if kind == "ratio" else "+0.0%;-0.0%;0.0%"
    ws.freeze_panes = ws.cell(row=XLSX_HEADER_ROW + 1, column=1)
    values_only(wb)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def export_filename(table: Table, payload: dict, fmt: str) -> str:
    period = payload["period"]
    return _("%(scope)s%(title)s_%(first)s_%(last)s") % {
        "scope": payload["scope"]["label"], "title": table.title,
        "first": period["first"], "last": period["last"]} + f".{fmt}"


@never_cache
@sales_scope_required
@require_GET
def export(request, table: str, fmt: str):
    """One table as CSV or XLSX for the request's filters. Unknown table or format 404; bad
    filters 400 with the reasons as text; a county or town outside the scope 404."""
    if table not in TABLES or fmt not in CONTENT_TYPES:
        raise Http404("no such export")
    form, scope, f = read_filters(request)
    if f is None:
        reasons = "\n".join(f"{form.fields[name].label if name in form.fields else ''}："
                            f"{message}" for name, messages in form.error_dict().items()
                            for message in messages)
        return HttpResponse(reasons, status=400, content_type="text/plain; charset=utf-8")
    payload = dashboard_payload(scope, f)
    spec = TABLES[table]
    body = table_csv(spec, payload) if fmt == "csv" else table_xlsx(spec, payload)
    response = HttpResponse(body, content_type=CONTENT_TYPES[fmt])
    ascii_name = f"sales-{table}-{f.first.isoformat()}-{f.last.isoformat()}.{fmt}"
    response["Content-Disposition"] = (
        f"attachment; filename=\"{ascii_name}\"; "
        f"filename*=UTF-8''{quote(export_filename(spec, payload, fmt))}")
    return response
