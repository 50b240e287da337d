"""Order and line status codes as buyers and staff read them (待付款, 已支付 …)."""

from django import template
from django.utils.translation import gettext_lazy as _

register = template.Library()

STATUS_LABELS = {
    "pending_payment": _("待付款"),
    "paid": _("已付款"),
    "processing": _("备货中"),
    "shipped": _("已发货"),
    "delivered": _("已送达"),
    "completed": _("已完成"),
    "partially_refunded": _("部分退款"),
    "refunded": _("已退款"),
    "cancelled": _("已取消"),
}


@register.filter
def status_label(code: str) -> str:
    """The label of a status code; an unknown code is shown as it is."""
    return STATUS_LABELS.get(code, code)


class _StatusLabelled:
    """An order whose ``status`` reads as its label; everything else is the order's own."""

    def __init__(self, order):
        self._order = order
        self.status_code = order.status
        self.status = status_label(order.status)

    def __getattr__(self, name):
        return getattr(self._order, name)


@register.filter
def status_labelled(order):
    """For templates of Oscar that print ``order.status`` as it is stored."""
    return _StatusLabelled(order) if order is not None else order
