"""Public live pages: listing, viewer page before/during/after, buy now, comments, reminders,
the cached state endpoint, heartbeats and the product page's "on live now" badge."""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connections
from django.test import Client
from django.utils import timezone
from oscar.core.loading import get_class, get_model

from marketplace.livestream import selectors, services
from marketplace.livestream.models import (
    Comment,
    LiveSession,
    PinEvent,
    Reminder,
    SessionItem,
    SessionViewer,
)
from tests import factories
from tests.livestream.conftest import new_session
from tests.query_budget import Visit, page_queries

Basket = get_model("basket", "Basket")
Selector = get_class("partner.strategy", "Selector")


@pytest.fixture(autouse=True)
def _empty_cache():
    # State, heartbeats and rate limits live in the cache, which outlives each test's database.
    cache.clear()
    yield
    cache.clear()


class FakeClock:
    """Stands in for selectors.clock: time moves only when a test says so."""

    def __init__(self, start: float = 6_000_000.0):  # a whole minute and a whole bucket
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock(monkeypatch):
    fake = FakeClock()
    monkeypatch.setattr(selectors, "clock", fake)
    return fake


@pytest.fixture
def session(coop_a, host):
    return new_session(coop_a, host, replay_url="https://vod.example.cn/replay.m3u8")


@pytest.fixture
def tea_item(session, coop_a):
    tea = factories.product(coop_a, title="高山绿茶 250g", price="88.00", stock=20)
    return services.item_add(session=session, product=tea, live_price=Decimal("68.00"),
                             flash_quantity=10)


@pytest.fixture
def live(session, item, tea_item, host):
    """The session live with the rice pinned."""
    services.session_go_live(session_id=session.pk, user=host)
    services.item_pin(session_id=session.pk, item_id=item.pk, user=host)
    session.refresh_from_db()
    return session


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def page(client, session, **kwargs):
    return client.get(f"/live/{session.slug}/", **kwargs)


def state(client, session, **headers):
    response = client.get(f"/live/{session.slug}/state.json", headers=headers)
    return response, (json.loads(response.content) if response.status_code == 200 else None)


# --- listing ---------------------------------------------------------------------------------

@pytest.mark.django_db
def test_index_lists_live_upcoming_and_replays_in_their_sections(coop_a, host, client):
    # given a live session, an upcoming one, an ended one and a cancelled one
    on_air = new_session(coop_a, host, title="正在直播的红米")
    services.session_go_live(session_id=on_air.pk, user=host)
    new_session(coop_a, host, title="下周的茶叶直播")
    done = new_session(coop_a, host, title="上周的菌菇直播")
    services.session_go_live(session_id=done.pk, user=host)
    services.session_end(session_id=done.pk, user=host)
    off = new_session(coop_a, host, title="取消了的直播")
    services.session_cancel(session_id=off.pk, user=host)

    # when a visitor opens /live/
    body = client.get("/live/").content.decode()

    # then each is in its section, in the order live, upcoming, replays; cancelled is not shown
    positions = [body.index(text) for text in ("正在直播", "正在直播的红米", "直播预告",
                                               "下周的茶叶直播", "精彩回放", "上周的菌菇直播")]
    assert positions == sorted(positions)
    assert "取消了的直播" not in body
    assert f'href="/live/{on_air.slug}/"' in body
    assert coop_a.legal_name in body


def _sessions(coop, host, n):
    for i in range(n):
        s = new_session(coop, host, title=f"直播{i}")
        if i % 3 == 1:
            services.session_go_live(session_id=s.pk, user=host)
        if i % 3 == 2:
            services.session_go_live(session_id=s.pk, user=host)
            services.session_end(session_id=s.pk, user=host)
    return Visit("/live/")


@pytest.mark.django_db
def test_index_queries_do_not_grow_with_sessions(coop_a, host):
    few, _ = page_queries(_sessions(coop_a, host, 3))
    many, _ = page_queries(_sessions(coop_a, host, 30))
    assert many == few
    assert many <= 12


# --- viewer page: before, during, after ------------------------------------------------------

@pytest.mark.django_db
def test_before_the_start_the_page_counts_down_and_offers_a_reminder(session, item, client):
    response = page(client, session)

    body = response.content.decode()
    assert response.status_code == 200
    assert "直播尚未开始" in body
    assert 'id="live-countdown"' in body and session.scheduled_start.isoformat() in body
    assert "开播提醒我" in body
    assert "<video" not in body
    assert "¥29.90" in body  # the live price to come
    assert f"/live/{session.slug}/buy/" not in body  # nothing to buy yet


@pytest.mark.django_db
def test_during_the_session_the_page_plays_the_stream_and_shows_the_pinned_item(
        live, item, tea_item, client):
    response = page(client, live)

    body = response.content.decode()
    assert response.status_code == 200
    assert 'src="https://live.example.cn/a.m3u8"' in body
    assert "livestream/vendor/hls.light.min.js" in body  # for browsers without native HLS
    assert "livestream/viewer.js" in body
    pinned = body[body.index('id="live-pinned"'):body.index('id="live-items-title"')]
    assert "妙高红米 5kg" in pinned
    assert "¥29.90" in pinned and "¥39.90" in pinned  # live and original price
    assert ">50<" in pinned  # units left
    assert f'action="/live/{live.slug}/buy/{item.pk}/"' in pinned
    assert "高山绿茶 250g" in body  # the other items
    assert f'action="/live/{live.slug}/buy/{tea_item.pk}/"' in body
    # the page is the same for every anonymous visitor (so it can be cached); the first
    # heartbeat gives the viewer its key
    assert "live_viewer" not in response.cookies
    beat = client.post(f"/live/{live.slug}/heartbeat")
    assert beat.cookies["live_viewer"].value


@pytest.mark.django_db
def test_pinned_item_with_a_flash_deadline_shows_its_end(session, rice, host, client):
    ends = timezone.now() + dt.timedelta(minutes=5)
    flash = services.item_add(session=session, product=rice, live_price=Decimal("19.90"),
                              flash_quantity=5, flash_ends_at=ends)
    services.session_go_live(session_id=session.pk, user=host)
    services.item_pin(session_id=session.pk, item_id=flash.pk, user=host)

    body = page(client, session).content.decode()

    assert f'data-until="{ends.isoformat()}"' in body
    assert "截止" in body


def _ended_with_chapters(session, item, tea_item, host):
    services.session_go_live(session_id=session.pk, user=host)
    services.item_pin(session_id=session.pk, item_id=item.pk, user=host)
    services.item_pin(session_id=session.pk, item_id=tea_item.pk, user=host)
    services.session_end(session_id=session.pk, user=host)
    started = timezone.now() - dt.timedelta(hours=1)
    LiveSession.objects.filter(pk=session.pk).update(started_at=started)
    first, second = PinEvent.objects.filter(session=session).order_by("pk")
    PinEvent.objects.filter(pk=first.pk).update(pinned_at=started + dt.timedelta(seconds=5))
    PinEvent.objects.filter(pk=second.pk).update(
        pinned_at=started + dt.timedelta(minutes=12, seconds=34))


@pytest.mark.django_db
def test_after_the_end_the_replay_has_product_chapters_at_their_offsets(
        session, item, tea_item, host, client):
    # given a session that pinned the rice 5 s and the tea 12:34 after it started
    _ended_with_chapters(session, item, tea_item, host)

    # when a visitor opens the page
    body = page(client, session).content.decode()

    # then the replay plays, each chapter seeks to its offset, and items sell at normal price
    assert "直播已结束" in body
    assert 'src="https://vod.example.cn/replay.m3u8"' in body
    chapters = body[body.index('class="live-chapters"'):]
    assert chapters.index("妙高红米 5kg") < chapters.index("高山绿茶 250g")
    assert 'data-seek="5"' in chapters and ">00:05<" in chapters
    assert 'data-seek="754"' in chapters and ">12:34<" in chapters
    assert f"/live/{session.slug}/buy/" not in body
    assert item.product.get_absolute_url() in body
    assert "¥39.90" in body and "按原价购买" in body


@pytest.mark.django_db
def test_replay_chapter_offsets_come_from_pin_events(session, item, tea_item, host):
    _ended_with_chapters(session, item, tea_item, host)
    session.refresh_from_db()

    chapters = selectors.replay_chapters(session, selectors._items(session))

    assert [(c.item.pk, c.offset, c.label) for c in chapters] == [
        (item.pk, 5, "00:05"), (tea_item.pk, 754, "12:34")]


@pytest.mark.django_db
def test_cancelled_session_page_says_so_and_sells_nothing(session, item, host, client):
    services.session_cancel(session_id=session.pk, user=host)

    response = page(client, session)

    body = response.content.decode()
    assert response.status_code == 200
    assert "本场直播已取消" in body
    assert "<video" not in body
    assert f"/live/{session.slug}/buy/" not in body
    assert f"/live/{session.slug}/comments/" not in body


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "path"), [
    ("get", "/live/no-such-live/"),
    ("get", "/live/no-such-live/state.json"),
    ("post", "/live/no-such-live/heartbeat"),
    ("post", "/live/no-such-live/buy/1/"),
    ("post", "/live/no-such-live/comments/"),
    ("post", "/live/no-such-live/remind/"),
], ids=["page", "state", "heartbeat", "buy", "comment", "remind"])
def test_unknown_slug_answers_404(buyer, method, path):
    assert getattr(logged_in(buyer), method)(path).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("status", ["scheduled", "live", "ended"])
def test_viewer_page_queries_do_not_grow_with_items_and_comments(coop_a, host, status):
    def build(n):
        s = new_session(coop_a, host, title=f"直播 {n}", replay_url="https://vod.example.cn/r.mp4")
        items = [services.item_add(session=s, product=factories.product(coop_a, image=True),
                                   live_price=Decimal("9.90"), flash_quantity=5)
                 for _ in range(n)]
        commenter = factories.user()
        Comment.objects.bulk_create([Comment(session=s, user=commenter, text=f"好{i}")
                                     for i in range(n * 3)])
        if status != "scheduled":
            services.session_go_live(session_id=s.pk, user=host)
            for it in items:
                services.item_pin(session_id=s.pk, item_id=it.pk, user=host)
        if status == "ended":
            services.session_end(session_id=s.pk, user=host)
        return Visit(f"/live/{s.slug}/", user=factories.user())

    few, _ = page_queries(build(1))
    many, _ = page_queries(build(12))
    assert many == few
    assert many <= 25


# --- buy now ---------------------------------------------------------------------------------

def _basket(user):
    basket = Basket.objects.get(owner=user, status=Basket.OPEN)
    basket.strategy = Selector().strategy()
    return basket


@pytest.mark.django_db
def test_buy_now_puts_the_item_in_the_basket_at_the_live_price_and_goes_to_checkout(
        live, item, buyer):
    client = logged_in(buyer)

    response = client.post(f"/live/{live.slug}/buy/{item.pk}/", {"quantity": "2"})

    assert response.status_code == 302
    assert response["Location"] == "/checkout/"
    basket = _basket(buyer)
    assert basket.total_incl_tax == Decimal("59.80")  # 2 × ¥29.90, not 2 × ¥39.90
    assert basket.lines.get().live_item_id == item.pk
    item.refresh_from_db()
    assert item.basket_adds == 1


@pytest.mark.django_db
def test_buy_now_when_anonymous_asks_to_log_in_and_adds_nothing(live, item, client):
    response = client.post(f"/live/{live.slug}/buy/{item.pk}/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert f"next=/live/{live.slug}/" in response["Location"]
    assert not Basket.objects.filter(lines__isnull=False).exists()


@pytest.mark.django_db
def test_buy_after_the_end_explains_the_live_price_is_over(live, item, host, buyer):
    services.session_end(session_id=live.pk, user=host)
    client = logged_in(buyer)

    response = client.post(f"/live/{live.slug}/buy/{item.pk}/", follow=True)

    assert response.redirect_chain[-1][0] == f"/live/{live.slug}/"
    assert "直播价不可用" in response.content.decode()
    assert not Basket.objects.filter(owner=buyer, lines__isnull=False).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(("quantity", "message"), [
    ("0", "购买数量必须在 1 到 99 之间"),
    ("abc", "购买数量必须在 1 到 99 之间"),
    ("100000", "购买数量必须在 1 到 99 之间"),
    ("3", "每人限购 2 件"),
], ids=["zero", "not-a-number", "huge", "over-per-buyer-limit"])
def test_bad_buy_now_quantities_come_back_with_a_reason(live, item, buyer, quantity, message):
    response = logged_in(buyer).post(f"/live/{live.slug}/buy/{item.pk}/",
                                     {"quantity": quantity}, follow=True)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Basket.objects.filter(owner=buyer, lines__isnull=False).exists()


@pytest.mark.django_db
def test_sold_out_item_says_so(live, item, buyer):
    SessionItem.objects.filter(pk=item.pk).update(flash_sold=50)

    response = logged_in(buyer).post(f"/live/{live.slug}/buy/{item.pk}/", follow=True)

    assert "已抢光" in response.content.decode()


@pytest.mark.django_db
def test_an_item_of_another_session_cannot_be_bought_through_this_one(live, coop_a, host,
                                                                      buyer):
    other = new_session(coop_a, host, title="另一场")
    other_item = services.item_add(session=other, product=factories.product(coop_a),
                                   live_price=Decimal("1.00"), flash_quantity=1)

    response = logged_in(buyer).post(f"/live/{live.slug}/buy/{other_item.pk}/")

    assert response.status_code == 404


# --- comments --------------------------------------------------------------------------------

JSON = {"HTTP_ACCEPT": "application/json"}


@pytest.mark.django_db
@pytest.mark.parametrize(("text", "reason"), [
    ("字" * 10_000, "最多 200 个字"),
    ("<script>alert(1)</script>", "不能包含 HTML 标签"),
    ('<img src=x onerror="alert(1)">', "不能包含 HTML 标签"),
    ("   ", "不能为空"),
    ("", "不能为空"),
    ("好\x00米", "无法显示的字符"),
], ids=["10000-chars", "script", "img-onerror", "blank", "empty", "nul"])
def test_hostile_comments_are_refused_with_a_reason(live, buyer, clock, text, reason):
    client = logged_in(buyer)

    as_json = client.post(f"/live/{live.slug}/comments/", {"text": text}, **JSON)
    clock.advance(3)
    as_form = client.post(f"/live/{live.slug}/comments/", {"text": text})

    assert as_json.status_code == 400
    assert reason in as_json.json()["error"]
    assert as_form.status_code == 400
    assert reason in as_form.content.decode()
    assert not Comment.objects.exists()


@pytest.mark.django_db
def test_a_refused_comment_does_not_use_up_the_turn(live, buyer, clock):
    client = logged_in(buyer)

    client.post(f"/live/{live.slug}/comments/", {"text": "  "}, **JSON)
    response = client.post(f"/live/{live.slug}/comments/", {"text": "好米"}, **JSON)

    assert response.status_code == 201


@pytest.mark.django_db
def test_a_comment_is_posted_and_shown_to_everyone(live, buyer, clock, client):
    response = logged_in(buyer).post(f"/live/{live.slug}/comments/",
                                     {"text": "价格 < 30 元吗？"}, **JSON)

    assert response.status_code == 201
    assert response.json()["comment"]["text"] == "价格 < 30 元吗？"
    _, data = state(client, live)
    assert [c["text"] for c in data["comments"]] == ["价格 < 30 元吗？"]
    assert data["comments"][0]["user"] == "b***"  # never the e-mail address
    assert "价格 &lt; 30 元吗？" in page(client, live).content.decode()


@pytest.mark.django_db
def test_plain_form_comment_goes_back_to_the_comments(live, buyer, clock):
    response = logged_in(buyer).post(f"/live/{live.slug}/comments/", {"text": "好米"})

    assert response.status_code == 302
    assert response["Location"] == f"/live/{live.slug}/#comments"
    assert Comment.objects.get().text == "好米"


@pytest.mark.django_db
def test_anonymous_comments_are_refused(live, client):
    as_json = client.post(f"/live/{live.slug}/comments/", {"text": "好"}, **JSON)
    as_form = client.post(f"/live/{live.slug}/comments/", {"text": "好"})

    assert as_json.status_code == 403 and "请先登录" in as_json.json()["error"]
    assert as_form.status_code == 302 and as_form["Location"].startswith("/accounts/login/")
    assert not Comment.objects.exists()


@pytest.mark.django_db
def test_comments_after_the_end_are_refused(live, host, buyer, clock):
    services.session_end(session_id=live.pk, user=host)

    response = logged_in(buyer).post(f"/live/{live.slug}/comments/", {"text": "好"}, **JSON)

    assert response.status_code == 400
    assert "直播已结束" in response.json()["error"]


@pytest.mark.django_db
def test_comments_are_rate_limited_per_user(live, buyer, clock):
    client = logged_in(buyer)
    other = logged_in(factories.user(email="other@example.com"))

    def post(c, text):
        return c.post(f"/live/{live.slug}/comments/", {"text": text}, **JSON)

    # one every 3 s: a second one at once is refused, for this user only
    assert post(client, "第一条").status_code == 201
    too_fast = post(client, "第二条")
    assert too_fast.status_code == 429
    assert "3 秒" in too_fast.json()["error"]
    assert post(other, "别人的").status_code == 201
    # ten a minute: comments 2..10 spaced by 3 s pass, the eleventh in the minute does not
    for i in range(2, 11):
        clock.advance(3)
        assert post(client, f"第{i}条").status_code == 201
    clock.advance(3)
    too_many = post(client, "第十一条")
    assert too_many.status_code == 429
    assert "每分钟最多发 10 条" in too_many.json()["error"]
    # the plain form gets the page back with the reason and the text kept
    clock.advance(3)
    as_form = client.post(f"/live/{live.slug}/comments/", {"text": "表单的"})
    assert as_form.status_code == 429
    assert "每分钟最多发 10 条" in as_form.content.decode()
    assert 'value="表单的"' in as_form.content.decode()
    # a new minute opens again
    clock.advance(60)
    assert post(client, "新的一分钟").status_code == 201
    assert Comment.objects.filter(user=buyer).count() == 11


@pytest.mark.django_db
def test_markup_that_gets_through_stays_text_in_the_page_and_the_state(live, clock, client):
    # given a commenter whose name and comment look like HTML (no closing ">", so the
    # service lets it through as text)
    sneaky = factories.user(email="x@example.com", first_name="<script>alert(1)</script>")
    text = '"><svg onload=alert(1) & \'x\''
    services.comment_post(session_id=live.pk, user=sneaky, text=text)

    # when the page and the state are fetched
    body = page(client, live).content.decode()
    response, data = state(client, live)

    # then the page shows them escaped, the JSON carries them as data only
    assert "<svg onload" not in body and "&lt;svg onload=alert(1)" in body
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    raw = response.content.decode()
    assert "<" not in raw and ">" not in raw
    assert response["Content-Type"] == "application/json"
    assert data["comments"][0]["text"] == text
    assert data["comments"][0]["user"] == "<script>alert(1)</script>"


@pytest.mark.django_db
def test_hidden_comments_leave_the_state(live, buyer, host, client):
    kept = services.comment_post(session_id=live.pk, user=buyer, text="好米")
    gone = services.comment_post(session_id=live.pk, user=buyer, text="广告")
    services.comment_hide(comment_id=gone.pk, user=host)

    _, data = state(client, live)

    assert [c["id"] for c in data["comments"]] == [kept.pk]


# --- reminders -------------------------------------------------------------------------------

@pytest.mark.django_db
def test_remind_me_twice_keeps_one_reminder(session, buyer):
    client = logged_in(buyer)

    first = client.post(f"/live/{session.slug}/remind/", follow=True)
    second = client.post(f"/live/{session.slug}/remind/", follow=True)

    assert "已设置开播提醒" in first.content.decode()
    assert "你已经设置过开播提醒" in second.content.decode()
    assert Reminder.objects.filter(session=session, user=buyer).count() == 1


@pytest.mark.django_db
def test_remind_me_needs_a_login_and_a_session_not_yet_started(live, session, client, buyer):
    anonymous = client.post(f"/live/{session.slug}/remind/")
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/accounts/login/")

    too_late = logged_in(buyer).post(f"/live/{live.slug}/remind/", follow=True)
    assert "只有预告中的直播可以设置提醒" in too_late.content.decode()
    assert not Reminder.objects.exists()


# --- state.json ------------------------------------------------------------------------------

@pytest.mark.django_db
def test_state_has_status_pinned_item_units_viewers_and_comments(live, item, tea_item, buyer,
                                                                 client):
    services.comment_post(session_id=live.pk, user=buyer, text="好米")
    SessionItem.objects.filter(pk=tea_item.pk).update(flash_sold=4)

    response, data = state(client, live)

    assert response.status_code == 200
    assert data["status"] == "live"
    assert data["pinned"]["id"] == item.pk
    assert (data["pinned"]["live_price"], data["pinned"]["normal_price"]) == ("29.90", "39.90")
    assert data["pinned"]["units_left"] == 50
    assert data["pinned"]["buy_url"] == f"/live/{live.slug}/buy/{item.pk}/"
    assert {i["id"]: i["units_left"] for i in data["items"]} == {item.pk: 50, tea_item.pk: 6}
    assert data["viewers"] == 0
    assert [c["text"] for c in data["comments"]] == ["好米"]


@pytest.mark.django_db
def test_state_is_cached_with_etag_and_answers_304(live, client, monkeypatch,
                                                   django_assert_num_queries):
    monkeypatch.setattr(selectors, "STATE_SECONDS", 60)  # no expiry during the test
    first, _ = state(client, live)
    assert first["Cache-Control"] == "public, max-age=60"
    etag = first["ETag"]
    assert etag.startswith('"')

    with django_assert_num_queries(0):
        again, _ = state(client, live)
        not_modified, _ = state(client, live, if_none_match=etag)

    assert again.content == first.content
    assert not_modified.status_code == 304
    assert not_modified.content == b""
    assert not_modified["ETag"] == etag
    other, _ = state(client, live, if_none_match='"something-else"')
    assert other.status_code == 200


@pytest.mark.django_db
def test_state_is_one_copy_for_every_viewer_so_a_cdn_can_share_it(live, buyer, client):
    # a signed-in viewer reading English and an anonymous one get the same body, and nothing
    # in the response tells a CDN to keep a copy per cookie or language
    client.force_login(buyer)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    signed_in, _ = state(client, live)
    anonymous, _ = state(Client(), live)

    assert signed_in.content == anonymous.content
    for response in (signed_in, anonymous):
        assert not response.has_header("Vary")
        assert not response.cookies
        assert response["Cache-Control"].startswith("public")
    # the viewer page itself is personal (basket, reminders, language) and keeps its Vary
    page = client.get(f"/live/{live.slug}/")
    assert "Cookie" in page["Vary"] and "Accept-Language" in page["Vary"]


@pytest.mark.django_db
def test_state_is_answered_before_the_middleware_stack_with_the_security_headers(
        live, client, settings, django_assert_num_queries):
    from marketplace.livestream import middleware

    settings.LIVE_STATE_LOCAL_SECONDS = 60
    middleware.local_state_forget()
    first, _ = state(client, live)
    cache.delete(selectors._state_key(live.slug))  # the shared copy expires…

    with django_assert_num_queries(0):
        again, _ = state(client, live)  # …the worker's own copy still answers
        not_modified, _ = state(client, live, if_none_match=first["ETag"])

    assert again.content == first.content and not_modified.status_code == 304
    for response in (first, again):
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["X-Frame-Options"] == "DENY"
        assert response["Referrer-Policy"] == "same-origin"
        assert not response.has_header("Vary") and not response.cookies
    middleware.local_state_forget()
    # an unknown session still gets the site's 404 page through the normal stack
    assert client.get("/live/no-such-session/state.json").status_code == 404


@pytest.mark.django_db
def test_the_viewer_page_is_served_from_the_page_cache_to_anonymous_visitors(
        live, tea_item, host, settings, django_capture_on_commit_callbacks):
    settings.PAGE_CACHE_SECONDS = 60
    url = f"/live/{live.slug}/"
    Client().get(url)

    cached = Client().get(url)
    assert cached["X-Page-Cache"] == "hit"
    assert "妙高红米 5kg" in cached.content.decode()[cached.content.decode().index(
        'id="live-pinned"'):]
    # a pin bumps the cache: the next visitor sees the tea pinned
    with django_capture_on_commit_callbacks(execute=True):
        services.item_pin(session_id=live.pk, item_id=tea_item.pk, user=host)
    body = Client().get(url).content.decode()
    pinned = body[body.index('id="live-pinned"'):body.index('id="live-items-title"')]
    assert "高山绿茶 250g" in pinned


@pytest.mark.django_db
def test_state_changes_within_a_second(live, tea_item, host, client):
    _, before = state(client, live)
    services.item_pin(session_id=live.pk, item_id=tea_item.pk, user=host)

    cache.delete(selectors._state_key(live.slug))  # what one second of expiry does
    _, after = state(client, live)

    assert (before["pinned"]["id"], after["pinned"]["id"]) == (live.items.first().pk,
                                                               tea_item.pk)


@pytest.mark.django_db
def test_state_queries_do_not_grow_with_viewers_orders_or_comments(
        live, item, tea_item, buyer, clock, client, django_assert_max_num_queries):
    def queries_of_a_rebuild() -> int:
        cache.delete(selectors._state_key(live.slug))
        from django.db import connection
        from django.test.utils import CaptureQueriesContext
        with CaptureQueriesContext(connection) as ctx:
            assert state(client, live)[0].status_code == 200
        return len(ctx.captured_queries)

    # given one comment, one unit sold and one viewer
    Comment.objects.create(session=live, user=buyer, text="第1条")
    SessionItem.objects.filter(pk=item.pk).update(flash_sold=1)
    selectors.viewer_heartbeat(session_id=live.pk, viewer_key="a-first")
    with django_assert_max_num_queries(5):
        one = queries_of_a_rebuild()

    # when there are 100 comments, 50 units sold and 100 viewers
    Comment.objects.bulk_create([Comment(session=live, user=buyer, text=f"第{i}条")
                                 for i in range(2, 101)])
    SessionItem.objects.filter(pk=item.pk).update(flash_sold=50)
    SessionItem.objects.filter(pk=tea_item.pk).update(flash_sold=10)
    for i in range(100):
        selectors.viewer_heartbeat(session_id=live.pk, viewer_key=f"a-viewer-{i}")

    # then a rebuild costs the same, and the state shows the latest 20 comments
    with django_assert_max_num_queries(5):
        many = queries_of_a_rebuild()
    assert many == one
    _, data = state(client, live)
    assert len(data["comments"]) == 20
    assert data["comments"][-1]["text"] == "第100条"
    assert data["viewers"] == 101


# --- heartbeats ------------------------------------------------------------------------------

@pytest.mark.django_db
def test_two_viewers_count_two_and_none_after_30_seconds(live, buyer, clock):
    anonymous = Client()
    anonymous.get(f"/live/{live.slug}/")  # sets its viewer cookie
    signed_in = logged_in(buyer)
    url = f"/live/{live.slug}/heartbeat"

    anonymous.post(url)
    signed_in.post(url)
    clock.advance(10)
    anonymous.post(url)  # the same viewer again is still one viewer
    assert signed_in.post(url).json() == {"viewers": 2}
    assert selectors.viewers_now(live.pk) == 2
    assert SessionViewer.objects.filter(session=live).count() == 2

    clock.advance(30)
    assert selectors.viewers_now(live.pk) == 0


@pytest.mark.django_db
def test_a_viewer_who_stops_drops_out_after_30_seconds_not_before_20(live, clock):
    selectors.viewer_heartbeat(session_id=live.pk, viewer_key="a-someone")

    clock.advance(19)
    assert selectors.viewers_now(live.pk) == 1
    clock.advance(11)
    assert selectors.viewers_now(live.pk) == 0


@pytest.mark.django_db
def test_repeated_heartbeats_write_the_viewer_once(live, clock, django_assert_num_queries):
    client = Client()
    client.get(f"/live/{live.slug}/")
    url = f"/live/{live.slug}/heartbeat"
    client.post(url)

    with django_assert_num_queries(0):
        for _ in range(5):
            clock.advance(10)
            assert client.post(url).status_code == 200

    assert SessionViewer.objects.filter(session=live).count() == 1


@pytest.mark.django_db
def test_anonymous_viewer_without_a_cookie_is_known_by_its_posted_key(live, clock):
    url = f"/live/{live.slug}/heartbeat"
    for _ in range(2):
        Client().post(url, {"viewer": "0123456789abcdef0123"})
    Client().post(url, {"viewer": "<bad key>"})  # replaced by a fresh random key

    assert selectors.viewers_now(live.pk) == 2
    assert set(SessionViewer.objects.values_list("viewer_key", flat=True)) >= {
        "a0123456789abcdef0123"}


@pytest.mark.django_db
def test_heartbeats_before_the_start_count_no_viewers(session, clock, client):
    response = client.post(f"/live/{session.slug}/heartbeat")

    assert response.json() == {"viewers": 0}
    assert not SessionViewer.objects.exists()


@pytest.mark.django_db
def test_heartbeat_from_the_page_passes_the_csrf_check(live, clock):
    client = Client(enforce_csrf_checks=True)
    body = page(client, live).content.decode()
    token = body.split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]

    refused = client.post(f"/live/{live.slug}/heartbeat")
    accepted = client.post(f"/live/{live.slug}/heartbeat", headers={"X-CSRFToken": token})

    assert refused.status_code == 403
    assert accepted.status_code == 200


# --- product page badge ----------------------------------------------------------------------

@pytest.mark.django_db
def test_product_page_says_on_live_now_while_the_product_is_pinned(live, item, tea_item, host,
                                                                   client):
    rice_page = client.get(item.product.get_absolute_url()).content.decode()
    tea_page = client.get(tea_item.product.get_absolute_url()).content.decode()

    assert f'href="/live/{live.slug}/"' in rice_page and "正在直播讲解" in rice_page
    assert "正在直播讲解" not in tea_page

    services.session_end(session_id=live.pk, user=host)
    assert "正在直播讲解" not in client.get(item.product.get_absolute_url()).content.decode()




def test_cached_product_pages_follow_pins_and_the_end_of_the_session(
        live, item, tea_item, host, settings, django_capture_on_commit_callbacks):
    # given anonymous product pages served from the page cache
    settings.PAGE_CACHE_SECONDS = 60
    tea_url = tea_item.product.get_absolute_url()
    assert "正在直播讲解" not in Client().get(tea_url).content.decode()
    assert Client().get(tea_url)["X-Page-Cache"] == "hit"

    # when the host pins the tea, then its cached page shows the badge at once
    with django_capture_on_commit_callbacks(execute=True):
        services.item_pin(session_id=live.pk, item_id=tea_item.pk, user=host)
    assert "正在直播讲解" in Client().get(tea_url).content.decode()

    # and when the session ends, the badge leaves it again
    with django_capture_on_commit_callbacks(execute=True):
        services.session_end(session_id=live.pk, user=host)
    assert "正在直播讲解" not in Client().get(tea_url).content.decode()

# --- in a real browser -----------------------------------------------------------------------

CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture
def chromium_page(monkeypatch, live_server):
    """A phone-sized headless Chromium page (Debian's build: Playwright cannot download one
    here); fails the test on any JS error or server error it sees."""
    if not CHROMIUM.exists():
        pytest.skip(f"needs Chromium at {CHROMIUM} (apt-get install chromium)")
    # Playwright's sync API runs an asyncio loop in this thread; the test's ORM calls too.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=15_000)
    problems: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                     args=["--no-sandbox", "--disable-gpu",
                                           "--disable-dev-shm-usage"])
        try:
            context = browser.new_context(base_url=live_server.url, locale="zh-CN",
                                          viewport={"width": 390, "height": 844},
                                          is_mobile=True, has_touch=True)
            page = context.new_page()
            page.on("pageerror", lambda exc: problems.append(f"JS error: {exc}"))
            page.on("response", lambda r: problems.append(f"{r.status} {r.url}")
                    if r.status >= 500 else None)
            yield page, context
        finally:
            browser.close()
            connections.close_all()
    assert not problems, problems


@pytest.mark.e2e
def test_viewer_page_follows_the_host_and_buys_the_pinned_item(base_data_tx, chromium_page,
                                                                 live_server, coop_a):
    from playwright.sync_api import expect

    # given a live session showing the rice, and a buyer on the page with a phone
    host = factories.coop_staff(coop_a, email="e2e-host@example.com")
    buyer = factories.user(email="e2e-buyer@example.com")
    session = new_session(coop_a, host)
    rice = services.item_add(session=session, product=factories.product(
        coop_a, title="妙高红米 5kg", price="39.90", stock=100), live_price=Decimal("29.90"),
        flash_quantity=50)
    tea = services.item_add(session=session, product=factories.product(
        coop_a, title="高山绿茶 250g", price="88.00", stock=20), live_price=Decimal("68.00"),
        flash_quantity=10)
    services.session_go_live(session_id=session.pk, user=host)
    services.item_pin(session_id=session.pk, item_id=rice.pk, user=host)
    page, context = chromium_page
    client = Client()
    client.force_login(buyer)
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "url": live_server.url,
                          "value": client.cookies[settings.SESSION_COOKIE_NAME].value}])
    page.goto(f"/live/{session.slug}/")
    pinned = page.locator("#live-pinned")
    expect(pinned.locator(".pinned-title")).to_have_text("妙高红米 5kg")

    # then its heartbeat makes it a viewer
    expect(page.locator("#live-viewers")).to_have_text("1")

    # when the host pins the tea, the card follows within a poll or two
    services.item_pin(session_id=session.pk, item_id=tea.pk, user=host)
    expect(pinned.locator(".pinned-title")).to_have_text("高山绿茶 250g")
    expect(pinned.locator(".pinned-live-price")).to_have_text("¥68.00")
    expect(page.locator(f'.live-items [data-item-id="{tea.pk}"]')).to_be_hidden()
    expect(page.locator(f'.live-items [data-item-id="{rice.pk}"]')).to_be_visible()

    # when the buyer comments twice in a row: the first shows, the second is told to wait
    page.fill("#live-comment-text", "<b>好</b>米")
    page.click("#live-comment-form button[type=submit]")
    expect(page.locator("#live-comment-error")).to_contain_text("HTML")
    page.fill("#live-comment-text", "价格 < 70 吗？")
    page.click("#live-comment-form button[type=submit]")
    expect(page.locator("#live-comments")).to_contain_text("价格 < 70 吗？")
    page.fill("#live-comment-text", "再来一条")
    page.click("#live-comment-form button[type=submit]")
    expect(page.locator("#live-comment-error")).to_contain_text("3 秒")

    # and buying the pinned tea lands in checkout with the tea at its live price
    pinned.locator(".pinned-buy button").click()
    page.wait_for_url(re.compile(r"/checkout/"))
    basket = Basket.objects.get(owner=buyer, status=Basket.OPEN)
    basket.strategy = Selector().strategy()
    assert basket.lines.get().live_item_id == tea.pk
    assert basket.total_incl_tax == Decimal("68.00")
