"""Livestream sales (直播带货): sessions, their shoppable items, pins, comments, flash stock."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LivestreamConfig(AppConfig):
    name = "marketplace.livestream"
    label = "livestream"
    verbose_name = _("直播带货")
    default_auto_field = "django.db.models.BigAutoField"
