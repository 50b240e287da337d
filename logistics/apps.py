"""Logistics: county → town → village nodes, shipments and hand-over scans (issue 6)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LogisticsConfig(AppConfig):
    name = "logistics"
    label = "logistics"
    verbose_name = _("物流")
    default_auto_field = "django.db.models.AutoField"
