"""The 数商兴农 report as an XLSX workbook (openpyxl): one sheet per section, Chinese headers,
every figure a value (no formulas: the province's tools read the cells as they are)."""

from __future__ import annotations

import io
from collections.abc import Callable
from decimal import Decimal

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

YUAN = "#,##0.00"
COUNT = "#,##0"
PERCENT = "0.00%"
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
TOTAL_FONT = Font(bold=True)


def yuan(fen: int) -> Decimal:
    return Decimal(fen) / 100


def _title(ws, data: dict, section: str) -> int:
    """Title, period and notice rows; returns the next free row."""
    ws.append([_("%(county)s %(period)s 数商兴农农产品网络零售统计 — %(section)s") % {
        "county": data["county"]["name"], "period": data["period_label"], "section": section}])
    ws.cell(row=1, column=1).font = Font(bold=True, size=14)
    ws.append([_("统计周期：%(first)s 至 %(last)s；环比基期：%(pf)s 至 %(pl)s；"
                 "同比基期：%(yf)s 至 %(yl)s") % {
        "first": data["first_day"], "last": data["last_day"],
        "pf": data["previous_period"]["first_day"], "pl": data["previous_period"]["last_day"],
        "yf": data["year_before"]["first_day"], "yl": data["year_before"]["last_day"]}])
    row = 3
    if data["empty"]:
        ws.append([data["notice"]])
        ws.cell(row=row, column=1).font = Font(bold=True, color="C00000")
        row += 1
    ws.append([])
    return row + 1


def _header(ws, row: int, headers: list[str]) -> None:
    for col, text in enumerate(headers, start=1):
        cell = ws.cell(row=row, column=col, value=text)
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    ws.freeze_panes = ws.cell(row=row + 1, column=1)


def _rows(ws, start: int, rows: list[list], formats: list[str | None],
          total: list | None = None) -> int:
    """Write rows (and a bold total row) from ``start``; returns the next free row."""
    r = start
    for values in [*rows, *([total] if total else [])]:
        for col, (value, fmt) in enumerate(zip(values, formats, strict=True), start=1):
            cell = ws.cell(row=r, column=col, value=value)
            if fmt and value is not None and not isinstance(value, str):
                cell.number_format = fmt
            if total and values is total:
                cell.font = TOTAL_FONT
        r += 1
    return r


def _widths(ws, widths: list[int]) -> None:
    for col, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(col)].width = width


def _measures(row: dict) -> list:
    return [yuan(row["gmv_fen"]), yuan(row["refund_fen"]), yuan(row["net_fen"]),
            row["orders"], row["units"]]


MEASURE_FORMATS = [YUAN, YUAN, YUAN, COUNT, COUNT]


def _measure_headers() -> list[str]:
    return [_("成交额（元）"), _("退款额（元）"), _("净额（元）"), _("订单数"), _("件数")]


def _sum(rows: list[dict], key: str) -> int:
    return sum(r[key] for r in rows)


def _change(value: float | None):
    return "—" if value is None else value


def _indicator_value(item: dict, key: str):
    value = item[key]
    if value is None:
        return "—"
    return yuan(value) if item["unit"] == "fen" else value


def _sheet_indicators(wb, data: dict) -> None:
    ws = wb.active
    ws.title = _("核心指标")
    row = _title(ws, data, _("核心指标"))
    _header(ws, row, [_("指标"), _("本期"), _("上期（环比基期）"), _("环比"),
                      _("去年同期（同比基期）"), _("同比")])
    fmt = {"fen": YUAN, "count": COUNT, "ratio": PERCENT}
    r = row + 1
    for item in data["indicators"]:
        values = [item["label"], _indicator_value(item, "value"),
                  _indicator_value(item, "previous"), _change(item["mom"]),
                  _indicator_value(item, "year_before"), _change(item["yoy"])]
        formats = [None, fmt[item["unit"]], fmt[item["unit"]], PERCENT, fmt[item["unit"]],
                   PERCENT]
        r = _rows(ws, r, [values], formats)
    ws.cell(row=r + 1, column=1, value=_(
        "说明：农产品网络零售额为成交额（商品实付金额，不含运费，未扣退款）；净销售额 = 成交额 − "
        "退款额；退款计入原销售日期。环比、同比为相对变化，基期为 0 时记为“—”。"))
    _widths(ws, [30, 18, 20, 10, 22, 10])


def _sheet_breakdown(wb, data: dict, title: str, rows: list[dict], first: list[str],
                     lead: Callable[[dict], list]) -> None:
    ws = wb.create_sheet(title)
    row = _title(ws, data, title)
    _header(ws, row, [*first, *_measure_headers(), _("占比")])
    body = [[*lead(r), *_measures(r), r["share"]] for r in rows]
    total_orders = next(i["value"] for i in data["indicators"] if i["key"] == "orders")
    total = [_("合计"), *([""] * (len(first) - 1)),
             yuan(_sum(rows, "gmv_fen")), yuan(_sum(rows, "refund_fen")),
             yuan(_sum(rows, "net_fen")), total_orders, _sum(rows, "units"),
             1.0 if _sum(rows, "gmv_fen") else 0.0]
    end = _rows(ws, row + 1, body, [*([None] * len(first)), *MEASURE_FORMATS, PERCENT], total)
    ws.cell(row=end + 1, column=1,
            value=_("合计行订单数为去重订单数（一个订单含多个品类或乡镇的商品时只计一次）。"))
    _widths(ws, [*([16] * len(first)), 16, 16, 16, 10, 10, 10])


def _sheet_products(wb, data: dict) -> None:
    title = _("商品TOP10")
    ws = wb.create_sheet(title)
    row = _title(ws, data, title)
    _header(ws, row, [_("排名"), _("商品"), _("合作社"), *_measure_headers()])
    rows = data["top_products"]
    body = [[r["rank"], r["title"], r["cooperative"], *_measures(r)] for r in rows]
    total = [_("合计"), "", "", yuan(_sum(rows, "gmv_fen")), yuan(_sum(rows, "refund_fen")),
             yuan(_sum(rows, "net_fen")), _sum(rows, "orders"), _sum(rows, "units")]
    _rows(ws, row + 1, body, [COUNT, None, None, *MEASURE_FORMATS], total if rows else None)
    _widths(ws, [8, 28, 24, 16, 16, 16, 10, 10])


def _sheet_live(wb, data: dict) -> None:
    title = _("直播带货")
    ws = wb.create_sheet(title)
    live = data["live"]
    row = _title(ws, data, title)
    _header(ws, row, [_("项目"), _("数值")])
    summary = [
        ([_("直播场次（开播）"), live["sessions_held"]], COUNT),
        ([_("有成交的场次"), live["sessions_with_sales"]], COUNT),
        ([_("直播成交额（元）"), yuan(live["gmv_fen"])], YUAN),
        ([_("直播退款额（元）"), yuan(live["refund_fen"])], YUAN),
        ([_("直播净额（元）"), yuan(live["net_fen"])], YUAN),
        ([_("直播订单数"), live["orders"]], COUNT),
        ([_("直播件数"), live["units"]], COUNT),
        ([_("直播销售占比"), live["share"]], PERCENT),
    ]
    r = row + 1
    for values, fmt in summary:
        r = _rows(ws, r, [values], [None, fmt])
    r += 1
    _header(ws, r, [_("直播场次"), _("主播"), _("开播时间"), *_measure_headers(),
                    _("观看人数"), _("转化率")])
    sessions = live["sessions"]
    body = [[s["title"], s["host"], s["start"][:16].replace("T", " "), *_measures(s),
             s["viewers"], _change(s["conversion"])] for s in sessions]
    total = [_("合计"), "", "", yuan(_sum(sessions, "gmv_fen")),
             yuan(_sum(sessions, "refund_fen")), yuan(_sum(sessions, "net_fen")),
             live["orders"], _sum(sessions, "units"), _sum(sessions, "viewers"), ""]
    _rows(ws, r + 1, body, [None, None, None, *MEASURE_FORMATS, COUNT, PERCENT],
          total if sessions else None)
    ws.freeze_panes = None
    _widths(ws, [28, 14, 18, 16, 16, 16, 10, 10, 10, 10])


def _coop_sheet(wb, data: dict, title: str, block: dict, summary: list) -> None:
    ws = wb.create_sheet(title)
    row = _title(ws, data, title)
    _header(ws, row, [_("项目"), _("数值")])
    r = row + 1
    for values, fmt in summary:
        r = _rows(ws, r, [values], [None, fmt])
    r += 1
    _header(ws, r, [_("合作社"), _("脱贫地区"), _("带动农户数（户）"), *_measure_headers()])
    rows = block["rows"]
    body = [[c["name"], _("是") if c["poverty_area"] else _("否"), c["member_households"],
             *_measures(c)] for c in rows]
    total = [_("合计"), "", _sum(rows, "member_households"), yuan(_sum(rows, "gmv_fen")),
             yuan(_sum(rows, "refund_fen")), yuan(_sum(rows, "net_fen")),
             _sum(rows, "orders"), _sum(rows, "units")]
    _rows(ws, r + 1, body, [None, None, COUNT, *MEASURE_FORMATS], total)
    ws.freeze_panes = None
    _widths(ws, [30, 10, 16, 16, 16, 16, 10, 10])


def values_only(wb) -> None:
    """No cell of ``wb`` is a formula: openpyxl writes a text that starts with "=" (a product
    or cooperative name typed so) as one, which Excel would run. Such texts stay text."""
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    cell.data_type = "s"


def report_xlsx(data: dict) -> bytes:
    """The workbook of a report_data() dict."""
    wb = Workbook()
    _sheet_indicators(wb, data)
    _sheet_breakdown(wb, data, _("品类分布"), data["categories"], [_("品类")],
                     lambda r: [r["name"]])
    _sheet_breakdown(wb, data, _("乡镇分布"), data["towns"], [_("乡镇"), _("区划代码")],
                     lambda r: [r["name"], r["code"]])
    _sheet_products(wb, data)
    _sheet_live(wb, data)
    indicators = {i["key"]: i for i in data["indicators"]}
    poverty = data["poverty"]
    _coop_sheet(wb, data, _("脱贫地区"), poverty, [
        ([_("脱贫地区农产品销售额（元）"), yuan(poverty["gmv_fen"])], YUAN),
        ([_("脱贫地区退款额（元）"), yuan(poverty["refund_fen"])], YUAN),
        ([_("脱贫地区净额（元）"), yuan(poverty["net_fen"])], YUAN),
        ([_("占全县销售额"), poverty["share"]], PERCENT),
        ([_("环比"), _change(indicators["poverty_gmv_fen"]["mom"])], PERCENT),
        ([_("同比"), _change(indicators["poverty_gmv_fen"]["yoy"])], PERCENT),
        ([_("脱贫地区合作社数"), poverty["cooperatives"]], COUNT),
        ([_("带动农户数（户）"), poverty["households"]], COUNT),
    ])
    coops = data["cooperatives"]
    _coop_sheet(wb, data, _("合作社与农户"), coops, [
        ([_("参与合作社数"), coops["active"]], COUNT),
        ([_("带动农户数（户）"), coops["households"]], COUNT),
    ])
    values_only(wb)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
