"""Live figures of one session for the host console (实时数据), in a fixed number of queries."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Sum
from oscar.core.loading import get_model

from marketplace.livestream.models import LiveSession, PinEvent, SessionItem, SessionViewer
from marketplace.livestream.selectors import viewers_now

Line = get_model("order", "Line")

# Same code as marketplace.shop.order.services.STATUS_CANCELLED; not imported from there
# because that module pulls in the whole order pipeline for one string.
ORDER_CANCELLED = "cancelled"


def session_figures(session: LiveSession) -> dict:
    """What the console shows: viewers now, add-to-baskets, orders, units, GMV, buyers,
    conversion (buyers / distinct viewers) and flash units left per item.

    Sales come from order lines attributed to the session (``Line.live_session``), cancelled
    orders left out, so the console and the reports count the same thing. Four queries plus
    the viewer counter, whatever the number of orders, items or viewers.
    """
    sales = (
        Line.objects.filter(live_session=session)
        .exclude(order__status=ORDER_CANCELLED)
        .aggregate(orders=Count("order", distinct=True), units=Sum("quantity"),
                   gmv=Sum("line_price_incl_tax"), buyers=Count("order__user", distinct=True))
    )
    items = list(SessionItem.objects.filter(session=session).select_related("product"))
    distinct_viewers = SessionViewer.objects.filter(session=session).count()
    pinned_id = (PinEvent.objects.filter(session=session, unpinned_at__isnull=True)
                 .values_list("item_id", flat=True).first())

    buyers = sales["buyers"] or 0
    conversion = None
    if distinct_viewers:
        conversion = (Decimal(buyers * 100) / distinct_viewers).quantize(
            Decimal("0.1"), rounding=ROUND_HALF_UP)
    gmv = sales["gmv"] or Decimal("0.00")
    return {
        "status": session.status,
        "viewers_now": viewers_now(session.pk),
        "viewers_total": distinct_viewers,
        "basket_adds": sum(item.basket_adds for item in items),
        "orders": sales["orders"] or 0,
        "units": sales["units"] or 0,
        # Money as a string: JSON numbers are floats in the browser.
        "gmv": f"{gmv:.2f}",
        "buyers": buyers,
        "conversion_percent": None if conversion is None else str(conversion),
        "pinned_item_id": pinned_id,
        "items": [
            {"id": item.pk, "title": item.product.title, "live_price": f"{item.live_price:.2f}",
             "flash_quantity": item.flash_quantity, "flash_sold": item.flash_sold,
             "units_left": item.units_left, "basket_adds": item.basket_adds}
            for item in items
        ],
    }
