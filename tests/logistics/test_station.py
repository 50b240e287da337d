"""Station console pages: a node's three lists and the scan form (works without JavaScript)."""

from __future__ import annotations

import io
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from logistics.forms import ScanForm
from logistics.models import ScanEvent
from tests import factories
from tests.logistics.conftest import paid_order, scan

pytestmark = pytest.mark.django_db


@pytest.fixture
def parcel(network, buyer, product_a):
    """A's parcel: 叶坦 → 妙高 → hub → 新路湾 → 远路口."""
    return paid_order(buyer, product_a).shipments.get()


def console_url(node):
    return reverse("logistics-station:console", kwargs={"node_id": node.pk})


def client_for(client, user):
    client.force_login(user)
    return client


def rows(response, list_id):
    """Parcel codes shown in one of the console's lists."""
    html = response.content.decode()
    start = html.index(f'id="{list_id}"')
    end = html.index("</ul>", start)
    return [part.split('"', 1)[0] for part in html[start:end].split('data-parcel="')[1:]]


def jpeg(size=(40, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 80, 20)).save(out, "JPEG")
    return out.getvalue()


def form_data(code, event, **extra):
    return {"code": code, "event": event, "client_uuid": str(uuid.uuid4()), **extra}


# --- lists -----------------------------------------------------------------------------------

def test_a_parcel_moves_from_expected_to_on_hand_to_dispatched(client, network, parcel):
    client = client_for(client, network.op["yetan"])
    url = console_url(network.yetan)

    first = client.get(url)
    scan(network, "yetan", parcel, "received", minutes=0)
    received = client.get(url)
    scan(network, "yetan", parcel, "dispatched", minutes=5)
    sent = client.get(url)

    assert rows(first, "expected") == [parcel.code] and rows(first, "on-hand") == []
    assert rows(received, "on-hand") == [parcel.code] and rows(received, "expected") == []
    assert rows(sent, "dispatched") == [parcel.code] and rows(sent, "on-hand") == []


def test_the_next_node_expects_the_parcel_once_it_left_the_previous_one(client, network, parcel):
    scan(network, "yetan", parcel, "received", minutes=0)
    scan(network, "yetan", parcel, "dispatched", minutes=5)

    page = client_for(client, network.op["miaogao"]).get(console_url(network.miaogao))

    assert rows(page, "expected") == [parcel.code]


def test_a_row_shows_code_storage_places_and_status_but_no_personal_data(client, network,
                                                                          parcel):
    scan(network, "yetan", parcel, "received", minutes=0)

    page = client_for(client, network.op["yetan"]).get(console_url(network.yetan))

    body = page.content.decode()
    row = body[body.index(f'data-parcel="{parcel.code}"'):]
    row = row[:row.index("</li>")]
    assert "常温" in row and "在站" in row
    assert "妙高街道 叶坦社区" in row and "新路湾镇 远路口村" in row
    address = parcel.order.shipping_address
    assert address.line1 not in body and str(address.phone_number or "—") not in body


def test_a_delivered_parcel_leaves_expected_everywhere_and_shows_as_sent_at_the_end(
        client, network, parcel):
    scan(network, "yuanlukou", parcel, "delivered", minutes=60, recipient_name="李四",
         signature="李四")

    at_end = client_for(client, network.op["yuanlukou"]).get(console_url(network.yuanlukou))
    client.force_login(network.op["hub"])
    at_hub = client.get(console_url(network.hub))

    assert rows(at_end, "dispatched") == [parcel.code]
    assert parcel.code not in at_hub.content.decode()


def _parcels(buyer, product, n):
    return [paid_order(buyer, product).shipments.get() for _ in range(n)]


@pytest.mark.parametrize("many", [1, 12], ids=["one-parcel", "twelve-parcels"])
def test_the_console_runs_a_fixed_number_of_queries(client, network, buyer, product_a, many,
                                                    django_assert_max_num_queries):
    parcels = _parcels(buyer, product_a, many)
    for i, p in enumerate(parcels):
        if i % 3 == 1:
            scan(network, "yetan", p, "received", minutes=i)
        elif i % 3 == 2:
            scan(network, "yetan", p, "received", minutes=i)
            scan(network, "yetan", p, "dispatched", minutes=i + 1)
    client = client_for(client, network.op["yetan"])

    with django_assert_max_num_queries(9):
        page = client.get(console_url(network.yetan))

    shown = sum(len(rows(page, k)) for k in ("expected", "on-hand", "dispatched"))
    assert shown == many


# --- picking a node --------------------------------------------------------------------------

def test_an_operator_of_one_node_goes_straight_to_it(client, network):
    response = client_for(client, network.op["yetan"]).get(reverse("logistics-station:index"))

    assert response.status_code == 302 and response.url == console_url(network.yetan)


def test_an_operator_of_several_nodes_picks_one(client, network):
    operator = network.op["yetan"]
    network.tenglong.operators.add(operator)

    response = client_for(client, operator).get(reverse("logistics-station:index"))

    body = response.content.decode()
    assert response.status_code == 200
    assert console_url(network.yetan) in body and console_url(network.tenglong) in body
    assert console_url(network.hub) not in body


# --- the scan form ---------------------------------------------------------------------------

def test_a_scan_is_recorded_and_the_same_form_sent_twice_is_stored_once(client, network,
                                                                        parcel):
    client = client_for(client, network.op["yetan"])
    data = form_data(parcel.code.lower(), "received")

    first = client.post(console_url(network.yetan), data)
    again = client.post(console_url(network.yetan), data)

    assert (first.status_code, again.status_code) == (200, 200)
    assert "已记录" in first.content.decode() and "重复提交" in again.content.decode()
    assert ScanEvent.objects.filter(shipment=parcel).count() == 1
    assert rows(first, "on-hand") == [parcel.code]
    # the next scan on the page gets a new client UUID
    assert data["client_uuid"] not in first.content.decode()


def test_a_code_read_from_the_label_url_is_accepted(client, network, parcel):
    client = client_for(client, network.op["yetan"])
    data = form_data(f"https://example.com/track/{parcel.code}/", "received")

    response = client.post(console_url(network.yetan), data)

    assert response.status_code == 200 and ScanEvent.objects.count() == 1


def test_delivery_with_a_photo_stores_a_clean_jpeg(client, network, parcel):
    client = client_for(client, network.op["yuanlukou"])
    photo = SimpleUploadedFile("door.jpg", jpeg(), content_type="image/jpeg")

    response = client.post(console_url(network.yuanlukou), form_data(
        parcel.code, "delivered", recipient_name="李四", photo=photo))

    assert response.status_code == 200
    event = ScanEvent.objects.get()
    assert event.kind == "delivered" and event.recipient_name == "李四"
    assert event.proof_photo.name.endswith(".jpg")


@pytest.mark.parametrize(("node", "event", "extra", "message"), [
    pytest.param("yetan", "received", {"code": "ZZZZZZZZZZ"}, "本站点没有这个包裹",
                 id="unknown-code"),
    pytest.param("tenglong", "received", {}, "本站点没有这个包裹", id="node-off-route"),
    pytest.param("yuanlukou", "delivered", {"signature": "李四"}, "签收人", id="no-recipient"),
    pytest.param("yuanlukou", "delivered", {"recipient_name": "李四"}, "照片或签名",
                 id="no-proof"),
    pytest.param("yetan", "exception", {}, "异常原因", id="exception-without-reason"),
    pytest.param("yetan", "temperature", {"temperature": "abc"}, "数字", id="temperature-abc"),
    pytest.param("yetan", "received", {"device_time": "yesterday-ish"}, "时间无效",
                 id="device-time-garbage"),
    pytest.param("yetan", "teleported", {}, "teleported", id="unknown-event"),
    pytest.param("yetan", "received", {"code": "  "}, "运单号", id="empty-code"),
    pytest.param("yetan", "received", {"client_uuid": "not-a-uuid"}, "UUID",
                 id="bad-uuid"),
])
def test_bad_scans_are_a_form_error_and_nothing_is_saved(client, network, parcel, node, event,
                                                         extra, message):
    network.tenglong.operators.add(network.op["yetan"])
    operator = network.op["yetan"] if node == "tenglong" else network.op[node]
    client = client_for(client, operator)
    data = form_data(parcel.code, event)
    data.update(extra)

    response = client.post(console_url(getattr(network, node)), data)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert ScanEvent.objects.count() == 0


def test_a_delivered_parcel_scanned_again_is_refused(client, network, parcel):
    client = client_for(client, network.op["yuanlukou"])
    url = console_url(network.yuanlukou)
    client.post(url, form_data(parcel.code, "delivered", recipient_name="李四", signature="李四"))

    again = client.post(url, form_data(parcel.code, "delivered", recipient_name="王五",
                                       signature="王五"))

    assert again.status_code == 400 and "已签收" in again.content.decode()
    assert ScanEvent.objects.count() == 1


def test_a_photo_that_is_not_an_image_is_a_form_error(client, network, parcel):
    client = client_for(client, network.op["yuanlukou"])
    fake = SimpleUploadedFile("door.jpg", b"%PDF-1.4 not a picture", content_type="image/jpeg")

    response = client.post(console_url(network.yuanlukou), form_data(
        parcel.code, "delivered", recipient_name="李四", photo=fake))

    assert response.status_code == 400 and "不是图片" in response.content.decode()
    assert ScanEvent.objects.count() == 0


class _HugeUpload(io.BytesIO):
    """What Django hands a view for a 50 MB upload (a file that says its size), without
    50 MB in memory."""

    name = "huge.jpg"
    content_type = "image/jpeg"
    charset = None
    size = 50 * 1024 * 1024


def test_a_50_mb_photo_is_a_form_error():
    form = ScanForm(data=form_data("ABCDEFGHJK", "delivered", recipient_name="李四"),
                    files={"photo": _HugeUpload(jpeg())})

    assert not form.is_valid()
    assert "8 MB" in str(form.errors["photo"])


def test_a_photo_just_over_8_mb_on_the_page_is_a_form_error(client, network, parcel):
    client = client_for(client, network.op["yuanlukou"])
    big = SimpleUploadedFile("big.jpg", b"\xff" * (8 * 1024 * 1024 + 1),
                             content_type="image/jpeg")

    response = client.post(console_url(network.yuanlukou), form_data(
        parcel.code, "delivered", recipient_name="李四", photo=big))

    assert response.status_code == 400 and "8 MB" in response.content.decode()
    assert ScanEvent.objects.count() == 0


def test_the_hub_hands_a_parcel_to_a_carrier_with_its_tracking_number(client, network, buyer,
                                                                      coop_a):
    from logistics import services
    from tests.dashboard.builders import order_with_lines, stockrecord

    order = order_with_lines(user=buyer, stockrecords=[stockrecord(factories.product(coop_a))])
    order.shipping_address.region_id = "431226101001"  # outside the county
    order.shipping_address.save()
    services.shipments_create(order_id=order.pk)
    parcel = order.shipments.get()
    client = client_for(client, network.op["hub"])

    without = client.post(console_url(network.hub), form_data(parcel.code, "dispatched"))
    handed = client.post(console_url(network.hub), form_data(
        parcel.code, "dispatched", carrier_name="邮政 EMS", tracking_number="EMS1234567890"))

    assert without.status_code == 400 and "快递单号" in without.content.decode()
    assert handed.status_code == 200
    assert ScanEvent.objects.get().tracking_number == "EMS1234567890"


# --- one parcel ------------------------------------------------------------------------------

def test_the_parcel_page_shows_its_route_and_scans(client, network, parcel):
    scan(network, "yetan", parcel, "received", minutes=0)
    client = client_for(client, network.op["miaogao"])

    response = client.get(reverse("logistics-station:parcel", kwargs={
        "node_id": network.miaogao.pk, "code": parcel.code}))

    body = response.content.decode()
    assert response.status_code == 200
    assert "叶坦社区服务点" in body and "到站签收" in body and "远路口村服务点" in body


def test_a_parcel_not_routed_through_the_node_is_a_404(client, network, parcel):
    client = client_for(client, network.op["tenglong"])

    response = client.get(reverse("logistics-station:parcel", kwargs={
        "node_id": network.tenglong.pk, "code": parcel.code}))

    assert response.status_code == 404
