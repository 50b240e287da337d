"""Regions: China's administrative divisions, province → city → county → town → village."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegionsConfig(AppConfig):
    name = "marketplace.regions"
    label = "regions"
    verbose_name = _("行政区划")
    default_auto_field = "django.db.models.AutoField"
