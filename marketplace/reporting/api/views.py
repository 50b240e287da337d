"""The 数商兴农 report as JSON for the province's platform (/api/reports/<county>/<period>/).

The figures of reports.report_data: those of the generated report when there is one (what
the county submitted), else computed from the fact tables. Session authentication like the
rest of the API: anonymous callers get 403, signed-in users who read no county figures
(buyers, cooperative staff) 403, a county outside the caller's scope 404, a malformed,
future or unfinished period 400 with the reason.
"""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import translation
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.exceptions import NotAuthenticated, PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from marketplace.regions.models import Region
from marketplace.reporting.api.serializers import ReportSerializer
from marketplace.reporting.models import SalesReport
from marketplace.reporting.reports import (
    COUNTY_CODE,
    REPORT_LANGUAGE,
    PeriodError,
    period_check,
    period_parse,
    report_data,
)
from marketplace.reporting.selectors import scope_for_user, scope_with_county


class ReportView(APIView):
    @extend_schema(
        summary="A county's 数商兴农 report of a month or quarter",
        parameters=[
            OpenApiParameter("county_code", OpenApiTypes.STR, OpenApiParameter.PATH,
                             description="12-digit county code, e.g. 331123000000"),
            OpenApiParameter("period_key", OpenApiTypes.STR, OpenApiParameter.PATH,
                             description="2026-10 (a month) or 2026-Q3 (a quarter)"),
        ],
        responses={200: ReportSerializer,
                   400: OpenApiResponse(description='{"detail": "…"}: bad, future or '
                                                    "unfinished period"),
                   403: OpenApiResponse(description="not signed in, or no county figures"),
                   404: OpenApiResponse(description="county outside the caller's scope")},
    )
    def get(self, request, county_code: str, period_key: str):
        if not request.user.is_authenticated:
            raise NotAuthenticated()
        scope = scope_for_user(request.user)
        if scope is None or scope.is_cooperative:
            raise PermissionDenied()
        if not COUNTY_CODE.fullmatch(county_code) or scope_with_county(scope, county_code) is None:
            raise Http404("county outside the scope")
        county = get_object_or_404(Region, code=county_code, level=Region.Level.COUNTY)
        try:
            period = period_parse(period_key)
            period_check(period)
        except PeriodError as exc:
            return Response({"detail": exc.message}, status=400)
        stored = (SalesReport.objects.filter(county=county, period=period.kind,
                                             first_day=period.first,
                                             status=SalesReport.DONE)
                  .exclude(data=None).only("data", "generated_at").first())
        if stored is not None:
            data = {**stored.data, "source": "stored",
                    "generated_at": stored.generated_at.isoformat()
                    if stored.generated_at else None}
        else:
            with translation.override(REPORT_LANGUAGE):
                data = {**report_data(county, period.kind, period.first), "source": "live",
                        "generated_at": None}
        return Response(data)
