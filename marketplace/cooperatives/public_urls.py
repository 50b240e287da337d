"""Public cooperative pages."""

from django.urls import path

from marketplace.cooperatives import public_views

app_name = "cooperatives"
urlpatterns = [
    path("<slug:slug>/", public_views.cooperative_detail, name="detail"),
    path("<slug:slug>/follow/", public_views.follow, name="follow"),
    path("<slug:slug>/unfollow/", public_views.unfollow, name="unfollow"),
]
