"""Keeping the search index current: receivers collect the ids of products whose document
changed (product, stock record, category, live session and item, cooperative, order
sales) per transaction, and one on_commit callback queues ONE Celery task with all of them
(saving 1,000 stock records in a transaction queues one task)."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from oscar.core.loading import get_model

logger = logging.getLogger(__name__)


class _Batch:
    """The products changed in one transaction (one per connection at a time)."""

    def __init__(self, conn):
        self.conn = conn
        self.ids: set[int] = set()

    def flush(self) -> None:
        if getattr(self.conn, "_search_batch", None) is self:
            self.conn._search_batch = None
        if self.ids:
            enqueue(sorted(self.ids))


def enqueue(product_ids: list[int]) -> None:
    """Queue the re-indexing task; a broker or backend failure is logged, never raised into
    the code that saved the product (the task itself retries)."""
    from search.tasks import index_products

    try:
        index_products.delay(product_ids)
    except Exception:
        logger.exception("search: re-indexing %d products could not be queued", len(product_ids))


def products_changed(product_ids: Iterable[int | None], *, using: str | None = None) -> None:
    """Re-index these products once the current transaction commits (at once outside one)."""
    ids = {int(pk) for pk in product_ids if pk}
    if not ids:
        return
    conn = transaction.get_connection(using)
    if not conn.in_atomic_block:
        enqueue(sorted(ids))
        return
    batch = getattr(conn, "_search_batch", None)
    # A rolled-back transaction (or savepoint) dropped the batch's callback: start afresh.
    if batch is None or not any(cb is batch.flush for _s, cb, _r in conn.run_on_commit):
        batch = _Batch(conn)
        conn._search_batch = batch
        batch.flush = batch.flush  # one bound method object, found again above
        transaction.on_commit(batch.flush, using=using, robust=True)
    batch.ids |= ids


# --- receivers: each only finds the product ids ------------------------------------------

def _product_and_parent(product) -> list[int]:
    return [product.pk, getattr(product, "parent_id", None)]


def product_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        products_changed(_product_and_parent(instance))


def product_deleted(sender, instance, **kwargs):
    products_changed(_product_and_parent(instance))


def _owner_ids(product_ids) -> list[int]:
    """The ids and their parents' (children carry a parent product's stock)."""
    Product = get_model("catalogue", "Product")
    ids = [pk for pk in product_ids if pk]
    parents = Product.objects.filter(pk__in=ids, parent__isnull=False).values_list(
        "parent_id", flat=True) if ids else []
    return ids + list(parents)


def product_row_changed(sender, instance, raw=False, **kwargs):
    """A stock record, product-category link or live session item: its product."""
    if not raw:
        products_changed(_owner_ids([instance.product_id]))


def product_categories_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if action not in ("post_add", "post_remove", "pre_clear"):
        return
    if not reverse:
        products_changed([instance.pk])
    elif action == "pre_clear":
        products_changed(instance.product_set.values_list("pk", flat=True))
    else:
        products_changed(pk_set or [])


def category_saved(sender, instance, raw=False, created=False, **kwargs):
    """A renamed category changes the path of every product in it or below it."""
    if raw or created:
        return
    ProductCategory = get_model("catalogue", "ProductCategory")
    products_changed(ProductCategory.objects.filter(
        category__path__startswith=instance.path).values_list("product_id", flat=True))


def _partner_products(partner_ids) -> list[int]:
    StockRecord = get_model("partner", "StockRecord")
    return _owner_ids(StockRecord.objects.filter(partner_id__in=partner_ids)
                      .values_list("product_id", flat=True).distinct())


def partner_saved(sender, instance, raw=False, created=False, **kwargs):
    if not raw and not created:
        products_changed(_partner_products([instance.pk]))


def certification_changed(sender, instance, raw=False, **kwargs):
    if raw:
        return
    from marketplace.cooperatives.models import Cooperative

    partner_ids = Cooperative.objects.filter(pk=instance.cooperative_id).values_list(
        "partner_id", flat=True)
    products_changed(_partner_products(list(partner_ids)))


def session_changed(sender, session_id, **kwargs):
    from marketplace.livestream.models import SessionItem

    products_changed(_owner_ids(SessionItem.objects.filter(session_id=session_id)
                                .values_list("product_id", flat=True)))


def order_status_changed(sender, order, old_status, new_status, **kwargs):
    """Sales counts follow orders in and out of the sold statuses."""
    from search.documents import SALE_STATUSES

    if (old_status in SALE_STATUSES) != (new_status in SALE_STATUSES):
        products_changed(_owner_ids(order.lines.values_list("product_id", flat=True)))


def connect() -> None:
    from oscar.apps.order.signals import order_status_changed as oscar_order_status_changed

    from marketplace.cooperatives.models import Certification
    from marketplace.livestream.models import SessionItem
    from marketplace.livestream.signals import session_status_changed

    Product = get_model("catalogue", "Product")
    uid = "search.indexing"
    post_save.connect(product_saved, sender=Product, dispatch_uid=f"{uid}.product")
    post_delete.connect(product_deleted, sender=Product, dispatch_uid=f"{uid}.product")
    for model in (get_model("partner", "StockRecord"), get_model("catalogue", "ProductCategory"),
                  SessionItem):
        post_save.connect(product_row_changed, sender=model, dispatch_uid=f"{uid}.{model}")
        post_delete.connect(product_row_changed, sender=model, dispatch_uid=f"{uid}.{model}")
    m2m_changed.connect(product_categories_changed, sender=Product.categories.through,
                        dispatch_uid=f"{uid}.categories")
    post_save.connect(category_saved, sender=get_model("catalogue", "Category"),
                      dispatch_uid=f"{uid}.category")
    post_save.connect(partner_saved, sender=get_model("partner", "Partner"),
                      dispatch_uid=f"{uid}.partner")
    post_save.connect(certification_changed, sender=Certification, dispatch_uid=f"{uid}.cert")
    post_delete.connect(certification_changed, sender=Certification, dispatch_uid=f"{uid}.cert")
    session_status_changed.connect(session_changed, dispatch_uid=f"{uid}.session")
    oscar_order_status_changed.connect(order_status_changed, dispatch_uid=f"{uid}.order")
