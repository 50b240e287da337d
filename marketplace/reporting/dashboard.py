"""The sales dashboard's figures as one JSON-able payload, and the tables that both the page and
the CSV/XLSX exports show (one description, so a download always matches what is on screen).

Pure reading: everything comes from the selectors; money stays in fen in the payload and is
shown in yuan with two decimals in the tables.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from marketplace.regions.models import Region
from marketplace.reporting import selectors
from marketplace.reporting.selectors import Filters, Scope

TOP = 10
LIVE_LEAGUE = 20

# (key, label, unit): unit "fen" money, "count", "ratio" (0..1). Labels as in the report.
KPIS = [
    ("gmv_fen", gettext_lazy("销售额（元）"), "fen"),
    ("net_fen", gettext_lazy("净销售额（元）"), "fen"),
    ("refund_fen", gettext_lazy("退款额（元）"), "fen"),
    ("orders", gettext_lazy("订单数"), "count"),
    ("buyers", gettext_lazy("下单买家数"), "count"),
    ("aov_fen", gettext_lazy("客单价（元）"), "fen"),
    ("live_share", gettext_lazy("直播销售占比"), "ratio"),
    ("active_cooperatives", gettext_lazy("参与合作社数"), "count"),
    ("poverty_gmv_fen", gettext_lazy("脱贫地区销售额（元）"), "fen"),
    ("poverty_share", gettext_lazy("脱贫地区销售占比"), "ratio"),
]


def _period(f: Filters) -> dict:
    return {"first": f.first.isoformat(), "last": f.last.isoformat(), "days": f.days}


def _ratio(value: float | None) -> float | None:
    return None if value is None else round(value, 6)


def _share(part: int, whole: int) -> float:
    return round(part / whole, 6) if whole else 0.0


def _local(iso: str) -> str:
    """A stored (UTC) time as Asia/Shanghai, to the minute."""
    if not iso:
        return ""
    return timezone.localtime(dt.datetime.fromisoformat(iso)).strftime("%Y-%m-%d %H:%M")


def scope_label(scope: Scope) -> str:
    """Whose figures, in words: a county, a cooperative's name, or every county."""
    if scope.is_cooperative:
        from oscar.core.loading import get_model

        names = get_model("cooperatives", "Cooperative").objects.filter(
            pk__in=scope.cooperative_ids).order_by("pk").values_list("partner__name", flat=True)
        return "、".join(names)
    if scope.county:
        name = Region.objects.filter(code=scope.county).values_list("name", flat=True).first()
        return name or scope.county
    return _("全部县（区）")


def dashboard_payload(scope: Scope, f: Filters) -> dict:
    """Every figure of the dashboard for one scope and filters (JSON-serialisable).

    Keys: period (with previous / year_before), scope, empty, kpis (cards with 环比 mom and
    同比 yoy), series (points of the period with the previous period's value at the same index),
    products, cooperatives, categories, towns, live, tables (display rows of TABLES)."""
    before, year_ago = selectors.previous_period(f), selectors.year_before(f)
    now, prev, last_year = (selectors.kpis(scope, f), selectors.kpis(scope, before),
                            selectors.kpis(scope, year_ago))
    cards = []
    for key, label, unit in KPIS:
        value, base, base_y = now[key], prev[key], last_year[key]
        if unit == "ratio":
            value, base, base_y = _ratio(value), _ratio(base), _ratio(base_y)
        cards.append({"key": key, "label": str(label), "unit": unit, "value": value,
                      "previous": base, "year_before": base_y,
                      "mom": _ratio(selectors.change(value, base)),
                      "yoy": _ratio(selectors.change(value, base_y))})

    current, earlier = selectors.series(scope, f), selectors.series(scope, before)
    points = []
    for n, point in enumerate(current["points"]):
        other = earlier["points"][n] if n < len(earlier["points"]) else None
        points.append({**point, "previous_date": other["date"] if other else None,
                       "previous_gmv_fen": other["gmv_fen"] if other else None})

    gmv = now["gmv_fen"]
    products = [{"rank": n, **row} for n, row in
                enumerate(selectors.top_products(scope, f, limit=TOP), start=1)]
    cooperatives = [{"rank": n, **row} for n, row in
                    enumerate(selectors.top_cooperatives(scope, f, limit=TOP), start=1)]
    categories = [{**row, "name": row["name"] or _("未分类"),
                   "share": _share(row["gmv_fen"], gmv)}
                  for row in selectors.by_category(scope, f)]
    towns = [{**row, "name": row["name"] or _("未知乡镇"), "share": _share(row["gmv_fen"], gmv)}
             for row in selectors.by_town(scope, f)]
    live = [{"rank": n, **row, "start": _local(row["start"]),
             "conversion": _ratio(row["conversion"])} for n, row in
            enumerate(selectors.live_league(scope, f, limit=LIVE_LEAGUE), start=1)]
    payload = {
        "period": {**_period(f), "grain": current["grain"], "previous": _period(before),
                   "year_before": _period(year_ago)},
        "scope": {"county": scope.county, "cooperative": scope.is_cooperative,
                  "label": scope_label(scope)},
        "filters": {"first": f.first.isoformat(), "last": f.last.isoformat(),
                    "county": scope.county if scope.staff else "", "town": f.town,
                    "category": f.category_id or "", "channel": f.channel},
        "empty": not gmv and not now["orders"],
        "kpis": cards,
        "series": {"grain": current["grain"], "points": points},
        "products": products,
        "cooperatives": cooperatives,
        "categories": categories,
        "towns": towns,
        "live": live,
    }
    payload["tables"] = {table.key: table.display(payload) for table in TABLES.values()}
    return payload


def _month_start(day: dt.date, back: int = 0) -> dt.date:
    index = day.year * 12 + day.month - 1 - back
    return dt.date(index // 12, index % 12 + 1, 1)


def quick_periods(end: dt.date) -> list[dict]:
    """The period buttons: 近7天, 近30天, 本月, 上月, 近12个月 (ending today)."""
    this_month = _month_start(end)
    return [
        {"label": _("近7天"), "first": end - dt.timedelta(days=6), "last": end},
        {"label": _("近30天"), "first": end - dt.timedelta(days=29), "last": end},
        {"label": _("本月"), "first": this_month, "last": end},
        {"label": _("上月"), "first": _month_start(end, 1),
         "last": this_month - dt.timedelta(days=1)},
        {"label": _("近12个月"), "first": _month_start(end, 11), "last": end},
    ]


def dashboard_warm(end: dt.date | None = None) -> int:
    """Compute (and so cache) the figures of the views people open first: the quick periods
    of every county with cooperatives and of platform staff, unfiltered. Run after the
    hourly fact build (which makes every cached figure stale), so the first reader of the
    hour gets them from the cache. Returns the number of payloads computed."""
    from marketplace.reporting.cache import cache_seconds
    from marketplace.reporting.forms import today

    if cache_seconds() <= 0:
        return 0
    end = end or today()
    scopes = [Scope(staff=True)] + [Scope(county=code) for code in
                                    selectors.scope_counties(Scope(staff=True))
                                    .values_list("code", flat=True)]
    n = 0
    for scope in scopes:
        for window in quick_periods(end):
            dashboard_payload(scope, Filters(first=window["first"], last=window["last"]))
            n += 1
    return n


# --- tables -------------------------------------------------------------------------------

def yuan(fen: int | None) -> Decimal | None:
    return None if fen is None else (Decimal(fen) / 100).quantize(Decimal("0.01"))


@dataclass(frozen=True)
class Column:
    """One column: its Chinese header, how to read its value from a row, and its kind
    ("text", "fen" money read in fen and shown in yuan, "count", "ratio", "change" (a relative
    change, signed), or "unit": the row's own unit, for the KPI table)."""

    header: object
    get: Callable[[dict], object]
    kind: str = "text"

    def kind_of(self, row: dict) -> str:
        return row["unit"] if self.kind == "unit" else self.kind

    def value(self, row: dict):
        """The value an export writes: yuan as Decimal, counts as int, ratios as float."""
        raw = self.get(row)
        kind = self.kind_of(row)
        if kind == "fen":
            return yuan(raw)
        return raw

    def text(self, row: dict) -> str:
        """The value as the page shows it."""
        raw = self.get(row)
        kind = self.kind_of(row)
        if raw is None or raw == "":
            return "—" if kind != "text" else ""
        if kind == "fen":
            return f"{yuan(raw):,.2f}"
        if kind == "count":
            return f"{raw:,}"
        if kind == "ratio":
            return f"{raw * 100:.1f}%"
        if kind == "change":
            return f"{raw * 100:+.1f}%"
        return str(raw)


@dataclass(frozen=True)
class Table:
    key: str
    title: object
    source: str  # the payload key holding its rows
    columns: tuple[Column, ...]

    def rows(self, payload: dict) -> list[dict]:
        return payload[self.source] if self.source != "series" \
            else payload["series"]["points"]

    def headers(self) -> list[str]:
        return [str(c.header) for c in self.columns]

    def values(self, payload: dict) -> list[list]:
        return [[c.value(row) for c in self.columns] for row in self.rows(payload)]

    def display(self, payload: dict) -> dict:
        """What the page's table shows (the JS re-draws it from the same dict)."""
        return {"title": str(self.title), "headers": self.headers(),
                "numeric": [c.kind != "text" for c in self.columns],
                "rows": [[c.text(row) for c in self.columns] for row in self.rows(payload)]}


def _g(key: str) -> Callable[[dict], object]:
    return lambda row: row.get(key)


def _money_columns() -> tuple[Column, ...]:
    return (Column(gettext_lazy("销售额（元）"), _g("gmv_fen"), "fen"),
            Column(gettext_lazy("退款额（元）"), _g("refund_fen"), "fen"),
            Column(gettext_lazy("净销售额（元）"), _g("net_fen"), "fen"),
            Column(gettext_lazy("订单数"), _g("orders"), "count"),
            Column(gettext_lazy("件数"), _g("units"), "count"))


_TABLES = [
    Table("kpis", gettext_lazy("核心指标"), "kpis", (
        Column(gettext_lazy("指标"), _g("label")),
        Column(gettext_lazy("本期"), _g("value"), "unit"),
        Column(gettext_lazy("上期"), _g("previous"), "unit"),
        Column(gettext_lazy("环比"), _g("mom"), "change"),
        Column(gettext_lazy("去年同期"), _g("year_before"), "unit"),
        Column(gettext_lazy("同比"), _g("yoy"), "change"),
    )),
    Table("series", gettext_lazy("销售趋势"), "series", (
        Column(gettext_lazy("日期"), _g("date")),
        Column(gettext_lazy("销售额（元）"), _g("gmv_fen"), "fen"),
        Column(gettext_lazy("净销售额（元）"), _g("net_fen"), "fen"),
        Column(gettext_lazy("订单数"), _g("orders"), "count"),
        Column(gettext_lazy("上期日期"), _g("previous_date")),
        Column(gettext_lazy("上期销售额（元）"), _g("previous_gmv_fen"), "fen"),
    )),
    Table("products", gettext_lazy("商品销售额 TOP10"), "products", (
        Column(gettext_lazy("排名"), _g("rank"), "count"),
        Column(gettext_lazy("商品"), _g("title")),
        Column(gettext_lazy("合作社"), _g("cooperative")),
        *_money_columns(),
    )),
    Table("cooperatives", gettext_lazy("合作社销售额 TOP10"), "cooperatives", (
        Column(gettext_lazy("排名"), _g("rank"), "count"),
        Column(gettext_lazy("合作社"), _g("name")),
        Column(gettext_lazy("脱贫地区"),
               lambda row: str(_("是")) if row.get("poverty_area") else str(_("否"))),
        *_money_columns(),
    )),
    Table("categories", gettext_lazy("品类分布"), "categories", (
        Column(gettext_lazy("品类"), _g("name")),
        *_money_columns(),
        Column(gettext_lazy("销售额占比"), _g("share"), "ratio"),
    )),
    Table("towns", gettext_lazy("乡镇分布"), "towns", (
        Column(gettext_lazy("乡镇"), _g("name")),
        Column(gettext_lazy("区划代码"), _g("code")),
        *_money_columns(),
        Column(gettext_lazy("销售额占比"), _g("share"), "ratio"),
    )),
    Table("live", gettext_lazy("直播场次排行"), "live", (
        Column(gettext_lazy("排名"), _g("rank"), "count"),
        Column(gettext_lazy("直播"), _g("title")),
        Column(gettext_lazy("主播"), _g("host")),
        Column(gettext_lazy("计划开播"), _g("start")),
        Column(gettext_lazy("销售额（元）"), _g("gmv_fen"), "fen"),
        Column(gettext_lazy("订单数"), _g("orders"), "count"),
        Column(gettext_lazy("观看人数"), _g("viewers"), "count"),
        Column(gettext_lazy("转化率（订单/观看）"), _g("conversion"), "ratio"),
    )),
]
TABLES: dict[str, Table] = {t.key: t for t in _TABLES}
