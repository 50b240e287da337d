"""One checkout submitted twice (double click, resent form) places exactly one order."""

from datetime import timedelta
from functools import partial

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone
from oscar.core.loading import get_model

from tests import factories
from tests.reliability.helpers import at_once, buyer_ready_to_submit, place_order, require_postgres

Basket = get_model("basket", "Basket")
Order = get_model("order", "Order")
StockRecord = get_model("partner", "StockRecord")

pytestmark = [pytest.mark.reliability]

ALREADY_PLACED = "这笔订单已经提交过了"


def _assert_shows_the_order(response, order):
    """The buyer lands on the thank-you page of ``order``, not on an error page."""
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == "/checkout/thank-you/", response.redirect_chain
    body = response.content.decode()
    assert order.number in body
    assert "下单失败" not in body


def _assert_one_order_one_allocation(product, quantity):
    order = Order.objects.get(lines__product=product)
    assert order.lines.get().quantity == quantity
    record = StockRecord.objects.get(product=product)
    assert record.num_allocated == quantity
    assert Basket.objects.get(pk=order.basket_id).status == Basket.SUBMITTED
    return order


@pytest.mark.django_db
def test_resubmitting_a_placed_checkout_shows_the_same_order():
    # given a buyer who has just placed an order for 2 units
    coop = factories.cooperative()
    product = factories.product(coop, title="高山云雾茶", stock=10)
    client = buyer_ready_to_submit(product, quantity=2)
    first = place_order(client)

    # when the same preview form is posted again (back button, resend)
    second = place_order(client)

    # then there is still one order, stock was taken once, and both pages show that order
    order = _assert_one_order_one_allocation(product, 2)
    _assert_shows_the_order(first, order)
    _assert_shows_the_order(second, order)
    assert ALREADY_PLACED in second.content.decode()
    assert ALREADY_PLACED not in first.content.decode()


def _placed_and_forgotten(product):
    """A buyer whose order is placed but whose session does not name it (any more, or yet:
    a second submit may read the session before the first one's response saved it)."""
    client = buyer_ready_to_submit(product)
    place_order(client)
    session = client.session
    del session["checkout_order_id"]
    session.save()
    return client


@pytest.mark.django_db
def test_resubmit_finds_the_order_even_before_the_session_names_it():
    # given a placed order the session does not name
    coop = factories.cooperative()
    product = factories.product(coop, stock=10)
    client = _placed_and_forgotten(product)

    # when the preview form is posted again
    response = place_order(client)

    # then the buyer still sees the order just placed, and no second one exists
    order = _assert_one_order_one_allocation(product, 1)
    _assert_shows_the_order(response, order)
    assert ALREADY_PLACED in response.content.decode()


@pytest.mark.django_db
def test_posting_place_order_with_an_empty_basket_long_after_sends_buyer_to_the_basket():
    # given an order placed yesterday that the session does not name
    coop = factories.cooperative()
    product = factories.product(coop, stock=10)
    client = _placed_and_forgotten(product)
    Order.objects.update(date_placed=timezone.now() - timedelta(days=1))

    # when an old preview form is posted
    response = place_order(client)

    # then nothing is placed and the buyer lands on the (empty) basket, not an error page
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == "/basket/"
    assert Order.objects.count() == 1
    assert StockRecord.objects.get(product=product).num_allocated == 1
    assert ALREADY_PLACED not in response.content.decode()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_submits_of_one_checkout_place_one_order(base_data_tx):
    require_postgres()
    # a few rounds, since which request wins (and by how much) varies run to run
    for attempt in range(5):
        # given one buyer one click before placing an order, in two tabs (same session)
        coop = factories.cooperative()
        product = factories.product(coop, title=f"双击测试蜂蜜{attempt}", stock=10)
        tab_one = buyer_ready_to_submit(product, quantity=3)
        tab_two = Client()
        tab_two.cookies = tab_one.cookies

        # when both tabs post "place order" at the same moment
        results = at_once([partial(place_order, tab_one), partial(place_order, tab_two)])

        # then one order holds the 3 units, and both tabs show it, neither an error
        order = _assert_one_order_one_allocation(product, 3)
        for response in results:
            assert not isinstance(response, Exception), response
            _assert_shows_the_order(response, order)
        # and it was paid and confirmed by mail once, not twice
        assert order.payment_events.count() == 1
        assert len([m for m in mail.outbox if order.number in m.subject]) == 1
