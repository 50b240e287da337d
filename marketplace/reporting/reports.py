"""The monthly (or quarterly) 数商兴农 report of a county: its figures as a JSON-able dict, and
its generation into XLSX and PDF files kept in a SalesReport row.

A county's figures are the sales of its cooperatives (SalesFact.origin_county), read from the
fact tables only (marketplace.reporting.selectors). The headline 农产品网络零售额 is GMV
(成交额: lines after discounts, shipping excluded), like every breakdown of the report, so
categories, towns and channels add up to it; refunds (退款额) and the net (净额) are separate
indicators. Money in the dict is integer fen; the files show yuan.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from oscar.core.loading import get_model

from marketplace.regions.models import Region
from marketplace.reporting import selectors
from marketplace.reporting.models import SalesReport
from marketplace.reporting.selectors import Filters, Scope
from marketplace.reporting.services import local_day

log = logging.getLogger(__name__)

MIN_YEAR = 2000
REPORT_LANGUAGE = "zh-hans"  # the files and the province's JSON are in Chinese
TOP_PRODUCTS = 10
COUNTY_CODE = re.compile(r"[0-9]{12}")  # fullmatch: a 12-digit region code
_MONTH_KEY = re.compile(r"^(\d{4})-(\d{1,2})$")
_QUARTER_KEY = re.compile(r"^(\d{4})-[Qq]([1-4])$")


class PeriodError(ValueError):
    """A period that cannot be reported: the message says why, for the user."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Period:
    kind: str  # SalesReport.MONTH or SalesReport.QUARTER
    first: dt.date
    last: dt.date

    @property
    def key(self) -> str:
        if self.kind == SalesReport.QUARTER:
            return f"{self.first.year}-Q{(self.first.month - 1) // 3 + 1}"
        return f"{self.first.year}-{self.first.month:02d}"

    @property
    def label(self) -> str:
        if self.kind == SalesReport.QUARTER:
            return _("%(year)d年第%(n)d季度") % {"year": self.first.year,
                                              "n": (self.first.month - 1) // 3 + 1}
        return _("%(year)d年%(month)d月") % {"year": self.first.year, "month": self.first.month}

    @property
    def filters(self) -> Filters:
        return Filters(first=self.first, last=self.last)


def _month_end(year: int, month: int) -> dt.date:
    following = dt.date(year + month // 12, month % 12 + 1, 1)
    return following - dt.timedelta(days=1)


def period_of(kind: str, first_day: dt.date) -> Period:
    """The month or quarter starting on ``first_day``; PeriodError when it starts elsewhere."""
    if kind == SalesReport.MONTH and first_day.day == 1:
        return Period(kind, first_day, _month_end(first_day.year, first_day.month))
    if kind == SalesReport.QUARTER and first_day.day == 1 and first_day.month % 3 == 1:
        return Period(kind, first_day, _month_end(first_day.year, first_day.month + 2))
    raise PeriodError(_("报表周期须从月初或季度初开始。"))


def period_parse(key: str) -> Period:
    """``2026-10`` (a month) or ``2026-Q3`` (a quarter); PeriodError with a message otherwise."""
    key = (key or "").strip()
    month, quarter = _MONTH_KEY.match(key), _QUARTER_KEY.match(key)
    if not (month or quarter):
        raise PeriodError(_("请按 2026-10（月）或 2026-Q3（季度）的格式填写周期。"))
    year = int((month or quarter).group(1))
    if year < MIN_YEAR:
        raise PeriodError(_("年份须在 %(year)d 年以后。") % {"year": MIN_YEAR})
    if quarter:
        return period_of(SalesReport.QUARTER,
                         dt.date(year, (int(quarter.group(2)) - 1) * 3 + 1, 1))
    number = int(month.group(2))
    if not 1 <= number <= 12:
        raise PeriodError(_("月份须在 1 到 12 之间。"))
    return period_of(SalesReport.MONTH, dt.date(year, number, 1))


def period_check(period: Period, today: dt.date | None = None) -> None:
    """A report covers finished periods only: PeriodError for a future or unfinished one."""
    today = today or local_day(timezone.now())
    if period.first > today:
        raise PeriodError(_("%(period)s尚未开始，不能生成未来的报表。")
                          % {"period": period.label})
    if period.last >= today:
        raise PeriodError(_("%(period)s尚未结束（截至 %(last)s），请在 %(next)s 以后生成。")
                          % {"period": period.label, "last": period.last,
                             "next": period.last + dt.timedelta(days=1)})


def previous_month(today: dt.date | None = None) -> Period:
    """The last finished month (what the beat task reports on the 1st)."""
    today = today or local_day(timezone.now())
    first_this = today.replace(day=1)
    last = first_this - dt.timedelta(days=1)
    return period_of(SalesReport.MONTH, last.replace(day=1))


def report_filename(report: SalesReport, ext: str) -> str:
    """The Chinese name a download is saved under, e.g. 遂昌县2026年10月数商兴农报表.xlsx."""
    period = period_of(report.period, report.first_day)
    return _("%(county)s%(period)s数商兴农报表") % {
        "county": report.county.name, "period": period.label} + f".{ext}"


# --- the figures ------------------------------------------------------------------------

# (key, label, unit): unit "fen" money, "count", "ratio" (0..1)
INDICATORS = [
    ("gmv_fen", gettext_lazy("农产品网络零售额（元）"), "fen"),
    ("refund_fen", gettext_lazy("退款额（元）"), "fen"),
    ("net_fen", gettext_lazy("净销售额（元）"), "fen"),
    ("orders", gettext_lazy("订单数"), "count"),
    ("units", gettext_lazy("销售件数"), "count"),
    ("buyers", gettext_lazy("下单买家数"), "count"),
    ("aov_fen", gettext_lazy("客单价（元）"), "fen"),
    ("live_sessions", gettext_lazy("直播场次"), "count"),
    ("live_gmv_fen", gettext_lazy("直播销售额（元）"), "fen"),
    ("live_share", gettext_lazy("直播销售占比"), "ratio"),
    ("poverty_gmv_fen", gettext_lazy("脱贫地区农产品销售额（元）"), "fen"),
    ("poverty_share", gettext_lazy("脱贫地区销售占比"), "ratio"),
    ("active_cooperatives", gettext_lazy("参与合作社数"), "count"),
    ("households", gettext_lazy("带动农户数（户）"), "count"),
]


def indicator_labels() -> dict[str, str]:
    return {key: str(label) for key, label, _unit in INDICATORS}


def _households(scope: Scope, f: Filters) -> int:
    """Member households (带动农户) of the cooperatives that sold in the period."""
    Cooperative = get_model("cooperatives", "Cooperative")
    sold = selectors.rollup(scope, f).filter(cooperative_id__isnull=False) \
        .values("cooperative_id")
    return Cooperative.objects.filter(pk__in=sold).aggregate(
        n=Sum("member_households", default=0))["n"]


def _indicator_values(scope: Scope, f: Filters) -> tuple[dict, dict]:
    values = selectors.kpis(scope, f)
    live = selectors.live_summary(scope, f)
    values["live_sessions"] = live["sessions_held"]
    values["households"] = _households(scope, f)
    return values, live


def _ratio(value: float | None) -> float | None:
    return None if value is None else round(value, 6)


def _share(part: int, whole: int) -> float:
    return round(part / whole, 6) if whole else 0.0


def report_data(county: Region | str, period: str, first_day: dt.date,
                progress: Callable[[int], None] | None = None) -> dict:
    """Every figure of one county's report for one month or quarter, JSON-able.

    ``county``: a county Region or its 12-digit code; ``period``: "month" or "quarter";
    ``first_day``: its first day. A period without sales gives the same shape with zeros,
    ``empty`` true and the notice 本期无销售数据. ``progress`` hears the share done (0–100).
    """
    step = progress or (lambda _percent: None)
    if isinstance(county, str):
        county = Region.objects.get(code=county, level=Region.Level.COUNTY)
    p = period_of(period, first_day)
    scope, f = Scope(county=county.code), p.filters
    before, year_ago = selectors.previous_period(f), selectors.year_before(f)

    current, live = _indicator_values(scope, f)
    step(25)
    prev, _live = _indicator_values(scope, before)
    step(40)
    last_year, _live = _indicator_values(scope, year_ago)
    step(55)
    labels = indicator_labels()
    indicators = []
    for key, _label, unit in INDICATORS:
        value, base, base_y = current[key], prev[key], last_year[key]
        if unit == "ratio":
            value, base, base_y = _ratio(value), _ratio(base), _ratio(base_y)
        indicators.append({
            "key": key, "label": labels[key], "unit": unit, "value": value,
            "previous": base, "year_before": base_y,
            "mom": _ratio(selectors.change(value, base)),
            "yoy": _ratio(selectors.change(value, base_y)),
        })

    gmv = current["gmv_fen"]
    categories = [{**row, "name": row["name"] or _("未分类"), "share": _share(row["gmv_fen"], gmv)}
                  for row in selectors.by_category(scope, f)]
    towns = [{**row, "name": row["name"] or _("未知乡镇"), "share": _share(row["gmv_fen"], gmv)}
             for row in selectors.by_town(scope, f)]
    step(70)
    products = [{"rank": n, **row} for n, row in
                enumerate(selectors.top_products(scope, f, limit=TOP_PRODUCTS), start=1)]
    sessions = selectors.live_league(scope, f, limit=None)
    for row in sessions:
        row["conversion"] = _ratio(row["conversion"])
    cooperatives = selectors.top_cooperatives(scope, f, limit=None)
    poor = selectors.top_cooperatives(scope, f, limit=None, poverty_only=True)
    step(90)
    empty = not gmv and not current["orders"]
    poverty_gmv = current["poverty_gmv_fen"]
    poverty_refund = sum(r["refund_fen"] for r in poor)
    return {
        "county": {"code": county.code, "name": county.name},
        "period": p.kind,
        "period_key": p.key,
        "period_label": p.label,
        "first_day": p.first.isoformat(),
        "last_day": p.last.isoformat(),
        "previous_period": {"first_day": before.first.isoformat(),
                            "last_day": before.last.isoformat()},
        "year_before": {"first_day": year_ago.first.isoformat(),
                        "last_day": year_ago.last.isoformat()},
        "currency": "CNY",
        "computed_at": timezone.now().isoformat(),
        "empty": empty,
        "notice": _("本期无销售数据") if empty else "",
        "indicators": indicators,
        "categories": categories,
        "towns": towns,
        "top_products": products,
        "live": {
            "sessions_held": live["sessions_held"],
            "sessions_with_sales": live["sessions_with_sales"],
            "gmv_fen": live["gmv_fen"], "refund_fen": live["refund_fen"],
            "net_fen": live["net_fen"], "orders": live["orders"], "units": live["units"],
            "share": _share(live["gmv_fen"], gmv),
            "sessions": sessions,
        },
        "poverty": {
            "gmv_fen": poverty_gmv, "refund_fen": poverty_refund,
            "net_fen": poverty_gmv - poverty_refund, "share": _share(poverty_gmv, gmv),
            "cooperatives": len(poor),
            "households": sum(r["member_households"] for r in poor),
            "rows": poor,
        },
        "cooperatives": {
            "active": len(cooperatives),
            "households": current["households"],
            "rows": cooperatives,
        },
    }


# --- generating the files ----------------------------------------------------------------

def _progress(report_id: int, percent: int, **fields) -> None:
    """Committed at once (no surrounding transaction), so the page's polling sees it."""
    SalesReport.objects.filter(pk=report_id).update(progress=percent, **fields)


def report_generate(report: SalesReport | int) -> SalesReport:
    """Compute the report's figures and write its XLSX and PDF, replacing earlier files.

    Safe to run twice, also at once: each run saves new files under fresh names and points
    the row at them under a row lock, then deletes the files the row pointed at before.
    A failure marks the row failed with the reason and is logged, never raised (a task
    retrying a bad period would fail the same way).
    """
    report_id = report if isinstance(report, int) else report.pk
    # The province reads Chinese: the files never follow the language of whoever asked.
    with translation.override(REPORT_LANGUAGE):
        return _generate(report_id)


def _generate(report_id: int) -> SalesReport:
    from marketplace.reporting.report_pdf import report_pdf
    from marketplace.reporting.report_xlsx import report_xlsx

    row = SalesReport.objects.select_related("county").get(pk=report_id)
    _progress(report_id, 5, status=SalesReport.RUNNING, error="")
    try:
        period = period_of(row.period, row.first_day)
        period_check(period)
        # the figures take most of the time: 5–75 %, then the two files
        data = report_data(row.county, row.period, row.first_day,
                           progress=lambda percent: _progress(report_id, 5 + percent * 7 // 10))
        xlsx_bytes = report_xlsx(data)
        _progress(report_id, 85)
        pdf_bytes = report_pdf(data)
        _progress(report_id, 95)
        stem = f"{row.county_id}-{period.key}-{secrets.token_hex(4)}"
        field_xlsx, field_pdf = SalesReport._meta.get_field("xlsx"), \
            SalesReport._meta.get_field("pdf")
        storage = field_xlsx.storage
        xlsx_name = storage.save(field_xlsx.generate_filename(row, f"{stem}.xlsx"),
                                 ContentFile(xlsx_bytes))
        pdf_name = storage.save(field_pdf.generate_filename(row, f"{stem}.pdf"),
                                ContentFile(pdf_bytes))
    except Exception as exc:
        log.exception("report %s failed", report_id)
        message = exc.message if isinstance(exc, PeriodError) else \
            _("生成失败：%(error)s") % {"error": f"{type(exc).__name__}: {exc}"}
        _progress(report_id, 0, status=SalesReport.FAILED, error=message[:300])
        return SalesReport.objects.get(pk=report_id)
    with transaction.atomic():
        locked = SalesReport.objects.select_for_update().get(pk=report_id)
        old = [name for name in (locked.xlsx.name, locked.pdf.name) if name]
        locked.xlsx.name, locked.pdf.name = xlsx_name, pdf_name
        locked.data = data
        locked.status, locked.progress, locked.error = SalesReport.DONE, 100, ""
        locked.generated_at = timezone.now()
        locked.save(update_fields=["xlsx", "pdf", "data", "status", "progress", "error",
                                   "generated_at"])
    for name in old:
        if name not in (xlsx_name, pdf_name):
            storage.delete(name)
    return locked


def report_request(*, county: Region, period: Period, user=None) -> SalesReport:
    """Create or reuse the county's report of ``period``, mark it pending and queue its
    generation after commit. The caller checks the period (period_check) and the scope."""
    from marketplace.reporting.tasks import report_generate_task

    with transaction.atomic():
        report, _created = SalesReport.objects.select_for_update().get_or_create(
            county=county, period=period.kind, first_day=period.first,
            defaults={"last_day": period.last, "requested_by": user})
        report.status, report.progress, report.error = SalesReport.PENDING, 0, ""
        report.last_day = period.last
        if user is not None:
            report.requested_by = user
        report.save(update_fields=["status", "progress", "error", "last_day", "requested_by"])
        transaction.on_commit(lambda: report_generate_task.delay(report.pk))
    return report


def counties_with_cooperatives() -> list[Region]:
    """Counties that have at least one cooperative (the beat task reports each)."""
    Cooperative = get_model("cooperatives", "Cooperative")
    codes = {code[:6] + "000000" for code in
             Cooperative.objects.exclude(village_id=None).values_list("village_id", flat=True)}
    return list(Region.objects.filter(code__in=codes, level=Region.Level.COUNTY)
                .order_by("code"))
