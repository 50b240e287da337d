"""Hub dashboard (分拨中心): joint delivery runs, manifests, labels, SLA watch; under
/logistics/hub/."""

from django.urls import path  # noqa: F401  # the hub's routes are added here

app_name = "logistics-hub"
urlpatterns: list = []
