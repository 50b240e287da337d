"""The 数商兴农 report as JSON for the province's platform, served under /api/reports/."""

from django.urls import path  # noqa: F401

app_name = "reports-api"

urlpatterns: list = []
