"""Order analytics: queued after the order commits, counted once however often the task runs."""

from decimal import Decimal

import pytest
from oscar.core.loading import get_model

from marketplace.stats.models import RecordedOrder
from marketplace.stats.services import analytics_record_order
from tests import factories
from tests.reliability.helpers import buyer_ready_to_submit, place_order

Order = get_model("order", "Order")
ProductRecord = get_model("analytics", "ProductRecord")
UserRecord = get_model("analytics", "UserRecord")


def purchases(product) -> int:
    record = ProductRecord.objects.filter(product=product).first()
    return record.num_purchases if record else 0


@pytest.fixture
def product(coop_a):
    return factories.product(coop_a, title="龙谷丽人茶", price="88.00", stock=20)


@pytest.mark.django_db
def test_checkout_only_queues_the_analytics_until_the_order_commits(
    product, django_capture_on_commit_callbacks
):
    # given a buyer one click from ordering 3 boxes
    client = buyer_ready_to_submit(product, quantity=3)
    # when the order is placed but its transaction's commit hooks have not run
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert "订单" in place_order(client).content.decode()
    # then the request counted nothing itself (Oscar's synchronous receiver is off)
    assert purchases(product) == 0
    assert not RecordedOrder.objects.exists()
    # one analytics task queued for after the commit (beside the confirmation mail's)
    assert sum("analytics_record_order" in repr(c) for c in callbacks) == 1


@pytest.mark.django_db
def test_after_commit_the_task_counts_the_order(product, django_capture_on_commit_callbacks):
    # given a buyer one click from ordering 3 boxes
    client = buyer_ready_to_submit(product, quantity=3)
    # when the order commits (the embedded default runs the task in-process)
    with django_capture_on_commit_callbacks(execute=True):
        place_order(client)
    # then the product and the buyer show the purchase
    order = Order.objects.get()
    assert purchases(product) == 3
    buyer = UserRecord.objects.get(user=order.user)
    assert (buyer.num_orders, buyer.num_order_lines, buyer.num_order_items) == (1, 1, 3)
    assert buyer.total_spent == order.total_incl_tax == Decimal("264.00")
    assert buyer.date_last_order == order.date_placed
    assert RecordedOrder.objects.filter(order=order).count() == 1


@pytest.mark.django_db
def test_running_the_task_again_changes_nothing(product, django_capture_on_commit_callbacks):
    # given an order whose analytics were recorded
    client = buyer_ready_to_submit(product, quantity=2)
    with django_capture_on_commit_callbacks(execute=True):
        place_order(client)
    order = Order.objects.get()
    # when the task is delivered again
    assert analytics_record_order(order_id=order.pk) is False
    # then nothing is counted twice
    assert purchases(product) == 2
    assert UserRecord.objects.get(user=order.user).num_orders == 1


@pytest.mark.django_db
def test_orders_add_up_per_product_and_buyer(product, coop_b):
    # given two orders of the same buyer (tasks not yet run) for two products
    tea = factories.product(coop_b, title="惠明茶", price="50.00", stock=20)
    user = factories.user(email="repeat@example.com")
    first = buyer_ready_to_submit(product, quantity=1, email=None)
    place_order(first)
    second = buyer_ready_to_submit(tea, quantity=4, email=None)
    place_order(second)
    orders = list(Order.objects.order_by("pk"))
    Order.objects.update(user=user)
    # when their tasks run, even out of order
    assert analytics_record_order(order_id=orders[1].pk) is True
    assert analytics_record_order(order_id=orders[0].pk) is True
    # then each product counts its own units and the buyer both orders
    assert (purchases(product), purchases(tea)) == (1, 4)
    record = UserRecord.objects.get(user=user)
    assert (record.num_orders, record.num_order_items) == (2, 5)
    assert record.total_spent == sum(o.total_incl_tax for o in orders)
    # and the last order date is the later order's, whatever order the tasks ran in
    assert record.date_last_order == orders[1].date_placed


@pytest.mark.django_db
def test_an_order_that_no_longer_exists_is_skipped():
    assert analytics_record_order(order_id=987654) is False
    assert not RecordedOrder.objects.exists()


@pytest.mark.django_db
def test_product_views_are_still_counted_by_oscar(client, product):
    # only order analytics moved; Oscar's product-view counter stays as it was
    response = client.get(product.get_absolute_url())
    assert response.status_code == 200
    assert ProductRecord.objects.get(product=product).num_views == 1
