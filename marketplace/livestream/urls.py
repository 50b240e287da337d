"""Public live pages, served under /live/."""

from django.urls import path

from marketplace.livestream import views

app_name = "livestream"

urlpatterns = [
    path("", views.index, name="index"),
    path("<slug:slug>/", views.detail, name="detail"),
    path("<slug:slug>/state.json", views.state, name="state"),
    path("<slug:slug>/heartbeat", views.heartbeat, name="heartbeat"),
    path("<slug:slug>/buy/<int:item_id>/", views.buy, name="buy"),
    path("<slug:slug>/comments/", views.comment, name="comment"),
    path("<slug:slug>/remind/", views.remind, name="remind"),
]
