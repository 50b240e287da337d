"""Station console (站点操作台) for node operators, served under /logistics/."""

from django.urls import path  # noqa: F401  # the console's routes are added here

app_name = "logistics-station"
urlpatterns: list = []
