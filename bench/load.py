"""Drives one bench scenario with locust (as a library) and writes its statistics as JSON.

``python -m bench.load --scenario detail_anon --host http://127.0.0.1:PORT --targets t.json
--users 32 --duration 20 --warmup 5 --out result.json``. Each locust user sends its next
request as soon as the last one answered (closed loop, no think time), so ``users`` is the
number of requests in flight. Statistics are reset after the warm-up.
"""

from __future__ import annotations

import argparse
import collections
import itertools
import json
import random
import re
import sys
import time
from http.cookiejar import Cookie
from urllib.parse import quote, urlparse

import gevent
from locust import FastHttpUser, constant, task
from locust.contrib.fasthttp import FastHttpSession
from locust.env import Environment
from locust.exception import StopUser

from bench.live import viewer_token
from bench.logistics import scan_batch
from tests.payments.stripe_helpers import pay_intent, signed_event

# What each scenario measures: the request name its figures come from, and whether its
# users are logged in (through a session written by bench.build prepare).
SCENARIOS = {
    "b0": ("b0", False),
    "b1": ("b1", False),
    "home_anon": ("home", False),
    "home_user": ("home", True),
    "listing_anon": ("listing", False),
    "listing_user": ("listing", True),
    "detail_anon": ("detail", False),
    "detail_user": ("detail", True),
    "search_anon": ("search", False),
    "suggest_anon": ("suggest", False),
    "basket_add_anon": ("basket add", False),
    "basket_add_user": ("basket add", True),
    "checkout_submit_user": ("checkout submit", True),
    "checkout_stripe_user": ("checkout stripe", True),
    "live_state_anon": ("live state", False),
    "live_state304_anon": ("live state 304", False),
    "live_detail_anon": ("live detail", False),
    "live_heartbeat_anon": ("live heartbeat", False),
    # Logged in as a station operator (its own session, not a buyer's): see on_start.
    "scans_batch_operator": ("scans batch", False),
    "track_anon": ("track", False),
}
# Rows a scenario's run also yields: row name -> the request name its figures come from.
# The webhook needs an order paid at Stripe, which only the checkout loop makes, so it is
# measured inside that loop (one delivery per order) rather than by a run of its own.
EXTRA_ROWS = {"checkout_stripe_user": {"stripe_webhook": "stripe webhook"}}
WEBHOOK_PATH = "/payments/webhooks/stripe/"
CLIENT_SECRET = re.compile(r'data-client-secret="(pi_[A-Za-z0-9]+)_secret_')
BASKET_POOL = 8  # products each user adds again and again, so baskets stay a realistic size


def _cookie(name: str, value: str, host: str) -> Cookie:
    return Cookie(
        version=0, name=name, value=value, port=None, port_specified=False, domain=host,
        domain_specified=False, domain_initial_dot=False, path="/", path_specified=True,
        secure=False, expires=None, discard=True, comment=None, comment_url=None, rest={},
    )


class BenchUser(FastHttpUser):
    """One simulated buyer; which scenario it runs is set on the class before the run."""

    wait_time = constant(0)
    scenario = ""
    targets: dict = {}
    # localstripe's base URL and the server's webhook secret (checkout_stripe_user only).
    stripe_base = ""
    webhook_secret = ""
    # When set, each user stops after this many rounds (the test suite's smoke run).
    iterations = 0
    users = 1
    # Answers by status code of the scenario's request (cleared with the statistics): how
    # many polls with an ETag were answered 304.
    statuses: collections.Counter = collections.Counter()
    # Outcomes of the scans in the batches answered (cleared with the statistics).
    scans: collections.Counter = collections.Counter()
    _numbers = itertools.count()

    def on_start(self) -> None:
        self.number = next(self._numbers)
        self.rng = random.Random(self.number)
        _name, logged_in = SCENARIOS[self.scenario]
        if logged_in:
            buyers = self.targets["buyers"]
            self.buyer = buyers[self.number % len(buyers)]
            host = urlparse(self.host).hostname
            self.client.cookiejar.set_cookie(_cookie("sessionid", self.buyer["session"], host))
        self.pool = self.rng.sample(self.targets["addable_ids"], BASKET_POOL)
        if self.scenario.startswith(("basket", "checkout")):
            # A page with a form sets the csrftoken cookie that the POSTs send back.
            self.client.get(self.rng.choice(self.targets["detail_urls"]), name="setup")
        if self.scenario == "live_heartbeat_anon":
            # The viewer page sets the csrftoken cookie its script sends back as X-CSRFToken.
            self.client.get(self.targets["live_detail_url"], name="setup")
            # This user's share of the viewer pool, taken in turn: each viewer beats again
            # only after all the others of its share (see bench/live.py).
            share = max(1, self.targets["live_viewers"] // max(1, self.users))
            self.viewers = itertools.cycle(range(self.number % self.users * share,
                                                 (self.number % self.users + 1) * share))
        self.etag = ""
        if self.scenario == "scans_batch_operator":
            # One station each, logged in as its operator; the console page (where station.js
            # runs) sets the csrftoken cookie the batches send back as X-CSRFToken.
            self.station = self.targets["stations"][self.number % len(self.targets["stations"])]
            self.client.cookiejar.set_cookie(
                _cookie("sessionid", self.station["session"], urlparse(self.host).hostname))
            self.client.get(self.station["console_url"], name="setup")
            self.batches = 0
        if self.scenario == "checkout_stripe_user":
            # Stripe sends webhooks without the buyer's cookies: a session of their own.
            self.hook = FastHttpSession(self.host, request_event=self.environment.events.request,
                                        user=self)

    @property
    def csrf(self) -> str:
        return next((c.value for c in self.client.cookiejar if c.name == "csrftoken"), "")

    @task
    def step(self) -> None:
        getattr(self, self.scenario.rsplit("_", 1)[0] if self.scenario not in ("b0", "b1")
                else self.scenario)()
        self.rounds = getattr(self, "rounds", 0) + 1
        if self.iterations and self.rounds >= self.iterations:
            raise StopUser

    def b0(self) -> None:
        self.client.get("/__bench/b0/", name="b0")

    def b1(self) -> None:
        self.client.get("/__bench/b1/", name="b1")

    def home(self) -> None:
        self.client.get("/", name="home")

    def listing(self) -> None:
        page = self.rng.randint(1, self.targets["category_pages"])
        self.client.get(f"{self.targets['category_url']}?page={page}", name="listing")

    def detail(self) -> None:
        self.client.get(self.rng.choice(self.targets["detail_urls"]), name="detail")

    def search(self) -> None:
        """A search as buyers type it (bench.search: Han word, pinyin or initials, some with
        a category filter or a sort); the old data's plain words when the targets lack it."""
        urls = self.targets.get("search_urls")
        url = (self.rng.choice(urls) if urls else
               f"/search/?q={quote(self.rng.choice(self.targets['search_words']))}")
        with self.client.get(url, name="search", catch_response=True) as response:
            self._expect(response, 200)

    def suggest(self) -> None:
        """The search box's suggestions for a prefix being typed (JSON)."""
        with self.client.get(self.rng.choice(self.targets["suggest_urls"]), name="suggest",
                             headers={"Accept": "application/json"},
                             catch_response=True) as response:
            self._expect(response, 200)
            if response.status_code == 200 and "suggestions" not in (response.json() or {}):
                response.failure("no suggestions list in the answer")

    def _expect(self, response, *codes: int) -> None:
        self.statuses[response.status_code] += 1
        if response.status_code not in codes:
            response.failure(f"answered {response.status_code}")

    def live_state(self) -> None:
        """A poller that has no state yet (first poll, or a CDN passing it through)."""
        with self.client.get(self.targets["live_state_url"], name="live state",
                             headers={"Accept": "application/json"},
                             catch_response=True) as response:
            self._expect(response, 200)

    def live_state304(self) -> None:
        """A poller as viewer.js polls: with the ETag of the last state it received."""
        headers = {"Accept": "application/json"}
        if self.etag:
            headers["If-None-Match"] = self.etag
        with self.client.get(self.targets["live_state_url"], name="live state 304",
                             headers=headers, catch_response=True) as response:
            self._expect(response, 200, 304)
            if response.status_code == 200:
                self.etag = response.headers.get("ETag", "")

    def live_detail(self) -> None:
        with self.client.get(self.targets["live_detail_url"], name="live detail",
                             catch_response=True) as response:
            self._expect(response, 200)

    def live_heartbeat(self) -> None:
        """The next viewer of this user's share posts its heartbeat as viewer.js does."""
        token = viewer_token(next(self.viewers))
        self.client.cookiejar.set_cookie(
            _cookie("live_viewer", token, urlparse(self.host).hostname))
        with self.client.post(
            self.targets["live_heartbeat_url"], data={"viewer": token},
            headers={"X-CSRFToken": self.csrf, "Accept": "application/json"},
            name="live heartbeat", catch_response=True,
        ) as response:
            self._expect(response, 200)
            if response.status_code == 200 and not (response.json() or {}).get("viewers"):
                response.failure("heartbeat counted no viewer")

    def scans_batch(self) -> None:
        """A station app sending its queue: a batch of scans of distinct parcels at its
        node, as station.js posts it; success = every scan accepted."""
        size = self.targets["scan_batch_size"]
        batch = scan_batch(self.station["codes"], self.batches, size)
        self.batches += 1
        with self.client.post(
            self.station["scans_url"], data=json.dumps({"scans": batch}),
            headers={"X-CSRFToken": self.csrf, "Accept": "application/json",
                     "Content-Type": "application/json"},
            name="scans batch", catch_response=True,
        ) as response:
            self._expect(response, 200)
            if response.status_code != 200:
                return
            body = response.json() or {}
            for outcome in ("accepted", "duplicate", "rejected"):
                self.scans[outcome] += body.get(outcome, 0)
            if body.get("accepted") != size:
                reasons = {r["reason"] for r in body.get("results", []) if r.get("reason")}
                response.failure(f"{body.get('accepted')} of {size} accepted: "
                                 f"{'; '.join(sorted(reasons))[:200]}")

    def track(self) -> None:
        """Someone with a parcel code (a buyer, or the label's QR code) opens its tracking."""
        code = self.rng.choice(self.targets["track_codes"])
        with self.client.get(f"/track/{code}/", name="track", catch_response=True) as response:
            self._expect(response, 200)

    def _add(self, name: str) -> None:
        with self.client.post(
            f"/basket/add/{self.rng.choice(self.pool)}/",
            data={"csrfmiddlewaretoken": self.csrf, "quantity": "1"},
            headers={"Referer": f"{self.host}/basket/"},
            name=name, allow_redirects=False, catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"basket add answered {response.status_code}")

    def basket_add(self) -> None:
        self._add("basket add")

    def _checkout_ready(self) -> None:
        """Add, choose the saved address, let Oscar pick the only shipping method."""
        self._add("checkout: add")
        self.client.post(
            "/checkout/shipping-address/",
            data={"csrfmiddlewaretoken": self.csrf, "address_id": str(self.buyer["address_id"]),
                  "action": "ship_to"},
            name="checkout: address", allow_redirects=False,
        )
        self.client.get("/checkout/shipping-method/", name="checkout: method",
                        allow_redirects=False)

    def _place_order(self, name: str):
        return self.client.post(
            "/checkout/preview/",
            data={"csrfmiddlewaretoken": self.csrf, "action": "place_order"},
            name=name, allow_redirects=False, catch_response=True,
        )

    def checkout_submit(self) -> None:
        """Prepare the checkout, then place the order; only the last request is the
        scenario's figure."""
        self._checkout_ready()
        with self._place_order("checkout submit") as response:
            location = response.headers.get("Location", "") if response.headers else ""
            if response.status_code != 302 or "thank-you" not in location:
                response.failure(f"place order answered {response.status_code} {location}")

    def _fire(self, name: str, started: float, error: str | None) -> None:
        self.environment.events.request.fire(
            request_type="STEP", name=name, response_length=0, context={},
            response_time=(time.perf_counter() - started) * 1000,
            exception=RuntimeError(error) if error else None,
        )

    def checkout_stripe(self) -> None:
        """What checkout_submit does, then the payment page the submit redirects to (where
        the server creates the PaymentIntent at localstripe): "checkout stripe" is submit and
        page together. Then the buyer's browser pays at localstripe and Stripe's webhook
        tells the server."""
        self._checkout_ready()
        started = time.perf_counter()
        with self._place_order("checkout stripe: submit") as response:
            location = response.headers.get("Location", "") if response.headers else ""
            error = None
            if response.status_code != 302 or "/payments/pay/" not in location:
                error = f"place order answered {response.status_code} {location}"
                response.failure(error)
        if error:
            self._fire("checkout stripe", started, error)
            return
        with self.client.get(urlparse(location).path, name="checkout stripe: pay page",
                             catch_response=True) as page:
            found = CLIENT_SECRET.search(page.text or "") if page.status_code == 200 else None
            if found is None:
                error = f"pay page answered {page.status_code} without a client secret"
                page.failure(error)
        self._fire("checkout stripe", started, error)
        if error:
            return
        self._pay_and_notify(found.group(1))

    def _pay_and_notify(self, intent_id: str) -> None:
        started = time.perf_counter()
        try:
            intent = pay_intent(self.stripe_base, intent_id)
            error = None if intent.status == "succeeded" else f"intent is {intent.status}"
        except Exception as exc:  # any failure is the run's figure, not a crash
            error, intent = f"{type(exc).__name__}: {exc}", None
        self._fire("stripe: pay at localstripe", started, error)
        if error:
            return
        body, signature = signed_event(
            "payment_intent.succeeded", json.loads(json.dumps(intent.to_dict(), default=str)),
            secret=self.webhook_secret)
        with self.hook.post(
            WEBHOOK_PATH, data=body, name="stripe webhook", catch_response=True,
            headers={"Content-Type": "application/json", "Stripe-Signature": signature},
        ) as response:
            outcome = (response.json() or {}).get("outcome") if response.status_code == 200 \
                else None
            if outcome != "paid":
                response.failure(f"webhook answered {response.status_code} {outcome}")


def _entry_stats(entry, elapsed: float) -> dict:
    pct = entry.get_response_time_percentile
    return {
        "requests": entry.num_requests,
        "failures": entry.num_failures,
        "rps": round(entry.num_requests / elapsed, 2) if elapsed else 0.0,
        "p50_ms": pct(0.5) if entry.num_requests else None,
        "p95_ms": pct(0.95) if entry.num_requests else None,
        "p99_ms": pct(0.99) if entry.num_requests else None,
        "avg_ms": round(entry.avg_response_time, 1),
        "max_ms": entry.max_response_time,
    }


def run(*, scenario: str, host: str, targets: dict, users: int, duration: float,
        warmup: float, stripe_base: str = "", webhook_secret: str = "",
        iterations: int = 0) -> dict:
    BenchUser.scenario = scenario
    BenchUser.targets = targets
    BenchUser.host = host
    BenchUser.stripe_base = stripe_base
    BenchUser.webhook_secret = webhook_secret
    BenchUser.iterations = iterations
    BenchUser.users = users
    # A batch of 500 scans may queue behind nine others on three workers.
    BenchUser.network_timeout = 120.0 if scenario == "scans_batch_operator" else 60.0
    env = Environment(user_classes=[BenchUser], host=host)
    runner = env.create_local_runner()
    runner.start(users, spawn_rate=users)
    gevent.sleep(warmup)
    env.stats.reset_all()
    BenchUser.statuses.clear()
    BenchUser.scans.clear()
    started = time.monotonic()
    if iterations:
        # Until every user has done its rounds; the duration is then only a deadline.
        while runner.user_count and time.monotonic() - started < duration:
            gevent.sleep(0.05)
    else:
        gevent.sleep(duration)
    elapsed = time.monotonic() - started
    # Read the figures before stopping: stopping kills requests that are still in flight.
    name = SCENARIOS[scenario][0]
    entries = {e.name: _entry_stats(e, elapsed) for e in env.stats.entries.values()}
    errors = [{"name": e.name, "error": str(e.error)[:300], "count": e.occurrences}
              for e in env.stats.errors.values()]
    # Same moment for the counters: a batch answered while the users stop would count in
    # them but not in the statistics.
    counted_statuses, counted_scans = dict(BenchUser.statuses), dict(BenchUser.scans)
    runner.quit()
    empty = {"requests": 0, "failures": 0, "rps": 0.0, "p50_ms": None, "p95_ms": None,
             "p99_ms": None, "avg_ms": None, "max_ms": None}
    extra = {row: {"scenario": row, "users": users, "duration_s": round(elapsed, 1),
                   **(entries.get(request) or empty), "all_requests": {},
                   "errors": [e for e in errors if e["name"] == request][:10]}
             for row, request in EXTRA_ROWS.get(scenario, {}).items()}
    statuses = {str(code): n for code, n in sorted(counted_statuses.items())}
    out = {"scenario": scenario, "users": users, "duration_s": round(elapsed, 1),
           **(entries.get(name) or empty), "all_requests": entries, "errors": errors[:10],
           "statuses": statuses, "extra_rows": extra}
    if scenario == "scans_batch_operator":
        size = targets["scan_batch_size"]
        ok = out["requests"] - out["failures"]
        out["scans"] = {"batch_size": size, "stations": users, **counted_scans,
                        "batches_ok": ok,
                        "scans_per_s": round(counted_scans.get("accepted", 0) / elapsed, 1)
                        if elapsed else 0.0,
                        "batches_ok_per_s": round(ok / elapsed, 2) if elapsed else 0.0}
    return out


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.load")
    parser.add_argument("--scenario", required=True, choices=sorted(SCENARIOS))
    parser.add_argument("--host", required=True)
    parser.add_argument("--targets", required=True)
    parser.add_argument("--users", type=int, default=32)
    parser.add_argument("--duration", type=float, default=20)
    parser.add_argument("--warmup", type=float, default=5)
    parser.add_argument("--out", required=True)
    parser.add_argument("--stripe-base", default="", help="localstripe's URL (Stripe scenario)")
    parser.add_argument("--webhook-secret", default="", help="the server's webhook secret")
    parser.add_argument("--iterations", type=int, default=0,
                        help="stop each user after this many rounds (0: run for --duration)")
    args = parser.parse_args(argv)
    with open(args.targets, encoding="utf-8") as f:
        targets = json.load(f)
    result = run(scenario=args.scenario, host=args.host, targets=targets, users=args.users,
                 duration=args.duration, warmup=args.warmup, stripe_base=args.stripe_base,
                 webhook_secret=args.webhook_secret, iterations=args.iterations)
    with open(args.out, "w", encoding="utf-8") as f:
        json.dump(result, f, ensure_ascii=False)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
