"""Live sessions, their items at live prices with flash stock, pin history and comments.

Counters that buyers race for (an item's flash units sold, one buyer's units of an item)
change only through guarded UPDATEs in services.py; the check constraints here are the
database's last word that they never pass their limits.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class LiveSession(models.Model):
    """One broadcast (一场直播): the video comes from an external HLS stream."""

    SCHEDULED = "scheduled"
    LIVE = "live"
    ENDED = "ended"
    CANCELLED = "cancelled"
    STATUS_CHOICES = [
        (SCHEDULED, _("预告")),
        (LIVE, _("直播中")),
        (ENDED, _("已结束")),
        (CANCELLED, _("已取消")),
    ]

    title = models.CharField(_("标题"), max_length=120)
    slug = models.SlugField(_("网址标识"), max_length=80, unique=True)
    cooperatives = models.ManyToManyField(
        "cooperatives.Cooperative", related_name="live_sessions", verbose_name=_("合作社")
    )
    host = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="hosted_sessions",
        verbose_name=_("主播"),
    )
    description = models.TextField(_("简介"), blank=True)
    cover = models.ImageField(_("封面"), upload_to="live/covers/", blank=True)
    scheduled_start = models.DateTimeField(_("计划开始"))
    scheduled_end = models.DateTimeField(_("计划结束"))
    hls_url = models.URLField(_("直播流地址（HLS）"), max_length=500)
    replay_url = models.URLField(_("回放地址"), max_length=500, blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=STATUS_CHOICES,
                              default=SCHEDULED)
    started_at = models.DateTimeField(_("开播时间"), null=True, blank=True)
    ended_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-scheduled_start",)
        verbose_name = _("直播场次")
        verbose_name_plural = _("直播场次")
        constraints = [
            models.CheckConstraint(condition=Q(scheduled_end__gt=F("scheduled_start")),
                                   name="live_session_ends_after_start"),
        ]

    def __str__(self) -> str:
        return self.title


class SessionItem(models.Model):
    """A product on sale in a session at its live price, with units set aside (秒杀库存)."""

    session = models.ForeignKey(LiveSession, on_delete=models.CASCADE, related_name="items",
                                verbose_name=_("直播场次"))
    product = models.ForeignKey("catalogue.Product", on_delete=models.PROTECT,
                                related_name="live_items", verbose_name=_("商品"))
    live_price = models.DecimalField(_("直播价"), max_digits=12, decimal_places=2)
    flash_quantity = models.PositiveIntegerField(_("直播专享数量"))
    flash_sold = models.PositiveIntegerField(_("已售"), default=0)
    # 0: no limit per buyer.
    per_buyer_limit = models.PositiveSmallIntegerField(_("每人限购"), default=0)
    display_order = models.PositiveSmallIntegerField(_("排序"), default=0)
    flash_ends_at = models.DateTimeField(_("秒杀截止"), null=True, blank=True)
    # "Buy now" presses (加购次数), counted with F() by basket_add_live_item.
    basket_adds = models.PositiveIntegerField(_("加购次数"), default=0)

    class Meta:
        ordering = ("display_order", "pk")
        verbose_name = _("直播商品")
        verbose_name_plural = _("直播商品")
        constraints = [
            models.UniqueConstraint(fields=["session", "product"], name="live_item_once"),
            models.CheckConstraint(condition=Q(live_price__gt=0), name="live_price_positive"),
            models.CheckConstraint(condition=Q(flash_sold__lte=F("flash_quantity")),
                                   name="live_item_never_oversold"),
        ]

    def __str__(self) -> str:
        return f"{self.session_id}: {self.product_id} ¥{self.live_price}"

    @property
    def units_left(self) -> int:
        return self.flash_quantity - self.flash_sold


class PinEvent(models.Model):
    """An item shown on camera (讲解中) from ``pinned_at`` until ``unpinned_at``: the
    history gives the replay its chapters."""

    session = models.ForeignKey(LiveSession, on_delete=models.CASCADE,
                                related_name="pin_events")
    item = models.ForeignKey(SessionItem, on_delete=models.CASCADE, related_name="pin_events")
    pinned_at = models.DateTimeField()
    unpinned_at = models.DateTimeField(null=True, blank=True)
    pinned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                  null=True, blank=True, related_name="+")

    class Meta:
        ordering = ("pinned_at", "pk")
        verbose_name = _("讲解记录")
        verbose_name_plural = _("讲解记录")
        constraints = [
            models.UniqueConstraint(fields=["session"], condition=Q(unpinned_at__isnull=True),
                                    name="one_pinned_item_per_session"),
        ]

    def __str__(self) -> str:
        return f"{self.item_id} @ {self.pinned_at:%H:%M:%S}"


class Comment(models.Model):
    session = models.ForeignKey(LiveSession, on_delete=models.CASCADE, related_name="comments")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="+")
    text = models.CharField(_("评论"), max_length=200)
    hidden = models.BooleanField(_("已隐藏"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-created_at", "-pk")
        verbose_name = _("评论")
        verbose_name_plural = _("评论")
        indexes = [models.Index(fields=["session", "-created_at"])]

    def __str__(self) -> str:
        return self.text[:20]


class SessionViewer(models.Model):
    """A distinct viewer of a session (signed-in user id or an anonymous browser key),
    written at the first heartbeat only: conversion = buyers / distinct viewers."""

    session = models.ForeignKey(LiveSession, on_delete=models.CASCADE, related_name="viewers")
    viewer_key = models.CharField(max_length=64)
    first_seen = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["session", "viewer_key"], name="viewer_once"),
        ]

    def __str__(self) -> str:
        return f"{self.session_id}/{self.viewer_key}"


class BuyerQuota(models.Model):
    """Units of one session item one buyer holds (for the per-buyer limit, 每人限购)."""

    item = models.ForeignKey(SessionItem, on_delete=models.CASCADE, related_name="quotas")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="+")
    quantity = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["item", "user"], name="buyer_quota_once"),
        ]

    def __str__(self) -> str:
        return f"{self.item_id}/{self.user_id}: {self.quantity}"


class Reminder(models.Model):
    """A buyer is told when the session starts (开播提醒), once: because they pressed
    "remind me", or because they follow one of its cooperatives (rows made when it is due)."""

    BUTTON = "button"
    FOLLOW = "follow"
    VIA_CHOICES = [(BUTTON, _("开播提醒按钮")), (FOLLOW, _("关注的合作社"))]

    session = models.ForeignKey(LiveSession, on_delete=models.CASCADE, related_name="reminders")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="+")
    via = models.CharField(_("来源"), max_length=8, choices=VIA_CHOICES, default=BUTTON)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["session", "user"], name="reminder_once"),
        ]

    def __str__(self) -> str:
        return f"{self.session_id}/{self.user_id}"
