"""Traceability (一品一码): harvest batches, inputs, inspections and per-item trace codes."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TraceabilityConfig(AppConfig):
    name = "marketplace.traceability"
    label = "traceability"
    verbose_name = _("一品一码溯源")
    default_auto_field = "django.db.models.AutoField"
