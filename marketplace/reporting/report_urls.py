"""URLs of the 数商兴农 reports, served under /dashboard/sales/reports/."""

from django.urls import path  # noqa: F401

app_name = "sales-reports"

urlpatterns: list = []
