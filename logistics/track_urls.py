"""Public parcel tracking, served under /track/."""

from django.urls import path

from logistics import track_views

app_name = "track"
urlpatterns = [
    path("", track_views.index, name="index"),
    path("<str:code>/", track_views.parcel, name="parcel"),
]
