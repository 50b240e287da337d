"""Public trace pages of 一品一码 codes, served under /t/ (the address printed in the QR)."""

from django.urls import path

from marketplace.traceability import public_views

app_name = "trace"
urlpatterns = [
    path("", public_views.index, name="index"),
    path("<str:code>/", public_views.code, name="code"),
    path("<str:code>/qr.png", public_views.qr, {"kind": "png"}, name="qr-png"),
    path("<str:code>/qr.svg", public_views.qr, {"kind": "svg"}, name="qr-svg"),
]
