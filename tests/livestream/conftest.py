"""Shared livestream fixtures: cooperative A's host, a scheduled session, rice on sale."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from marketplace.livestream import services
from marketplace.livestream.models import LiveSession
from tests import factories


def new_session(coop, host, title="妙高红米丰收直播", **kwargs) -> LiveSession:
    """A session of ``coop`` hosted by ``host``, starting in an hour, two hours long."""
    start = timezone.now() + dt.timedelta(hours=1)
    return services.session_create(
        host=host, cooperatives=[coop], title=title, scheduled_start=start,
        scheduled_end=start + dt.timedelta(hours=2), hls_url="https://live.example.cn/a.m3u8",
        **kwargs,
    )


@pytest.fixture
def host(coop_a):
    return factories.coop_staff(coop_a, email="host@example.com")


@pytest.fixture
def session(coop_a, host):
    return new_session(coop_a, host)


@pytest.fixture
def rice(coop_a):
    return factories.product(coop_a, title="妙高红米 5kg", price="39.90", stock=100)


@pytest.fixture
def item(session, rice):
    return services.item_add(session=session, product=rice, live_price=Decimal("29.90"),
                             flash_quantity=50, per_buyer_limit=2)
