"""Public parcel tracking, served under /track/."""

from django.urls import path  # noqa: F401  # tracking routes are added here

app_name = "track"
urlpatterns: list = []
