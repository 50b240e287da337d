"""Dashboard pages of the 数商兴农 reports (/dashboard/sales/reports/): the list with the form
that generates or regenerates one, a report's page with its progress, its status as JSON
(polled by that page) and the downloads.

Reports are county-level: platform staff read every county, an analyst their own county;
cooperative staff and buyers get a 403. Another county's report is a 404.
"""

from __future__ import annotations

from urllib.parse import quote

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from marketplace.regions.models import Region
from marketplace.reporting.access import sales_scope_required
from marketplace.reporting.models import SalesReport
from marketplace.reporting.reports import (
    COUNTY_CODE,
    Period,
    PeriodError,
    period_check,
    period_of,
    period_parse,
    previous_month,
    report_filename,
    report_request,
)
from marketplace.reporting.selectors import Scope, scope_counties, scope_with_county

REPORTS_PER_PAGE = 30
CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


def county_scope(request) -> Scope:
    """The request's scope, refused (403) for cooperative staff: reports are county-level."""
    scope = request.sales_scope
    if scope.is_cooperative:
        raise PermissionDenied
    return scope


def reports_for_scope(scope: Scope):
    reports = SalesReport.objects.select_related("county")
    return reports.filter(county_id=scope.county) if scope.county else reports


class ReportForm(forms.Form):
    """The county (platform staff pick one) and the period: 2026-10 or 2026-Q3."""

    county = forms.CharField(label=gettext_lazy("县（区）"), max_length=12, required=False)
    period = forms.CharField(
        label=gettext_lazy("统计周期"), max_length=8,
        help_text=gettext_lazy("月报填 2026-10，季报填 2026-Q3；只能生成已结束的月份或季度。"))

    def __init__(self, data=None, *, scope: Scope, **kwargs):
        self.scope = scope
        super().__init__(data, **kwargs)
        if scope.county:
            del self.fields["county"]
        else:
            self.fields["county"] = forms.ChoiceField(
                label=gettext_lazy("县（区）"),
                choices=[(c.code, c.name) for c in scope_counties(scope)])
        self.fields["period"].initial = previous_month().key

    def clean_period(self) -> Period:
        try:
            period = period_parse(self.cleaned_data["period"])
            period_check(period)
        except PeriodError as exc:
            raise forms.ValidationError(exc.message) from exc
        return period

    def county_region(self) -> Region:
        code = self.scope.county or self.cleaned_data["county"]
        return get_object_or_404(Region, code=code, level=Region.Level.COUNTY)


@sales_scope_required
@require_http_methods(["GET", "POST"])
def report_list(request):
    """The scope's reports, newest period first; POST generates or regenerates one."""
    scope = county_scope(request)
    if request.method == "POST":
        # A county outside the scope (another analyst's, or not a county) is a 404, as if it
        # did not exist, like the dashboard's filters.
        code = request.POST.get("county", "")
        if code and (not COUNTY_CODE.fullmatch(code) or scope_with_county(scope, code) is None):
            raise Http404("county outside the scope")
    form = ReportForm(request.POST if request.method == "POST" else None, scope=scope)
    if request.method == "POST" and form.is_valid():
        report = report_request(county=form.county_region(),
                                period=form.cleaned_data["period"], user=request.user)
        messages.success(request, _("已开始生成报表，完成后可下载。"))
        return redirect("sales-reports:detail", pk=report.pk)
    page = Paginator(reports_for_scope(scope), REPORTS_PER_PAGE).get_page(
        request.GET.get("page"))
    for report in page.object_list:
        report.period_label = period_of(report.period, report.first_day).label
    return render(request, "reporting/reports/report_list.html",
                  {"form": form, "page_obj": page})


def _report_or_404(request, pk: int) -> SalesReport:
    return get_object_or_404(reports_for_scope(county_scope(request)), pk=pk)


@sales_scope_required
@require_GET
def report_detail(request, pk: int):
    report = _report_or_404(request, pk)
    period = period_of(report.period, report.first_day)
    data = report.data if report.status == SalesReport.DONE else None
    return render(request, "reporting/reports/report_detail.html", {
        "report": report, "period": period, "status": status_json(report),
        "data": data, "indicators": indicator_rows(data) if data else [],
    })


def indicator_rows(data: dict) -> list[dict]:
    """The stored indicators as the page shows them (yuan, counts, percentages)."""
    from marketplace.reporting.report_pdf import _count, _money, _pct, _share

    show = {"fen": _money, "count": _count, "ratio": _share}
    return [{"label": item["label"], "value": show[item["unit"]](item["value"]),
             "mom": _pct(item["mom"]), "yoy": _pct(item["yoy"])}
            for item in data.get("indicators", [])]


def _period_key(report: SalesReport) -> str:
    return period_of(report.period, report.first_day).key


def status_json(report: SalesReport) -> dict:
    done = report.status == SalesReport.DONE
    return {
        "id": report.pk, "status": report.status, "status_display": report.get_status_display(),
        "progress": report.progress, "error": report.error, "done": done,
        "finished": report.status in (SalesReport.DONE, SalesReport.FAILED),
        "generated_at": report.generated_at.isoformat() if report.generated_at else None,
        "xlsx_url": reverse("sales-reports:xlsx", args=[report.pk])
        if done and report.xlsx else None,
        "pdf_url": reverse("sales-reports:pdf", args=[report.pk])
        if done and report.pdf else None,
    }


@never_cache
@sales_scope_required
@require_GET
def report_status(request, pk: int):
    return JsonResponse(status_json(_report_or_404(request, pk)))


def _download(request, pk: int, kind: str):
    report = _report_or_404(request, pk)
    stored = getattr(report, kind)
    if report.status != SalesReport.DONE or not stored:
        raise Http404("not generated yet")
    try:
        handle = stored.open("rb")
    except FileNotFoundError as exc:
        raise Http404("file missing") from exc
    response = FileResponse(handle, content_type=CONTENT_TYPES[kind])
    name = report_filename(report, kind)
    ascii_name = f"report-{report.county_id}-{_period_key(report)}.{kind}"
    response["Content-Disposition"] = (
        f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}")
    return response


@sales_scope_required
@require_GET
def report_xlsx(request, pk: int):
    return _download(request, pk, "xlsx")


@sales_scope_required
@require_GET
def report_pdf(request, pk: int):
    return _download(request, pk, "pdf")
