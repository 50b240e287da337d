"""Checkout through Stripe (localstripe): pay page, success, decline, webhooks, expiry."""

from __future__ import annotations

import datetime as dt
import time

import pytest
import stripe
from django.utils import timezone
from oscar.core.loading import get_model

from marketplace.payments.models import Payment, ProviderEvent
from marketplace.payments.tasks import orders_cancel_expired
from tests import factories
from tests.payments.stripe_helpers import (
    intent_event,
    pay_intent,
    post_webhook,
    signed_event,
    stripe_client,
)
from tests.reliability.helpers import buyer_ready_to_submit, place_order

pytestmark = pytest.mark.django_db

Order = get_model("order", "Order")
StockRecord = get_model("partner", "StockRecord")
PaymentEvent = get_model("order", "PaymentEvent")


@pytest.fixture
def product(coop_a):
    return factories.product(coop_a, title="妙高红米 5kg", price="39.90", stock=10)


def checkout(product, *, quantity=1, email="payer@example.com"):
    """A buyer places the order; returns (client, order, response after redirects)."""
    client = buyer_ready_to_submit(product, quantity=quantity, email=email)
    response = place_order(client)
    order = Order.objects.get(user__email=email)
    return client, order, response


def allocated(product) -> int:
    return StockRecord.objects.get(product=product).num_allocated or 0


def test_checkout_goes_to_the_stripe_payment_page_with_an_intent_in_fen(stripe_on, product):
    _client, order, response = checkout(product, quantity=2)

    assert response.redirect_chain[-1][0] == f"/payments/pay/{order.number}/"
    assert order.status == "pending_payment"
    assert allocated(product) == 2  # held while the buyer pays
    payment = Payment.objects.get(order=order)
    assert payment.attempt == 1
    assert payment.amount_fen == 7980
    intent = stripe_client(stripe_on).v1.payment_intents.retrieve(payment.reference)
    assert (intent.amount, intent.currency) == (7980, "cny")
    assert intent.metadata["order_number"] == order.number
    page = response.content.decode()
    assert f'data-client-secret="{intent.client_secret}"' in page
    assert f'src="{stripe_on}/js.stripe.com/v3/"' in page
    assert "沙箱" not in page


def test_payment_page_csp_allows_stripe_and_nothing_else_third_party(stripe_on, product):
    client, order, _ = checkout(product)

    response = client.get(f"/payments/pay/{order.number}/")

    csp = dict(part.strip().split(" ", 1) for part in response["Content-Security-Policy"]
               .split(";"))
    assert csp["default-src"] == "'self'"
    assert csp["script-src"].split() == ["'self'", stripe_on, "https://*.js.stripe.com"]
    assert set(csp["frame-src"].split()) == {stripe_on, "https://*.js.stripe.com",
                                             "https://hooks.stripe.com"}
    assert csp["connect-src"].split() == ["'self'", stripe_on]
    assert csp["frame-ancestors"] == "'none'"
    assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]
    # No card field is ever posted to us: the page's only form goes to Stripe.js.
    assert 'name="card' not in response.content.decode()


def test_production_csp_names_stripe_hosts(settings, stripe_on, product):
    settings.STRIPE_JS_URL = "https://js.stripe.com/v3/"
    settings.STRIPE_API_BASE = ""
    from marketplace.payments.views import payment_page_csp

    csp = payment_page_csp()

    assert "script-src 'self' https://js.stripe.com https://*.js.stripe.com" in csp
    assert "connect-src 'self' https://api.stripe.com" in csp


def test_paid_card_is_fulfilled_by_the_webhook_not_by_the_return(stripe_on, product):
    client, order, _ = checkout(product)
    reference = Payment.objects.get(order=order).reference

    pay_intent(stripe_on, reference)
    back = client.get(f"/payments/return/{order.number}/",
                      {"payment_intent": reference, "redirect_status": "succeeded"})

    assert back.status_code == 200
    assert "正在确认支付结果" in back.content.decode()
    order.refresh_from_db()
    assert order.status == "pending_payment"  # the buyer's return proves nothing

    response = post_webhook(client, *intent_event(stripe_on, "payment_intent.succeeded",
                                                  reference))

    assert response.status_code == 200, response.content
    assert response.json()["outcome"] == "paid"
    order.refresh_from_db()
    assert order.status == "paid"
    assert set(order.lines.values_list("status", flat=True)) == {"paid"}
    assert allocated(product) == 1  # sold, still allocated until shipped
    assert client.get(f"/payments/status/{order.number}/").json()["paid"] is True
    assert "支付成功" in client.get(f"/payments/return/{order.number}/").content.decode()


def test_declined_card_cancels_the_order_and_releases_its_stock(stripe_on, product):
    client, order, _ = checkout(product, quantity=3)
    reference = Payment.objects.get(order=order).reference
    assert allocated(product) == 3

    with pytest.raises(stripe.CardError):
        pay_intent(stripe_on, reference, card="4000000000000002")
    response = post_webhook(client, *intent_event(stripe_on, "payment_intent.payment_failed",
                                                  reference))

    assert response.json()["outcome"] == "cancelled"
    order.refresh_from_db()
    assert order.status == "cancelled"
    assert allocated(product) == 0
    intent = stripe_client(stripe_on).v1.payment_intents.retrieve(reference)
    assert intent.status == "canceled"  # it can no longer take money for this order
    page = client.get(f"/payments/pay/{order.number}/").content.decode()
    assert "订单已取消" in page and "放回购物车" in page


def test_out_of_order_failed_event_after_success_leaves_the_order_paid(stripe_on, product):
    client, order, _ = checkout(product)
    reference = Payment.objects.get(order=order).reference
    failed_body = intent_event(stripe_on, "payment_intent.payment_failed", reference)
    pay_intent(stripe_on, reference)

    first = post_webhook(client, *intent_event(stripe_on, "payment_intent.succeeded",
                                               reference))
    late = post_webhook(client, *failed_body)  # an older event, delivered last

    assert (first.json()["outcome"], late.json()["outcome"]) == ("paid", "unchanged:paid")
    order.refresh_from_db()
    assert order.status == "paid"
    assert allocated(product) == 1


def test_failed_event_that_arrives_after_the_payment_succeeded_marks_paid(stripe_on, product):
    # The payment_failed of a first try is delivered only after a second try succeeded:
    # reading the intent back shows success, so nothing is cancelled.
    client, order, _ = checkout(product)
    reference = Payment.objects.get(order=order).reference
    pay_intent(stripe_on, reference)

    response = post_webhook(client, *intent_event(stripe_on, "payment_intent.payment_failed",
                                                  reference))

    assert response.json()["outcome"] == "paid"
    order.refresh_from_db()
    assert order.status == "paid"


def test_the_same_event_twice_is_handled_once(stripe_on, product):
    client, order, _ = checkout(product)
    reference = Payment.objects.get(order=order).reference
    pay_intent(stripe_on, reference)
    body, signature = intent_event(stripe_on, "payment_intent.succeeded", reference)

    outcomes = [post_webhook(client, body, signature).json()["outcome"] for _ in range(3)]

    assert outcomes == ["paid", "duplicate", "duplicate"]
    assert ProviderEvent.objects.count() == 1
    assert PaymentEvent.objects.filter(order=order, event_type__code="paid").count() == 1


@pytest.mark.parametrize(("case", "mangle"), [
    ("forged signature", lambda body, sig: (body, sig[:-4] + "0000")),
    ("other secret", lambda body, sig: signed_event("payment_intent.succeeded", {
        "id": "pi_x", "object": "payment_intent"}, secret="whsec_wrong")),
    ("expired timestamp", lambda body, sig: signed_event("payment_intent.succeeded", {
        "id": "pi_x", "object": "payment_intent"}, timestamp=int(time.time()) - 3600)),
    ("no signature", lambda body, sig: (body, "")),
    ("tampered body", lambda body, sig: (body.replace(b"pi_", b"pi_X"), sig)),
    ("not json", lambda body, sig: (b"not json", sig)),
])
def test_bad_webhooks_are_refused_with_400_and_change_nothing(stripe_on, product, client,
                                                               case, mangle):
    body, signature = signed_event("payment_intent.succeeded",
                                   {"id": "pi_abc", "object": "payment_intent"})

    response = post_webhook(client, *mangle(body, signature))

    assert response.status_code == 400, case
    assert "error" in response.json()
    assert ProviderEvent.objects.count() == 0


def test_webhook_without_stripe_configured_answers_404(client):
    body, signature = signed_event("payment_intent.succeeded", {"id": "pi_x"})

    response = post_webhook(client, body, signature)

    assert response.status_code == 404
    assert "not configured" in response.json()["error"]


def test_webhook_answers_get_with_405(stripe_on, client):
    assert client.get("/payments/webhooks/stripe/").status_code == 405


def test_unknown_event_types_are_stored_and_ignored(stripe_on, client):
    body, signature = signed_event("customer.created", {"id": "cus_1", "object": "customer"})

    response = post_webhook(client, body, signature)

    assert response.json()["outcome"] == "ignored"
    assert ProviderEvent.objects.get().type == "customer.created"


def test_unpaid_order_past_the_deadline_is_cancelled_and_its_stock_released(
        stripe_on, product, settings):
    settings.PAYMENT_DEADLINE_MINUTES = 30
    _, late, _ = checkout(product, quantity=2, email="late@example.com")
    _, fresh, _ = checkout(product, quantity=1, email="fresh@example.com")
    Order.objects.filter(pk=late.pk).update(
        date_placed=timezone.now() - dt.timedelta(minutes=31))
    assert allocated(product) == 3

    cancelled = orders_cancel_expired.delay().get()

    assert cancelled == 1
    late.refresh_from_db()
    fresh.refresh_from_db()
    assert (late.status, fresh.status) == ("cancelled", "pending_payment")
    assert allocated(product) == 1
    reference = Payment.objects.get(order=late).reference
    assert stripe_client(stripe_on).v1.payment_intents.retrieve(reference).status == "canceled"
    assert orders_cancel_expired.delay().get() == 0  # stock released once


def test_order_paid_just_before_its_deadline_is_kept(stripe_on, product):
    _, order, _ = checkout(product)
    pay_intent(stripe_on, Payment.objects.get(order=order).reference)  # webhook not yet in
    Order.objects.filter(pk=order.pk).update(date_placed=timezone.now() - dt.timedelta(hours=1))

    orders_cancel_expired.delay().get()

    order.refresh_from_db()
    assert order.status == "paid"
    assert allocated(product) == 1


def test_pay_page_of_another_buyers_order_is_404(stripe_on, product):
    _, order, _ = checkout(product)
    other = buyer_ready_to_submit(product, email="other@example.com")

    for path in ("pay", "return", "status"):
        assert other.get(f"/payments/{path}/{order.number}/").status_code == 404, path


def test_return_with_an_intent_of_another_order_is_404(stripe_on, product):
    client, order, _ = checkout(product)

    response = client.get(f"/payments/return/{order.number}/", {"payment_intent": "pi_other"})

    assert response.status_code == 404


def test_reloading_the_payment_page_reuses_the_intent(stripe_on, product):
    client, order, _ = checkout(product)

    for _ in range(3):
        assert client.get(f"/payments/pay/{order.number}/").status_code == 200

    assert Payment.objects.filter(order=order).count() == 1
    intents = stripe_client(stripe_on).v1.payment_intents.list(params={"limit": 100})
    numbers = [i.to_dict()["metadata"].get("order_number") for i in intents.data]
    assert numbers.count(order.number) == 1


def test_stripe_unreachable_keeps_the_order_and_says_so(stripe_on, product, settings):
    client, order, _ = checkout(product)
    Payment.objects.filter(order=order).delete()
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"  # nothing listens there

    response = client.get(f"/payments/pay/{order.number}/")

    assert response.status_code == 503
    assert "暂时无法连接支付服务" in response.content.decode()
    order.refresh_from_db()
    assert order.status == "pending_payment"


def test_alipay_or_wechat_redirect_that_failed_offers_to_pay_again(stripe_on, product):
    # Alipay / WeChat Pay send the buyer back with redirect_status=failed when they gave up.
    client, order, _ = checkout(product)
    reference = Payment.objects.get(order=order).reference

    back = client.get(f"/payments/return/{order.number}/",
                      {"payment_intent": reference, "redirect_status": "failed"})

    page = back.content.decode()
    assert back.status_code == 200
    assert "支付没有完成" in page
    assert f'href="/payments/pay/{order.number}/"' in page
    order.refresh_from_db()
    assert order.status == "pending_payment"


def test_intents_ask_for_card_alipay_and_wechat_pay_from_settings(stripe_on, product,
                                                                   settings, monkeypatch):
    settings.STRIPE_PAYMENT_METHOD_TYPES = ["card", "alipay", "wechat_pay"]
    sent = []
    from marketplace.payments.providers import stripe as stripe_provider

    real_client = stripe_provider.client()
    original = real_client.v1.payment_intents.create

    def create(params=None, options=None):
        sent.append(params)
        return original(params=params, options=options)

    monkeypatch.setattr(real_client.v1.payment_intents, "create", create)

    checkout(product)

    assert sent[0]["payment_method_types"] == ["card", "alipay", "wechat_pay"]
    assert sent[0]["payment_method_options"] == {"wechat_pay": {"client": "web"}}
    assert sent[0]["currency"] == "cny"
    assert type(sent[0]["amount"]) is int


def test_paid_order_pay_page_goes_to_the_result(stripe_on, product):
    client, order, _ = checkout(product)
    reference = Payment.objects.get(order=order).reference
    pay_intent(stripe_on, reference)
    post_webhook(client, *intent_event(stripe_on, "payment_intent.succeeded", reference))

    response = client.get(f"/payments/pay/{order.number}/")

    assert response.status_code == 302
    assert response["Location"] == f"/payments/return/{order.number}/"


def test_sandbox_checkout_pays_at_once_and_records_the_payment(product):
    _client, order, response = checkout(product, quantity=2)

    order.refresh_from_db()
    assert response.redirect_chain[-1][0] == "/checkout/thank-you/"
    assert order.status == "paid"
    payment = Payment.objects.get(order=order)
    assert (payment.provider, payment.status, payment.amount_fen) == ("sandbox", "succeeded",
                                                                      7980)


def test_return_page_of_a_fully_refunded_order_says_so(stripe_on, product):
    client, order, _ = checkout(product)
    Order.objects.filter(pk=order.pk).update(status="refunded")

    page = client.get(f"/payments/return/{order.number}/").content.decode()

    assert "款项已全部退回" in page
    assert "正在确认" not in page


def test_buyers_order_page_shows_the_status_label_and_a_pay_button(stripe_on, product):
    client, order, _ = checkout(product)

    page = client.get(f"/accounts/orders/{order.number}/").content.decode()

    assert "待付款" in page
    assert "pending_payment" not in page
    assert f'href="/payments/pay/{order.number}/"' in page


def test_put_back_in_basket_after_a_cancelled_payment(stripe_on, product):
    client, order, _ = checkout(product, quantity=2)
    reference = Payment.objects.get(order=order).reference
    with pytest.raises(stripe.CardError):
        pay_intent(stripe_on, reference, card="4000000000000002")
    post_webhook(client, *intent_event(stripe_on, "payment_intent.payment_failed", reference))

    response = client.post(f"/accounts/orders/{order.number}/", {"action": "reorder"},
                           follow=True)

    assert response.status_code == 200
    basket = response.context["request"].basket
    assert [(line.product_id, line.quantity) for line in basket.all_lines()] == [
        (product.pk, 2)]
