"""The user model: Oscar's AbstractUser (email login) plus a mainland mobile number."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from oscar.apps.customer.abstract_models import AbstractUser

from marketplace.validators import validate_mobile_phone


class User(AbstractUser):
    phone = models.CharField(
        _("手机号"), max_length=11, blank=True, validators=[validate_mobile_phone]
    )

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
