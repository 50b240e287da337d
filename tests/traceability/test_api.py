"""The traceability API (/api/trace/): batches, codes and binding scoped to the cooperative's
staff like the dashboard; a code's EPCIS-like events public, without personal data and not
counted as a scan; bad input a 400 with the reason, never a 500."""
# ruff: noqa: F811  (fixtures imported from other test modules are used as parameters)

from __future__ import annotations

import json

import pytest
from django.test import Client

from marketplace.traceability.models import CodeScan, HarvestBatch, TraceCode
from tests.dashboard.builders import order_with_lines, stockrecord
from tests.logistics.conftest import network  # noqa: F401  (fixture)
from tests.traceability.test_dashboard import batch_b  # noqa: F401  (fixture)
from tests.traceability.test_trace_page import (  # noqa: F401  (fixtures)
    ADDRESS_LINE,
    PHONE,
    RECIPIENT,
    batch,
    codes,
    sold,
)

pytestmark = pytest.mark.django_db


def api(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def post(client, path, data):
    return client.post(path, json.dumps(data), content_type="application/json")


def new_batch(coop, product, **extra):
    data = {"cooperative": coop.pk, "product": product.pk, "batch_number": "API-2026-01",
            "harvested_on": "2026-10-01", "quantity": "300", "unit": "斤"}
    data.update(extra)
    return data


# --- batches ------------------------------------------------------------------------------

def test_staff_list_and_read_only_their_own_batches(staff_a, batch, batch_b, codes):
    client = api(staff_a)
    listed = client.get("/api/trace/batches/").json()
    assert [b["batch_number"] for b in listed["results"]] == [batch.batch_number]
    assert listed["results"][0]["code_count"] == 3
    detail = client.get(f"/api/trace/batches/{batch.pk}/").json()
    assert {i["name"] for i in detail["inputs"]} == {"腐熟羊粪有机肥", "苦参碱水剂"}
    late = next(i for i in detail["inputs"] if i["name"] == "苦参碱水剂")
    assert "少于安全间隔期 7 天" in late["interval_problem"]
    assert detail["inspections"][0]["result"] == "pass"
    # another cooperative's batch, and everything under it, is a 404
    for path in (f"/api/trace/batches/{batch_b.pk}/", f"/api/trace/batches/{batch_b.pk}/codes/"):
        assert client.get(path).status_code == 404
    for path, data in ((f"/api/trace/batches/{batch_b.pk}/codes/", {"count": 2}),
                       (f"/api/trace/batches/{batch_b.pk}/inputs/", {"kind": "other"})):
        assert post(client, path, data).status_code == 404
    assert batch_b.codes.count() == 2


def test_anonymous_and_buyers_get_no_batches(buyer, batch):
    assert api().get("/api/trace/batches/").status_code == 403
    assert api(buyer).get("/api/trace/batches/").json()["results"] == []
    assert api(buyer).get(f"/api/trace/batches/{batch.pk}/").status_code == 404


def test_a_batch_is_created_through_the_api(staff_a, coop_a, product_a):
    response = post(api(staff_a), "/api/trace/batches/", new_batch(coop_a, product_a))
    assert response.status_code == 201, response.content
    made = HarvestBatch.objects.get(pk=response.json()["id"])
    assert made.cooperative == coop_a and made.created_by == staff_a


@pytest.mark.parametrize(("bad", "field", "message"), [
    ({"harvested_on": "2026-13-01"}, "harvested_on", "有效的日期"),
    ({"planted_on": "2026-11-01"}, "planted_on", "种植日期不能晚于采收日期"),
    ({"quantity": "0"}, "quantity", "数量必须大于 0"),
    ({"quantity": "lots"}, "quantity", "数字"),
    ({"batch_number": ""}, "batch_number", "必填"),
])
def test_bad_batch_data_is_a_400_with_field_errors_and_nothing_saved(
        staff_a, coop_a, product_a, bad, field, message):
    response = post(api(staff_a), "/api/trace/batches/", new_batch(coop_a, product_a, **bad))
    assert response.status_code == 400
    assert message in " ".join(response.json()[field])
    assert not HarvestBatch.objects.exists()


def test_a_batch_for_another_cooperative_is_refused(staff_a, coop_b, product_b):
    response = post(api(staff_a), "/api/trace/batches/", new_batch(coop_b, product_b))
    assert response.status_code == 400
    assert "cooperative" in response.json()
    assert not HarvestBatch.objects.exists()


def test_an_input_inside_the_safe_interval_is_kept_with_its_warning(staff_a, batch):
    response = post(api(staff_a), f"/api/trace/batches/{batch.pk}/inputs/", {
        "kind": "pesticide", "name": "吡虫啉", "amount": "20 克", "applied_on": "2026-04-19",
        "safe_interval_days": 7})
    assert response.status_code == 201
    assert "少于安全间隔期 7 天" in response.json()["interval_problem"]


# --- codes --------------------------------------------------------------------------------

def test_codes_are_issued_and_listed_page_by_page(staff_a, batch):
    client = api(staff_a)
    issued = post(client, f"/api/trace/batches/{batch.pk}/codes/", {"count": 25})
    assert issued.status_code == 201
    assert [c["serial"] for c in issued.json()] == list(range(1, 26))
    listed = client.get(f"/api/trace/batches/{batch.pk}/codes/", {"limit": 10, "offset": 20})
    body = listed.json()
    assert body["count"] == 25 and [c["serial"] for c in body["results"]] == [21, 22, 23, 24, 25]
    assert body["results"][0]["bound"] is False


@pytest.mark.parametrize(("count", "message"), [
    (0, "大于或等于1"), (10_001, "一次最多生成 10,000 个码"), ("abc", "整数"), (None, "必填"),
])
def test_a_bad_count_issues_no_codes(staff_a, batch, count, message):
    data = {} if count is None else {"count": count}
    response = post(api(staff_a), f"/api/trace/batches/{batch.pk}/codes/", data)
    assert response.status_code == 400
    assert message in " ".join(response.json()["count"])
    assert not batch.codes.exists()


# --- binding ------------------------------------------------------------------------------

def test_codes_bind_once_and_a_second_order_is_refused(staff_a, buyer, product_a, codes):
    first = order_with_lines(user=buyer, stockrecords=[stockrecord(product_a)]).lines.get()
    second = order_with_lines(user=buyer, stockrecords=[stockrecord(product_a)]).lines.get()
    client = api(staff_a)
    typed = f"{codes[0][:4].lower()}-{codes[0][4:8]}-{codes[0][8:]}"
    response = post(client, f"/api/trace/lines/{first.pk}/bind/", {"codes": [typed]})
    assert response.status_code == 200
    assert [c["code"] for c in response.json()] == [codes[0]]
    again = post(client, f"/api/trace/lines/{second.pk}/bind/", {"codes": [codes[0], codes[1]]})
    assert again.status_code == 400
    assert "已绑定到其他订单" in again.json()["detail"]
    # nothing half-bound: the second code stays free
    assert TraceCode.objects.get(code=codes[0]).order_line == first
    assert TraceCode.objects.get(code=codes[1]).order_line is None


@pytest.mark.parametrize(("data", "message"), [
    ({}, "其中之一"),
    ({"codes": [], "batch": 1}, "其中之一"),
    ({"codes": []}, "至少一个码"),
    ({"codes": "ABCD"}, "字符串列表"),
    ({"codes": [123]}, "字符串列表"),
    ({"codes": ["ABCD"]}, "码的长度不对"),
    ({"batch": "x"}, "没有这个批次"),
    ({"batch": 999999}, "没有这个批次"),
])
def test_bad_bind_requests_say_why(staff_a, buyer, product_a, codes, data, message):
    line = order_with_lines(user=buyer, stockrecords=[stockrecord(product_a)]).lines.get()
    response = post(api(staff_a), f"/api/trace/lines/{line.pk}/bind/", data)
    assert response.status_code == 400
    assert message in json.dumps(response.json(), ensure_ascii=False)
    assert not TraceCode.objects.filter(order_line=line).exists()


def test_another_cooperatives_line_is_a_404(staff_b, buyer, product_a, codes, batch):
    line = order_with_lines(user=buyer, stockrecords=[stockrecord(product_a)]).lines.get()
    client = api(staff_b)
    assert post(client, f"/api/trace/lines/{line.pk}/bind/", {"codes": codes[:1]}
                ).status_code == 404
    assert post(client, f"/api/trace/lines/{line.pk}/bind/", {"batch": batch.pk}
                ).status_code == 404
    assert api().post(f"/api/trace/lines/{line.pk}/bind/", {}).status_code == 403
    assert not TraceCode.objects.filter(order_line=line).exists()


def test_a_line_is_recorded_by_batch(staff_a, buyer, product_a, batch, batch_b):
    line = order_with_lines(user=buyer, stockrecords=[stockrecord(product_a)]).lines.get()
    client = api(staff_a)
    assert post(client, f"/api/trace/lines/{line.pk}/bind/", {"batch": batch_b.pk}
                ).status_code == 400
    assert post(client, f"/api/trace/lines/{line.pk}/bind/", {"batch": batch.pk}
                ).status_code == 200
    assert line.trace_batches.get().batch == batch


# --- a code's events (public) -------------------------------------------------------------

def test_an_unsold_codes_events_are_production_only(codes, django_assert_max_num_queries):
    with django_assert_max_num_queries(10):
        response = api().get(f"/api/trace/codes/{codes[1]}/events/")
    assert response.status_code == 200
    body = response.json()
    assert body["code"] == codes[1] and body["epcList"][0].endswith(f"/t/{codes[1]}/")
    steps = [e["bizStep"] for e in body["eventList"]]
    assert set(steps) == {"commissioning", "other", "inspecting"}
    harvest = next(e for e in body["eventList"] if e["bizStep"] == "commissioning")
    assert harvest["action"] == "ADD" and harvest["ilmd"]["batchNumber"] == "JZ-2026-03"
    assert harvest["eventTime"].endswith("+08:00") and harvest["eventTimeZoneOffset"] == "+08:00"
    assert "妙高街道" in harvest["bizLocation"]["name"]
    assert [e["eventTime"] for e in body["eventList"]] == sorted(
        e["eventTime"] for e in body["eventList"])
    assert not CodeScan.objects.exists()  # a machine read is not a scan


def test_a_sold_and_delivered_codes_events_carry_sale_and_delivery_but_nothing_personal(
        sold, codes, django_assert_max_num_queries):
    # the delivery hook is a fixed number of queries, not one per scan
    with django_assert_max_num_queries(16):
        response = api().get(f"/api/trace/codes/{codes[0]}/events/")
    events = response.json()["eventList"]
    steps = [e["bizStep"] for e in events]
    for step in ("commissioning", "inspecting", "retail_selling", "packing", "arriving",
                 "departing", "receiving"):
        assert step in steps, step
    sale = next(e for e in events if e["bizStep"] == "retail_selling")
    assert sale["sale"] == {"channel": "live", "liveSession": "金竹村春茶开采直播"}
    # the last hand-over is the signing for it in the village (the fixture's scans are
    # dated before its packing, so "last" is among the delivery events)
    delivery = [e for e in events if e["bizStep"] in ("arriving", "departing", "transporting",
                                                      "receiving")]
    assert delivery[-1]["bizStep"] == "receiving"
    assert delivery[-1]["disposition"] == "in_possession"
    assert "远路口村委会" in delivery[-1]["bizLocation"]["name"]
    text = response.content.decode()
    user = sold.user
    leaked = [x for x in (RECIPIENT, PHONE, ADDRESS_LINE, sold.number, user.email, "小明",
                          "放在村委会门口") if x in text]
    assert not leaked, leaked
    assert not CodeScan.objects.exists()


@pytest.mark.parametrize(("typed", "status", "message"), [
    ("ABCD", 400, "码的长度不对"),
    ("ABCDEFGHJK!", 400, "无效字符"),
    ("x" * 5000, 400, "码的长度不对"),
])
def test_malformed_codes_are_a_400_with_the_reason(db, typed, status, message):
    response = api().get(f"/api/trace/codes/{typed}/events/")
    assert response.status_code == status
    assert message in response.json()["detail"]


def test_a_wrong_check_character_and_an_unknown_code(codes):
    code = codes[0]
    wrong = code[:-1] + ("0" if code[-1] != "0" else "1")
    assert "校验位不对" in api().get(f"/api/trace/codes/{wrong}/events/").json()["detail"]
    # a well-formed code nobody issued (this one, once deleted)
    TraceCode.objects.filter(code=code).delete()
    missing = api().get(f"/api/trace/codes/{code}/events/")
    assert missing.status_code == 404 and missing.json()["detail"] == "查无此码"


def test_the_schema_lists_the_trace_endpoints(db):
    schema = api().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    for path in ("/api/trace/batches/", "/api/trace/batches/{id}/",
                 "/api/trace/batches/{id}/codes/", "/api/trace/batches/{id}/inputs/",
                 "/api/trace/lines/{id}/bind/", "/api/trace/codes/{code}/events/"):
        assert path in schema["paths"], path
