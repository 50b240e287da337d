"""Parcels waiting at the hub for the hub tests (runs, labels, access): import the fixtures
by name into a test module."""

from __future__ import annotations

import pytest
from oscar.core.loading import get_model

from logistics import services
from logistics.models import Node
from tests import factories
from tests.dashboard.builders import order_with_lines, stockrecord
from tests.logistics.conftest import scan

ShippingAddress = get_model("order", "ShippingAddress")
SANJING, DAMABU = "331123102210", "331123102216"  # 新路湾镇: 三井村 has no point of its own


def order_to(buyer, village, *products):
    """A paid order of ``products`` shipped to ``village``, with its shipments."""
    order = order_with_lines(user=buyer, stockrecords=[stockrecord(p) for p in products])
    ShippingAddress.objects.filter(pk=order.shipping_address_id).update(region_id=village)
    services.shipments_create(order_id=order.pk)
    return order


def at_hub(net, shipment, minutes=30):
    result = scan(net, "hub", shipment, "received", minutes=minutes)
    assert result.outcome == "accepted", result.reason
    return shipment


@pytest.fixture
def damabu(network):
    """A second village point in 新路湾镇 (大马埠村)."""
    services.network_load_csv(text="kind,region,name\npoint,331123102216,大马埠村服务点\n")
    network.damabu = Node.objects.get(region_id=DAMABU)
    network.op["damabu"] = factories.user(email="op-damabu@example.com")
    network.damabu.operators.add(network.op["damabu"])
    return network.damabu


@pytest.fixture
def coop_c(db):
    """A third cooperative, in 腾龙社区 (妙高街道), so its parcels also cross the hub."""
    return factories.cooperative(name="腾龙香菇合作社", village="331123001008")


@pytest.fixture
def parcels(network, damabu, buyer, product_a, coop_c):
    """Five parcels at the hub for 新路湾镇 from two cooperatives: two for 远路口村, two for
    大马埠村, one for 三井村 (no point: the station is its last stop); and one of A's still
    at its village point."""
    # 新路湾 and its points keep chilled goods here, so C's chilled mushrooms can go there
    Node.objects.filter(region__code__startswith="331123102").update(holds_chilled=True)
    mushroom = factories.product(coop_c, title="香菇", storage="冷藏")
    made = {
        "yuanlukou_a": order_to(buyer, "331123102209", product_a),
        "yuanlukou_c": order_to(buyer, "331123102209", mushroom),
        "damabu_a": order_to(buyer, DAMABU, product_a),
        "damabu_c": order_to(buyer, DAMABU, mushroom),
        "sanjing_c": order_to(buyer, SANJING, mushroom),
        "not_yet": order_to(buyer, DAMABU, product_a),
    }
    shipments = {name: order.shipments.get() for name, order in made.items()}
    for name, shipment in shipments.items():
        if name != "not_yet":
            at_hub(network, shipment)
    scan(network, "yetan", shipments["not_yet"], "received")
    return shipments
