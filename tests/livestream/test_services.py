"""Live sessions: the status machine, pins, comments, items, live price and flash units."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from functools import partial

import pytest
from django.test import Client
from django.utils import timezone
from oscar.core.loading import get_class, get_model

from marketplace.livestream import services
from marketplace.livestream.models import BuyerQuota, LiveSession, PinEvent, SessionItem
from tests import factories
from tests.livestream.conftest import new_session
from tests.reliability.helpers import (
    at_once,
    place_order,
    require_postgres,
    saved_address,
)

Order = get_model("order", "Order")
Basket = get_model("basket", "Basket")
StockRecord = get_model("partner", "StockRecord")
Selector = get_class("partner.strategy", "Selector")


# --- status machine -------------------------------------------------------------------------

@pytest.mark.django_db
def test_session_goes_scheduled_live_ended_in_that_order_only(session, host):
    with pytest.raises(services.LiveError, match="只有正在直播的场次可以结束"):
        services.session_end(session_id=session.pk, user=host)

    live = services.session_go_live(session_id=session.pk, user=host)
    assert (live.status, live.started_at is not None) == ("live", True)
    with pytest.raises(services.LiveError, match="不能重复开播"):
        services.session_go_live(session_id=session.pk, user=host)
    with pytest.raises(services.LiveError, match="只有预告中的直播可以取消"):
        services.session_cancel(session_id=session.pk, user=host)

    ended = services.session_end(session_id=session.pk, user=host)
    assert ended.status == "ended"
    with pytest.raises(services.LiveError):
        services.session_go_live(session_id=session.pk, user=host)


@pytest.mark.django_db
def test_only_the_host_or_an_admin_changes_the_status(session, staff_b, admin_user, coop_a):
    colleague = factories.coop_staff(coop_a, email="colleague@example.com")
    for outsider in (staff_b, colleague, factories.user(email="viewer@example.com")):
        with pytest.raises(PermissionError):
            services.session_go_live(session_id=session.pk, user=outsider)

    assert services.session_go_live(session_id=session.pk, user=admin_user).status == "live"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_going_live_twice_at_once_changes_the_session_once(base_data_tx):
    require_postgres()
    coop = factories.cooperative()
    host = factories.coop_staff(coop, email="racer@example.com")
    session = new_session(coop, host)

    results = at_once([partial(services.session_go_live, session_id=session.pk, user=host)
                       for _ in range(4)])

    assert sum(isinstance(r, LiveSession) for r in results) == 1
    assert sum(isinstance(r, services.LiveError) for r in results) == 3


@pytest.mark.django_db
def test_schedule_that_ends_before_it_starts_is_refused(coop_a, host):
    start = timezone.now()
    with pytest.raises(services.LiveError, match="结束时间必须晚于开始时间"):
        services.session_create(host=host, cooperatives=[coop_a], title="x",
                                scheduled_start=start, scheduled_end=start,
                                hls_url="https://live.example.cn/x.m3u8")


# --- items ------------------------------------------------------------------------------------

@pytest.mark.django_db
@pytest.mark.parametrize(("price", "quantity", "message"), [
    ("39.91", 10, "不能高于原价"),
    ("0", 10, "必须大于零"),
    ("-1", 10, "必须大于零"),
    ("29.90", 101, "超过了现有库存"),
    ("29.90", 0, "必须大于零"),
], ids=["above-normal-price", "zero-price", "negative-price", "more-than-stock",
        "zero-units"])
def test_bad_items_are_refused_with_a_reason(session, rice, price, quantity, message):
    with pytest.raises(services.LiveError, match=message):
        services.item_add(session=session, product=rice, live_price=Decimal(price),
                          flash_quantity=quantity)
    assert not SessionItem.objects.exists()


@pytest.mark.django_db
def test_another_cooperatives_product_cannot_be_sold_in_the_session(session, coop_b):
    tea = factories.product(coop_b, title="湖山白茶")

    with pytest.raises(services.LiveError, match="只能添加本场直播合作社的商品"):
        services.item_add(session=session, product=tea, live_price=Decimal("1.00"),
                          flash_quantity=1)


@pytest.mark.django_db
def test_the_same_product_twice_is_refused(session, item, rice):
    with pytest.raises(services.LiveError, match="已经在本场直播中"):
        services.item_add(session=session, product=rice, live_price=Decimal("20.00"),
                          flash_quantity=1)


# --- pins -------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_pinning_keeps_one_item_shown_and_the_history(session, item, host, coop_a):
    other = services.item_add(session=session, product=factories.product(coop_a),
                              live_price=Decimal("10.00"), flash_quantity=5)
    with pytest.raises(services.LiveError, match="只有直播中才能讲解商品"):
        services.item_pin(session_id=session.pk, item_id=item.pk, user=host)
    services.session_go_live(session_id=session.pk, user=host)

    services.item_pin(session_id=session.pk, item_id=item.pk, user=host)
    services.item_pin(session_id=session.pk, item_id=item.pk, user=host)  # same: no new event
    services.item_pin(session_id=session.pk, item_id=other.pk, user=host)

    assert services.pinned_item(session) == other
    events = list(PinEvent.objects.filter(session=session))
    assert [e.item_id for e in events] == [item.pk, other.pk]
    assert events[0].unpinned_at == events[1].pinned_at
    services.item_unpin(session_id=session.pk, user=host)
    assert services.pinned_item(session) is None


@pytest.mark.django_db
def test_pinning_an_item_of_another_session_is_refused(session, item, host, coop_a):
    other_session = new_session(coop_a, host)
    services.session_go_live(session_id=other_session.pk, user=host)

    with pytest.raises(services.LiveError, match="不属于本场直播"):
        services.item_pin(session_id=other_session.pk, item_id=item.pk, user=host)


@pytest.mark.django_db
def test_another_cooperative_cannot_pin(session, item, host, staff_b):
    services.session_go_live(session_id=session.pk, user=host)

    with pytest.raises(PermissionError):
        services.item_pin(session_id=session.pk, item_id=item.pk, user=staff_b)


# --- comments ---------------------------------------------------------------------------------

@pytest.mark.django_db
@pytest.mark.parametrize(("text", "message"), [
    ("字" * 10_000, "最多 200 个字"),
    ("<script>alert(1)</script>", "不能包含 HTML 标签"),
    ("<b>好</b>", "不能包含 HTML 标签"),
    ("   ", "不能为空"),
    ("好\x00米", "无法显示的字符"),
], ids=["10000-chars", "script", "bold", "blank", "nul"])
def test_bad_comments_are_refused_with_a_reason(session, buyer, text, message):
    with pytest.raises(services.LiveError, match=message):
        services.comment_post(session_id=session.pk, user=buyer, text=text)


@pytest.mark.django_db
def test_plain_comments_with_angle_brackets_in_prose_are_kept(session, buyer):
    comment = services.comment_post(session_id=session.pk, user=buyer, text="价格 < 30 元吗？")

    assert comment.text == "价格 < 30 元吗？"


# --- live price and flash units ---------------------------------------------------------------

def _live_basket(user, item, quantity=1):
    basket = Basket.objects.create(owner=user)
    basket.strategy = Selector().strategy()
    services.basket_add_live_item(basket=basket, item=item, quantity=quantity)
    return basket


@pytest.mark.django_db
def test_live_price_applies_only_while_live_and_within_the_grace(session, item, host, buyer,
                                                                  settings):
    settings.LIVE_PRICE_GRACE_SECONDS = 600
    with pytest.raises(services.LiveError, match="直播价不可用"):
        _live_basket(buyer, item)
    services.session_go_live(session_id=session.pk, user=host)

    basket = _live_basket(buyer, item, quantity=2)
    assert basket.total_incl_tax == Decimal("59.80")

    services.session_end(session_id=session.pk, user=host)
    basket = Basket.objects.get(pk=basket.pk)
    basket.strategy = Selector().strategy()
    assert basket.total_incl_tax == Decimal("59.80")  # within the grace period

    LiveSession.objects.filter(pk=session.pk).update(
        ended_at=timezone.now() - dt.timedelta(seconds=601))
    basket = Basket.objects.get(pk=basket.pk)
    basket.strategy = Selector().strategy()
    assert basket.total_incl_tax == Decimal("79.80")  # normal price again


@pytest.mark.django_db
def test_per_buyer_limit_is_checked_when_adding(session, item, host, buyer):
    services.session_go_live(session_id=session.pk, user=host)

    with pytest.raises(services.FlashUnavailable, match="每人限购 2 件"):
        _live_basket(buyer, item, quantity=3)

    assert not Basket.objects.get(owner=buyer).lines.exists()  # nothing half-added


def _buyer_with_live_line(item, user, quantity=1) -> Client:
    _live_basket(user, item, quantity)
    address = saved_address(user)
    client = Client()
    client.force_login(user)
    session = client.session
    session["checkout_data"] = {"shipping": {"user_address_id": address.pk,
                                             "method_code": "free-shipping"}}
    session.save()
    return client


@pytest.mark.django_db
def test_order_takes_flash_units_records_the_session_and_a_cancel_gives_them_back(
        session, item, host, buyer):
    services.session_go_live(session_id=session.pk, user=host)
    client = _buyer_with_live_line(item, buyer, quantity=2)

    place_order(client)

    order = Order.objects.get(user=buyer)
    line = order.lines.get()
    assert (line.live_session_id, line.live_item_id) == (session.pk, item.pk)
    assert line.line_price_incl_tax == Decimal("59.80")
    item.refresh_from_db()
    assert item.flash_sold == 2
    assert BuyerQuota.objects.get(item=item, user=buyer).quantity == 2

    from marketplace.shop.order.services import order_cancel_unpaid
    # as if it were still awaiting payment (the sandbox pays at once)
    Order.objects.filter(pk=order.pk).update(status="pending_payment")
    order.lines.update(status="pending_payment")
    order_cancel_unpaid(order_id=order.pk, reason="test")

    item.refresh_from_db()
    assert item.flash_sold == 0
    assert BuyerQuota.objects.get(item=item, user=buyer).quantity == 0


# --- reminders and demo ------------------------------------------------------------------------

@pytest.mark.django_db
def test_reminders_go_out_once_shortly_before_the_start(session, buyer, mailoutbox):
    Notification = get_model("communication", "Notification")
    services.reminder_add(session_id=session.pk, user=buyer)
    assert services.reminder_add(session_id=session.pk, user=buyer) is False  # once per buyer
    soon = session.scheduled_start - dt.timedelta(minutes=20)

    assert services.reminders_send_due(minutes=15, now=soon) == 0  # not yet
    at = session.scheduled_start - dt.timedelta(minutes=10)
    assert services.reminders_send_due(minutes=15, now=at) == 1
    assert services.reminders_send_due(minutes=15, now=at) == 0  # the task ran twice

    assert len(mailoutbox) == 1
    assert session.title in mailoutbox[0].subject
    note = Notification.objects.get(recipient=buyer)
    assert f"/live/{session.slug}/" in note.body


@pytest.mark.django_db
def test_demo_seed_step_builds_live_upcoming_and_replayed_sessions():
    from marketplace.demo.services import demo_seed
    from marketplace.livestream.demo import demo_live_sessions_create

    ctx = demo_seed(orders=0, skip_regions=True, log=lambda _m: None)
    demo_live_sessions_create(ctx=ctx)
    demo_live_sessions_create(ctx=ctx)  # a second run adds nothing

    by_status = {s: LiveSession.objects.filter(status=s).count()
                 for s in ("live", "scheduled", "ended")}
    assert by_status == {"live": 1, "scheduled": 2, "ended": 2}
    live = LiveSession.objects.get(status="live")
    assert services.pinned_item(live) is not None
    for ended in LiveSession.objects.filter(status="ended"):
        assert ended.replay_url
        chapters = list(ended.pin_events.all())
        assert len(chapters) == ended.items.count() >= 2
        assert all(c.unpinned_at is not None for c in chapters)
    for item in SessionItem.objects.all():
        assert Decimal("0") < item.live_price < item.product.stockrecords.get().price
