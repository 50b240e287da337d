"""URLs of the cooperative dashboard pages, served under /dashboard/cooperative/."""

from django.urls import path

from marketplace.cooperatives import views

app_name = "cooperative-dashboard"

urlpatterns = [
    path("stock/", views.stock_list, name="stock-list"),
    path("stock/<int:pk>/", views.stock_edit, name="stock-edit"),
]
