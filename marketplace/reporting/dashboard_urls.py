"""URLs of the sales dashboard, served under /dashboard/sales/."""

from django.urls import path  # noqa: F401

app_name = "sales-dashboard"

urlpatterns: list = []
