"""Template tags that let the core's templates show logistics without importing it: the
buyer's order page loads this library to list the order's parcels."""

from __future__ import annotations

from django import template

from logistics import tracking

register = template.Library()


@register.inclusion_tag("logistics/track/_order_parcels.html")
def order_parcels(order):
    """Each parcel of ``order`` with its code (linked to /track/<code>/), lines, status and
    timeline. Only for the order's owner: the page that calls it must be scoped to them."""
    return {"parcels": tracking.parcels_of_order(order) if order is not None else []}
