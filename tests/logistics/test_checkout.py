"""At order time the checkout refuses a basket that cannot be delivered (above all cold-chain
goods with no cold node on the way), saying why; a county without a network is not checked."""

from __future__ import annotations

import pytest
from oscar.core.loading import get_model

from tests import factories
from tests.reliability.helpers import buyer_ready_to_submit, place_order

pytestmark = pytest.mark.django_db

Order = get_model("order", "Order")


def test_chilled_goods_with_no_cold_node_on_the_way_are_refused_before_the_order(
        network, coop_a):
    # 叶坦社区服务点 (coop A's village point) has no refrigerator
    fish = factories.product(coop_a, title="冷鲜溪鱼", storage="冷藏", price="58.00")
    client = buyer_ready_to_submit(fish)

    preview = client.get("/checkout/preview/", follow=True)
    placed = place_order(client)

    for response in (preview, placed):
        page = response.content.decode()
        assert response.redirect_chain[-1][0] == "/checkout/shipping-address/"
        assert "冷鲜溪鱼 无法配送到这个地址" in page and "叶坦社区服务点" in page
    assert not Order.objects.exists()


def test_the_same_basket_goes_through_once_the_point_can_hold_chilled_goods(network, coop_a):
    network.yetan.holds_chilled = True
    network.yetan.save()
    network.xinluwan.holds_chilled = network.yuanlukou.holds_chilled = True
    network.xinluwan.save()
    network.yuanlukou.save()
    fish = factories.product(coop_a, title="冷鲜溪鱼", storage="冷藏", price="58.00")
    client = buyer_ready_to_submit(fish)

    response = place_order(client)

    assert response.status_code == 200
    assert Order.objects.count() == 1


def test_ambient_goods_pass_and_a_county_without_a_network_is_not_checked(coop_a, db):
    fish = factories.product(coop_a, title="冷鲜溪鱼", storage="冷藏", price="58.00")
    client = buyer_ready_to_submit(fish)

    place_order(client)

    assert Order.objects.count() == 1
