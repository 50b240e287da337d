"""Demo data: ``manage.py seed_demo`` builds the demo county 遂昌县 for trying the marketplace."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    name = "marketplace.demo"
    label = "demo"
    verbose_name = _("演示数据")
    default_auto_field = "django.db.models.AutoField"
