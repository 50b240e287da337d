"""The marker that makes recording an order's analytics happen at most once."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class RecordedOrder(models.Model):
    """One row per order whose purchases are counted in Oscar's analytics tables.

    Written in the same transaction as the counter increments, so a task that is killed
    half-way leaves neither, and a task that runs twice finds the row and does nothing.
    """

    order = models.OneToOneField(
        "order.Order", on_delete=models.CASCADE, related_name="+", verbose_name=_("订单")
    )
    recorded_at = models.DateTimeField(_("统计时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("已统计订单")
        verbose_name_plural = _("已统计订单")

    def __str__(self) -> str:
        return str(self.order_id)
