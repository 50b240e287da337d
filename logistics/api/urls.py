"""API for station apps (DRF), served under /api/logistics/."""

from django.urls import path

from logistics.api import views

app_name = "logistics-api"
urlpatterns = [
    path("nodes/", views.NodeListView.as_view(), name="nodes"),
    path("nodes/<int:node_id>/parcels/", views.ParcelListView.as_view(), name="node-parcels"),
    path("nodes/<int:node_id>/scans/", views.ScanBatchView.as_view(), name="node-scans"),
    path("nodes/<int:node_id>/temperatures/", views.TemperatureBatchView.as_view(),
         name="node-temperatures"),
]
