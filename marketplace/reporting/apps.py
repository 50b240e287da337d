"""App config of sales reporting (数商兴农). Label ``reporting``: Oscar owns ``analytics``."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportingConfig(AppConfig):
    name = "marketplace.reporting"
    label = "reporting"
    verbose_name = _("销售报表")
    default_auto_field = "django.db.models.BigAutoField"
