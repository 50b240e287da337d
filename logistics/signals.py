"""Receivers for what the commerce core announces: a paid order gets its shipments."""

from __future__ import annotations

from django.db import transaction


def order_paid_ship(sender, order, old_status, new_status, **kwargs) -> None:
    if new_status != "paid":
        return
    order_id = order.pk

    def queue():
        from logistics import tasks

        tasks.shipments_create.delay(order_id)

    transaction.on_commit(queue)
