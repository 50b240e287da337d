"""Re-indexing after changes: ids collected per transaction, one task per commit, a failing
backend never breaks the save (the task retries, the failure is logged)."""

from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone
from oscar.core.loading import get_model

from marketplace.celery import app as celery_app
from marketplace.livestream import services as live
from search import tasks
from search.backends import get_backend
from search.backends.db import DatabaseBackend
from search.indexing import _Batch
from search.query import SearchRequest
from tests import factories

pytestmark = pytest.mark.django_db
StockRecord = get_model("partner", "StockRecord")


@pytest.fixture
def queued(monkeypatch):
    """The id lists the re-indexing task was queued with (not run)."""
    calls = []
    monkeypatch.setattr(tasks.index_products, "delay", lambda ids: calls.append(list(ids)))
    return calls


@pytest.fixture
def eager(monkeypatch):
    monkeypatch.setitem(celery_app.conf, "task_always_eager", True)
    monkeypatch.setitem(celery_app.conf, "task_eager_propagates", True)


def found(q: str) -> list[int]:
    return get_backend("db").search(SearchRequest(q=q)).product_ids


def test_saving_1000_stock_records_in_a_transaction_queues_one_task(
        coop_a, queued, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        products = [factories.product(coop_a) for _ in range(25)]
    records = list(StockRecord.objects.filter(product__in=products))
    queued.clear()

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with transaction.atomic():
            for n in range(40):
                for record in records:
                    record.num_in_stock = n
                    record.save()

    assert len([c for c in callbacks if type(getattr(c, "__self__", None)) is _Batch]) == 1
    assert queued == [sorted(p.pk for p in products)]


def test_a_rolled_back_savepoint_does_not_lose_the_next_changes(
        coop_a, queued, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        rice, tea = factories.product(coop_a), factories.product(coop_a)
    queued.clear()

    def rename_then_fail():
        with transaction.atomic():
            rice.title = "改名失败"
            rice.save()
            raise RuntimeError("form error")

    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError):
            rename_then_fail()
        tea.title = "湖山白茶"
        tea.save()

    assert queued == [[tea.pk]]


def test_nothing_is_queued_before_the_transaction_commits(coop_a, queued):
    factories.product(coop_a)  # the test's transaction never commits

    assert queued == []


def test_a_new_product_becomes_searchable_and_changes_follow(
        coop_a, eager, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        rice = factories.product(coop_a, title="妙高红米", stock=5)
    assert found("hongmi") == [rice.pk]

    with django_capture_on_commit_callbacks(execute=True):
        rice.title = "妙高黑米"
        rice.save()
    assert found("hongmi") == [] and found("heimi") == [rice.pk]

    with django_capture_on_commit_callbacks(execute=True):
        record = rice.stockrecords.get()
        record.num_in_stock = 0
        record.save()
    assert get_backend("db").search(SearchRequest(in_stock=False)).product_ids == [rice.pk]


def test_a_session_going_live_marks_its_products_live(
        coop_a, eager, django_capture_on_commit_callbacks):
    host = factories.coop_staff(coop_a)
    with django_capture_on_commit_callbacks(execute=True):
        rice = factories.product(coop_a, title="妙高红米")
        start = timezone.now() + dt.timedelta(hours=1)
        session = live.session_create(host=host, cooperatives=[coop_a], title="直播",
                                      scheduled_start=start,
                                      scheduled_end=start + dt.timedelta(hours=1),
                                      hls_url="https://live.example.cn/a.m3u8")
        live.item_add(session=session, product=rice, live_price=Decimal("29.90"),
                      flash_quantity=5)
    assert get_backend("db").search(SearchRequest(live_now=True)).total == 0

    with django_capture_on_commit_callbacks(execute=True):
        live.session_go_live(session_id=session.pk, user=host)
    assert get_backend("db").search(SearchRequest(live_now=True)).product_ids == [rice.pk]

    with django_capture_on_commit_callbacks(execute=True):
        live.session_end(session_id=session.pk, user=host)
    assert get_backend("db").search(SearchRequest(live_now=True)).total == 0


def test_a_deleted_product_leaves_the_index(coop_a, eager, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        rice = factories.product(coop_a, title="妙高红米")
    pk = rice.pk
    with django_capture_on_commit_callbacks(execute=True):
        StockRecord.objects.filter(product=rice).delete()
        rice.delete()

    assert found("红米") == [] and pk not in get_backend("db").search(SearchRequest()).product_ids


@pytest.fixture
def broken_backend(monkeypatch):
    attempts = []

    def broken(self, product_ids):
        attempts.append(list(product_ids))
        raise ConnectionError("search index unreachable")

    monkeypatch.setattr(DatabaseBackend, "index_products", broken)
    return attempts


def test_a_failing_backend_is_retried_and_the_product_is_saved(
        coop_a, eager, broken_backend, monkeypatch, django_capture_on_commit_callbacks):
    # As on a worker: the task's failures are the task's (eager mode without propagation
    # runs the retries at once instead of after the backoff).
    monkeypatch.setitem(celery_app.conf, "task_eager_propagates", False)

    with django_capture_on_commit_callbacks(execute=True):
        rice = factories.product(coop_a, title="妙高红米")

    assert get_model("catalogue", "Product").objects.filter(pk=rice.pk).exists()
    assert broken_backend == [[rice.pk]] * (tasks.index_products.max_retries + 1)


def test_a_failing_backend_in_process_is_logged_and_the_product_is_saved(
        coop_a, eager, broken_backend, caplog, django_capture_on_commit_callbacks):
    caplog.set_level(logging.ERROR)

    with django_capture_on_commit_callbacks(execute=True):
        rice = factories.product(coop_a, title="妙高红米")

    assert get_model("catalogue", "Product").objects.filter(pk=rice.pk).exists()
    assert broken_backend == [[rice.pk]]
    assert "re-indexing 1 products could not be queued" in caplog.text


def test_category_changes_follow_into_the_index(coop_a, eager, django_capture_on_commit_callbacks):
    Category = get_model("catalogue", "Category")
    with django_capture_on_commit_callbacks(execute=True):
        rice = factories.product(coop_a, title="高山稻谷")
        gift = Category.objects.get(name="加工食品", depth=1)
    with django_capture_on_commit_callbacks(execute=True):
        rice.categories.add(gift)
    assert found("加工食品") == [rice.pk]

    with django_capture_on_commit_callbacks(execute=True):
        gift.name = "礼品特产"
        gift.save()
    assert found("加工食品") == [] and found("礼品特产") == [rice.pk]
