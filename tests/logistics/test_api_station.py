"""Station API: my nodes, the parcels at a node, and batches of scans and temperature readings
(an offline queue being sent): one result per item, the batch refused whole only when it is
not a batch at all, never a 500."""

from __future__ import annotations

import datetime as dt
import io
import json
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from logistics.models import ScanEvent
from tests.logistics.conftest import paid_order, scan

pytestmark = pytest.mark.django_db

NOT_HERE = "本站点没有这个包裹"


@pytest.fixture
def parcel(network, buyer, product_a):
    """A's parcel: 叶坦 → 妙高 → hub → 新路湾 → 远路口."""
    return paid_order(buyer, product_a).shipments.get()


def api(node, what):
    return f"/api/logistics/nodes/{node.pk}/{what}/"


def as_user(user, **kwargs) -> Client:
    client = Client(**kwargs)
    if user is not None:
        client.force_login(user)
    return client


def now_iso(minutes=0) -> str:
    return (timezone.now() - dt.timedelta(minutes=30 - minutes)).isoformat()


def item(code, event="received", **extra):
    return {"client_uuid": str(uuid.uuid4()), "parcel_code": code, "event": event,
            "device_time": now_iso(), **extra}


def post_json(client, url, body):
    return client.post(url, json.dumps(body), content_type="application/json")


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (10, 120, 60)).save(out, "JPEG")
    return out.getvalue()


# --- reading -------------------------------------------------------------------------------

def test_an_operator_lists_only_their_own_nodes(network):
    response = as_user(network.op["yetan"]).get("/api/logistics/nodes/")

    assert response.status_code == 200
    assert [n["name"] for n in response.json()] == ["叶坦社区服务点"]


def test_the_parcels_of_a_node_come_in_three_lists(network, buyer, product_a):
    waiting, here, gone = (paid_order(buyer, product_a).shipments.get() for _ in range(3))
    scan(network, "yetan", here, "received")
    scan(network, "yetan", gone, "received")
    scan(network, "yetan", gone, "dispatched", minutes=5)

    body = as_user(network.op["yetan"]).get(api(network.yetan, "parcels")).json()

    assert [p["code"] for p in body["expected"]] == [waiting.code]
    assert [p["code"] for p in body["on_hand"]] == [here.code]
    assert [p["code"] for p in body["dispatched"]] == [gone.code]
    row = body["on_hand"][0]
    assert (row["storage"], row["status"], row["status_label"]) == ("常温", "at_node", "在站")
    assert (row["origin"], row["destination"]) == ("妙高街道 叶坦社区", "新路湾镇 远路口村委会")


@pytest.mark.parametrize("many", [1, 10], ids=["one-parcel", "ten-parcels"])
def test_the_parcel_lists_run_a_fixed_number_of_queries(network, buyer, product_a, many,
                                                        django_assert_max_num_queries):
    for i in range(many):
        p = paid_order(buyer, product_a).shipments.get()
        if i % 2:
            scan(network, "yetan", p, "received", minutes=i)
    client = as_user(network.op["yetan"])

    with django_assert_max_num_queries(8):
        body = client.get(api(network.yetan, "parcels")).json()

    assert sum(len(v) for v in body.values()) == many


# --- a batch of scans ----------------------------------------------------------------------

def test_a_batch_answers_each_item_and_a_replay_is_all_duplicates(network, parcel):
    client = as_user(network.op["yetan"])
    batch = {"scans": [
        item(parcel.code, "received"),
        item(parcel.code, "dispatched", device_time=now_iso(5)),
        item("ZZZZZZZZZZ"),
    ]}

    first = post_json(client, api(network.yetan, "scans"), batch)
    replay = post_json(client, api(network.yetan, "scans"), batch)

    assert first.status_code == 200
    assert [r["outcome"] for r in first.json()["results"]] == ["accepted", "accepted",
                                                               "rejected"]
    assert NOT_HERE in first.json()["results"][2]["reason"]
    assert [r["client_uuid"] for r in first.json()["results"]] == [
        s["client_uuid"] for s in batch["scans"]]
    assert (first.json()["accepted"], first.json()["rejected"]) == (2, 1)
    assert [r["outcome"] for r in replay.json()["results"]] == ["duplicate", "duplicate",
                                                                "rejected"]
    assert ScanEvent.objects.count() == 2


def test_a_parcel_of_another_node_is_rejected_per_item(network, parcel):
    client = as_user(network.op["tenglong"])

    response = post_json(client, api(network.tenglong, "scans"),
                         {"scans": [item(parcel.code)]})

    assert response.status_code == 200
    assert response.json()["results"][0]["outcome"] == "rejected"
    assert NOT_HERE in response.json()["results"][0]["reason"]
    assert not ScanEvent.objects.exists()


def test_a_delivered_parcel_scanned_again_is_rejected(network, parcel):
    client = as_user(network.op["yuanlukou"])
    deliver = {"recipient_name": "李四", "signature": "李四"}

    post_json(client, api(network.yuanlukou, "scans"),
              {"scans": [item(parcel.code, "delivered", **deliver)]})
    again = post_json(client, api(network.yuanlukou, "scans"),
                      {"scans": [item(parcel.code, "delivered", **deliver),
                                 item(parcel.code, "received", device_time=now_iso(10))]})

    assert [r["outcome"] for r in again.json()["results"]] == ["rejected", "rejected"]
    assert all("已签收" in r["reason"] for r in again.json()["results"])
    assert ScanEvent.objects.count() == 1


def test_a_batch_of_501_is_refused_whole_and_nothing_is_saved(network, parcel):
    client = as_user(network.op["yetan"])
    scans = [item(parcel.code)] + [item(parcel.code, "exception", reason="damaged")
                                   for _ in range(500)]

    response = post_json(client, api(network.yetan, "scans"), {"scans": scans})

    assert response.status_code == 400
    assert "500" in response.json()["detail"] and "501" in response.json()["detail"]
    assert not ScanEvent.objects.exists()


def test_a_batch_of_500_is_processed(network, parcel):
    client = as_user(network.op["yetan"])
    scans = [item(parcel.code)] + [["not", "an", "object"]] * 499

    response = post_json(client, api(network.yetan, "scans"), {"scans": scans})

    assert response.status_code == 200
    assert (response.json()["accepted"], response.json()["rejected"]) == (1, 499)


@pytest.mark.parametrize(("body", "content_type", "message"), [
    pytest.param('{"scans": [', "application/json", "JSON", id="malformed-json"),
    pytest.param('{"scans": [{"temperature": NaN}]}', "application/json", "JSON",
                 id="nan-is-not-json"),
    pytest.param("[]", "application/json", "对象", id="list-instead-of-object"),
    pytest.param('"scans"', "application/json", "对象", id="string-body"),
    pytest.param("{}", "application/json", "缺少", id="no-scans"),
    pytest.param('{"scans": {"a": 1}}', "application/json", "列表", id="scans-an-object"),
    pytest.param('{"scans": "x"}', "application/json", "列表", id="scans-a-string"),
    pytest.param("scans=%5B", "application/x-www-form-urlencoded", "JSON",
                 id="form-with-broken-json"),
])
def test_a_body_that_is_not_a_batch_is_a_400_with_a_reason(network, body, content_type,
                                                           message):
    client = as_user(network.op["yetan"])

    response = client.post(api(network.yetan, "scans"), body, content_type=content_type)

    assert response.status_code == 400 and message in response.json()["detail"]


@pytest.mark.parametrize(("change", "message"), [
    pytest.param({"parcel_code": 12345}, "parcel_code", id="code-a-number"),
    pytest.param({"parcel_code": ["A"]}, "parcel_code", id="code-a-list"),
    pytest.param({"event": None, "client_uuid": 7}, "client_uuid", id="uuid-a-number"),
    pytest.param({"device_time": "garbage"}, "时间无效", id="device-time-garbage"),
    pytest.param({"device_time": 1700000000}, "device_time", id="device-time-a-number"),
    pytest.param({"device_time": None}, "时间无效", id="device-time-missing"),
    pytest.param({"event": "teleported"}, "未知", id="unknown-event"),
    pytest.param({"event": "temperature", "temperature": "abc"}, "数字", id="temperature-abc"),
    pytest.param({"event": "temperature", "temperature": [1]}, "数字", id="temperature-list"),
    pytest.param({"event": "temperature", "temperature": True}, "数字", id="temperature-bool"),
    pytest.param({"note": {"x": 1}}, "note", id="note-an-object"),
    pytest.param({"parcel_code": "AB\x00CD"}, "无效字符", id="nul-character"),
    pytest.param({"parcel_code": "\ud800"}, "无效字符", id="lone-surrogate"),
    pytest.param({"client_uuid": "not-a-uuid"}, "UUID", id="uuid-malformed"),
])
def test_a_bad_item_is_rejected_alone_with_its_reason(network, parcel, change, message):
    client = as_user(network.op["yetan"])
    bad = item(parcel.code)
    bad.update(change)
    good = item(parcel.code)

    response = post_json(client, api(network.yetan, "scans"), {"scans": [bad, good]})

    assert response.status_code == 200
    first, second = response.json()["results"]
    assert first["outcome"] == "rejected" and message in first["reason"]
    assert second["outcome"] == "accepted"
    assert ScanEvent.objects.count() == 1


def test_a_list_inside_the_batch_is_rejected_alone(network, parcel):
    client = as_user(network.op["yetan"])

    response = post_json(client, api(network.yetan, "scans"),
                         {"scans": [[item(parcel.code)], item(parcel.code)]})

    assert [r["outcome"] for r in response.json()["results"]] == ["rejected", "accepted"]
    assert "对象" in response.json()["results"][0]["reason"]


# --- photos: multipart, one field per item -------------------------------------------------

def _multipart(client, node, scans, **files):
    return client.post(api(node, "scans"), {"scans": json.dumps(scans), **files})


def test_a_delivery_photo_travels_in_its_own_multipart_field(network, parcel):
    client = as_user(network.op["yuanlukou"])
    delivered = item(parcel.code, "delivered", recipient_name="李四")
    photo = SimpleUploadedFile("door.jpg", jpeg(), content_type="image/jpeg")

    response = _multipart(client, network.yuanlukou, [delivered],
                          **{f"photo_{delivered['client_uuid']}": photo})

    assert response.json()["results"][0]["outcome"] == "accepted"
    assert ScanEvent.objects.get().proof_photo.name.endswith(".jpg")


@pytest.mark.parametrize(("content", "message"), [
    pytest.param(b"GIF89a but not really", "不是图片", id="not-an-image"),
    pytest.param(b"\xff" * (8 * 1024 * 1024 + 1), "8 MB", id="over-8-mb"),
])
def test_a_bad_photo_rejects_its_item_only(network, parcel, content, message):
    client = as_user(network.op["yuanlukou"])
    delivered = item(parcel.code, "delivered", recipient_name="李四")
    exception = item(parcel.code, "exception", reason="address")
    photo = SimpleUploadedFile("door.jpg", content, content_type="image/jpeg")

    response = _multipart(client, network.yuanlukou, [delivered, exception],
                          **{f"photo_{delivered['client_uuid']}": photo})

    results = response.json()["results"]
    assert response.status_code == 200
    assert results[0]["outcome"] == "rejected" and message in results[0]["reason"]
    assert results[1]["outcome"] == "accepted"
    assert list(ScanEvent.objects.values_list("kind", flat=True)) == ["exception"]


def test_a_photo_of_50_mb_is_rejected_without_being_read(network, parcel):
    from logistics import services

    class Huge(io.BytesIO):
        size = 50 * 1024 * 1024

    results = services.scans_record_batch(
        node=network.yuanlukou, operator=network.op["yuanlukou"],
        scans=[{**item(parcel.code, "delivered", recipient_name="李四"),
                "photo": Huge(jpeg())}])

    assert results[0].outcome == "rejected" and "8 MB" in results[0].reason
    assert not ScanEvent.objects.exists()


def test_a_photo_in_json_is_ignored_and_the_signature_is_required(network, parcel):
    client = as_user(network.op["yuanlukou"])

    response = post_json(client, api(network.yuanlukou, "scans"), {"scans": [
        item(parcel.code, "delivered", recipient_name="李四", photo="data:image/jpeg;base64,AA")]})

    result = response.json()["results"][0]
    assert result["outcome"] == "rejected" and "照片或签名" in result["reason"]


# --- temperature readings ------------------------------------------------------------------

def test_temperature_readings_are_recorded_one_by_one(network, parcel):
    client = as_user(network.op["yetan"])
    readings = [
        {"client_uuid": str(uuid.uuid4()), "parcel_code": parcel.code, "temperature": 3.5,
         "device_time": now_iso()},
        {"client_uuid": str(uuid.uuid4()), "parcel_code": parcel.code, "temperature": "abc",
         "device_time": now_iso()},
        {"client_uuid": str(uuid.uuid4()), "parcel_code": parcel.code, "temperature": "4.0",
         "device_time": "yesterday"},
        {"client_uuid": str(uuid.uuid4()), "parcel_code": "ZZZZZZZZZZ", "temperature": "4",
         "device_time": now_iso()},
    ]

    response = post_json(client, api(network.yetan, "temperatures"), {"readings": readings})

    results = response.json()["results"]
    assert response.status_code == 200
    assert [r["outcome"] for r in results] == ["accepted", "rejected", "rejected", "rejected"]
    assert "数字" in results[1]["reason"] and "时间无效" in results[2]["reason"]
    assert NOT_HERE in results[3]["reason"]
    event = ScanEvent.objects.get()
    assert (event.kind, str(event.temperature)) == ("temperature", "3.5")


def test_501_temperature_readings_are_refused_whole(network, parcel):
    client = as_user(network.op["yetan"])
    readings = [{"client_uuid": str(uuid.uuid4()), "parcel_code": parcel.code,
                 "temperature": 4, "device_time": now_iso()} for _ in range(501)]

    response = post_json(client, api(network.yetan, "temperatures"), {"readings": readings})

    assert response.status_code == 400 and not ScanEvent.objects.exists()


# --- CSRF and schema -----------------------------------------------------------------------

@pytest.mark.parametrize("what", ["scans", "temperatures"])
def test_a_post_without_the_csrf_token_is_refused(network, parcel, what):
    client = as_user(network.op["yetan"], enforce_csrf_checks=True)

    response = post_json(client, api(network.yetan, what), {"scans": [item(parcel.code)]})

    assert response.status_code == 403 and "CSRF" in response.json()["detail"]
    assert not ScanEvent.objects.exists()


def test_the_openapi_schema_lists_the_station_endpoints(db):
    response = Client().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")

    text = response.content.decode()
    for path in ("/api/logistics/nodes/", "/api/logistics/nodes/{node_id}/parcels/",
                 "/api/logistics/nodes/{node_id}/scans/",
                 "/api/logistics/nodes/{node_id}/temperatures/"):
        assert path in text


# --- whatever a device sends ---------------------------------------------------------------

_anything = st.one_of(st.none(), st.booleans(), st.integers(),
                      st.floats(allow_nan=False, allow_infinity=False),
                      st.text(max_size=30), st.lists(st.integers(), max_size=2),
                      st.dictionaries(st.text(max_size=3), st.integers(), max_size=2))
_fields = st.fixed_dictionaries({}, optional={
    "client_uuid": st.one_of(st.uuids().map(str), _anything),
    "parcel_code": _anything,
    "event": st.one_of(st.sampled_from(["received", "dispatched", "delivered", "exception",
                                        "temperature", "out_for_delivery"]), _anything),
    "device_time": st.one_of(st.just("now"), _anything),
    "recipient_name": _anything, "signature": _anything, "reason": _anything,
    "temperature": _anything, "note": _anything,
})
_items = st.lists(st.one_of(_fields, _anything), max_size=6)


@settings(max_examples=40, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(items=_items, use_code=st.booleans())
def test_any_batch_gets_one_result_per_item_and_stores_only_the_accepted(network, parcel,
                                                                        items, use_code):
    client = as_user(network.op["yetan"])
    for entry in items:
        if isinstance(entry, dict):
            if entry.get("device_time") == "now":
                entry["device_time"] = now_iso()
            if use_code:
                entry["parcel_code"] = parcel.code
    with transaction.atomic():
        response = post_json(client, api(network.yetan, "scans"), {"scans": items})

        assert response.status_code == 200
        body = response.json()
        assert len(body["results"]) == len(items)
        assert {r["outcome"] for r in body["results"]} <= {"accepted", "duplicate", "rejected"}
        assert all(r["reason"] for r in body["results"] if r["outcome"] == "rejected")
        assert ScanEvent.objects.count() == body["accepted"]
        transaction.set_rollback(True)
