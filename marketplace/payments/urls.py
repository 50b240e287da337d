"""URLs of payments, served under /payments/."""

from django.urls import path

from marketplace.payments import views

app_name = "payments"

urlpatterns = [
    path("pay/<str:number>/", views.pay, name="pay"),
    path("return/<str:number>/", views.payment_return, name="return"),
    path("status/<str:number>/", views.payment_status, name="status"),
    path("webhooks/stripe/", views.stripe_webhook, name="stripe-webhook"),
]
