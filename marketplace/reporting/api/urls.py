"""The 数商兴农 report as JSON for the province's platform, served under /api/reports/."""

from django.urls import path

from marketplace.reporting.api.views import ReportView

app_name = "reports-api"

urlpatterns = [
    path("<str:county_code>/<str:period_key>/", ReportView.as_view(), name="report"),
]
