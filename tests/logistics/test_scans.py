"""Hand-over scans: the route decides who may scan, a UUID is stored once, late offline scans
take their place by device time, and a delivered parcel stays delivered."""

from __future__ import annotations

import io
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from logistics import services, status
from logistics.models import ScanEvent
from logistics.photos import PhotoError, proof_photo_clean
from logistics.selectors import shipment_by_code
from tests import factories
from tests.logistics.conftest import paid_order, scan

pytestmark = pytest.mark.django_db

NOT_HERE = "本站点没有这个包裹"


@pytest.fixture
def parcel(network, buyer, product_a):
    """A's parcel: 叶坦 → 妙高 → hub → 新路湾 → 远路口."""
    return paid_order(buyer, product_a).shipments.get()


def state_of(parcel):
    return shipment_by_code(parcel.code).state


def test_a_parcel_moves_along_its_route_and_its_status_follows(network, parcel):
    assert state_of(parcel).status == status.CREATED
    scan(network, "yetan", parcel, "received", minutes=0)
    assert (state_of(parcel).status, state_of(parcel).node_id) == (status.AT_NODE,
                                                                   network.yetan.pk)
    scan(network, "yetan", parcel, "dispatched", minutes=5)
    state = state_of(parcel)
    assert (state.status, state.next_node_id) == (status.IN_TRANSIT, network.miaogao.pk)
    scan(network, "yuanlukou", parcel, "out_for_delivery", minutes=50)
    assert state_of(parcel).status == status.OUT_FOR_DELIVERY
    scan(network, "yuanlukou", parcel, "delivered", minutes=60, recipient_name="李四",
         signature="李四")
    assert state_of(parcel).status == status.DELIVERED


@pytest.mark.parametrize("node", ["tenglong"])
def test_a_node_off_the_route_is_told_the_same_as_for_an_unknown_code(network, parcel, node):
    off_route = scan(network, node, parcel, "received")
    parcel.code = "ZZZZZZZZZZ"
    unknown = scan(network, node, parcel, "received")

    assert (off_route.outcome, unknown.outcome) == ("rejected", "rejected")
    assert off_route.reason == unknown.reason and NOT_HERE in off_route.reason
    assert ScanEvent.objects.count() == 0


def test_a_code_with_a_nul_or_other_junk_is_just_not_found(network, parcel):
    parcel.code = "\x00\ud800'; DROP TABLE--"
    result = scan(network, "yetan", parcel, "received")

    assert result.outcome == "rejected" and NOT_HERE in result.reason


def test_an_operator_of_another_node_cannot_scan_here(network, parcel):
    result = services.scan_record(
        parcel_code=parcel.code, node=network.yetan, operator=network.op["hub"],
        event="received", device_time=factories_now(), client_uuid=uuid.uuid4())

    assert result.outcome == "rejected" and "操作员" in result.reason


def factories_now():
    from django.utils import timezone

    return timezone.now()


def test_the_same_uuid_is_stored_once_and_answered_as_a_success(network, parcel):
    uid = uuid.uuid4()
    first = scan(network, "yetan", parcel, "received", uid=uid)
    again = scan(network, "yetan", parcel, "received", uid=uid)

    assert (first.outcome, again.outcome) == ("accepted", "duplicate")
    assert again.ok and again.event.pk == first.event.pk
    assert ScanEvent.objects.count() == 1


def test_a_uuid_reused_for_another_scan_is_refused(network, parcel):
    uid = uuid.uuid4()
    scan(network, "yetan", parcel, "received", uid=uid)
    reused = scan(network, "miaogao", parcel, "received", uid=uid)

    assert reused.outcome == "rejected" and "另一次扫描" in reused.reason


def test_a_late_offline_scan_of_an_earlier_hop_takes_its_place_by_device_time(network, parcel):
    # the station's phone was offline: the hub's scan reaches the server first
    scan(network, "hub", parcel, "received", minutes=30)
    late = scan(network, "miaogao", parcel, "dispatched", minutes=20)

    assert late.outcome == "accepted"
    state = state_of(parcel)
    assert (state.status, state.node_id) == (status.AT_NODE, network.hub.pk)
    timeline = shipment_by_code(parcel.code).timeline
    assert [e.node_id for e in timeline] == [network.miaogao.pk, network.hub.pk]


def test_a_delivered_parcel_takes_no_further_movement(network, parcel):
    scan(network, "yuanlukou", parcel, "delivered", minutes=60, recipient_name="李四",
         signature="李四")

    after = scan(network, "yuanlukou", parcel, "received", minutes=61)
    twice = scan(network, "yuanlukou", parcel, "delivered", minutes=62, recipient_name="李四",
                 signature="李四")
    # but a scan made before the delivery, sent late from an offline phone, still counts
    before = scan(network, "xinluwan", parcel, "dispatched", minutes=40)
    # and an exception (the buyer reports damage) is not a movement
    damaged = scan(network, "yuanlukou", parcel, "exception", minutes=70, reason="damaged",
                   note="外箱压坏")

    assert (after.outcome, twice.outcome) == ("rejected", "rejected")
    assert "已签收" in after.reason
    assert (before.outcome, damaged.outcome) == ("accepted", "accepted")


@pytest.mark.parametrize(("node", "event", "extra", "message"), [
    pytest.param("yetan", "delivered", {"recipient_name": "李四", "signature": "李四"},
                 "终点站", id="delivered-before-the-last-node"),
    pytest.param("yuanlukou", "delivered", {"signature": "李四"}, "签收人", id="no-recipient"),
    pytest.param("yuanlukou", "delivered", {"recipient_name": "李四"}, "照片或签名",
                 id="no-proof"),
    pytest.param("yuanlukou", "dispatched", {}, "终点站", id="dispatched-from-the-last-node"),
    pytest.param("yetan", "exception", {}, "异常原因", id="exception-without-reason"),
    pytest.param("yetan", "exception", {"reason": "lost"}, "异常原因", id="unknown-reason"),
    pytest.param("yetan", "temperature", {"temperature": "abc"}, "数字", id="temperature-abc"),
    pytest.param("yetan", "temperature", {"temperature": "NaN"}, "-60", id="temperature-nan"),
    pytest.param("yetan", "temperature", {"temperature": "99"}, "-60", id="temperature-99"),
    pytest.param("yetan", "teleported", {}, "未知", id="unknown-event"),
])
def test_bad_scans_are_refused_with_a_reason_and_nothing_saved(network, parcel, node, event,
                                                               extra, message):
    result = scan(network, node, parcel, event, **extra)

    assert result.outcome == "rejected" and message in result.reason
    assert ScanEvent.objects.count() == 0


@pytest.mark.parametrize(("device_time", "message"), [
    pytest.param("2026-13-01T00:00:00+08:00", "时间无效", id="impossible-date"),
    pytest.param("2026-11-23T10:00:00", "时间无效", id="no-timezone"),
    pytest.param("next tuesday", "时间无效", id="words"),
    pytest.param(None, "时间无效", id="missing"),
    pytest.param("2099-01-01T00:00:00+08:00", "未来", id="far-future"),
    pytest.param("2020-01-01T00:00:00+08:00", "太早", id="years-ago"),
])
def test_device_times_that_cannot_be_placed_are_refused(network, parcel, device_time, message):
    result = services.scan_record(parcel_code=parcel.code, node=network.yetan,
                                  operator=network.op["yetan"], event="received",
                                  device_time=device_time, client_uuid=uuid.uuid4())

    assert result.outcome == "rejected" and message in result.reason


@pytest.mark.parametrize("uid", ["", "not-a-uuid", None, "1" * 500])
def test_a_missing_or_malformed_uuid_is_refused(network, parcel, uid):
    result = services.scan_record(parcel_code=parcel.code, node=network.yetan,
                                  operator=network.op["yetan"], event="received",
                                  device_time=factories_now(), client_uuid=uid)

    assert result.outcome == "rejected" and "UUID" in result.reason
    assert len(result.client_uuid) <= 64


def test_a_carrier_hand_over_needs_the_carrier_and_its_tracking_number(network, buyer, coop_a):
    from tests.dashboard.builders import order_with_lines, stockrecord

    order = order_with_lines(user=buyer, stockrecords=[stockrecord(factories.product(coop_a))])
    order.shipping_address.region_id = "431226101001"  # 麻阳县东街社区, outside the county
    order.shipping_address.save()
    services.shipments_create(order_id=order.pk)
    parcel = order.shipments.get()

    without = scan(network, "hub", parcel, "dispatched")
    handed = scan(network, "hub", parcel, "dispatched", carrier_name="邮政 EMS",
                  tracking_number="EMS1234567890")

    assert without.outcome == "rejected" and "快递单号" in without.reason
    assert handed.outcome == "accepted"
    assert state_of(parcel).status == status.WITH_CARRIER


# --- proof photos ----------------------------------------------------------------------------

def jpeg_with_exif(size=(3000, 2000)) -> bytes:
    image = Image.new("RGB", size, (90, 140, 60))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0132] = "2026:11:23 08:00:00"  # DateTime
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def test_a_proof_photo_is_resized_and_loses_its_exif(network, parcel, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    original = jpeg_with_exif()
    assert Image.open(io.BytesIO(original)).getexif()

    photo = proof_photo_clean(SimpleUploadedFile("p.jpg", original, "image/jpeg"))
    result = scan(network, "yuanlukou", parcel, "delivered", recipient_name="李四", photo=photo)

    assert result.outcome == "accepted"
    stored = Image.open(result.event.proof_photo.path)
    assert max(stored.size) == 1280
    assert not stored.getexif()


@pytest.mark.parametrize(("content", "message"), [
    pytest.param(b"%PDF-1.4 not an image", "不是图片", id="pdf"),
    pytest.param(b"", "空", id="empty"),
    pytest.param(b"\x89PNG\r\n\x1a\n" + b"\0" * 100, "不是图片", id="broken-png"),
])
def test_a_proof_photo_that_is_not_an_image_is_refused(content, message):
    with pytest.raises(PhotoError, match=message):
        proof_photo_clean(SimpleUploadedFile("x.jpg", content, "image/jpeg"))


def test_a_50_mb_photo_is_refused_without_reading_it_all():
    class Huge:
        size = 50 * 1024 * 1024

        def read(self, n=-1):
            raise AssertionError("read a file already known to be too big")

    with pytest.raises(PhotoError, match="8 MB"):
        proof_photo_clean(Huge())


def test_a_batch_answers_each_scan_on_its_own(network, parcel):
    uid = str(uuid.uuid4())
    results = services.scans_record_batch(node=network.yetan, operator=network.op["yetan"], scans=[
        {"parcel_code": parcel.code, "event": "received", "client_uuid": uid,
         "device_time": factories_now().isoformat()},
        {"parcel_code": parcel.code, "event": "received", "client_uuid": uid,
         "device_time": factories_now().isoformat()},
        {"parcel_code": "NOPE", "event": "received", "client_uuid": str(uuid.uuid4()),
         "device_time": factories_now().isoformat()},
        "not an object",
    ])

    assert [r.outcome for r in results] == ["accepted", "duplicate", "rejected", "rejected"]
    assert ScanEvent.objects.count() == 1
