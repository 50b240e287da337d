"""Dashboard URLs of payments (refunds), served under /dashboard/refunds/."""

from django.urls import path

from marketplace.payments import dashboard_views

app_name = "payments-dashboard"

urlpatterns = [
    path("<str:order_number>/", dashboard_views.refund, name="refund"),
]
