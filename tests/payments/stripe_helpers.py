"""localstripe for tests: the server, settings pointing Stripe at it, paying and webhooks."""

from __future__ import annotations

import hashlib
import hmac
import json
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import requests
import stripe

ROOT = Path(__file__).resolve().parents[2]
SECRET_KEY = "sk_test_marketplace"
PUBLISHABLE_KEY = "pk_test_marketplace"
WEBHOOK_SECRET = "whsec_test_marketplace"
WEBHOOK_PATH = "/payments/webhooks/stripe/"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_localstripe(log_path: Path) -> tuple[subprocess.Popen, str]:
    """Start localstripe on a free loopback port; returns the process and its base URL."""
    port = free_port()
    log = open(log_path, "wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.payments.localstripe_run", "--port", str(port)],
        cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            if requests.get(f"{base}/v1/customers", auth=(SECRET_KEY, ""), timeout=1).ok:
                return proc, base
        except requests.ConnectionError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise RuntimeError(f"localstripe did not start, see {log_path}")
        time.sleep(0.1)


def stripe_client(base: str) -> stripe.StripeClient:
    return stripe.StripeClient(SECRET_KEY, base_addresses={"api": base}, max_network_retries=0)


def use_localstripe(settings, base: str) -> None:
    settings.STRIPE_SECRET_KEY = SECRET_KEY
    settings.STRIPE_PUBLISHABLE_KEY = PUBLISHABLE_KEY
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.STRIPE_API_BASE = base
    settings.STRIPE_JS_URL = f"{base}/js.stripe.com/v3/"
    settings.PAYMENT_PROVIDER = "stripe"


def pay_intent(base: str, reference: str, card: str = "4242424242424242"):
    """What Stripe.js does in the buyer's browser: a card payment method, then confirm.

    localstripe confirms only an intent that already holds its payment method, so the
    method is set on the intent first. Raises stripe.CardError for a declined card.
    """
    client = stripe_client(base)
    method = client.v1.payment_methods.create(params={
        "type": "card",
        "card": {"number": card, "exp_month": 12, "exp_year": 2034, "cvc": "123"},
    })
    client.v1.payment_intents.update(reference, params={"payment_method": method.id})
    return client.v1.payment_intents.confirm(reference)


def signed_event(event_type: str, obj: dict, *, event_id: str | None = None,
                 timestamp: int | None = None, secret: str = WEBHOOK_SECRET) -> tuple[bytes, str]:
    """A Stripe event body and its Stripe-Signature header, signed as Stripe signs."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    body = json.dumps({
        "id": event_id or f"evt_{uuid.uuid4().hex[:24]}", "object": "event",
        "type": event_type, "created": timestamp, "api_version": "2026-10-28.endive",
        "data": {"object": obj},
    }).encode()
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return body, f"t={timestamp},v1={mac.hexdigest()}"


def intent_event(base: str, event_type: str, reference: str, **kwargs) -> tuple[bytes, str]:
    """An event carrying the intent as localstripe holds it now."""
    intent = stripe_client(base).v1.payment_intents.retrieve(reference)
    obj = json.loads(json.dumps(intent.to_dict(), default=str))
    return signed_event(event_type, obj, **kwargs)


def post_webhook(client, body: bytes, signature: str):
    return client.generic("POST", WEBHOOK_PATH, body, content_type="application/json",
                          HTTP_STRIPE_SIGNATURE=signature)


@pytest.fixture(scope="session")
def localstripe(tmp_path_factory):
    proc, base = start_localstripe(tmp_path_factory.mktemp("localstripe") / "server.log")
    yield base
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture
def stripe_on(settings, localstripe):
    """Stripe is the provider, talking to localstripe (emptied: order numbers repeat from
    one test database to the next); returns localstripe's base URL."""
    requests.delete(f"{localstripe}/_config/data", auth=(SECRET_KEY, ""), timeout=5)
    use_localstripe(settings, localstripe)
    return localstripe
