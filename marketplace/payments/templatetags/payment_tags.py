"""Refund sums for order pages, read from the (prefetched) Refund rows, never floats."""

from django import template

from marketplace.payments.money import from_fen

register = template.Library()


@register.filter
def refunded_total(refunds):
    """The yuan refunded by these refunds (an order's ``refunds.all``)."""
    return from_fen(sum(refund.amount_fen for refund in refunds))
