"""Public tracking /track/<code>/ and the parcels on the buyer's order page."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from logistics.models import Shipment
from tests import factories
from tests.logistics.conftest import paid_order, scan

pytestmark = pytest.mark.django_db

# What tests.dashboard.builders.order_with_lines puts on the order (the buyer's address).
RECIPIENT, PHONE, ADDRESS_LINE = "李四", "13812345678", "新路湾镇 12 号"


@pytest.fixture
def parcel(network, buyer, product_a):
    """A parcel from 叶坦社区 to the buyer in 远路口村, through the hub; carried to the buyer's
    village and delivered with a signature."""
    order = paid_order(buyer, product_a)
    shipment = order.shipments.get()
    scan(network, "yetan", shipment, "received", minutes=0)
    scan(network, "yetan", shipment, "dispatched", minutes=10)
    scan(network, "miaogao", shipment, "received", minutes=30)
    scan(network, "miaogao", shipment, "dispatched", minutes=40)
    scan(network, "hub", shipment, "received", minutes=60)
    return shipment


def _deliver(network, shipment):
    scan(network, "hub", shipment, "dispatched", minutes=70)
    scan(network, "xinluwan", shipment, "received", minutes=90)
    scan(network, "xinluwan", shipment, "dispatched", minutes=100)
    scan(network, "yuanlukou", shipment, "received", minutes=120)
    scan(network, "yuanlukou", shipment, "out_for_delivery", minutes=125, note="下午送到")
    scan(network, "yuanlukou", shipment, "delivered", minutes=130, recipient_name=RECIPIENT,
         signature=RECIPIENT)


def _personal_data(order) -> list[str]:
    user = order.user
    return [x for x in (RECIPIENT, PHONE, ADDRESS_LINE, order.number, user.email,
                        user.first_name, user.last_name) if x]


def test_tracking_shows_status_place_route_and_timeline(client, network, parcel):
    response = client.get(f"/track/{parcel.code}/")

    assert response.status_code == 200
    page = response.content.decode()
    assert "在站" in page  # the derived status
    assert "遂昌县农村物流分拨中心" in page and "新路湾镇服务站" in page  # here, and next
    assert page.count("到站签收") == 3 and page.count("发出") >= 2
    assert "常温" in page
    # the first scan's time in Asia/Shanghai
    first = timezone.localtime(parcel.events.order_by("device_time").first().device_time)
    assert first.strftime("%Y-%m-%d %H:%M") in page
    # newest first
    assert re.findall(r'data-kind="(\w+)"', page) == [
        "received", "dispatched", "received", "dispatched", "received"]
    assert page.index("<strong>到站签收</strong> · 遂昌县农村物流分拨中心") < page.index(
        "<strong>到站签收</strong> · 叶坦社区服务点")
    assert "（妙高街道 叶坦社区）" in page  # places down to town and village


def test_tracking_a_delivered_parcel_shows_no_personal_data(client, network, parcel):
    _deliver(network, parcel)
    order = parcel.order
    order.user.first_name, order.user.last_name = "王", "小明"
    order.user.save()

    page = client.get(f"/track/{parcel.code}/").content.decode()

    assert "已签收" in page and "已妥投" in page
    leaked = [x for x in _personal_data(order) if x in page]
    assert not leaked, leaked
    assert "下午送到" not in page  # operators' notes are for the owner only


def test_a_code_typed_in_lower_case_with_spaces_is_found(client, parcel):
    typed = " ".join(parcel.code.lower()[i:i + 5] for i in (0, 5))

    response = client.get(f"/track/{typed}/", follow=True)

    assert response.redirect_chain[-1][0] == f"/track/{parcel.code}/"
    assert response.status_code == 200


def test_the_search_box_leads_to_the_parcel(client, parcel):
    response = client.get("/track/", {"code": parcel.code.lower()})

    assert (response.status_code, response["Location"]) == (302, f"/track/{parcel.code}/")
    assert client.get("/track/").status_code == 200


@pytest.mark.parametrize("code", ["ZZZZZZZZZZ", "%3Cscript%3E", "A" * 80, "-"],
                         ids=["unknown", "markup", "long", "dash-only"])
def test_an_unknown_code_is_a_404_with_a_clear_message(client, db, code):
    response = client.get(f"/track/{code}/", follow=True)

    assert response.status_code == 404
    page = response.content.decode()
    assert "没有找到这个包裹" in page
    assert "<script>" not in page


def test_tracking_is_cacheable_briefly_and_post_is_refused(client, parcel):
    response = client.get(f"/track/{parcel.code}/")

    assert "public" in response["Cache-Control"] and "max-age=60" in response["Cache-Control"]
    assert not response.cookies
    assert client.post(f"/track/{parcel.code}/").status_code == 405


def test_a_parcel_with_no_route_says_why(client, network, buyer, product_a):
    order = paid_order(buyer, product_a)
    Shipment.objects.filter(order=order).update(route_error="沿途没有物流节点，无法配送。")

    page = client.get(f"/track/{order.shipments.get().code}/").content.decode()

    assert "沿途没有物流节点" in page


def test_an_out_of_range_temperature_is_flagged(client, network, buyer, product_a, settings):
    settings.LOGISTICS_COLD_CHAIN_RANGES = {"冷藏": (0, 8)}
    order = paid_order(buyer, product_a)
    shipment = order.shipments.get()
    Shipment.objects.filter(pk=shipment.pk).update(storage="冷藏")
    scan(network, "yetan", shipment, "temperature", minutes=1, temperature="4.5")
    scan(network, "yetan", shipment, "temperature", minutes=2, temperature="12")

    page = client.get(f"/track/{shipment.code}/").content.decode()

    assert "4.5 ℃" in page and "12.0 ℃" in page
    assert page.count('class="alert"') == 1 and "超出冷藏范围" in page


@pytest.mark.parametrize("scans", [1, 12], ids=["one-event", "many-events"])
def test_tracking_query_budget(client, network, buyer, product_a,
                               django_assert_max_num_queries, scans):
    order = paid_order(buyer, product_a)
    shipment = order.shipments.get()
    for i in range(scans):
        scan(network, "yetan", shipment, "temperature", minutes=i, temperature="5")

    # shipment, hops with nodes, events with nodes, place names
    with django_assert_max_num_queries(4):
        response = client.get(f"/track/{shipment.code}/")
    assert response.status_code == 200


# --- the buyer's order page -------------------------------------------------------------------

def test_the_order_page_lists_each_parcel_with_link_lines_status_and_timeline(
        client, network, buyer, product_a, product_b):
    order = paid_order(buyer, product_a, product_b, quantity=2)
    far, near = (order.shipments.get(partner=p.stockrecords.get().partner)
                 for p in (product_a, product_b))
    scan(network, "yetan", far, "received")
    scan(network, "yuanlukou", near, "delivered", minutes=5, recipient_name=RECIPIENT,
         signature=RECIPIENT)
    client.force_login(buyer)

    page = client.get(f"/accounts/orders/{order.number}/").content.decode()

    assert 'id="order-parcels"' in page
    for shipment in (far, near):
        assert f'href="/track/{shipment.code}/"' in page
    assert f"{product_a.title} × 2" in page and f"{product_b.title} × 2" in page
    assert "在站" in page and "已签收" in page
    assert f"签收人：{RECIPIENT}" in page  # the owner sees who signed


def test_another_buyer_gets_a_404_for_the_order_page(client, network, buyer, product_a):
    order = paid_order(buyer, product_a)
    client.force_login(factories.user(email="other-buyer@example.com"))

    response = client.get(f"/accounts/orders/{order.number}/")

    assert response.status_code == 404
    assert order.shipments.get().code not in response.content.decode()


def test_an_order_without_parcels_has_no_parcels_section(client, buyer, product_a):
    from tests.dashboard.builders import order_with_lines, stockrecord

    order = order_with_lines(user=buyer, stockrecords=[stockrecord(product_a)],
                             status="pending_payment")
    client.force_login(buyer)

    page = client.get(f"/accounts/orders/{order.number}/").content.decode()

    assert 'id="order-parcels"' not in page


def _order_page_queries(client, buyer, order) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(buyer)
    client.get(f"/accounts/orders/{order.number}/")  # warm per-process caches
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(f"/accounts/orders/{order.number}/").status_code == 200
    return len(ctx.captured_queries)


def test_order_page_queries_do_not_grow_with_parcels_and_scans(
        client, network, buyer, product_a, product_b):
    one = paid_order(buyer, product_a)
    scan(network, "yetan", one.shipments.get(), "received")
    many = paid_order(buyer, product_a, product_b)
    for shipment in many.shipments.all():
        first = shipment.hops.order_by("seq").first().node
        name = next(k for k in ("yetan", "yuanlukou") if getattr(network, k) == first)
        for i in range(6):
            scan(network, name, shipment, "temperature", minutes=i, temperature="5")

    with_one = _order_page_queries(client, buyer, one)
    with_many = _order_page_queries(client, buyer, many)

    # Oscar's page as the budget test measures it (tests/test_page_query_budgets.py: 21 with
    # no parcel), plus hops, events, lines and place names
    assert with_many == with_one <= 25


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(typed=st.text(min_size=1, max_size=60))
def test_whatever_is_typed_as_a_code_answers_a_redirect_or_a_404_never_a_500(client, typed):
    response = client.get(f"/track/{quote(typed, safe='')}/", follow=True)

    assert response.status_code in (200, 404)  # 200 only via the search box: /track/ itself
    if response.status_code == 200:
        assert response.redirect_chain and response.redirect_chain[-1][0] == "/track/"


@pytest.mark.parametrize("code", ["AB%00CD", "%E2%80%AE", "A%0AB"], ids=["nul", "rtl", "newline"])
def test_control_characters_in_a_code_are_a_404(client, db, code):
    assert client.get(f"/track/{code}/", follow=True).status_code == 404


def test_anonymous_tracking_pages_come_from_the_page_cache(network, parcel, settings):
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    settings.PAGE_CACHE_SECONDS = 60
    url = f"/track/{parcel.code}/"
    Client().get(url)

    with CaptureQueriesContext(connection) as ctx:
        again = Client().get(url)

    assert again.status_code == 200 and again["X-Page-Cache"] == "hit"
    assert len(ctx.captured_queries) == 0
    assert parcel.code in again.content.decode()
