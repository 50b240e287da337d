"""Write use cases of order analytics: count an order's purchases exactly once."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import F, Value
from django.db.models.functions import Coalesce, Greatest
from oscar.core.loading import get_model

from marketplace.stats.models import RecordedOrder

Order = get_model("order", "Order")
ProductRecord = get_model("analytics", "ProductRecord")
UserRecord = get_model("analytics", "UserRecord")


def _increment(
    model, lookup: dict, increments: dict, create: dict | None = None, update: dict | None = None
) -> None:
    """Add ``increments`` to the row matching ``lookup`` in one UPDATE, creating it if absent
    (with ``create`` values; an existing row gets the ``update`` expressions).

    The UPDATE with F() never loses a concurrent increment; the create races only with
    another first-ever record of the same row, which the retry below absorbs.
    """
    updates = {**{name: F(name) + value for name, value in increments.items()}, **(update or {})}
    if model.objects.filter(**lookup).update(**updates):
        return
    try:
        with transaction.atomic():
            model.objects.create(**lookup, **increments, **(create or {}))
    except IntegrityError:
        model.objects.filter(**lookup).update(**updates)


def analytics_record_order(*, order_id: int) -> bool:
    """Count the order in the product and buyer records; False when already counted or gone.

    Same numbers as Oscar's synchronous analytics receiver, moved out of the checkout request.
    """
    with transaction.atomic():
        order = Order.objects.filter(pk=order_id).select_related("user").first()
        if order is None:
            return False
        # The marker first: a second run blocks here until the first commits, then sees it.
        _, created = RecordedOrder.objects.get_or_create(order_id=order_id)
        if not created:
            return False
        for line in order.lines.exclude(product_id=None).order_by("product_id"):
            _increment(ProductRecord, {"product_id": line.product_id},
                       {"num_purchases": line.quantity})
        if order.user_id is not None:
            placed = Value(order.date_placed)
            _increment(
                UserRecord, {"user_id": order.user_id},
                {"num_orders": 1, "num_order_lines": order.num_lines,
                 "num_order_items": order.num_items, "total_spent": order.total_incl_tax},
                {"date_last_order": order.date_placed},
                # tasks may run out of order: the last order date never goes back
                {"date_last_order": Greatest(Coalesce("date_last_order", placed), placed)},
            )
        return True
