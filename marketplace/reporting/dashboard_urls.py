"""URLs of the sales dashboard, served under /dashboard/sales/."""

from django.urls import path

from marketplace.reporting import exports, views

app_name = "sales-dashboard"

urlpatterns = [
    path("", views.index, name="index"),
    path("data/", views.data, name="data"),
    path("export/<slug:table>.<slug:fmt>", exports.export, name="export"),
]
