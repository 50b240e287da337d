"""The sales dashboard (/dashboard/sales/): the page, its JSON for the page's script, and the
filters both read.

Platform staff read every county (and pick one), an analyst their county, cooperative staff
their own cooperative's figures; a county or town outside the scope is a 404.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from oscar.core.loading import get_model

from marketplace.reporting.access import sales_scope_required
from marketplace.reporting.dashboard import TABLES, dashboard_payload, quick_periods
from marketplace.reporting.forms import FiltersForm, today
from marketplace.reporting.selectors import Scope, scope_counties, scope_towns

FILTER_FIELDS = ("first", "last", "county", "town", "category", "channel")
# Which chart sits beside each table ("kpis" has the cards instead).
CHARTS = {"series": "line", "products": "bars", "cooperatives": "bars",
          "categories": "bars", "towns": "map", "live": None}


class DashboardFiltersForm(FiltersForm):
    """The shared filters with messages a county official can act on."""

    def __init__(self, data=None, *, scope: Scope, **kwargs):
        super().__init__(data, scope=scope, **kwargs)
        for name in ("first", "last"):
            self.fields[name].error_messages["invalid"] = gettext_lazy(
                "日期格式不对，请按 2026-05-01 的格式填写。")
        self.fields["category"].error_messages["invalid_choice"] = gettext_lazy(
            "没有这个品类，请从列表中选择。")
        self.fields["channel"].error_messages["invalid_choice"] = gettext_lazy(
            "渠道只能是“店铺”或“直播”。")
        self.fields["county"].error_messages["max_length"] = gettext_lazy(
            "县（区）代码是 12 位数字。")
        self.fields["town"].error_messages["max_length"] = gettext_lazy(
            "乡镇代码是 12 位数字。")

    def error_dict(self) -> dict[str, list[str]]:
        return {field: [str(m) for m in messages] for field, messages in self.errors.items()}


def filter_query(params) -> str:
    """The filters of a request as a query string (what export links and the URL carry)."""
    return urlencode([(k, params[k]) for k in FILTER_FIELDS if params.get(k)])


def read_filters(request):
    """(form, scope, filters) of a request; scope and filters are None when the form is
    invalid. Http404 for a county or town outside the user's scope."""
    form = DashboardFiltersForm(request.GET, scope=request.sales_scope)
    if not form.is_valid():
        return form, None, None
    scope, f = form.scope_and_filters()
    return form, scope, f


def script_strings() -> dict[str, str]:
    """What the page's script writes, in the page's language (%(name)s filled in by it)."""
    return {
        "mom": _("环比"), "yoy": _("同比"), "no_data": _("没有数据"), "date": _("日期"),
        "current": _("本期销售额（元）"), "previous": _("上期销售额（元）"),
        "ten_thousand": _("%(n)s万"), "map": _("乡镇销售额示意图"), "no_sales": _("无销售"),
        "period": _("统计期 %(first)s 至 %(last)s；环比对比 %(pf)s 至 %(pl)s。"),
        "errors": _("筛选条件有误，请修改后再查询："),
        "failed": _("加载失败（%(status)s），请稍后再试。"),
        "offline": _("网络不通，请检查网络后再试。"),
    }


def export_links(query: str) -> dict[str, dict[str, str]]:
    suffix = f"?{query}" if query else ""
    return {key: {fmt: reverse("sales-dashboard:export", args=[key, fmt]) + suffix
                  for fmt in ("csv", "xlsx")} for key in TABLES}


def _with_body(table: dict) -> dict:
    """A table's rows as (text, numeric) cells, so the template right-aligns numbers."""
    return {**table, "body": [list(zip(row, table["numeric"], strict=True))
                              for row in table["rows"]]}


@never_cache
@sales_scope_required
@require_GET
def index(request):
    """The dashboard page: filters, KPI cards, each chart with its table and downloads. The
    first figures are drawn on the server (the tables work without JavaScript)."""
    scope: Scope = request.sales_scope
    form, narrowed, f = read_filters(request)
    payload = dashboard_payload(narrowed, f) if f else None
    query = filter_query(request.GET)
    links = export_links(query)
    quick_params = {k: v for k, v in request.GET.items() if k in FILTER_FIELDS}
    periods = []
    for p in quick_periods(today()):
        params = {**quick_params, "first": p["first"].isoformat(),
                  "last": p["last"].isoformat()}
        periods.append({**p, "query": filter_query(params)})
    towns = list(scope_towns(narrowed or scope).values_list("code", "name"))
    Category = get_model("catalogue", "Category")
    categories = [(c.pk, "\u3000" * (c.depth - 1) + c.name)
                  for c in Category.objects.order_by("path").only("pk", "name", "depth")]
    sections = []
    if payload:
        for key in TABLES:
            if key == "kpis":
                continue
            sections.append({"key": key, "chart": CHARTS[key], "links": links[key],
                             "table": _with_body(payload["tables"][key])})
    return render(request, "reporting/dashboard/index.html", {
        "form": form, "payload": payload, "sections": sections,
        "kpi_links": links["kpis"],
        "kpi_table": _with_body(payload["tables"]["kpis"]) if payload else None,
        "periods": periods,
        "counties": list(scope_counties(scope).values_list("code", "name"))
        if scope.staff else [],
        "towns": towns, "categories": categories,
        "values": {k: request.GET.get(k, "") for k in FILTER_FIELDS},
        "first": f.first if f else "", "last": f.last if f else "",
        "show_reports": not scope.is_cooperative,
        "channels": form.fields["channel"].choices,
        "script_strings": script_strings(),
    })


@never_cache
@sales_scope_required
@require_GET
def data(request):
    """The payload as JSON for the page's script; 400 {"errors": {field: [messages]}} for bad
    filters, 404 for a county or town outside the scope."""
    try:
        form, scope, f = read_filters(request)
    except Http404:
        return JsonResponse({"errors": {"__all__": [_("没有这个地区，或您无权查看它的数据。")]}},
                            status=404)
    if f is None:
        return JsonResponse({"errors": form.error_dict()}, status=400)
    payload = dashboard_payload(scope, f)
    payload["exports"] = export_links(filter_query(request.GET))
    return JsonResponse(payload, json_dumps_params={"ensure_ascii": False})
