"""Daily sales facts: the only table the sales dashboards and the 数商兴农 report read."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class SalesFact(models.Model):
    """Sales of one local day (Asia/Shanghai) by cooperative × category × live session (none:
    the storefront) × buyer county and town. Money in fen. See services.py for the rules."""

    day = models.DateField(_("日期"))
    cooperative = models.ForeignKey(
        "cooperatives.Cooperative", null=True, on_delete=models.DO_NOTHING,
        db_constraint=False, related_name="+", verbose_name=_("合作社"))
    category = models.ForeignKey(
        "catalogue.Category", null=True, on_delete=models.DO_NOTHING, db_constraint=False,
        related_name="+", verbose_name=_("品类"))
    live_session = models.ForeignKey(
        "livestream.LiveSession", null=True, on_delete=models.DO_NOTHING,
        db_constraint=False, related_name="+", verbose_name=_("直播场次"))
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
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.cooperative_id}/{self.category_id}: {self.gmv_fen}"

    @property
    def net_fen(self) -> int:
        return self.gmv_fen - self.refund_fen


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
