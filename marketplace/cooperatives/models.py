"""A cooperative's profile beside its Oscar partner, its certifications and its followers."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from marketplace.validators import validate_phone, validate_uscc


class Cooperative(models.Model):
    """农民专业合作社: sells through the Oscar partner it is tied to."""

    partner = models.OneToOneField(
        "partner.Partner", on_delete=models.CASCADE, related_name="cooperative",
        verbose_name=_("Oscar 商家"),
    )
    slug = models.SlugField(_("网址标识"), max_length=64, unique=True)
    legal_name = models.CharField(_("登记名称"), max_length=128)
    credit_code = models.CharField(
        _("统一社会信用代码"), max_length=18, unique=True, validators=[validate_uscc]
    )
    village = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("所在村")
    )
    contact_phone = models.CharField(_("联系电话"), max_length=20, validators=[validate_phone])
    description = models.TextField(_("简介"), blank=True)
    logo = models.ImageField(_("标志"), upload_to="cooperatives/logos/", blank=True)
    member_households = models.PositiveIntegerField(_("带动农户数"), default=0)
    poverty_area = models.BooleanField(
        _("脱贫地区"), default=False, help_text=_("位于脱贫县（原国家级贫困县）的合作社")
    )
    created = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        ordering = ("legal_name",)
        verbose_name = _("合作社")
        verbose_name_plural = _("合作社")

    def __str__(self) -> str:
        return self.legal_name


class Certification(models.Model):
    """A certificate a cooperative holds: 绿色食品, 有机, 地理标志 or 合格证."""

    class Kind(models.TextChoices):
        GREEN = "green", _("绿色食品")
        ORGANIC = "organic", _("有机产品")
        GEOGRAPHICAL = "gi", _("地理标志")
        COMPLIANCE = "compliance", _("食用农产品合格证")

    cooperative = models.ForeignKey(
        Cooperative, on_delete=models.CASCADE, related_name="certifications",
        verbose_name=_("合作社"),
    )
    kind = models.CharField(_("类别"), max_length=16, choices=Kind.choices)
    number = models.CharField(_("证书编号"), max_length=64)
    issuer = models.CharField(_("发证机构"), max_length=128)
    valid_until = models.DateField(_("有效期至"))

    class Meta:
        ordering = ("kind", "valid_until")
        verbose_name = _("认证")
        verbose_name_plural = _("认证")
        constraints = [
            models.UniqueConstraint(fields=["kind", "number"], name="uniq_certification_number")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number}"

    def is_valid(self, today: datetime.date | None = None) -> bool:
        today = today or timezone.localdate()
        return self.valid_until >= today

    is_valid.boolean = True


class Follow(models.Model):
    """A buyer follows a cooperative (关注合作社): told before each of its live sessions."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="cooperative_follows",
        verbose_name=_("用户"),
    )
    cooperative = models.ForeignKey(
        Cooperative, on_delete=models.CASCADE, related_name="follows", verbose_name=_("合作社")
    )
    created_at = models.DateTimeField(_("关注时间"), auto_now_add=True)

    class Meta:
        ordering = ("-created_at", "-pk")
        verbose_name = _("关注")
        verbose_name_plural = _("关注")
        constraints = [
            models.UniqueConstraint(fields=["user", "cooperative"], name="follow_once"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.cooperative_id}"
