"""A small network in the demo county 遂昌县, operators for each node, and paid orders."""

from __future__ import annotations

import datetime as dt
import uuid
from types import SimpleNamespace

import pytest
from django.utils import timezone

from logistics import services
from logistics.models import Node
from tests import factories
from tests.dashboard.builders import order_with_lines, stockrecord

HUB, MIAOGAO, XINLUWAN = "331123", "331123001", "331123102"
YETAN, TENGLONG, YUANLUKOU = "331123001007", "331123001008", "331123102209"

NETWORK_CSV = """\
kind,region,name,parent_region,address,phone,opening_hours,holds_chilled,holds_frozen
hub,331123,遂昌县农村物流分拨中心,,妙高街道北街 8 号,0578-8123456,07:00-20:00,1,1
station,331123001,妙高街道服务站,,妙高街道南街 1 号,,08:00-18:00,1,0
station,331123102,新路湾镇服务站,,新路湾镇新街 3 号,,08:00-18:00,0,0
point,331123001007,叶坦社区服务点,,叶坦社区便民店,,08:00-20:00,0,0
point,331123001008,腾龙社区服务点,,腾龙社区村委会,,08:00-17:00,1,0
point,331123102209,远路口村服务点,,远路口村小卖部,,07:30-19:00,0,0
"""


@pytest.fixture
def network(db):
    """The nodes by short name, each with one operator (``net.op[name]``)."""
    services.network_load_csv(text=NETWORK_CSV)
    nodes = {n.region_id: n for n in Node.objects.all()}
    net = SimpleNamespace(
        hub=nodes["331123000000"], miaogao=nodes["331123001000"],
        xinluwan=nodes["331123102000"], yetan=nodes[YETAN], tenglong=nodes[TENGLONG],
        yuanlukou=nodes[YUANLUKOU], op={})
    for name in ("hub", "miaogao", "xinluwan", "yetan", "tenglong", "yuanlukou"):
        operator = factories.user(email=f"op-{name}@example.com")
        getattr(net, name).operators.add(operator)
        net.op[name] = operator
    return net


def paid_order(buyer, *products, quantity=1):
    """A paid order of the products shipped to 远路口村 (新路湾镇), with its shipments made."""
    order = order_with_lines(user=buyer, stockrecords=[stockrecord(p) for p in products],
                             quantity=quantity, status="paid")
    services.shipments_create(order_id=order.pk)
    return order


def scan(net, node_name, shipment, event, *, minutes=0, uid=None, **extra):
    """Record a scan at a node of ``net`` by its operator, at ``minutes`` on the device's
    clock counted from three hours ago (so a whole route fits before now)."""
    node = getattr(net, node_name)
    return services.scan_record(
        parcel_code=shipment.code, node=node, operator=net.op[node_name], event=event,
        device_time=timezone.now() - dt.timedelta(hours=3) + dt.timedelta(minutes=minutes),
        client_uuid=uid or uuid.uuid4(), **extra)
