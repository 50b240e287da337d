"""Daily sales facts: the only table the sales dashboards and the 数商兴农 report read."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SalesFact(models.Model):
    """Sales of one local day (Asia/Shanghai) by product (with its cooperative and primary
    category) × live session (none: the storefront) × buyer county and town. The cooperative's
    county and town (origin_*) and its poverty-area flag are copied in, so the dashboards
    scope and group without joins. Money in fen. See services.py for the rules."""

    day = models.DateField(_("日期"))
    product = models.ForeignKey(
        "catalogue.Product", null=True, on_delete=models.DO_NOTHING, db_constraint=False,
        related_name="+", verbose_name=_("商品"))
    cooperative = models.ForeignKey(
        "cooperatives.Cooperative", null=True, on_delete=models.DO_NOTHING,
        db_constraint=False, related_name="+", verbose_name=_("合作社"))
    category = models.ForeignKey(
        "catalogue.Category", null=True, on_delete=models.DO_NOTHING, db_constraint=False,
        related_name="+", verbose_name=_("品类"))
    live_session = models.ForeignKey(
        "livestream.LiveSession", null=True, on_delete=models.DO_NOTHING,
        db_constraint=False, related_name="+", verbose_name=_("直播场次"))
    origin_county = models.CharField(_("产地县"), max_length=12, blank=True)
    origin_town = models.CharField(_("产地乡镇"), max_length=12, blank=True)
    poverty_area = models.BooleanField(_("脱贫地区"), default=False)
    buyer_county = models.CharField(_("买家所在县"), max_length=12, blank=True)
    buyer_town = models.CharField(_("买家所在乡镇"), max_length=12, blank=True)
    gmv_fen = models.BigIntegerField(_("成交额（分）"))
    refund_fen = models.BigIntegerField(_("退款额（分）"))
    orders = models.IntegerField(_("订单数"))
    units = models.IntegerField(_("件数"))
    buyers = models.IntegerField(_("买家数"))

    class Meta:
        verbose_name = _("销售日事实")
        verbose_name_plural = _("销售日事实")
        indexes = [
            models.Index(fields=["day", "cooperative"], name="salesfact_day_coop"),
            models.Index(fields=["day", "buyer_town"], name="salesfact_day_town"),
            models.Index(fields=["origin_county", "day"], name="salesfact_county_day"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.cooperative_id}/{self.category_id}: {self.gmv_fen}"

    @property
    def net_fen(self) -> int:
        return self.gmv_fen - self.refund_fen


class SalesRollup(models.Model):
    """SalesFact of a day summed without the product and the buyer's region: day ×
    cooperative × category × live session × origin county/town × poverty-area flag. Every
    dashboard figure but top products reads it (a few rows per cooperative and day instead
    of about one per order line). Built with the day's SalesFact in the same transaction, so
    the two always agree; ``orders`` is the sum of SalesFact.orders (row-level counts, as the
    series show them), distinct orders of a period come from OrderFact."""

    day = models.DateField(_("日期"))
    # No index per foreign key: the planner took the live_session_id one to skip a sort and
    # read every live row of every day (108 ms for 30 days against 14 ms by the day index).
    cooperative = models.ForeignKey(
        "cooperatives.Cooperative", null=True, on_delete=models.DO_NOTHING,
        db_constraint=False, db_index=False, related_name="+", verbose_name=_("合作社"))
    category = models.ForeignKey(
        "catalogue.Category", null=True, on_delete=models.DO_NOTHING, db_constraint=False,
        db_index=False, related_name="+", verbose_name=_("品类"))
    live_session = models.ForeignKey(
        "livestream.LiveSession", null=True, on_delete=models.DO_NOTHING,
        db_constraint=False, db_index=False, related_name="+", verbose_name=_("直播场次"))
    origin_county = models.CharField(_("产地县"), max_length=12, blank=True)
    origin_town = models.CharField(_("产地乡镇"), max_length=12, blank=True)
    poverty_area = models.BooleanField(_("脱贫地区"), default=False)
    gmv_fen = models.BigIntegerField(_("成交额（分）"))
    refund_fen = models.BigIntegerField(_("退款额（分）"))
    orders = models.IntegerField(_("订单数"))
    units = models.IntegerField(_("件数"))
    # Distinct orders that add up: each counts the orders of the day whose first OrderFact
    # row (by order and the named dimensions) falls in this row, so summing a column over the
    # rows of a scope, grouped by its dimension, gives exact distinct orders, provided no
    # filter (town, category, channel, a cooperative scope) splits an order's rows.
    # *_county: within the origin county (a county scope); the others: every county.
    orders_all = models.IntegerField(_("订单数（去重）"), default=0)
    orders_county = models.IntegerField(_("订单数（县内去重）"), default=0)
    orders_coop = models.IntegerField(_("订单数（按合作社去重）"), default=0)
    orders_town = models.IntegerField(_("订单数（按乡镇去重）"), default=0)
    orders_category = models.IntegerField(_("订单数（按品类去重）"), default=0)
    orders_category_county = models.IntegerField(_("订单数（县内按品类去重）"), default=0)
    orders_session = models.IntegerField(_("订单数（按直播场次去重）"), default=0)
    orders_session_county = models.IntegerField(_("订单数（县内按直播场次去重）"), default=0)

    class Meta:
        verbose_name = _("销售日汇总")
        verbose_name_plural = _("销售日汇总")
        indexes = [
            models.Index(fields=["day", "cooperative"], name="salesrollup_day_coop"),
            models.Index(fields=["origin_county", "day"], name="salesrollup_county_day"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.cooperative_id}/{self.category_id}: {self.gmv_fen}"


class OrderFact(models.Model):
    """The orders of a day by the dimensions the dashboards filter on (one row per order ×
    cooperative × category × channel): distinct orders and buyers of a period are counted
    here (an order of two products is one order, a buyer of two days is one buyer), since
    SalesFact.orders and .buyers do not add up across rows. ``buyer`` is empty for guests."""

    day = models.DateField(_("日期"))
    order = models.ForeignKey(
        "order.Order", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+",
        verbose_name=_("订单"))
    buyer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.DO_NOTHING, db_constraint=False,
        related_name="+", verbose_name=_("买家"))
    cooperative = models.ForeignKey(
        "cooperatives.Cooperative", null=True, on_delete=models.DO_NOTHING,
        db_constraint=False, related_name="+", verbose_name=_("合作社"))
    category = models.ForeignKey(
        "catalogue.Category", null=True, on_delete=models.DO_NOTHING, db_constraint=False,
        related_name="+", verbose_name=_("品类"))
    live_session = models.ForeignKey(
        "livestream.LiveSession", null=True, on_delete=models.DO_NOTHING,
        db_constraint=False, related_name="+", verbose_name=_("直播场次"))
    origin_county = models.CharField(_("产地县"), max_length=12, blank=True)
    origin_town = models.CharField(_("产地乡镇"), max_length=12, blank=True)

    class Meta:
        verbose_name = _("订单日事实")
        verbose_name_plural = _("订单日事实")
        indexes = [models.Index(fields=["origin_county", "day"], name="orderfact_county_day"),
                   models.Index(fields=["day", "cooperative"], name="orderfact_day_coop")]

    def __str__(self) -> str:
        return f"{self.day} {self.order_id}"


class AnalystScope(models.Model):
    """An analyst or county official and the county whose figures they read (read-only)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="analyst_scope", verbose_name=_("用户"))
    county = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("县（区）"))

    class Meta:
        verbose_name = _("数据分析范围")
        verbose_name_plural = _("数据分析范围")

    def __str__(self) -> str:
        return f"{self.user} → {self.county_id}"


class SalesReport(models.Model):
    """A 数商兴农 report of one county and period (a month or a quarter), as XLSX and PDF.
    Regenerating replaces the files of the same row."""

    MONTH, QUARTER = "month", "quarter"
    PERIOD_CHOICES = [(MONTH, _("月报")), (QUARTER, _("季报"))]
    PENDING, RUNNING, DONE, FAILED = "pending", "running", "done", "failed"
    STATUS_CHOICES = [(PENDING, _("排队中")), (RUNNING, _("生成中")), (DONE, _("已生成")),
                      (FAILED, _("失败"))]

    county = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("县（区）"))
    period = models.CharField(_("周期"), max_length=8, choices=PERIOD_CHOICES, default=MONTH)
    first_day = models.DateField(_("开始日期"))
    last_day = models.DateField(_("结束日期"))
    status = models.CharField(_("状态"), max_length=8, choices=STATUS_CHOICES,
                              default=PENDING)
    progress = models.PositiveSmallIntegerField(_("进度（%）"), default=0)
    error = models.CharField(_("错误"), max_length=300, blank=True)
    xlsx = models.FileField(_("XLSX 文件"), upload_to="reports/", blank=True)
    pdf = models.FileField(_("PDF 文件"), upload_to="reports/", blank=True)
    data = models.JSONField(_("报表数据"), null=True, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    generated_at = models.DateTimeField(_("生成时间"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("数商兴农报表")
        verbose_name_plural = _("数商兴农报表")
        ordering = ["-first_day", "county_id"]
        constraints = [models.UniqueConstraint(fields=["county", "period", "first_day"],
                                               name="salesreport_one_per_period")]

    def __str__(self) -> str:
        return f"{self.county_id} {self.period} {self.first_day}"


class FactDay(models.Model):
    """When a day's facts were last built; its row is locked while the day is rebuilt, so two
    builds of one day never interleave."""

    day = models.DateField(_("日期"), primary_key=True)
    built_at = models.DateTimeField(_("生成时间"), null=True)
    rows = models.IntegerField(_("行数"), default=0)

    class Meta:
        verbose_name = _("已生成日期")
        verbose_name_plural = _("已生成日期")

    def __str__(self) -> str:
        return f"{self.day} ({self.rows})"
