"""The live sessions API: public reads, managed writes (404 for other tenants), clear 400s."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from marketplace.livestream import services
from marketplace.livestream.models import Comment, SessionItem
from tests import factories

pytestmark = pytest.mark.django_db

API = "/api/live/sessions/"


@pytest.fixture
def host(coop_a):
    return factories.coop_staff(coop_a, email="api-host@example.com")


@pytest.fixture
def session(coop_a, host):
    start = timezone.now() + dt.timedelta(hours=1)
    return services.session_create(
        host=host, cooperatives=[coop_a], title="接口测试直播", scheduled_start=start,
        scheduled_end=start + dt.timedelta(hours=1), hls_url="https://live.example.cn/x.m3u8")


@pytest.fixture
def rice(coop_a):
    return factories.product(coop_a, title="接口红米", price="39.90", stock=100)


def as_user(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def post(client, path, data):
    return client.post(path, data, content_type="application/json")


def test_sessions_are_listed_publicly_without_cancelled_ones(session, coop_a, host):
    cancelled = services.session_create(
        host=host, cooperatives=[coop_a], title="取消的直播",
        scheduled_start=session.scheduled_start, scheduled_end=session.scheduled_end,
        hls_url="https://live.example.cn/c.m3u8")
    services.session_cancel(session_id=cancelled.pk, user=host)

    body = as_user(None).get(API).json()

    slugs = [s["slug"] for s in (body["results"] if isinstance(body, dict) else body)]
    assert session.slug in slugs
    assert cancelled.slug not in slugs


def test_the_host_adds_items_pins_and_goes_live(session, host, rice):
    client = as_user(host)

    added = post(client, f"{API}{session.slug}/items/", {
        "product": rice.pk, "live_price": "29.90", "flash_quantity": 20, "per_buyer_limit": 2})
    live = post(client, f"{API}{session.slug}/transition/", {"action": "go_live"})
    pinned = post(client, f"{API}{session.slug}/pin/", {"item": added.json()["id"]})

    assert (added.status_code, live.status_code, pinned.status_code) == (201, 200, 200)
    assert live.json()["status"] == "live"
    state = as_user(None).get(f"{API}{session.slug}/state/")
    assert state.json()["pinned"]["live_price"] == "29.90"
    assert state["Cache-Control"] == "public, max-age=1"
    again = as_user(None).get(f"{API}{session.slug}/state/", HTTP_IF_NONE_MATCH=state["ETag"])
    assert again.status_code == 304


@pytest.mark.parametrize(("payload", "message"), [
    ({"live_price": "39.91", "flash_quantity": 5}, "不能高于原价"),
    ({"live_price": "29.90", "flash_quantity": 101}, "超过了现有库存"),
], ids=["above-normal-price", "more-than-stock"])
def test_bad_items_get_a_400_with_the_reason(session, host, rice, payload, message):
    response = post(as_user(host), f"{API}{session.slug}/items/", {"product": rice.pk, **payload})

    assert response.status_code == 400
    assert message in response.json()["detail"]
    assert not SessionItem.objects.exists()


@pytest.mark.parametrize("payload", [
    {"live_price": "0", "flash_quantity": 5},
    {"live_price": "-1", "flash_quantity": 5},
    {"live_price": "abc", "flash_quantity": 5},
    {"live_price": "1.001", "flash_quantity": 5},
    {"live_price": "1.00", "flash_quantity": 0},
    {"live_price": "1.00", "flash_quantity": "many"},
], ids=["zero", "negative", "not-a-number", "three-decimals", "zero-units", "units-text"])
def test_malformed_items_are_field_errors(session, host, rice, payload):
    response = post(as_user(host), f"{API}{session.slug}/items/", {"product": rice.pk, **payload})

    assert response.status_code == 400
    assert set(response.json()) <= {"live_price", "flash_quantity"}


def test_going_live_twice_and_ending_before_start_are_400(session, host):
    client = as_user(host)

    ended = post(client, f"{API}{session.slug}/transition/", {"action": "end"})
    post(client, f"{API}{session.slug}/transition/", {"action": "go_live"})
    twice = post(client, f"{API}{session.slug}/transition/", {"action": "go_live"})

    assert ended.status_code == twice.status_code == 400
    assert "只有正在直播的场次可以结束" in ended.json()["detail"]
    assert "不能重复开播" in twice.json()["detail"]


def test_pinning_an_item_of_another_session_is_400(session, host, coop_a, rice):
    other = services.session_create(
        host=host, cooperatives=[coop_a], title="另一场", scheduled_start=session.scheduled_start,
        scheduled_end=session.scheduled_end, hls_url="https://live.example.cn/o.m3u8")
    foreign = services.item_add(session=other, product=rice, live_price=Decimal("20.00"),
                                flash_quantity=1)
    services.session_go_live(session_id=session.pk, user=host)

    response = post(as_user(host), f"{API}{session.slug}/pin/", {"item": foreign.pk})

    assert response.status_code == 400
    assert "不属于本场直播" in response.json()["detail"]


@pytest.mark.parametrize("who", ["staff_b", "buyer"])
def test_other_tenants_cannot_change_a_session(request, session, rice, who):
    client = as_user(request.getfixturevalue(who))

    for path, data in [("items/", {"product": rice.pk, "live_price": "1.00",
                                   "flash_quantity": 1}),
                       ("transition/", {"action": "go_live"}), ("pin/", {"item": 1}),
                       ("unpin/", {})]:
        assert post(client, f"{API}{session.slug}/{path}", data).status_code == 404, path
    session.refresh_from_db()
    assert session.status == "scheduled"


def test_anonymous_writes_need_login(session):
    response = post(as_user(None), f"{API}{session.slug}/transition/", {"action": "go_live"})

    assert response.status_code == 403  # DRF's answer for session auth without a login


def test_a_colleague_manages_but_cannot_change_the_status(session, coop_a):
    colleague = factories.coop_staff(coop_a, email="colleague-api@example.com")

    response = post(as_user(colleague), f"{API}{session.slug}/transition/", {"action": "go_live"})

    assert response.status_code == 403
    assert "只有主播或平台管理员" in response.json()["detail"]


@pytest.mark.parametrize(("text", "message"), [
    ("字" * 10_000, "最多 200 个字"), ("<b>hi</b>", "HTML 标签"), ("", "不能为空"),
])
def test_bad_comments_are_400(session, buyer, text, message):
    response = post(as_user(buyer), f"{API}{session.slug}/comments/", {"text": text})

    assert response.status_code == 400
    assert message in response.json()["detail"]
    assert not Comment.objects.exists()


def test_comments_post_read_and_rate_limit(session, buyer):
    client = as_user(buyer)

    first = post(client, f"{API}{session.slug}/comments/", {"text": "新米什么时候发货？"})
    second = post(client, f"{API}{session.slug}/comments/", {"text": "再问一次"})

    assert first.status_code == 201
    assert second.status_code == 429
    listed = as_user(None).get(f"{API}{session.slug}/comments/").json()
    assert [c["text"] for c in listed] == ["新米什么时候发货？"]


def test_unknown_session_is_404(db):
    assert as_user(None).get(f"{API}no-such-session/").status_code == 404
    assert as_user(None).get(f"{API}no-such-session/state/").status_code == 404


def test_openapi_schema_lists_the_live_endpoints(db):
    response = as_user(None).get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")

    assert response.status_code == 200
    text = response.content.decode()
    for path in ("/api/live/sessions/{slug}/pin/", "/api/live/sessions/{slug}/state/",
                 "/api/live/sessions/{slug}/comments/"):
        assert path in text
