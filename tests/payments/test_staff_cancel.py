"""Staff cancelling an order in the dashboard: an unpaid one releases its stock and intent;
a paid one cannot be cancelled (its money goes back through a refund)."""

import pytest
from django.urls import reverse
from oscar.core.loading import get_model

from marketplace.payments.models import Payment
from tests import factories
from tests.payments.stripe_helpers import pay_intent, stripe_client
from tests.reliability.helpers import buyer_ready_to_submit, place_order

pytestmark = pytest.mark.django_db

Order = get_model("order", "Order")
StockRecord = get_model("partner", "StockRecord")


@pytest.fixture
def pending_order(stripe_on, coop_a):
    product = factories.product(coop_a, stock=10)
    place_order(buyer_ready_to_submit(product, quantity=3))
    return Order.objects.get(lines__product=product)


def cancel(client, order):
    url = reverse("dashboard:order-detail", kwargs={"number": order.number})
    return client.post(url, {"order_action": "change_order_status", "new_status": "cancelled"},
                       follow=True)


def allocated(order) -> int:
    return StockRecord.objects.get(pk=order.lines.get().stockrecord_id).num_allocated


def test_cancelling_an_unpaid_order_releases_stock_and_cancels_the_intent(
        client, admin_user, pending_order, stripe_on):
    client.force_login(admin_user)
    assert allocated(pending_order) == 3

    cancel(client, pending_order)

    pending_order.refresh_from_db()
    assert pending_order.status == "cancelled"
    assert allocated(pending_order) == 0
    reference = Payment.objects.get(order=pending_order).reference
    assert stripe_client(stripe_on).v1.payment_intents.retrieve(reference).status == "canceled"


def test_cancelling_an_order_the_buyer_just_paid_keeps_it_paid(
        client, admin_user, pending_order, stripe_on):
    client.force_login(admin_user)
    pay_intent(stripe_on, Payment.objects.get(order=pending_order).reference)  # no webhook yet

    response = cancel(client, pending_order)

    pending_order.refresh_from_db()
    assert pending_order.status == "paid"
    assert allocated(pending_order) == 3
    assert "付款已经成功" in response.content.decode()


def test_a_paid_order_cannot_be_cancelled_only_refunded(client, admin_user, coop_a):
    product = factories.product(coop_a, stock=10)
    place_order(buyer_ready_to_submit(product))  # sandbox: paid at once
    order = Order.objects.get(lines__product=product)
    client.force_login(admin_user)

    cancel(client, order)

    order.refresh_from_db()
    assert order.status == "paid"
    assert "cancelled" not in order.available_statuses()
