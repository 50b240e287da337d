"""Order and line status codes as buyers and staff read them (待付款, 已支付 …)."""

from django import template
from django.utils.translation import gettext_lazy as _

register = template.Library()

STATUS_LABELS = {
    "pending_payment": _("待付款"),
    "paid": _("已付款"),
    "processing": _("备货中"),
    "shipped": _("已发货"),
    "completed": _("已完成"),
    "partially_refunded": _("部分退款"),
    "refunded": _("已退款"),
    "cancelled": _("已取消"),
}


@register.filter
def status_label(code: str) -> str:
    """The label of a status code; an unknown code is shown as it is."""
    return STATUS_LABELS.get(code, code)
