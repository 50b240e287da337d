"""Flash sale: 200 buyers on their own HTTP connections race a real gunicorn for 50 units."""

import contextlib
import http.client
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.db import connection
from oscar.core.loading import get_model

from tests import factories
from tests.reliability.helpers import (
    at_once,
    buyers_ready_in_bulk,
    require_postgres,
)

Order = get_model("order", "Order")
StockRecord = get_model("partner", "StockRecord")

pytestmark = [pytest.mark.reliability]

BUYERS = 200
UNITS = 50
# 4 × 6 = 24 request threads, so at most 24 database connections: PostgreSQL allows 100
# and other test runs share it. The other buyers wait in gunicorn's listen queue.
WORKERS = 4
THREADS = 6
TITLE = "秒杀高山红米"
# The shop's sold-out message (InsufficientStock), not just the basket line's stock label.
SOLD_OUT = f"“{TITLE}”库存不足"
# Any 32 letters or digits are a valid CSRF secret; sending it as cookie and form field
# passes Django's CSRF check the way a browser's form post does.
CSRF = "flashsale0123456789abcdefghijklm"
BASE_DIR = Path(settings.BASE_DIR)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _server_env() -> dict:
    """The test process's environment, pointed at the test database it committed to."""
    db = connection.settings_dict
    url = (f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:"
           f"{db['PORT'] or 5432}/{db['NAME']}")
    return {
        **os.environ,
        "DATABASE_URL": url,
        "CONN_MAX_AGE": "0",
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        # pytest-django keeps mail in memory; the server must not try an SMTP server either.
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "DJANGO_SETTINGS_MODULE": "marketplace.settings",
        "PYTHONUNBUFFERED": "1",
    }


@contextlib.contextmanager
def _gunicorn():
    """Serve marketplace.wsgi from a gunicorn subprocess; yield its port; stop it after."""
    gunicorn = shutil.which("gunicorn", path=str(Path(sys.executable).parent))
    if gunicorn is None:
        pytest.skip("flash sale test needs gunicorn in the virtualenv (pip install gunicorn)")
    port = _free_port()
    log = tempfile.TemporaryFile(mode="w+")
    server = subprocess.Popen(
        [gunicorn, "marketplace.wsgi", "--bind", f"127.0.0.1:{port}",
         "--workers", str(WORKERS), "--worker-class", "gthread", "--threads", str(THREADS),
         "--preload", "--backlog", "1024", "--timeout", "120", "--graceful-timeout", "1",
         "--log-level", "warning"],
        cwd=BASE_DIR, env=_server_env(), stdout=log, stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            assert server.poll() is None, _tail(log)
            with contextlib.suppress(OSError):
                if _request(port, "GET", "/basket/")[0] == 200:
                    break
            assert time.monotonic() < deadline, "gunicorn did not answer in 60 s\n" + _tail(log)
            time.sleep(0.2)
        yield port, log
    finally:
        server.send_signal(signal.SIGINT)  # quick shutdown: every request has its answer
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


def _tail(log, chars=4000) -> str:
    log.flush()
    log.seek(0)
    return log.read()[-chars:]


def _request(port, method, path, *, body=None, cookies=None, conn=None):
    """One HTTP request on ``conn`` (or a fresh connection), sending and updating the
    ``cookies`` jar the way a browser does; returns (status, Location, text)."""
    conn = conn or http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    headers = {"Connection": "close"}
    if cookies:
        headers["Cookie"] = "; ".join(f"{k}={v.value}" for k, v in cookies.items())
    if body is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    try:
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        if cookies is not None:
            for header in response.headers.get_all("Set-Cookie") or []:
                cookies.load(header)
        return response.status, response.getheader("Location"), response.read().decode()
    finally:
        conn.close()


def _place_order_over_http(port, session_id):
    """What a buyer's browser does: post the preview form, follow the redirect, if any."""
    cookies = SimpleCookie()
    cookies[settings.SESSION_COOKIE_NAME] = session_id
    cookies[settings.CSRF_COOKIE_NAME] = CSRF
    body = urlencode({"action": "place_order", "csrfmiddlewaretoken": CSRF})
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    conn.connect()  # before the barrier, so the buyers race in the view, not in connect()
    return lambda: _follow(port, cookies, _request(
        port, "POST", "/checkout/preview/", body=body, cookies=cookies, conn=conn))


def _follow(port, cookies, first):
    status, location, text = first
    if status in (301, 302, 303) and location:
        return [status, *_follow(port, cookies, _request(port, "GET", location,
                                                         cookies=cookies))]
    return [status, text]


class _StockWatch:
    """Reads the stock record over and over while the sale runs; keeps the lowest net level."""

    def __init__(self, record_pk):
        self.record_pk = record_pk
        self.lowest = None
        self.reads = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run)

    def _run(self):
        try:
            while not self._stop.is_set():
                in_stock, allocated = StockRecord.objects.values_list(
                    "num_in_stock", "num_allocated").get(pk=self.record_pk)
                level = in_stock - (allocated or 0)
                self.lowest = level if self.lowest is None else min(self.lowest, level)
                self.reads += 1
                self._stop.wait(0.01)
        finally:
            connection.close()

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(timeout=10)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_hundred_buyers_race_for_fifty_units(base_data_tx):
    require_postgres()
    started = time.monotonic()
    # given 50 units, and 200 buyers each one click before "place order", each with a session
    coop = factories.cooperative()
    product = factories.product(coop, title=TITLE, stock=UNITS)
    record = StockRecord.objects.get(product=product)
    sessions = buyers_ready_in_bulk(product, BUYERS, prefix="flash")
    prepared = time.monotonic()

    with _gunicorn() as (port, log):
        served = time.monotonic()
        # when all 200 post "place order" at the same moment, each on its own connection
        with _StockWatch(record.pk) as watch:
            results = at_once([_place_order_over_http(port, s) for s in sessions])
        raced = time.monotonic()
        server_log = _tail(log)
    stopped = time.monotonic()
    at_submit = sum(1 for r in results if isinstance(r, list) and r[0] == 200)
    print(f"\nflash sale: {BUYERS} buyers prepared in {prepared - started:.1f} s, gunicorn up "
          f"in {served - prepared:.1f} s, race {raced - served:.1f} s, stopped in "
          f"{stopped - raced:.1f} s; {at_submit} losers were refused while placing the order, "
          f"the others before it; stock read {watch.reads} times during the race, lowest net "
          f"level {watch.lowest}")

    # then every buyer got an answer and nobody a server error
    failed = [r for r in results if r is None or isinstance(r, Exception)]
    assert failed == [], failed
    server_errors = [r for r in results if any(
        isinstance(code, int) and code >= 500 for code in r)]
    assert server_errors == [], (server_errors[:1], server_log)
    # exactly 50 orders, one per winning buyer, and the stock used up exactly, never below 0
    orders = Order.objects.filter(lines__product=product)
    assert orders.count() == UNITS
    assert orders.values("user").distinct().count() == UNITS
    record.refresh_from_db()
    assert (record.num_in_stock, record.num_allocated, record.net_stock_level) == (UNITS, UNITS, 0)
    assert watch.reads > 0
    assert watch.lowest >= 0
    # the 50 winners landed on their thank-you page, the 150 others read a sold-out message
    numbers = set(orders.values_list("number", flat=True))
    thanked = [r for r in results if r[:2] == [302, 200] and any(n in r[-1] for n in numbers)]
    assert len(thanked) == UNITS
    assert {n for r in thanked for n in numbers if n in r[-1]} == numbers
    sold_out = [r for r in results if r[-2] == 200 and SOLD_OUT in r[-1]]
    assert len(sold_out) == BUYERS - UNITS, [r[:-1] for r in results if r not in sold_out][:5]

