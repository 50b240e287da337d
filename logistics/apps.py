"""Logistics: county → town → village nodes, shipments and hand-over scans (issue 6)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LogisticsConfig(AppConfig):
    name = "logistics"
    label = "logistics"
    verbose_name = _("物流")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from oscar.core.loading import get_class

        from logistics import signals

        order_status_changed = get_class("order.signals", "order_status_changed")

        order_status_changed.connect(signals.order_paid_ship,
                                     dispatch_uid="logistics-order-paid-ship")
