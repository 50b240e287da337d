"""Live flash sale: 200 buyers on their own HTTP connections race a real gunicorn for 50
live units with a per-buyer limit of 2."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from importlib import import_module

import pytest
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.utils import timezone
from oscar.core.loading import get_class, get_model

from marketplace.livestream import services
from marketplace.livestream.models import BuyerQuota
from tests import factories
from tests.reliability.helpers import at_once, buyers_in_bulk, require_postgres, saved_address
from tests.reliability.test_flash_sale import _gunicorn, _place_order_over_http

pytestmark = [pytest.mark.reliability]

Basket = get_model("basket", "Basket")
Order = get_model("order", "Order")
Line = get_model("order", "Line")
StockRecord = get_model("partner", "StockRecord")
Selector = get_class("partner.strategy", "Selector")

BUYERS = 200
UNITS = 50
LIMIT = 2
TITLE = "直播秒杀红米"


def _buyers_with_live_lines(item, n: int) -> list[str]:
    """Session keys of ``n`` buyers, each with ``LIMIT`` units of the live item in the
    basket (every fourth buyer asks for 3, over the limit) and a saved address."""
    engine = import_module(settings.SESSION_ENGINE)
    strategy = Selector().strategy()
    keys = []
    for i, user in enumerate(buyers_in_bulk(n, prefix="liveflash")):
        address = saved_address(user)
        basket = Basket.objects.create(owner=user)
        basket.strategy = strategy
        services.basket_add_live_item(basket=basket, item=item, quantity=LIMIT)
        if i % 4 == 0:  # tries to sneak a third unit past the limit
            basket.lines.update(quantity=LIMIT + 1)
        session = engine.SessionStore()
        session.update({
            SESSION_KEY: str(user.pk),
            BACKEND_SESSION_KEY: "oscar.apps.customer.auth_backends.EmailBackend",
            HASH_SESSION_KEY: user.get_session_auth_hash(),
            "checkout_data": {"shipping": {"user_address_id": address.pk,
                                           "method_code": "free-shipping"}},
        })
        session.create()
        keys.append(session.session_key)
    return keys


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_hundred_buyers_race_for_fifty_live_units_with_a_limit_of_two(base_data_tx):
    require_postgres()
    # given a live session selling 50 units of a product at ¥19.90, at most 2 per buyer
    coop = factories.cooperative()
    host = factories.coop_staff(coop, email="flash-host@example.com")
    start = timezone.now()
    session = services.session_create(
        host=host, cooperatives=[coop], title="直播秒杀", scheduled_start=start,
        scheduled_end=start + dt.timedelta(hours=2), hls_url="https://live.example.cn/f.m3u8")
    product = factories.product(coop, title=TITLE, price="39.90", stock=1000)
    item = services.item_add(session=session, product=product, live_price=Decimal("19.90"),
                             flash_quantity=UNITS, per_buyer_limit=LIMIT)
    services.session_go_live(session_id=session.pk, user=host)
    sessions = _buyers_with_live_lines(item, BUYERS)

    # when all 200 post "place order" at the same moment, each on its own connection
    with _gunicorn() as (port, _log):
        results = at_once([_place_order_over_http(port, s) for s in sessions])

    # then nobody got a server error, exactly 50 live units were sold, nobody over the limit
    assert [r for r in results if r is None or isinstance(r, Exception)] == []
    assert not [r for r in results if any(isinstance(c, int) and c >= 500 for c in r)]
    item.refresh_from_db()
    assert item.flash_sold == UNITS
    lines = Line.objects.filter(live_item=item)
    assert sum(lines.values_list("quantity", flat=True)) == UNITS
    assert all(line.line_price_incl_tax == Decimal("19.90") * line.quantity for line in lines)
    assert set(lines.values_list("live_session_id", flat=True)) == {session.pk}
    assert max(BuyerQuota.objects.filter(item=item).values_list("quantity", flat=True)) <= LIMIT
    # stock taken exactly as the live units were
    assert StockRecord.objects.get(product=product).num_allocated == UNITS
    # every loser read why: sold out, or over the per-buyer limit
    winners = Order.objects.filter(lines__live_item=item).count()
    told = [r for r in results if "已抢光" in r[-1] or f"每人限购 {LIMIT} 件" in r[-1]]
    assert len(told) == BUYERS - winners
