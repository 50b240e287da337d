"""The 数商兴农 report as a PDF (reportlab): indicators with 环比/同比, charts of the category
and town breakdowns, top products, live selling and poverty-area sales, in the platform's
embedded Chinese font (marketplace.pdf_fonts)."""

from __future__ import annotations

import io
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from marketplace.pdf_fonts import cjk_font

CHART_BARS = 10
BAR_COLOR = colors.HexColor("#2E7D32")
HEAD_COLOR = colors.HexColor("#DDEBF7")


def _money(fen: int | None) -> str:
    if fen is None:
        return "—"
    return f"{Decimal(fen) / 100:,.2f}"


def _count(n: int | None) -> str:
    return "—" if n is None else f"{n:,}"


def _pct(x: float | None) -> str:
    return "—" if x is None else f"{x * 100:+.1f}%"


def _share(x: float | None) -> str:
    return "—" if x is None else f"{x * 100:.1f}%"


class _Styles:
    def __init__(self, font: str):
        self.font = font
        self.title = ParagraphStyle("title", fontName=font, fontSize=16, leading=22,
                                    alignment=TA_CENTER, spaceAfter=4)
        self.sub = ParagraphStyle("sub", fontName=font, fontSize=8.5, leading=12,
                                  alignment=TA_CENTER, textColor=colors.grey)
        self.h2 = ParagraphStyle("h2", fontName=font, fontSize=12, leading=16, spaceBefore=8,
                                 spaceAfter=4, textColor=colors.HexColor("#1B5E20"))
        self.body = ParagraphStyle("body", fontName=font, fontSize=9, leading=12)
        self.cell = ParagraphStyle("cell", fontName=font, fontSize=8, leading=10)
        self.notice = ParagraphStyle("notice", fontName=font, fontSize=14, leading=20,
                                     alignment=TA_CENTER, textColor=colors.HexColor("#C00000"),
                                     spaceBefore=6, spaceAfter=6)


def _table(rows: list[list], widths: list[float], styles: _Styles, *,
           text_cols: int = 1, total: bool = False) -> Table:
    """A grid with a header row; the first ``text_cols`` columns left, figures right."""
    wrapped = [[Paragraph(str(v), styles.cell) if isinstance(v, str) and len(v) > 14 else v
                for v in row] for row in rows]
    table = Table(wrapped, colWidths=widths, repeatRows=1)
    commands = [
        ("FONTNAME", (0, 0), (-1, -1), styles.font),
        ("FONTSIZE", (0, 0), (-1, -1), 8),
        ("BACKGROUND", (0, 0), (-1, 0), HEAD_COLOR),
        ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("ALIGN", (text_cols, 1), (-1, -1), "RIGHT"),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
    ]
    if total and len(rows) > 1:
        commands.append(("BACKGROUND", (0, -1), (-1, -1), colors.HexColor("#F2F2F2")))
    table.setStyle(TableStyle(commands))
    return table


def _bar_chart(title: str, items: list[tuple[str, int]], font: str) -> Drawing:
    """Horizontal bars of GMV in yuan, biggest on top."""
    items = items[:CHART_BARS]
    height = 30 + 18 * max(len(items), 1)
    drawing = Drawing(170 * mm, height + 20)
    drawing.add(String(0, height + 8, title, fontName=font, fontSize=10))
    chart = HorizontalBarChart()
    chart.x, chart.y = 90, 15
    chart.width, chart.height = 170 * mm - 130, height - 20
    # the chart draws its first category at the bottom
    chart.data = [[fen / 100 for _n, fen in reversed(items)]]
    chart.categoryAxis.categoryNames = [name[:12] for name, _f in reversed(items)]
    chart.categoryAxis.labels.fontName = font
    chart.categoryAxis.labels.fontSize = 8
    chart.categoryAxis.labels.boxAnchor = "e"
    chart.valueAxis.labels.fontName = font
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.valueMin = 0
    chart.valueAxis.forceZero = True
    chart.valueAxis.labelTextFormat = lambda v: f"{v:,.0f}"
    chart.bars[0].fillColor = BAR_COLOR
    chart.bars[0].strokeColor = None
    chart.barLabelFormat = lambda v: f"{v:,.2f}"
    chart.barLabels.fontName = font
    chart.barLabels.fontSize = 7
    chart.barLabels.boxAnchor = "w"
    chart.barLabels.dx = 3
    drawing.add(chart)
    return drawing


def _measure_row(row: dict) -> list:
    return [_money(row["gmv_fen"]), _money(row["refund_fen"]), _money(row["net_fen"]),
            _count(row["orders"]), _count(row["units"])]


def _measure_head() -> list[str]:
    return [_("成交额（元）"), _("退款额"), _("净额"), _("订单"), _("件数")]


def report_pdf(data: dict) -> bytes:
    """The PDF of a report_data() dict."""
    font = cjk_font()
    st = _Styles(font)
    title = _("%(county)s%(period)s数商兴农农产品网络零售报告") % {
        "county": data["county"]["name"], "period": data["period_label"]}
    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=A4, leftMargin=16 * mm, rightMargin=16 * mm,
                            topMargin=14 * mm, bottomMargin=16 * mm, title=title,
                            author=_("县级农产品电商平台"))
    width = A4[0] - 32 * mm
    story: list = [Paragraph(title, st.title), Paragraph(_(
        "统计周期 %(first)s 至 %(last)s ｜ 环比基期 %(pf)s 至 %(pl)s ｜ 同比基期 %(yf)s 至 %(yl)s"
        " ｜ 生成于 %(at)s") % {
        "first": data["first_day"], "last": data["last_day"],
        "pf": data["previous_period"]["first_day"], "pl": data["previous_period"]["last_day"],
        "yf": data["year_before"]["first_day"], "yl": data["year_before"]["last_day"],
        "at": timezone.localtime().strftime("%Y-%m-%d %H:%M")}, st.sub), Spacer(1, 4 * mm)]
    if data["empty"]:
        story.append(Paragraph(data["notice"], st.notice))

    # indicators
    story.append(Paragraph(_("一、核心指标"), st.h2))
    rows = [[_("指标"), _("本期"), _("上期"), _("环比"), _("去年同期"), _("同比")]]
    for item in data["indicators"]:
        show = {"fen": _money, "count": _count, "ratio": _share}[item["unit"]]
        rows.append([item["label"], show(item["value"]), show(item["previous"]),
                     _pct(item["mom"]), show(item["year_before"]), _pct(item["yoy"])])
    story.append(_table(rows, [w * width for w in (.32, .15, .15, .1, .16, .12)], st))

    # categories
    story.append(Paragraph(_("二、品类分布"), st.h2))
    cats = data["categories"]
    if cats:
        story.append(_bar_chart(_("各品类成交额（元）"),
                                [(c["name"], c["gmv_fen"]) for c in cats], font))
    rows = [[_("品类"), *_measure_head(), _("占比")]]
    rows += [[c["name"], *_measure_row(c), _share(c["share"])] for c in cats]
    story.append(_table(rows, [w * width for w in (.22, .16, .13, .15, .1, .1, .14)], st)
                 if cats else Paragraph(_("本期无销售数据"), st.body))

    # towns: the chart shows towns with sales, the table every town
    story.append(Paragraph(_("三、乡镇分布"), st.h2))
    sold = sorted((t for t in data["towns"] if t["gmv_fen"]), key=lambda t: -t["gmv_fen"])
    if sold:
        story.append(_bar_chart(_("各乡镇成交额（元，前 %(n)d）") % {"n": CHART_BARS},
                                [(t["name"], t["gmv_fen"]) for t in sold], font))
    rows = [[_("乡镇"), *_measure_head(), _("占比")]]
    rows += [[t["name"], *_measure_row(t), _share(t["share"])] for t in data["towns"]]
    story.append(_table(rows, [w * width for w in (.22, .16, .13, .15, .1, .1, .14)], st))

    # top products
    story.append(Paragraph(_("四、热销商品 TOP10"), st.h2))
    products = data["top_products"]
    if products:
        rows = [[_("排名"), _("商品"), _("合作社"), *_measure_head()]]
        rows += [[str(p["rank"]), p["title"], p["cooperative"], *_measure_row(p)]
                 for p in products]
        story.append(_table(rows, [w * width for w in (.06, .2, .22, .14, .1, .12, .08, .08)],
                            st, text_cols=3))
    else:
        story.append(Paragraph(_("本期无销售数据"), st.body))

    # live selling
    live = data["live"]
    block = [Paragraph(_("五、直播带货"), st.h2), Paragraph(_(
        "开播 %(held)d 场，其中有成交 %(selling)d 场；直播成交额 %(gmv)s 元，占全县 %(share)s；"
        "订单 %(orders)s 笔，%(units)s 件。") % {
        "held": live["sessions_held"], "selling": live["sessions_with_sales"],
        "gmv": _money(live["gmv_fen"]), "share": _share(live["share"]),
        "orders": _count(live["orders"]), "units": _count(live["units"])}, st.body)]
    sessions = live["sessions"][:CHART_BARS]
    if sessions:
        rows = [[_("直播场次"), _("主播"), _("成交额（元）"), _("订单"), _("件数"), _("观看"),
                 _("转化率")]]
        rows += [[s["title"], s["host"], _money(s["gmv_fen"]), _count(s["orders"]),
                  _count(s["units"]), _count(s["viewers"]), _share(s["conversion"])]
                 for s in sessions]
        block.append(Spacer(1, 2 * mm))
        block.append(_table(rows, [w * width for w in (.3, .14, .16, .1, .1, .1, .1)], st,
                            text_cols=2))
    story.append(KeepTogether(block))

    # poverty-area sales
    poverty = data["poverty"]
    indicator = {i["key"]: i for i in data["indicators"]}["poverty_gmv_fen"]
    block = [Paragraph(_("六、脱贫地区农产品销售"), st.h2), Paragraph(_(
        "脱贫地区农产品销售额 %(gmv)s 元，占全县 %(share)s，环比 %(mom)s，同比 %(yoy)s；"
        "涉及脱贫地区合作社 %(coops)d 家，带动农户 %(households)s 户。") % {
        "gmv": _money(poverty["gmv_fen"]), "share": _share(poverty["share"]),
        "mom": _pct(indicator["mom"]), "yoy": _pct(indicator["yoy"]),
        "coops": poverty["cooperatives"], "households": _count(poverty["households"])},
        st.body)]
    if poverty["rows"]:
        rows = [[_("合作社"), _("带动农户"), *_measure_head()]]
        rows += [[c["name"], _count(c["member_households"]), *_measure_row(c)]
                 for c in poverty["rows"]]
        block.append(Spacer(1, 2 * mm))
        block.append(_table(rows, [w * width for w in (.3, .1, .16, .12, .12, .1, .1)], st))
    story.append(KeepTogether(block))

    coops = data["cooperatives"]
    story.append(Paragraph(_("七、合作社与农户"), st.h2))
    story.append(Paragraph(_("本期有销售的合作社 %(n)d 家，带动农户 %(h)s 户。") % {
        "n": coops["active"], "h": _count(coops["households"])}, st.body))
    story.append(Spacer(1, 4 * mm))
    story.append(Paragraph(_(
        "说明：农产品网络零售额为成交额（商品实付金额，不含运费，未扣退款），净额 = 成交额 − "
        "退款额，退款计入原销售日期；县域数据为本县合作社的销售（不论买家所在地）。"), st.sub))

    def page_number(canvas, doc_):
        canvas.saveState()
        canvas.setFont(font, 8)
        canvas.setFillColor(colors.grey)
        canvas.drawCentredString(A4[0] / 2, 9 * mm, _("第 %(n)d 页") % {"n": doc_.page})
        canvas.restoreState()

    doc.build(story, onFirstPage=page_number, onLaterPages=page_number)
    return buf.getvalue()
