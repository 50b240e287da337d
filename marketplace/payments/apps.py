"""Payments: provider interface, the local sandbox, and (later) Stripe."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PaymentsConfig(AppConfig):
    name = "marketplace.payments"
    label = "payments"
    verbose_name = _("支付")
    default_auto_field = "django.db.models.AutoField"
