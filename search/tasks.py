"""Celery tasks of search: thin and safe to run twice (indexing writes what is current)."""

from __future__ import annotations

from celery import shared_task

from search.backends import get_backend


@shared_task(name="search.index_products", autoretry_for=(Exception,), retry_backoff=True,
             retry_backoff_max=600, retry_jitter=True, max_retries=8)
def index_products(product_ids: list[int]) -> int:
    """Re-index (or remove) these products in the configured backend."""
    return get_backend().index_products(product_ids)
