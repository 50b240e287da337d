"""Public cooperative pages."""

from django.urls import path

from marketplace.cooperatives import public_views

app_name = "cooperatives"
urlpatterns = [path("<slug:slug>/", public_views.cooperative_detail, name="detail")]
