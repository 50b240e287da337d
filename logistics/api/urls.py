"""API for station apps (DRF), served under /api/logistics/."""

from django.urls import path  # noqa: F401  # API routes are added here

app_name = "logistics-api"
urlpatterns: list = []
