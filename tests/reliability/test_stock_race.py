"""Stock cannot be oversold: buyers racing for the last units through the real checkout."""

from functools import partial

import pytest
from oscar.core.loading import get_model

from tests import factories
from tests.reliability.helpers import at_once, buyer_ready_to_submit, place_order, require_postgres

Order = get_model("order", "Order")
StockRecord = get_model("partner", "StockRecord")

pytestmark = [pytest.mark.reliability]


def _race(clients):
    """Submit every client's checkout at the same moment, each on its own DB connection."""
    results = at_once([partial(place_order, c) for c in clients])
    return [(None, repr(r)) if isinstance(r, Exception) else (r.status_code, r.content.decode())
            for r in results]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_twenty_buyers_race_for_five_units(base_data_tx):
    require_postgres()
    # given 5 units and 20 buyers, each one click before placing an order
    coop = factories.cooperative()
    product = factories.product(coop, title="限量土蜂蜜", stock=5)
    clients = [buyer_ready_to_submit(product, email=f"racer{i}@example.com") for i in range(20)]

    # when all of them submit at once
    results = _race(clients)

    # then exactly five orders exist, stock is exactly used up, never negative
    assert all(code == 200 for code, _ in results), results
    assert Order.objects.count() == 5
    record = StockRecord.objects.get(product=product)
    assert record.num_in_stock == 5
    assert record.num_allocated == 5
    assert record.net_stock_level == 0
    # and every other buyer was told plainly that it sold out
    sold_out = [body for _, body in results if "“限量土蜂蜜”库存不足" in body]
    assert len(sold_out) == 15


@pytest.mark.django_db
def test_sold_out_between_basket_and_submit_gives_clear_message():
    # given a buyer with the last unit in their basket
    coop = factories.cooperative()
    product = factories.product(coop, title="最后一箱冰糖橙", stock=1)
    first = buyer_ready_to_submit(product, email="first@example.com")
    second = buyer_ready_to_submit(product, email="second@example.com")

    # when another buyer takes it first
    assert "订单" in place_order(first).content.decode()
    response = place_order(second)

    # then the second reads the shop's sold-out message and no second order exists
    assert response.status_code == 200
    assert "“最后一箱冰糖橙”库存不足" in response.content.decode()
    assert Order.objects.count() == 1
    assert StockRecord.objects.get(product=product).net_stock_level == 0
