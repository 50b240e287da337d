"""Drives one bench scenario with locust (as a library) and writes its statistics as JSON.

``python -m bench.load --scenario detail_anon --host http://127.0.0.1:PORT --targets t.json
--users 32 --duration 20 --warmup 5 --out result.json``. Each locust user sends its next
request as soon as the last one answered (closed loop, no think time), so ``users`` is the
number of requests in flight. Statistics are reset after the warm-up.
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import sys
import time
from http.cookiejar import Cookie
from urllib.parse import quote, urlparse

import gevent
from locust import FastHttpUser, constant, task
from locust.env import Environment

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
    "basket_add_anon": ("basket add", False),
    "basket_add_user": ("basket add", True),
    "checkout_submit_user": ("checkout submit", True),
}
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

    @property
    def csrf(self) -> str:
        return next((c.value for c in self.client.cookiejar if c.name == "csrftoken"), "")

    @task
    def step(self) -> None:
        getattr(self, self.scenario.rsplit("_", 1)[0] if self.scenario not in ("b0", "b1")
                else self.scenario)()

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
        word = self.rng.choice(self.targets["search_words"])
        self.client.get(f"/search/?q={quote(word)}", name="search")

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

    def checkout_submit(self) -> None:
        """Add, choose the saved address, let Oscar pick the only shipping method, then
        place the order; only the last request is the scenario's figure."""
        self._add("checkout: add")
        self.client.post(
            "/checkout/shipping-address/",
            data={"csrfmiddlewaretoken": self.csrf, "address_id": str(self.buyer["address_id"]),
                  "action": "ship_to"},
            name="checkout: address", allow_redirects=False,
        )
        self.client.get("/checkout/shipping-method/", name="checkout: method",
                        allow_redirects=False)
        with self.client.post(
            "/checkout/preview/",
            data={"csrfmiddlewaretoken": self.csrf, "action": "place_order"},
            name="checkout submit", allow_redirects=False, catch_response=True,
        ) as response:
            location = response.headers.get("Location", "") if response.headers else ""
            if response.status_code != 302 or "thank-you" not in location:
                response.failure(f"place order answered {response.status_code} {location}")


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
        warmup: float) -> dict:
    BenchUser.scenario = scenario
    BenchUser.targets = targets
    BenchUser.host = host
    env = Environment(user_classes=[BenchUser], host=host)
    runner = env.create_local_runner()
    runner.start(users, spawn_rate=users)
    gevent.sleep(warmup)
    env.stats.reset_all()
    started = time.monotonic()
    gevent.sleep(duration)
    elapsed = time.monotonic() - started
    # Read the figures before stopping: stopping kills requests that are still in flight.
    name = SCENARIOS[scenario][0]
    entries = {e.name: _entry_stats(e, elapsed) for e in env.stats.entries.values()}
    errors = [{"name": e.name, "error": str(e.error)[:300], "count": e.occurrences}
              for e in env.stats.errors.values()]
    runner.quit()
    main = entries.get(name) or {"requests": 0, "failures": 0, "rps": 0.0, "p50_ms": None,
                                 "p95_ms": None, "p99_ms": None, "avg_ms": None, "max_ms": None}
    return {"scenario": scenario, "users": users, "duration_s": round(elapsed, 1),
            **main, "all_requests": entries, "errors": errors[:10]}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.load")
    parser.add_argument("--scenario", required=True, choices=sorted(SCENARIOS))
    parser.add_argument("--host", required=True)
    parser.add_argument("--targets", required=True)
    parser.add_argument("--users", type=int, default=32)
    parser.add_argument("--duration", type=float, default=20)
    parser.add_argument("--warmup", type=float, default=5)
    parser.add_argument("--out", required=True)
    args = parser.parse_args(argv)
    with open(args.targets, encoding="utf-8") as f:
        targets = json.load(f)
    result = run(scenario=args.scenario, host=args.host, targets=targets, users=args.users,
                 duration=args.duration, warmup=args.warmup)
    with open(args.out, "w", encoding="utf-8") as f:
        json.dump(result, f, ensure_ascii=False)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
