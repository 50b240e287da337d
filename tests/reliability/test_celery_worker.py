"""Real Celery workers on Redis: order analytics run end to end, and exactly once after a kill.

What redelivery after a kill looks like with our settings (acks_late, reject_on_worker_lost,
prefetch 1) on Redis:
- the pool process dies (OOM killer, segfault): the worker's main process sees
  WorkerLostError and puts the message back at once; a new pool process runs it;
- the whole worker dies (SIGKILL, machine lost): the message stays "unacked" in Redis until
  the visibility timeout (1 hour by default) has passed, and then the next worker restores it.
Either way the task's transaction was never committed, so its rerun counts the order once.

Needs PostgreSQL (the worker, a separate process, must see the test database) and Redis (the
broker); without them the tests skip and say why. Each test uses its own queue name, so stale
messages in the same Redis database cannot reach it, and switches eagerness off only for
itself (CI runs the rest of the suite with CELERY_TASK_ALWAYS_EAGER=1).
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import psutil
import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.db import connection
from oscar.core.loading import get_model

from marketplace.celery import app as celery_app
from marketplace.stats.models import RecordedOrder
from marketplace.stats.tasks import analytics_record_order
from tests import factories
from tests.reliability.helpers import buyer_ready_to_submit, place_order

Order = get_model("order", "Order")
ProductRecord = get_model("analytics", "ProductRecord")
UserRecord = get_model("analytics", "UserRecord")

ROOT = Path(__file__).resolve().parents[2]
CELERY = Path(sys.executable).with_name("celery")

pytestmark = [pytest.mark.reliability, pytest.mark.postgres]


def wait_until(condition, *, timeout: float, what, interval: float = 0.2):
    """Poll ``condition`` until it returns something truthy; fail saying ``what`` otherwise
    (a string, or a callable giving one, to show the worker's log as it is at the deadline)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    pytest.fail(f"timed out after {timeout:.0f} s waiting for {what() if callable(what) else what}")


def require_postgres_and_redis() -> str:
    if connection.vendor != "postgresql":
        pytest.skip("real-worker test needs PostgreSQL: set DATABASE_URL (a worker process "
                    "cannot see the test's in-memory SQLite database)")
    redis_url = os.environ.get("REDIS_URL", "")
    if not redis_url:
        pytest.skip("real-worker test needs Redis as the broker: set REDIS_URL")
    import redis

    try:
        redis.Redis.from_url(redis_url, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        pytest.skip(f"real-worker test needs Redis, but {redis_url} does not answer: {exc}")
    return redis_url


@pytest.fixture
def queue_name():
    return f"test-{uuid.uuid4().hex[:12]}"


@pytest.fixture
def real_celery(queue_name):
    """The app with eagerness off and this test's queue as the default, restored afterwards."""
    saved = {key: celery_app.conf[key] for key in ("task_always_eager", "task_default_queue")}
    celery_app.conf.task_always_eager = False
    celery_app.conf.task_default_queue = queue_name
    yield celery_app
    celery_app.conf.update(saved)
    if os.environ.get("REDIS_URL"):
        # kombu leaves the queue's binding set behind; one per run would pile up
        import redis

        with contextlib.suppress(redis.RedisError):
            redis.Redis.from_url(os.environ["REDIS_URL"]).delete(
                queue_name, f"_kombu.binding.{queue_name}",
                f"_kombu.binding_permanent.{queue_name}")


def sold_product(stock=10):
    """A product that has sold before, so its analytics row exists to be counted on."""
    product = factories.product(factories.cooperative(), title="高坪红米", stock=stock)
    ProductRecord.objects.create(product=product, num_purchases=3)
    return product


# --- (a) a real worker runs the task queued by checkout ------------------------------------


@pytest.mark.django_db(transaction=True)
def test_worker_counts_an_order_placed_through_checkout(base_data_tx, real_celery, queue_name):
    require_postgres_and_redis()
    # given a buyer about to order 2 bags, and no worker running yet
    product = sold_product()
    client = buyer_ready_to_submit(product, quantity=2, email="worker-a@example.com")

    # when the buyer places the order
    assert "订单" in place_order(client).content.decode()
    order = Order.objects.get()

    # then checkout did not count it in the request: it queued a task instead
    assert not RecordedOrder.objects.filter(order=order).exists()
    assert ProductRecord.objects.get(product=product).num_purchases == 3

    # and when a real worker consumes the queue, the order is counted once
    with start_worker(real_celery, pool="solo", perform_ping_check=False, queues=[queue_name],
                      shutdown_timeout=30):
        wait_until(lambda: RecordedOrder.objects.filter(order=order).exists(), timeout=60,
                   what="the worker to record the order")
    assert ProductRecord.objects.get(product=product).num_purchases == 5
    buyer = UserRecord.objects.get(user=order.user)
    assert (buyer.num_orders, buyer.num_order_items) == (1, 2)
    assert buyer.total_spent == order.total_incl_tax
    assert buyer.date_last_order == order.date_placed


# --- (b) kill the worker inside the task's transaction, then rerun -------------------------


def database_url() -> str:
    """The pytest test database as a URL for the worker process."""
    db = connection.settings_dict
    auth = quote(db["USER"] or "", safe="")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"], safe="")
    host = db["HOST"] or "127.0.0.1"
    return f"postgres://{auth}@{host}:{db['PORT'] or 5432}/{quote(db['NAME'], safe='')}"


@contextlib.contextmanager
def worker_process(queue: str, redis_url: str, logfile: Path, app: str = "marketplace"):
    """``celery worker --pool=prefork -c 1`` on the test database, consuming only ``queue``."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "REDIS_URL": redis_url,
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "DJANGO_SETTINGS_MODULE": "marketplace.settings",
    }
    command = [
        str(CELERY), "-A", app, "worker", "--pool=prefork", "-c", "1",
        "-Q", queue, "-n", f"{queue}@%h", "--without-mingle", "--without-gossip",
        "--without-heartbeat", "-l", "info", f"--logfile={logfile}",
    ]
    process = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        wait_until(lambda: process.poll() is not None or " ready." in read(logfile),
                   timeout=90, what=lambda: f"the worker to start; log: {read(logfile)[-2000:]}")
        if process.poll() is not None:
            pytest.fail(f"worker exited with {process.returncode}: {process.stderr.read()}")
        yield process
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
        process.stderr.close()


def read(path: Path) -> str:
    return path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""


def queued_task_ids(redis_url: str, queue: str,
                    task: str = "stats.analytics_record_order") -> list[str]:
    """Ids of the ``task`` messages waiting in ``queue`` (kombu keeps a Redis list per queue;
    the order's confirmation mail task waits there too)."""
    import redis

    messages = [json.loads(m) for m in redis.Redis.from_url(redis_url).lrange(queue, 0, -1)]
    return [m["headers"]["id"] for m in messages if m["headers"]["task"] == task]


def backend_stuck_in_task():
    """The worker's database session that has written the marker and now waits on our lock."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT a.pid FROM pg_stat_activity a
            WHERE a.datname = current_database() AND a.wait_event_type = 'Lock'
              AND a.query LIKE 'UPDATE "analytics_productrecord"%%'
              AND EXISTS (
                SELECT 1 FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
                WHERE l.pid = a.pid AND c.relname = 'stats_recordedorder'
                  AND l.mode = 'RowExclusiveLock')
            """
        )
        row = cursor.fetchone()
    return row[0] if row else None


def backend_alive(pid: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", [pid])
        return cursor.fetchone()[0] == 1


def order_with_blocked_analytics(redis_url: str, queue: str):
    """An order whose analytics task is queued, and a database session holding the row the
    task updates: the task will stop inside its transaction right after it wrote the
    "recorded" marker (no test hook in the task). Roll the session back to let it go on."""
    product = sold_product()
    client = buyer_ready_to_submit(product, quantity=2, email="killed@example.com")
    assert "订单" in place_order(client).content.decode()
    order = Order.objects.get()
    [task_id] = queued_task_ids(redis_url, queue)
    blocker = connection.get_new_connection(connection.get_connection_params())
    blocker.autocommit = False
    blocker.execute(
        "SELECT 1 FROM analytics_productrecord WHERE product_id = %s FOR UPDATE", [product.pk]
    )
    return product, order, task_id, blocker


def assert_counted_once(product, order):
    assert RecordedOrder.objects.filter(order=order).count() == 1
    assert ProductRecord.objects.get(product=product).num_purchases == 5
    assert UserRecord.objects.get(user=order.user).num_orders == 1


@pytest.mark.django_db(transaction=True)
def test_task_killed_inside_its_transaction_counts_the_order_exactly_once(
    base_data_tx, real_celery, queue_name, tmp_path
):
    redis_url = require_postgres_and_redis()
    # given a placed order of 2 bags of a product that had sold 3, whose analytics task
    # checkout queued for a worker, and a session holding the product's analytics row
    product, order, task_id, blocker = order_with_blocked_analytics(redis_url, queue_name)
    logfile = tmp_path / "worker.log"

    with worker_process(queue_name, redis_url, logfile) as worker:
        # when a real prefork worker runs the task and its pool process is killed mid-way
        result = celery_app.AsyncResult(task_id)
        stuck = wait_until(backend_stuck_in_task, timeout=60, what=lambda: (
            f"the task to block inside its transaction; log: {read(logfile)[-2000:]}"))
        [child] = psutil.Process(worker.pid).children()
        child.send_signal(signal.SIGKILL)
        # (the worker's main process notices the lost child and, with acks_late and
        # reject_on_worker_lost, puts the message back at once: no visibility timeout wait)
        wait_until(lambda: "signal 9" in read(logfile), timeout=30,
                   what="the worker to notice its pool process died")
        blocker.rollback()
        # PostgreSQL rolls back the dead client's transaction when its session ends
        wait_until(lambda: not backend_alive(stuck), timeout=30,
                   what="PostgreSQL to end the killed task's session")

        # then the redelivered task, run by a new pool process, completes and did the work
        assert result.get(timeout=90, disable_sync_subtasks=False) is True
        assert child.pid not in {p.pid for p in psutil.Process(worker.pid).children()}
        # and the order is counted exactly once
        assert_counted_once(product, order)

        # and running it yet again (a duplicate delivery) changes nothing
        again = analytics_record_order.apply_async((order.pk,), queue=queue_name)
        assert again.get(timeout=60, disable_sync_subtasks=False) is False
    blocker.close()
    assert_counted_once(product, order)
    assert settings.CELERY_TASK_ACKS_LATE and settings.CELERY_TASK_REJECT_ON_WORKER_LOST


def unacked_task_ids(redis_url: str) -> list[str]:
    """Ids of messages a worker took and never acknowledged (kombu's "unacked" hash)."""
    import redis

    entries = redis.Redis.from_url(redis_url).hvals("unacked")
    return [json.loads(entry)[0]["headers"]["id"] for entry in entries]


@pytest.mark.django_db(transaction=True)
def test_whole_worker_killed_its_task_returns_after_the_visibility_timeout_exactly_once(
    base_data_tx, real_celery, queue_name, tmp_path
):
    redis_url = require_postgres_and_redis()
    # given a placed order whose analytics task will block inside its transaction
    product, order, task_id, blocker = order_with_blocked_analytics(redis_url, queue_name)
    result = celery_app.AsyncResult(task_id)

    # when a worker takes it and the whole worker (main and pool process) is SIGKILLed
    with worker_process(queue_name, redis_url, tmp_path / "first.log") as worker:
        stuck = wait_until(backend_stuck_in_task, timeout=60, what=lambda: (
            f"the task to block; log: {read(tmp_path / 'first.log')[-2000:]}"))
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(timeout=30)
    blocker.rollback()
    blocker.close()
    wait_until(lambda: not backend_alive(stuck), timeout=30,
               what="PostgreSQL to end the killed task's session")

    # then nobody put the message back: Redis holds it as taken and unacknowledged, and
    # with the production visibility timeout (1 hour) it stays there that long
    assert queued_task_ids(redis_url, queue_name) == []
    assert task_id in unacked_task_ids(redis_url)
    assert not RecordedOrder.objects.filter(order=order).exists()

    # and a worker that starts after the visibility timeout restores it and runs it once
    with worker_process(queue_name, redis_url, tmp_path / "second.log",
                        app="tests.reliability.celery_short_visibility"):
        assert result.get(timeout=90, disable_sync_subtasks=False) is True
    assert task_id not in unacked_task_ids(redis_url)
    assert_counted_once(product, order)
