"""CMS: Wagtail pages around the products (home page, stories, festivals, articles)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CmsConfig(AppConfig):
    name = "cms"
    label = "cms"
    verbose_name = _("内容")
    default_auto_field = "django.db.models.AutoField"
