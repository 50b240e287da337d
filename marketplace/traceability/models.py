"""Traceability data: harvest batches (采收批次), inputs, inspections, trace codes, scans."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from marketplace.traceability.codes import code_group


class HarvestBatch(models.Model):
    cooperative = models.ForeignKey(
        "cooperatives.Cooperative", on_delete=models.PROTECT, related_name="batches",
        verbose_name=_("合作社"),
    )
    product = models.ForeignKey(
        "catalogue.Product", on_delete=models.PROTECT, related_name="batches",
        verbose_name=_("商品"),
    )
    batch_number = models.CharField(_("批次号"), max_length=40)
    plot_region = models.ForeignKey(
        "regions.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("地块所在村镇"),
    )
    plot_description = models.CharField(_("地块"), max_length=200, blank=True)
    planted_on = models.DateField(_("种植日期"), null=True, blank=True)
    harvested_on = models.DateField(_("采收日期"))
    quantity = models.DecimalField(_("数量"), max_digits=12, decimal_places=2)
    unit = models.CharField(_("单位"), max_length=8)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", verbose_name=_("创建人"),
    )

    class Meta:
        ordering = ("-harvested_on", "-id")
        verbose_name = _("采收批次")
        verbose_name_plural = _("采收批次")
        constraints = [
            models.UniqueConstraint(
                fields=["cooperative", "batch_number"], name="trace_batch_number_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.batch_number


class InputRecord(models.Model):
    class Kind(models.TextChoices):
        FERTILISER = "fertiliser", _("肥料")
        PESTICIDE = "pesticide", _("农药")
        OTHER = "other", _("其他")

    batch = models.ForeignKey(
        HarvestBatch, on_delete=models.CASCADE, related_name="inputs", verbose_name=_("批次")
    )
    kind = models.CharField(_("类别"), max_length=16, choices=Kind.choices)
    name = models.CharField(_("名称"), max_length=100)
    registration_number = models.CharField(_("登记证号"), max_length=40, blank=True)
    amount = models.CharField(_("用量"), max_length=40)
    applied_on = models.DateField(_("施用日期"))
    safe_interval_days = models.PositiveSmallIntegerField(
        _("安全间隔期（天）"), null=True, blank=True
    )

    class Meta:
        ordering = ("applied_on", "id")
        verbose_name = _("投入品记录")
        verbose_name_plural = _("投入品记录")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.name}"

    @property
    def interval_problem(self) -> str:
        """A warning when the input was applied after harvest or inside its safe interval."""
        harvested_on = self.batch.harvested_on
        if self.applied_on is None or harvested_on is None:
            return ""
        if self.applied_on > harvested_on:
            return gettext("施用日期晚于采收日期")
        if self.safe_interval_days:
            days = (harvested_on - self.applied_on).days
            if self.applied_on + timedelta(days=self.safe_interval_days) > harvested_on:
                return gettext("采收距施药仅 %(days)d 天，少于安全间隔期 %(interval)d 天") % {
                    "days": days, "interval": self.safe_interval_days,
                }
        return ""


class Inspection(models.Model):
    class Kind(models.TextChoices):
        CERTIFICATE = "certificate", _("合格证")
        REPORT = "report", _("检测报告")

    class Result(models.TextChoices):
        PASS = "pass", _("合格")
        FAIL = "fail", _("不合格")

    batch = models.ForeignKey(
        HarvestBatch, on_delete=models.CASCADE, related_name="inspections",
        verbose_name=_("批次"),
    )
    kind = models.CharField(_("类别"), max_length=16, choices=Kind.choices)
    number = models.CharField(_("编号"), max_length=64, blank=True)
    issuer = models.CharField(_("出具单位"), max_length=128)
    inspected_on = models.DateField(_("检测日期"))
    result = models.CharField(_("结果"), max_length=8, choices=Result.choices)
    document = models.FileField(_("文件"), upload_to="trace/inspections/", blank=True)

    class Meta:
        ordering = ("inspected_on", "id")
        verbose_name = _("检测记录")
        verbose_name_plural = _("检测记录")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number}"


class TraceCode(models.Model):
    code = models.CharField(_("溯源码"), max_length=16, unique=True)
    batch = models.ForeignKey(
        HarvestBatch, on_delete=models.PROTECT, related_name="codes", verbose_name=_("批次")
    )
    serial = models.PositiveIntegerField(_("序号"))
    order_line = models.ForeignKey(
        "order.Line", null=True, blank=True, on_delete=models.PROTECT,
        related_name="trace_codes", verbose_name=_("订单行"),
    )
    bound_at = models.DateTimeField(_("绑定时间"), null=True, blank=True)
    bound_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", verbose_name=_("绑定人"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        ordering = ("batch", "serial")
        verbose_name = _("溯源码")
        verbose_name_plural = _("溯源码")
        constraints = [
            models.UniqueConstraint(fields=["batch", "serial"], name="trace_code_serial_unique"),
        ]

    def __str__(self) -> str:
        return self.grouped

    @property
    def grouped(self) -> str:
        return code_group(self.code)


class LineBatch(models.Model):
    order_line = models.ForeignKey(
        "order.Line", on_delete=models.CASCADE, related_name="trace_batches",
        verbose_name=_("订单行"),
    )
    batch = models.ForeignKey(
        HarvestBatch, on_delete=models.PROTECT, related_name="line_links",
        verbose_name=_("批次"),
    )
    bound_at = models.DateTimeField(_("绑定时间"), auto_now_add=True)
    bound_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", verbose_name=_("绑定人"),
    )

    class Meta:
        verbose_name = _("订单行批次")
        verbose_name_plural = _("订单行批次")
        constraints = [
            models.UniqueConstraint(
                fields=["order_line", "batch"], name="trace_line_batch_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order_line_id} / {self.batch_id}"


class CodeScan(models.Model):
    code = models.ForeignKey(
        TraceCode, on_delete=models.CASCADE, related_name="scans", verbose_name=_("溯源码")
    )
    scanned_at = models.DateTimeField(_("扫码时间"), auto_now_add=True, db_index=True)
    # A keyed hash of the client's network (/24 or /48), never the address itself.
    place = models.CharField(_("网络位置摘要"), max_length=64)

    class Meta:
        ordering = ("scanned_at", "id")
        verbose_name = _("扫码记录")
        verbose_name_plural = _("扫码记录")

    def __str__(self) -> str:
        return f"{self.code_id} @ {self.scanned_at}"
