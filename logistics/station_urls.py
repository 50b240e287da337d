"""Station console (站点操作台) for node operators, served under /logistics/."""

from django.urls import path

from logistics import station_views

app_name = "logistics-station"
urlpatterns = [
    path("", station_views.index, name="index"),
    path("n/<int:node_id>/", station_views.console, name="console"),
    path("n/<int:node_id>/p/<str:code>/", station_views.parcel, name="parcel"),
]
