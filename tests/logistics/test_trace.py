"""The delivery timeline a product's trace page shows (logistics.trace, loaded by
traceability through settings.TRACE_DELIVERY_TIMELINE): town and village only."""

from __future__ import annotations

import pytest
from django.utils import timezone
from django.utils.module_loading import import_string

from logistics import trace
from tests.logistics.conftest import paid_order, scan
from tests.logistics.test_track import _deliver, _personal_data

pytestmark = pytest.mark.django_db


def test_the_setting_names_the_hook(settings):
    assert import_string(settings.TRACE_DELIVERY_TIMELINE) is trace.order_line_timeline


def test_an_unshipped_line_has_an_empty_timeline(network, buyer, product_a):
    order = paid_order(buyer, product_a)

    assert trace.order_line_timeline(order.lines.get()) == {"events": [], "delivered_at": None}


def test_a_delivered_line_shows_its_hand_overs_by_town_and_village(
        network, buyer, product_a, django_assert_max_num_queries):
    order = paid_order(buyer, product_a)
    shipment = order.shipments.get()
    scan(network, "yetan", shipment, "received", minutes=0)
    scan(network, "yetan", shipment, "dispatched", minutes=10)
    scan(network, "miaogao", shipment, "received", minutes=30)
    scan(network, "miaogao", shipment, "dispatched", minutes=40)
    scan(network, "hub", shipment, "received", minutes=60)
    scan(network, "hub", shipment, "temperature", minutes=65, temperature="20.0")
    _deliver(network, shipment)
    order.user.first_name, order.user.last_name = "王", "小明"
    order.user.save()

    line = order.lines.get()

    with django_assert_max_num_queries(4):
        timeline = trace.order_line_timeline(line)

    events = timeline["events"]
    assert [(e["place"], e["status"]) for e in events] == [
        ("妙高街道 · 叶坦社区", "到达"), ("妙高街道 · 叶坦社区", "发出"),
        ("妙高街道", "到达"), ("妙高街道", "发出"),
        ("遂昌县", "到达"), ("遂昌县", "发出"),
        ("新路湾镇", "到达"), ("新路湾镇", "发出"),
        ("新路湾镇 · 远路口村委会", "到达"), ("新路湾镇 · 远路口村委会", "派送中"),
        ("新路湾镇 · 远路口村委会", "已签收"),
    ]
    delivered = shipment.events.get(kind="delivered").device_time
    assert timeline["delivered_at"] == delivered
    assert str(timeline["delivered_at"].tzinfo) == str(timezone.localtime().tzinfo)
    text = repr(timeline)
    leaked = [x for x in _personal_data(order) if x in text]
    assert not leaked, leaked
    assert "服务点" not in text and "下午送到" not in text  # no node names, no notes
