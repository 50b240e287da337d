"""Celery tasks of order analytics: thin, idempotent wrappers around the services."""

from celery import shared_task

from marketplace.stats import services


@shared_task(name="stats.analytics_record_order")
def analytics_record_order(order_id: int) -> bool:
    """Count a placed order in the analytics tables; safe to run twice."""
    return services.analytics_record_order(order_id=order_id)
