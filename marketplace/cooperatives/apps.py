"""Cooperatives (农民合作社): an Oscar partner plus its profile, certifications and staff."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CooperativesConfig(AppConfig):
    name = "marketplace.cooperatives"
    label = "cooperatives"
    verbose_name = _("合作社")
    default_auto_field = "django.db.models.AutoField"
