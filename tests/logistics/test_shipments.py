"""A paid order becomes one routed shipment per cooperative; the order follows its parcels."""

from __future__ import annotations

import re

import pytest
from oscar.core.loading import get_model

from logistics import services
from logistics.models import Shipment
from tests import factories
from tests.dashboard.builders import order_with_lines, stockrecord
from tests.logistics.conftest import paid_order, scan

pytestmark = pytest.mark.django_db

Order = get_model("order", "Order")


def route_names(shipment):
    return [h.node.name if h.node else "快递" for h in shipment.hops.select_related("node")]


def test_one_shipment_per_cooperative_each_on_its_route(network, buyer, product_a, product_b):
    order = paid_order(buyer, product_a, product_b, quantity=2)

    shipments = {s.partner_id: s for s in order.shipments.all()}
    assert len(shipments) == 2
    from_a = shipments[product_a.stockrecords.get().partner_id]
    from_b = shipments[product_b.stockrecords.get().partner_id]
    # A (叶坦社区, 妙高街道) to the buyer in 远路口村 (新路湾镇): through the hub
    assert route_names(from_a) == ["叶坦社区服务点", "妙高街道服务站", "遂昌县农村物流分拨中心",
                                   "新路湾镇服务站", "远路口村服务点"]
    # B sits in the buyer's own village: a single hand-over
    assert route_names(from_b) == ["远路口村服务点"]
    assert [(sl.line.product_id, sl.quantity) for sl in from_a.lines.all()] == [
        (product_a.pk, 2)]
    assert re.fullmatch(r"[2-9A-HJKMNP-Z]{10}", from_a.code)
    assert from_a.code != from_b.code


def test_making_shipments_twice_makes_them_once(network, buyer, product_a):
    order = paid_order(buyer, product_a)

    assert services.shipments_create(order_id=order.pk) == []
    assert order.shipments.count() == 1


def test_paying_an_order_queues_its_shipments(network, buyer, product_a,
                                              django_capture_on_commit_callbacks):
    order = order_with_lines(user=buyer, stockrecords=[stockrecord(product_a)],
                             status="pending_payment")
    with django_capture_on_commit_callbacks(execute=True):
        order.set_status("paid")

    assert order.shipments.count() == 1


def test_a_chilled_parcel_with_no_cold_node_on_the_way_is_kept_with_the_reason(
        network, buyer, coop_a):
    fish = factories.product(coop_a, title="冷鲜溪鱼", storage="冷藏")

    order = paid_order(buyer, fish)

    shipment = order.shipments.get()
    assert shipment.storage == "冷藏"
    assert "叶坦社区服务点" in shipment.route_error and "冷藏" in shipment.route_error
    assert shipment.hops.count() == 0


def test_the_order_is_shipped_when_a_parcel_leaves_and_delivered_when_all_arrive(
        network, buyer, product_a, product_b, django_capture_on_commit_callbacks):
    order = paid_order(buyer, product_a, product_b)
    from_a = order.shipments.get(partner=product_a.stockrecords.get().partner)
    from_b = order.shipments.get(partner=product_b.stockrecords.get().partner)

    def status_after(*args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            result = scan(network, *args, **kwargs)
        assert result.outcome == "accepted", result.reason
        return Order.objects.get(pk=order.pk).status

    assert status_after("yetan", from_a, "received", minutes=0) == "paid"
    assert status_after("yetan", from_a, "dispatched", minutes=10) == "shipped"
    assert status_after("yuanlukou", from_b, "delivered", minutes=20, recipient_name="李四",
                        signature="李四") == "shipped"
    for i, (node, event) in enumerate([
        ("miaogao", "received"), ("miaogao", "dispatched"), ("hub", "received"),
        ("hub", "dispatched"), ("xinluwan", "received"), ("xinluwan", "dispatched"),
        ("yuanlukou", "received"), ("yuanlukou", "out_for_delivery"),
    ]):
        assert status_after(node, from_a, event, minutes=30 + i) == "shipped"
    assert status_after("yuanlukou", from_a, "delivered", minutes=60, recipient_name="李四",
                        signature="李四") == "delivered"
    changes = list(Order.objects.get(pk=order.pk).status_changes.values_list(
        "new_status", flat=True).order_by("pk"))
    assert changes[-3:] == ["processing", "shipped", "delivered"]


def test_a_refunded_order_keeps_its_status_when_parcels_move(network, buyer, product_a):
    order = paid_order(buyer, product_a)
    Order.objects.filter(pk=order.pk).update(status="refunded")
    shipment = order.shipments.get()
    scan(network, "yetan", shipment, "dispatched")

    assert services.order_status_follow(order_id=order.pk) == "refunded"


def test_shipment_codes_are_unique_and_printable():
    codes = {services.parcel_code_new() for _ in range(2000)}
    assert len(codes) == 2000
    assert all(re.fullmatch(r"[2-9A-HJKMNP-Z]{10}", c) for c in codes)
    assert services.parcel_code_normalise(" abcd-efgh 23 ") == "ABCDEFGH23"
    assert services.parcel_code_normalise("https://x.cn/track/ABCDEFGH23/") == "ABCDEFGH23"
    assert services.parcel_code_normalise("ABC\x00DE＃FGH23") == "ABCDEFGH23"
    assert Shipment._meta.get_field("code").unique
