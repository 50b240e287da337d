"""Receivers: queue order analytics after the order commits instead of counting in-request."""

from functools import partial

from django.db import transaction
from oscar.apps.order.signals import order_placed


def queue_order_analytics(sender, order, **kwargs) -> None:
    if kwargs.get("raw", False):
        return
    from marketplace.stats.tasks import analytics_record_order

    transaction.on_commit(partial(analytics_record_order.delay, order.pk))


def connect() -> None:
    """Replace Oscar's receiver, which updates the hot analytics rows inside checkout."""
    from oscar.apps.analytics import receivers as oscar_receivers

    order_placed.disconnect(oscar_receivers.receive_order_placed)
    order_placed.connect(queue_order_analytics, dispatch_uid="stats.queue_order_analytics")
