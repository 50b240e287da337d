"""Payments that are never lost or counted twice: concurrency, idempotency, reconciliation,
refunds from Stripe, and localstripe's own webhook delivery to a running server."""

from __future__ import annotations

import datetime as dt
import time
from functools import partial

import pytest
import requests
import stripe
from django.db import transaction
from django.test import Client
from django.utils import timezone
from oscar.core.loading import get_model

from marketplace.payments import services
from marketplace.payments.models import Payment, ProviderEvent, Refund
from marketplace.payments.tasks import orders_cancel_expired, payments_reconcile
from tests import factories
from tests.payments.stripe_helpers import (
    SECRET_KEY,
    WEBHOOK_PATH,
    WEBHOOK_SECRET,
    intent_event,
    pay_intent,
    post_webhook,
    signed_event,
    stripe_client,
)
from tests.reliability.helpers import (
    at_once,
    buyer_ready_to_submit,
    place_order,
    require_postgres,
)

Order = get_model("order", "Order")
StockRecord = get_model("partner", "StockRecord")
PaymentEvent = get_model("order", "PaymentEvent")


def allocated(product) -> int:
    return StockRecord.objects.get(product=product).num_allocated or 0


def checkout(product, *, quantity=1, email=None):
    client = buyer_ready_to_submit(product, quantity=quantity, email=email)
    response = place_order(client)
    order = Order.objects.filter(lines__product=product).latest("pk")
    return client, order, response


def intents_of(base, order_number) -> list:
    page = stripe_client(base).v1.payment_intents.list(params={"limit": 100})
    return [i for i in page.data if i.to_dict()["metadata"].get("order_number") == order_number]


@pytest.mark.django_db
def test_every_create_call_carries_the_order_attempt_idempotency_key(stripe_on, coop_a,
                                                                    monkeypatch):
    sent = []
    original = stripe.RequestsClient.request

    def recording(self, method, url, headers, post_data=None):
        sent.append((method, url, dict(headers or {})))
        return original(self, method, url, headers, post_data)

    monkeypatch.setattr(stripe.RequestsClient, "request", recording)
    product = factories.product(coop_a, stock=5)

    _client, order, _ = checkout(product)

    creates = [h for m, u, h in sent if m == "post" and u.endswith("/v1/payment_intents")]
    assert len(creates) == 1
    assert creates[0]["Idempotency-Key"] == f"order-{order.number}-attempt-1"


@pytest.mark.reliability
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_submits_make_one_order_and_one_intent(base_data_tx, stripe_on):
    require_postgres()
    for attempt in range(3):
        coop = factories.cooperative()
        product = factories.product(coop, title=f"双击支付测试{attempt}", stock=10)
        tab_one = buyer_ready_to_submit(product, quantity=2)
        tab_two = Client()
        tab_two.cookies = tab_one.cookies

        results = at_once([partial(place_order, tab_one), partial(place_order, tab_two)])

        order = Order.objects.get(lines__product=product)
        for response in results:
            assert not isinstance(response, Exception), response
            assert response.status_code == 200
            assert response.redirect_chain[-1][0] == f"/payments/pay/{order.number}/"
        assert allocated(product) == 2
        assert Payment.objects.filter(order=order).count() == 1
        assert len(intents_of(stripe_on, order.number)) == 1


@pytest.mark.reliability
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_pay_page_opened_in_five_tabs_at_once_makes_one_intent(base_data_tx, stripe_on):
    require_postgres()
    coop = factories.cooperative()
    product = factories.product(coop, stock=10)
    client, order, _ = checkout(product)
    Payment.objects.filter(order=order).delete()  # as if the first page load never happened
    requests.delete(f"{stripe_on}/_config/data", auth=(SECRET_KEY, ""), timeout=5)
    tabs = []
    for _ in range(5):
        tab = Client()
        tab.cookies = client.cookies
        tabs.append(tab)

    results = at_once([partial(tab.get, f"/payments/pay/{order.number}/") for tab in tabs])

    assert [getattr(r, "status_code", r) for r in results] == [200] * 5
    assert Payment.objects.filter(order=order).count() == 1
    assert len(intents_of(stripe_on, order.number)) == 1


@pytest.mark.reliability
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_webhook_replayed_five_times_concurrently_changes_the_order_once(
        base_data_tx, stripe_on):
    require_postgres()
    coop = factories.cooperative()
    product = factories.product(coop, stock=10)
    _client, order, _ = checkout(product)
    reference = Payment.objects.get(order=order).reference
    pay_intent(stripe_on, reference)
    body, signature = intent_event(stripe_on, "payment_intent.succeeded", reference)

    results = at_once([partial(post_webhook, Client(), body, signature) for _ in range(5)])

    assert [getattr(r, "status_code", r) for r in results] == [200] * 5
    outcomes = sorted(r.json()["outcome"] for r in results)
    assert outcomes == ["duplicate"] * 4 + ["paid"]
    assert ProviderEvent.objects.count() == 1
    assert PaymentEvent.objects.filter(order=order, event_type__code="paid").count() == 1
    assert order.status_changes.filter(new_status="paid").count() == 1


@pytest.mark.reliability
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_success_and_failure_and_expiry_racing_end_in_one_consistent_state(
        base_data_tx, stripe_on):
    require_postgres()
    coop = factories.cooperative()
    product = factories.product(coop, stock=10)
    _client, order, _ = checkout(product, quantity=2)
    reference = Payment.objects.get(order=order).reference
    failed = intent_event(stripe_on, "payment_intent.payment_failed", reference)
    pay_intent(stripe_on, reference)
    succeeded = intent_event(stripe_on, "payment_intent.succeeded", reference)
    Order.objects.filter(pk=order.pk).update(date_placed=timezone.now() - dt.timedelta(hours=1))

    at_once([
        partial(post_webhook, Client(), *succeeded),
        partial(post_webhook, Client(), *failed),
        lambda: orders_cancel_expired.delay().get(),
        lambda: services.payments_reconcile(),
    ])

    order.refresh_from_db()
    assert order.status == "paid"
    assert allocated(product) == 2
    assert PaymentEvent.objects.filter(order=order, event_type__code="paid").count() == 1
    assert Refund.objects.count() == 0


@pytest.mark.django_db
def test_reconcile_marks_paid_an_order_whose_webhook_never_came(stripe_on, coop_a):
    # The server was down when Stripe sent payment_intent.succeeded (and Stripe gave up).
    product = factories.product(coop_a, stock=5)
    _client, order, _ = checkout(product)
    pay_intent(stripe_on, Payment.objects.get(order=order).reference)

    report = payments_reconcile.delay().get()

    order.refresh_from_db()
    assert order.status == "paid"
    assert report["repaired"] == 1
    assert payments_reconcile.delay().get()["repaired"] == 0  # nothing left to repair


@pytest.mark.django_db
def test_reconcile_refunds_a_payment_whose_order_was_never_committed(stripe_on, coop_a):
    # A crash between taking the payment and saving the order: the intent names an order
    # number that does not exist. No money may be kept without an order.
    product = factories.product(coop_a, stock=5)
    try:
        with transaction.atomic():
            _client, order, _ = checkout(product)
            reference = Payment.objects.get(order=order).reference
            number = order.number
            raise RuntimeError("crash before commit")
    except RuntimeError:
        pass
    assert not Order.objects.filter(number=number).exists()
    pay_intent(stripe_on, reference)

    report = services.payments_reconcile()

    assert report.repaired == 1
    refunds = stripe_client(stripe_on).v1.refunds.list(params={"payment_intent": reference})
    assert [r.amount for r in refunds.data] == [3990]


@pytest.mark.django_db
def test_zero_lost_payments_after_crashes(stripe_on, coop_a):
    """Every succeeded intent ends as exactly one paid order or a full refund."""
    product = factories.product(coop_a, stock=20)
    paid_without_webhook = [checkout(product, email=f"p{i}@example.com")[1] for i in range(3)]
    for order in paid_without_webhook:
        pay_intent(stripe_on, Payment.objects.get(order=order).reference)
    with_webhook = checkout(product, email="hooked@example.com")[1]
    reference = Payment.objects.get(order=with_webhook).reference
    pay_intent(stripe_on, reference)
    post_webhook(Client(), *intent_event(stripe_on, "payment_intent.succeeded", reference))

    services.payments_reconcile()

    client = stripe_client(stripe_on)
    succeeded = [i for i in client.v1.payment_intents.list(params={"limit": 100}).data
                 if i.status == "succeeded"]
    assert len(succeeded) == 4
    for intent in succeeded:
        order = Order.objects.get(number=intent.to_dict()["metadata"]["order_number"])
        refunded = client.v1.refunds.list(params={"payment_intent": intent.id}).data
        assert order.status == "paid" or sum(r.amount for r in refunded) == intent.amount
        assert PaymentEvent.objects.filter(order=order, event_type__code="paid").count() <= 1


@pytest.mark.django_db
def test_payment_after_the_deadline_reinstates_the_order_if_stock_remains(stripe_on, coop_a):
    product = factories.product(coop_a, stock=5)
    _client, order, _ = checkout(product, quantity=2)
    reference = Payment.objects.get(order=order).reference
    services.order_expire(order_id=order.pk)  # cancelled, stock back, intent cancelled
    order.refresh_from_db()
    assert (order.status, allocated(product)) == ("cancelled", 0)
    # Stripe cannot pay a cancelled intent, so model the race at our side: the payment had
    # succeeded when our cancel call was answered, but our records missed it.
    pay_late = services.IntentState(reference=reference, status="succeeded", amount_fen=7980,
                                    currency="CNY", order_number=order.number)

    outcome = services._apply(services.get_provider(), pay_late, failed=False)

    assert outcome == "paid:reinstated"
    order.refresh_from_db()
    assert order.status == "paid"
    assert allocated(product) == 2


@pytest.mark.django_db
def test_late_payment_for_a_sold_out_order_is_refunded_in_full(stripe_on, coop_a):
    product = factories.product(coop_a, stock=2)
    client, order, _ = checkout(product, quantity=2, email="late@example.com")
    reference = Payment.objects.get(order=order).reference
    pay_intent(stripe_on, reference)
    # Our records saw the order expire (stock released) before the success was read back.
    Order.objects.filter(pk=order.pk).update(status="cancelled")
    StockRecord.objects.filter(product=product).update(num_allocated=0)
    checkout(product, quantity=2, email="winner@example.com")  # someone else takes the units

    response = post_webhook(client, *intent_event(stripe_on, "payment_intent.succeeded",
                                                  reference))

    assert response.json()["outcome"] == "refunded:auto"
    order.refresh_from_db()
    assert order.status == "cancelled"
    refund = Refund.objects.get(order=order)
    assert (refund.origin, refund.amount_fen) == (Refund.AUTOMATIC, 7980)
    remote = stripe_client(stripe_on).v1.refunds.list(params={"payment_intent": reference})
    assert [r.id for r in remote.data] == [refund.reference]


@pytest.mark.django_db
def test_refund_made_in_stripes_dashboard_is_recorded_once_from_charge_refunded(
        stripe_on, coop_a):
    product = factories.product(coop_a, price="50.00", stock=5)
    client, order, _ = checkout(product, quantity=2)
    reference = Payment.objects.get(order=order).reference
    charge = pay_intent(stripe_on, reference).to_dict()["latest_charge"]
    post_webhook(client, *intent_event(stripe_on, "payment_intent.succeeded", reference))
    stripe_client(stripe_on).v1.refunds.create(params={"payment_intent": reference,
                                                      "amount": 3000})
    body, signature = signed_event("charge.refunded", {**charge, "amount_refunded": 3000})

    first = post_webhook(client, body, signature)
    again = post_webhook(client, *signed_event("charge.refunded", charge))  # another event id

    assert first.json()["outcome"] == "refunds:1"
    assert again.json()["outcome"] == "refunds:0"
    order.refresh_from_db()
    assert order.status == "partially_refunded"
    assert Refund.objects.get(order=order).amount_fen == 3000
    source = order.sources.get()
    assert source.amount_refunded == source.amount_debited - 70


@pytest.mark.django_db(transaction=True)
def test_localstripe_delivers_its_own_webhook_to_the_running_server(
        base_data_tx, stripe_on, live_server, settings):
    # The real path: localstripe signs and POSTs payment_intent.succeeded to our endpoint.
    settings.ALLOWED_HOSTS = ["*"]
    requests.post(f"{stripe_on}/_config/webhooks/marketplace", auth=(SECRET_KEY, ""),
                  data={"url": f"{live_server.url}{WEBHOOK_PATH}", "secret": WEBHOOK_SECRET},
                  timeout=5).raise_for_status()
    coop = factories.cooperative()
    product = factories.product(coop, stock=5)
    _client, order, _ = checkout(product)

    pay_intent(stripe_on, Payment.objects.get(order=order).reference)

    deadline = time.monotonic() + 20
    while Order.objects.get(pk=order.pk).status != "paid":
        assert time.monotonic() < deadline, "localstripe's webhook never marked the order paid"
        time.sleep(0.2)
    assert ProviderEvent.objects.get().type == "payment_intent.succeeded"
