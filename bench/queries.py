"""Counts the SQL queries of one request per scenario, replayed in-process after the load.

The measured gunicorn never counts queries (that would slow it). Instead this runs inside
Django with the same settings and database, sends each scenario's request with
django.test.Client once to warm caches as the load did, then five more times under
CaptureQueriesContext: the query count, and the median CPU time of this process and time
spent waiting for SQL answers. Unlike requests/s those two hardly move when other programs
compete for the CPU. ``python -m bench.queries --targets t.json --out q.json s1 s2 ...``.
"""

from __future__ import annotations

import argparse
import json
import secrets
import statistics
import sys
import time

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Sum  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from oscar.core.loading import get_model  # noqa: E402

from bench.live import REPLAY_VIEWERS, viewer_token  # noqa: E402
from bench.logistics import scan_batch  # noqa: E402

BasketLine = get_model("basket", "Line")
Order = get_model("order", "Order")
REPEATS = 5


def _has_intent(order) -> bool:
    from marketplace.payments.models import Payment  # project only: vanilla has no payments

    return Payment.objects.filter(order=order, reference__startswith="pi_").exists()


def _basket_units() -> int:
    return BasketLine.objects.aggregate(n=Sum("quantity"))["n"] or 0


class Replay:
    def __init__(self, targets: dict):
        self.t = targets

    def client(self, logged_in: bool) -> Client:
        client = Client()
        if logged_in:
            buyer = self.t["buyers"][-1]
            self.address_id = buyer["address_id"]
            client.force_login(get_user_model().objects.get(email=buyer["email"]))
        return client

    def prepare(self, client: Client, scenario: str):
        """Do what precedes the scenario's measured request; return (send, check): send()
        makes that request, check() afterwards says whether it did what a buyer expects."""
        kind = scenario.rsplit("_", 1)[0] if scenario not in ("b0", "b1") else scenario
        if kind.startswith("live_"):
            return self.prepare_live(client, kind)
        if kind == "scans_batch":
            return self.prepare_scans(client)
        if kind == "track":
            code = self.t["track_replay_code"]
            return (lambda: client.get(f"/track/{code}/")), None
        gets = {
            "b1": "/__bench/b1/",
            "home": "/",
            "listing": f"{self.t['category_url']}?page=2",
            "detail": self.t["detail_urls"][1],
            "search": "/search/?q=%E7%BA%A2%E7%B1%B3",  # 红米
            "suggest": "/search/suggest/?q=hm",  # initials of 红米, 黄茶, 黑猪肉 …
        }
        if kind in gets:
            return (lambda: client.get(gets[kind])), None
        product = self.t["addable_ids"][3]
        if kind == "basket_add":
            before = _basket_units()
            return (lambda: client.post(f"/basket/add/{product}/", {"quantity": 1},
                                        HTTP_REFERER="/basket/"),
                    lambda: _basket_units() == before + 1)
        if kind == "checkout_submit":
            self.checkout_ready(client, product)
            before = Order.objects.count()
            return (lambda: client.post("/checkout/preview/", {"action": "place_order"}),
                    lambda: Order.objects.count() == before + 1)
        if kind == "checkout_stripe":
            # As the load measures it: the submit and the payment page it redirects to.
            self.checkout_ready(client, product)
            before = Order.objects.count()

            def submit_and_pay_page():
                submitted = client.post("/checkout/preview/", {"action": "place_order"})
                if submitted.status_code != 302:
                    return submitted
                return client.get(submitted["Location"])

            return submit_and_pay_page, lambda: (
                Order.objects.count() == before + 1
                and _has_intent(Order.objects.order_by("-pk").first()))
        if scenario == "stripe_webhook":
            # A buyer orders and pays at localstripe; Stripe's (cookie-less) POST is measured.
            from marketplace.payments.models import Payment
            from tests.payments.stripe_helpers import WEBHOOK_PATH, pay_intent, signed_event

            buyer = self.client(logged_in=True)
            self.checkout_ready(buyer, product)
            buyer.get(buyer.post("/checkout/preview/", {"action": "place_order"})["Location"])
            order = Order.objects.order_by("-pk").first()
            payment = Payment.objects.get(order=order)
            intent = pay_intent(settings.STRIPE_API_BASE, payment.reference)
            body, signature = signed_event(
                "payment_intent.succeeded",
                json.loads(json.dumps(intent.to_dict(), default=str)),
                secret=settings.STRIPE_WEBHOOK_SECRET)
            return (lambda: client.generic("POST", WEBHOOK_PATH, body,
                                           content_type="application/json",
                                           HTTP_STRIPE_SIGNATURE=signature),
                    lambda: Order.objects.get(pk=order.pk).status == "paid")
        raise ValueError(scenario)

    def prepare_live(self, client: Client, kind: str):
        """The live rows. Their 'miss' pass (PAGE_CACHE_SECONDS=0) is what the live
        endpoints' own caches miss: the state rebuilt, a heartbeat from a new viewer."""
        from marketplace.livestream import selectors
        from marketplace.livestream.models import SessionViewer

        slug, state_url = self.t["live_slug"], self.t["live_state_url"]
        missing = settings.PAGE_CACHE_SECONDS <= 0
        answered = {}

        def get(url, **headers):
            answered["response"] = client.get(url, HTTP_ACCEPT="application/json", **headers)
            return answered["response"]

        def live_state_sent(status: int) -> bool:
            response = answered["response"]
            return response.status_code == status and (
                status == 304 or json.loads(response.content)["status"] == "live")

        if kind == "live_detail":
            return (lambda: client.get(self.t["live_detail_url"])), None
        if kind in ("live_state", "live_state304"):
            if missing:
                cache.delete(selectors._state_key(slug))  # the next request rebuilds it
                etag = ""
            else:
                etag = client.get(state_url)["ETag"]  # warm, as the pollers keep it
            if kind == "live_state":
                return (lambda: get(state_url)), lambda: live_state_sent(200)
            headers = {"HTTP_IF_NONE_MATCH": etag} if etag else {}
            return (lambda: get(state_url, **headers)), lambda: live_state_sent(
                304 if etag else 200)
        if kind == "live_heartbeat":
            # A viewer of the pool (seen before, as in the load) or, missing, a new one.
            self.viewer_seq = getattr(self, "viewer_seq", -1) + 1
            token = (secrets.token_urlsafe(18) if missing else
                     viewer_token(self.t["live_viewers"] + self.viewer_seq % REPLAY_VIEWERS))
            client.cookies["live_viewer"] = token

            def beat():
                answered["response"] = client.post(
                    self.t["live_heartbeat_url"], {"viewer": token},
                    HTTP_ACCEPT="application/json")
                return answered["response"]

            return beat, lambda: (
                answered["response"].status_code == 200
                and json.loads(answered["response"].content)["viewers"] >= 1
                and SessionViewer.objects.filter(session__slug=slug,
                                                 viewer_key=f"a{token}").exists())
        raise ValueError(kind)

    def prepare_scans(self, client: Client):
        """One full batch from the last station's operator, as the load posts it (new
        UUIDs every time): done when every scan was accepted and stored."""
        from logistics.models import ScanEvent

        station = self.t["stations"][-1]
        client.force_login(get_user_model().objects.get(email=station["email"]))
        size = self.t["scan_batch_size"]
        # Batches far from the load's own numbers; the parcels repeat, the UUIDs never do.
        self.batch_no = getattr(self, "batch_no", 1000) + 1
        body = json.dumps({"scans": scan_batch(station["codes"], self.batch_no, size)})
        before = ScanEvent.objects.count()
        answered = {}

        def send():
            answered["response"] = client.post(station["scans_url"], body,
                                               content_type="application/json")
            return answered["response"]

        return send, lambda: (json.loads(answered["response"].content)["accepted"] == size
                              and ScanEvent.objects.count() == before + size)

    def checkout_ready(self, client: Client, product: int) -> None:
        """Basket, saved address and shipping method: what precedes placing an order."""
        client.post(f"/basket/add/{product}/", {"quantity": 1}, HTTP_REFERER="/basket/")
        client.post("/checkout/shipping-address/",
                    {"address_id": self.address_id, "action": "ship_to"})
        client.get("/checkout/shipping-method/")

    def measure(self, client: Client, scenario: str) -> dict:
        send, check = self.prepare(client, scenario)
        # The log keeps only the last 9,000 queries; once full, CaptureQueriesContext counts
        # none (a batch of scans alone makes about 4,000).
        connection.queries_log.clear()
        with CaptureQueriesContext(connection) as ctx:
            cpu = time.process_time()
            response = send()
            cpu = time.process_time() - cpu
        return {
            "queries": len(ctx.captured_queries),
            "status": response.status_code,
            "verified": response.status_code < 400 and (check is None or check()),
            "cpu_ms": round(cpu * 1000, 1),
            "sql_ms": round(sum(float(q["time"]) for q in ctx.captured_queries) * 1000, 1),
        }

    def count(self, scenario: str) -> dict:
        """Queries of a warm request, and the median app CPU and SQL time of a few."""
        client = self.client(logged_in=scenario.endswith("_user"))
        self.measure(client, scenario)  # warm-up: first use of templates, caches, sessions
        runs = [self.measure(client, scenario) for _ in range(REPEATS)]
        return {
            "queries": runs[0]["queries"],
            "status": runs[0]["status"],
            "verified": all(r["verified"] for r in runs),
            "cpu_ms": statistics.median(r["cpu_ms"] for r in runs),
            "sql_ms": statistics.median(r["sql_ms"] for r in runs),
        }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.queries")
    parser.add_argument("--targets", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("scenarios", nargs="+")
    args = parser.parse_args(argv)
    with open(args.targets, encoding="utf-8") as f:
        replay = Replay(json.load(f))
    counts = {s: replay.count(s) for s in args.scenarios}
    with open(args.out, "w", encoding="utf-8") as f:
        json.dump({"target": settings.BENCH_TARGET, "counts": counts}, f)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
