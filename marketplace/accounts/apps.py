"""Accounts: the project's user model (Oscar's AbstractUser with a phone number)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "marketplace.accounts"
    label = "accounts"
    verbose_name = _("用户")
    default_auto_field = "django.db.models.AutoField"
