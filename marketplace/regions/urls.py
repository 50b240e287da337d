"""Region picker endpoints."""

from django.urls import path

from marketplace.regions import views

app_name = "regions"
urlpatterns = [
    path("children/", views.children, name="children"),
]
