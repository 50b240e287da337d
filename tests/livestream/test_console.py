"""Host console (/dashboard/live/): scheduling through the pages, going live, pinning, hiding
comments, live figures, and who may see or run which session."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from oscar.core.loading import get_model

from marketplace.livestream import services
from marketplace.livestream.figures import session_figures
from marketplace.livestream.models import (
    Comment,
    LiveSession,
    PinEvent,
    SessionItem,
    SessionViewer,
)
from tests import factories
from tests.dashboard.builders import order_with_lines, stockrecord
from tests.livestream.conftest import new_session
from tests.livestream.test_services import _buyer_with_live_line
from tests.reliability.helpers import buyers_in_bulk, place_order

pytestmark = pytest.mark.django_db

Order = get_model("order", "Order")
Line = get_model("order", "Line")


@pytest.fixture
def colleague(coop_a):
    """Staff of the host's cooperative: manages the session, but is not its host."""
    return factories.coop_staff(coop_a, email="colleague@example.com")



def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def url(name: str, session=None, **kwargs) -> str:
    if session is not None:
        kwargs["pk"] = session.pk
    return reverse(f"livestream-dashboard:{name}", kwargs=kwargs)


def text(response) -> str:
    return response.content.decode()


def figures(client, session) -> dict:
    response = client.get(url("figures", session))
    assert response.status_code == 200
    return json.loads(response.content)


def local(when: dt.datetime) -> str:
    return timezone.localtime(when).strftime("%Y-%m-%dT%H:%M")


def session_form(coop, **overrides) -> dict:
    start = timezone.now() + dt.timedelta(days=1)
    data = {
        "title": "湖山白茶春茶直播", "cooperatives": [coop.pk],
        "scheduled_start": local(start), "scheduled_end": local(start + dt.timedelta(hours=2)),
        "hls_url": "https://live.example.cn/tea.m3u8", "replay_url": "",
        "description": "今年第一批春茶",
    }
    data.update(overrides)
    return data


def item_form(product, **overrides) -> dict:
    data = {"product": product.pk, "live_price": "29.90", "flash_quantity": "50",
            "per_buyer_limit": "2", "display_order": "0", "flash_ends_at": ""}
    data.update(overrides)
    return data


# --- scheduling through the pages -------------------------------------------------------------

def test_host_schedules_a_session_and_puts_items_on_sale(host, coop_a, rice):
    client = logged_in(host)
    assert client.get(url("create")).status_code == 200

    response = client.post(url("create"), session_form(coop_a))

    session = LiveSession.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("item-add", session)
    assert (session.host, list(session.cooperatives.all())) == (host, [coop_a])
    assert session.status == "scheduled"

    response = client.post(url("item-add", session), item_form(rice), follow=True)

    assert response.status_code == 200
    assert "已添加“妙高红米 5kg”，直播价 ¥29.90" in text(response)
    item = SessionItem.objects.get(session=session)
    assert (item.live_price, item.flash_quantity, item.per_buyer_limit) == (
        Decimal("29.90"), 50, 2)
    console = client.get(url("console", session))
    assert "妙高红米 5kg" in text(console)


def test_cooperative_staff_schedule_for_their_own_cooperative_only(host, coop_a, coop_b):
    client = logged_in(host)

    page = text(client.get(url("create")))
    response = client.post(url("create"), session_form(coop_b))

    assert coop_a.legal_name in page
    assert coop_b.legal_name not in page
    assert response.status_code == 400
    assert "选择一个有效的选项" in text(response)
    assert not LiveSession.objects.exists()


def test_platform_staff_schedule_for_any_cooperative(admin_user, coop_a, coop_b):
    response = logged_in(admin_user).post(url("create"),
                                          session_form(coop_b, cooperatives=[coop_a.pk,
                                                                             coop_b.pk]))

    assert response.status_code == 302
    assert set(LiveSession.objects.get().cooperatives.all()) == {coop_a, coop_b}


@pytest.mark.parametrize(("overrides", "message"), [
    ({"scheduled_end": "2020-01-01T10:00", "scheduled_start": "2020-01-01T11:00"},
     "结束时间必须晚于开始时间"),
    ({"hls_url": "javascript:alert(1)"}, "合法的URL"),
    ({"title": ""}, "该字段是必填项"),
    ({"title": "直" * 121}, "不超过 120 字符"),
    ({"scheduled_start": "明天"}, "有效的日期/时间"),
], ids=["ends-before-start", "script-url", "no-title", "long-title", "bad-date"])
def test_bad_schedules_are_form_errors(host, coop_a, overrides, message):
    response = logged_in(host).post(url("create"), session_form(coop_a, **overrides))

    assert response.status_code == 400
    assert message in text(response)
    assert not LiveSession.objects.exists()


@pytest.mark.parametrize(("overrides", "message"), [
    ({"live_price": "39.91"}, "直播价（¥39.91）不能高于原价（¥39.90）"),
    ({"live_price": "0"}, "直播价必须大于零"),
    ({"live_price": "-1"}, "直播价必须大于零"),
    ({"live_price": "NaN"}, "输入一个数字"),
    ({"flash_quantity": "101"}, "直播专享数量（101）超过了现有库存（100）"),
    ({"flash_quantity": "0"}, "直播专享数量必须大于零"),
    ({"flash_quantity": "99999999999"}, "小于或等于"),
    ({"per_buyer_limit": "-1"}, "大于或等于"),
], ids=["above-normal-price", "zero-price", "negative-price", "nan-price", "more-than-stock",
        "zero-units", "huge-units", "negative-limit"])
def test_bad_items_are_refused_with_a_clear_400(host, session, rice, overrides, message):
    response = logged_in(host).post(url("item-add", session), item_form(rice, **overrides))

    assert response.status_code == 400
    assert message in text(response)
    assert not SessionItem.objects.exists()


_number_ish = st.one_of(
    st.text(max_size=20),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.integers(min_value=-(10**20), max_value=10**20).map(str),
)


@settings(max_examples=40, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(price=_number_ish, quantity=_number_ish, limit=_number_ish, ends=st.text(max_size=20))
def test_whatever_is_typed_into_the_item_form_is_saved_whole_or_refused_with_a_400(
        host, session, rice, price, quantity, limit, ends):
    client = logged_in(host)
    with transaction.atomic():
        response = client.post(url("item-add", session), item_form(
            rice, live_price=price, flash_quantity=quantity, per_buyer_limit=limit,
            flash_ends_at=ends))

        saved = list(SessionItem.objects.filter(session=session))
        assert response.status_code in (302, 400)
        assert len(saved) == (1 if response.status_code == 302 else 0)
        if saved:
            assert Decimal("0") < saved[0].live_price <= Decimal("39.90")
            assert 0 < saved[0].flash_quantity <= 100
        transaction.set_rollback(True)


def test_another_cooperatives_product_is_not_offered_nor_accepted(host, session, coop_b):
    tea = factories.product(coop_b, title="湖山白茶")
    client = logged_in(host)

    page = text(client.get(url("item-add", session)))
    response = client.post(url("item-add", session), item_form(tea, live_price="1.00",
                                                                flash_quantity="1"))

    assert "湖山白茶" not in page
    assert response.status_code == 400
    assert not SessionItem.objects.exists()


def test_the_same_product_twice_is_a_clear_400(host, session, item, rice):
    response = logged_in(host).post(url("item-add", session), item_form(rice,
                                                                        live_price="20.00"))

    assert response.status_code == 400
    assert "这件商品已经在本场直播中" in text(response)
    assert SessionItem.objects.get().live_price == Decimal("29.90")


# --- going live, ending, cancelling -------------------------------------------------------------

def transition(client, session, action):
    return client.post(url("transition", session), {"action": action})


def test_host_goes_live_and_ends_from_the_console(host, session):
    client = logged_in(host)
    assert "开播" in text(client.get(url("console", session)))

    response = transition(client, session, "go_live")
    assert response.status_code == 302
    console = text(client.get(url("console", session)))
    assert "结束直播" in console
    assert "直播中" in console

    assert transition(client, session, "end").status_code == 302
    session.refresh_from_db()
    assert (session.status, session.ended_at is not None) == ("ended", True)


def test_going_live_twice_is_a_clear_400(host, session):
    client = logged_in(host)
    transition(client, session, "go_live")

    response = transition(client, session, "go_live")

    assert response.status_code == 400
    assert "不能重复开播" in text(response)
    session.refresh_from_db()
    assert session.status == "live"


def test_ending_a_session_that_never_started_is_a_clear_400(host, session):
    response = transition(logged_in(host), session, "end")

    assert response.status_code == 400
    assert "只有正在直播的场次可以结束" in text(response)
    session.refresh_from_db()
    assert (session.status, session.ended_at) == ("scheduled", None)


def test_cancelling_a_live_session_is_a_clear_400(host, session):
    client = logged_in(host)
    transition(client, session, "go_live")

    response = transition(client, session, "cancel")

    assert response.status_code == 400
    assert "只有预告中的直播可以取消" in text(response)


def test_an_unknown_action_is_a_400(host, session):
    response = transition(logged_in(host), session, "explode")

    assert response.status_code == 400
    assert "未知的操作" in text(response)


def test_a_colleague_who_is_not_the_host_gets_403_with_the_reason(colleague, session):
    """Same cooperative: they see the console and may pin, but the status is the host's
    (or an admin's) to change, so they get a 403 that says so, not a 404."""
    client = logged_in(colleague)
    assert client.get(url("console", session)).status_code == 200

    response = transition(client, session, "go_live")

    assert response.status_code == 403
    assert "只有本场主播或平台管理员可以开播、结束或取消直播" in text(response)
    session.refresh_from_db()
    assert session.status == "scheduled"


def test_platform_staff_may_run_any_session(admin_user, session):
    assert transition(logged_in(admin_user), session, "go_live").status_code == 302
    session.refresh_from_db()
    assert session.status == "live"


# --- pins and comments --------------------------------------------------------------------------

def test_one_tap_pin_and_unpin(host, session, item, coop_a):
    other = services.item_add(session=session, product=factories.product(coop_a, title="笋干"),
                              live_price=Decimal("10.00"), flash_quantity=5)
    client = logged_in(host)
    transition(client, session, "go_live")

    response = client.post(url("pin", session, item_pk=item.pk), follow=True)

    assert response.status_code == 200
    assert "正在讲解“妙高红米 5kg”" in text(response)
    assert services.pinned_item(session) == item

    client.post(url("pin", session, item_pk=other.pk))
    assert services.pinned_item(session) == other

    client.post(url("unpin", session))
    assert services.pinned_item(session) is None
    assert PinEvent.objects.filter(session=session).count() == 2


def test_a_colleague_may_pin(host, colleague, session, item):
    transition(logged_in(host), session, "go_live")

    response = logged_in(colleague).post(url("pin", session, item_pk=item.pk))

    assert response.status_code == 302
    assert services.pinned_item(session) == item


def test_pinning_an_item_of_another_session_is_a_clear_400(host, session, coop_a, rice):
    other_session = new_session(coop_a, host, title="另一场")
    foreign = services.item_add(session=other_session, product=rice,
                                live_price=Decimal("30.00"), flash_quantity=1)
    client = logged_in(host)
    transition(client, session, "go_live")

    response = client.post(url("pin", session, item_pk=foreign.pk))

    assert response.status_code == 400
    assert "这件商品不属于本场直播" in text(response)
    assert not PinEvent.objects.exists()


def test_pinning_before_going_live_is_a_clear_400(host, session, item):
    response = logged_in(host).post(url("pin", session, item_pk=item.pk))

    assert response.status_code == 400
    assert "只有直播中才能讲解商品" in text(response)


def test_host_hides_a_comment(host, session, buyer):
    comment = services.comment_post(session_id=session.pk, user=buyer, text="红米怎么煮？")
    rude = services.comment_post(session_id=session.pk, user=buyer, text="<不好>广告 加微信")
    client = logged_in(host)
    assert "红米怎么煮？" in text(client.get(url("console", session)))

    response = client.post(url("comment-hide", session, comment_pk=rude.pk))

    assert response.status_code == 302
    rude.refresh_from_db()
    comment.refresh_from_db()
    assert (rude.hidden, comment.hidden) == (True, False)
    assert "&lt;不好&gt;" in text(client.get(url("console", session)))  # escaped, not markup


def test_a_comment_of_another_session_cannot_be_hidden_through_this_one(host, session, coop_a,
                                                                        buyer):
    other_session = new_session(coop_a, factories.coop_staff(coop_a), title="另一场")
    comment = services.comment_post(session_id=other_session.pk, user=buyer, text="你好")

    response = logged_in(host).post(url("comment-hide", session, comment_pk=comment.pk))

    assert response.status_code == 404
    assert not Comment.objects.get(pk=comment.pk).hidden


# --- live figures ------------------------------------------------------------------------------

def test_figures_move_after_an_order_at_the_live_price(host, session, item, buyer):
    client = logged_in(host)
    transition(client, session, "go_live")
    SessionViewer.objects.create(session=session, viewer_key=f"u{buyer.pk}")
    SessionViewer.objects.create(session=session, viewer_key="anon-1")
    before = figures(client, session)
    assert (before["orders"], before["units"], before["gmv"], before["basket_adds"]) == (
        0, 0, "0.00", 0)
    assert before["conversion_percent"] == "0.0"

    place_order(_buyer_with_live_line(item, buyer, quantity=2))

    after = figures(client, session)
    assert after["orders"] == 1
    assert after["units"] == 2
    assert after["gmv"] == "59.80"  # 2 × ¥29.90, the live price, not ¥39.90
    assert after["buyers"] == 1
    assert after["basket_adds"] == 1
    assert after["viewers_total"] == 2
    assert after["conversion_percent"] == "50.0"
    assert after["items"] == [{
        "id": item.pk, "title": "妙高红米 5kg", "live_price": "29.90", "flash_quantity": 50,
        "flash_sold": 2, "units_left": 48, "basket_adds": 1,
    }]
    assert isinstance(after["viewers_now"], int)


def test_viewers_now_come_from_the_viewer_pages_heartbeats(host, session, monkeypatch):
    selectors = pytest.importorskip(
        "marketplace.livestream.selectors",
        reason="the viewer pages' heartbeat counter (selectors.py) is not on this checkout")
    # A moment no other test used: the counter lives in the cache, which outlives test DBs.
    moment = 4_000_000_000.0 + (uuid.uuid4().int % 10**6) * 100
    monkeypatch.setattr(selectors, "clock", lambda: moment)
    keys = [f"viewer-{uuid.uuid4().hex}" for _ in range(3)]
    for key in (*keys, keys[0]):  # one viewer beats twice
        selectors.viewer_heartbeat(session_id=session.pk, viewer_key=key)

    now = figures(logged_in(host), session)

    assert (now["viewers_now"], now["viewers_total"]) == (3, 3)


def test_cancelled_orders_do_not_count(host, session, item, buyer):
    services.session_go_live(session_id=session.pk, user=host)
    place_order(_buyer_with_live_line(item, buyer))
    order = Order.objects.get(user=buyer)

    Order.objects.filter(pk=order.pk).update(status="cancelled")

    now = session_figures(session)
    assert (now["orders"], now["units"], now["gmv"], now["buyers"]) == (0, 0, "0.00", 0)


def test_console_shows_the_figures_and_where_to_refresh_them(host, session, item):
    page = text(logged_in(host).get(url("console", session)))

    assert url("figures", session) in page
    assert "livestream/console.js" in page
    assert 'data-figure="gmv"' in page


def live_orders(session, item, n: int) -> None:
    """``n`` orders of one unit each, attributed to the session, built directly (checkout
    itself is covered above; this is about the cost of counting them)."""
    for buyer in buyers_in_bulk(n, prefix=f"fig{session.pk}-"):
        order = order_with_lines(user=buyer, stockrecords=[stockrecord(item.product)])
        Line.objects.filter(order=order).update(live_session=session, live_item=item,
                                                line_price_incl_tax=item.live_price)


def test_figures_cost_the_same_queries_for_1_and_50_orders(host, coop_a, rice):
    small, large = new_session(coop_a, host, "一单"), new_session(coop_a, host, "五十单")
    for s, n in ((small, 1), (large, 50)):
        live_orders(s, services.item_add(session=s, product=rice,
                                         live_price=Decimal("29.90"), flash_quantity=60), n)

    with CaptureQueriesContext(connection) as one:
        assert session_figures(small)["orders"] == 1
    with CaptureQueriesContext(connection) as fifty:
        result = session_figures(large)

    assert (result["orders"], result["gmv"], result["buyers"]) == (50, "1495.00", 50)
    assert len(fifty) == len(one) <= 5


@pytest.mark.parametrize("orders", [1, 50])
def test_figures_endpoint_query_budget(host, session, item, orders, django_assert_max_num_queries):
    live_orders(session, item, orders)
    client = logged_in(host)
    client.get(url("figures", session))  # warm per-process caches

    with django_assert_max_num_queries(10):
        assert figures(client, session)["orders"] == orders


@pytest.mark.parametrize("items", [1, 20])
def test_console_query_budget(host, session, coop_a, buyer, items,
                              django_assert_max_num_queries):
    for i in range(items):
        services.item_add(session=session, product=factories.product(coop_a, title=f"货{i}"),
                          live_price=Decimal("1.00"), flash_quantity=1)
    for i in range(items):
        services.comment_post(session_id=session.pk, user=buyer, text=f"评论{i}")
    live_orders(session, SessionItem.objects.filter(session=session).first(), items)
    client = logged_in(host)
    client.get(url("console", session))

    with django_assert_max_num_queries(25):
        assert client.get(url("console", session)).status_code == 200


@pytest.mark.parametrize("sessions", [1, 40])
def test_list_query_budget(host, coop_a, sessions, django_assert_max_num_queries):
    for i in range(sessions):
        new_session(coop_a, host, title=f"第{i}场")
    client = logged_in(host)
    client.get(url("list"))

    with django_assert_max_num_queries(20):
        response = client.get(url("list"))
    assert text(response).count('id="session-') == min(sessions, 30)


# --- who sees what ------------------------------------------------------------------------------

def test_the_list_shows_only_sessions_the_user_may_manage(host, staff_b, admin_user, coop_a,
                                                          coop_b):
    mine = new_session(coop_a, host, title="红米专场")
    theirs = new_session(coop_b, staff_b, title="白茶专场")

    as_host = text(logged_in(host).get(url("list")))
    as_admin = text(logged_in(admin_user).get(url("list")))

    assert (mine.title in as_host, theirs.title in as_host) == (True, False)
    assert (mine.title in as_admin, theirs.title in as_admin) == (True, True)


def test_the_dashboard_menu_links_the_console(host):
    response = logged_in(host).get(reverse("dashboard:index"))

    assert url("list") in text(response)


def every_page(session, item, comment) -> list[tuple[str, str, dict]]:
    return [
        ("get", url("console", session), {}),
        ("get", url("figures", session), {}),
        ("get", url("item-add", session), {}),
        ("post", url("item-add", session), item_form(item.product, live_price="1.00")),
        ("post", url("transition", session), {"action": "go_live"}),
        ("post", url("pin", session, item_pk=item.pk), {}),
        ("post", url("unpin", session), {}),
        ("post", url("comment-hide", session, comment_pk=comment.pk), {}),
    ]


@pytest.mark.parametrize("who", ["other-cooperative", "buyer"])
def test_other_cooperatives_and_buyers_get_404_everywhere(who, session, item, staff_b, buyer):
    comment = services.comment_post(session_id=session.pk, user=buyer, text="你好")
    client = logged_in(staff_b if who == "other-cooperative" else buyer)

    for method, page, data in every_page(session, item, comment):
        response = getattr(client, method)(page, data)
        assert response.status_code == 404, (method, page, response.status_code)

    session.refresh_from_db()
    assert session.status == "scheduled"
    assert not PinEvent.objects.exists()
    assert not Comment.objects.get(pk=comment.pk).hidden
    assert SessionItem.objects.count() == 1


def test_buyers_get_404_on_the_list_and_create_pages(buyer, coop_a):
    client = logged_in(buyer)

    assert client.get(url("list")).status_code == 404
    assert client.get(url("create")).status_code == 404
    assert client.post(url("create"), session_form(coop_a)).status_code == 404
    assert not LiveSession.objects.exists()


def test_anonymous_people_go_to_the_dashboard_login(session, item, buyer):
    comment = services.comment_post(session_id=session.pk, user=buyer, text="你好")
    client = Client()
    pages = [("get", url("list"), {}), ("get", url("create"), {}),
             *every_page(session, item, comment)]

    for method, page, data in pages:
        response = getattr(client, method)(page, data)
        assert response.status_code == 302, page
        assert response["Location"].startswith(reverse("dashboard:login")), page

    session.refresh_from_db()
    assert session.status == "scheduled"


def test_figures_answer_only_get(host, session):
    assert logged_in(host).post(url("figures", session)).status_code == 405


# --- comments arriving while the console is open ---------------------------------------------

def test_figures_bring_the_comments_posted_after_the_newest_one_shown(host, session, buyer):
    services.session_go_live(session_id=session.pk, user=host)
    buyer.first_name, buyer.last_name = "小明", "王"
    buyer.save()
    first = services.comment_post(session_id=session.pk, user=buyer, text="第一条")
    second = services.comment_post(session_id=session.pk, user=buyer, text="价格 < 70 & 包邮?")
    third = services.comment_post(session_id=session.pk, user=factories.user(), text="第三条")
    client = logged_in(host)

    # the console page shows the newest comment's id as where to continue from
    page = text(client.get(url("console", session)))
    assert f'data-newest="{third.pk}"' in page

    fresh = client.get(url("figures", session), {"after": first.pk}).json()["comments"]
    assert [c["id"] for c in fresh] == [third.pk, second.pk]  # newest first, as rendered
    assert fresh[1]["text"] == "价格 < 70 & 包邮?"  # data: the console's script sets it as text
    assert fresh[1]["author"] == "小明 王"
    assert fresh[0]["author"] == f"观众 #{third.user_id}"  # never the e-mail address
    assert fresh[0]["hide_url"] == url("comment-hide", session, comment_pk=third.pk)
    assert client.get(url("figures", session), {"after": third.pk}).json()["comments"] == []


@pytest.mark.parametrize("after", ["abc", "-1", "1e9", "9" * 40, ""])
def test_figures_ignore_a_bad_after_and_still_answer(host, session, after):
    response = logged_in(host).get(url("figures", session), {"after": after})

    assert response.status_code == 200
    assert "comments" not in response.json()
    assert response.json()["orders"] == 0
