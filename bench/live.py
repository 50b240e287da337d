"""The bench's live sale: one session live now, made through the livestream services, and a
pool of anonymous viewers who have been watching for a while (for the live_* scenarios).

Used by ``bench.build prepare`` on every run (found again on the next run, so the built
database needs no rebuild) and by the smoke test. Imports Django models only inside
functions: ``viewer_token`` is also what the load generator, outside Django, sends.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_DOWN, Decimal

HOST_EMAIL = "bench-host@bench.cn"
TITLE = "遂昌县合作社农产品直播（压测场次）"
ITEMS = 4
COMMENTS = 20
# Anonymous viewers the heartbeat scenario takes turns as: enough that each one beats at
# most once per 10 s counting bucket at the rates this machine reaches (see load.py).
VIEWERS = 16_000
# A few more, used only by the in-process replay, so it never meets a bucket the load filled.
REPLAY_VIEWERS = 16


def viewer_token(i: int) -> str:
    """The ``live_viewer`` cookie of bench viewer ``i`` (the views accept [A-Za-z0-9_-]{16,40})."""
    return f"benchviewer{i:08d}"


def live_prepare(*, commenters: list, viewers: int = VIEWERS) -> dict:
    """The live session (made once, reused afterwards) and its viewer pool marked as already
    seen; returns what the load generator and the replay need."""
    from django.urls import reverse

    session = _session(commenters)
    _viewers_seen(session, viewers + REPLAY_VIEWERS)
    kwargs = {"slug": session.slug}
    return {
        "live_slug": session.slug,
        "live_detail_url": reverse("livestream:detail", kwargs=kwargs),
        "live_state_url": reverse("livestream:state", kwargs=kwargs),
        "live_heartbeat_url": reverse("livestream:heartbeat", kwargs=kwargs),
        "live_viewers": viewers,
    }


def _session(commenters: list):
    """The bench host's live session with ITEMS items (one pinned) and COMMENTS comments."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone
    from oscar.core.loading import get_model

    from marketplace.cooperatives.models import Cooperative
    from marketplace.livestream import services
    from marketplace.livestream.models import LiveSession

    Product = get_model("catalogue", "Product")
    # An unusable password ("!" prefix): the host never logs in during the bench.
    host, _ = get_user_model().objects.get_or_create(
        email=HOST_EMAIL, defaults={"first_name": "主播", "password": "!bench"}
    )
    found = LiveSession.objects.filter(host=host, status=LiveSession.LIVE).order_by("pk").first()
    if found is not None:
        return found
    coop = (
        Cooperative.objects.filter(partner__stockrecords__product__structure="standalone")
        .order_by("pk")
        .first()
    )
    if coop is None:
        raise SystemExit("no cooperative with products to put on a live session")
    products = list(
        Product.objects.filter(
            structure="standalone",
            stockrecords__partner=coop.partner,
            stockrecords__price__isnull=False,
        )
        .order_by("pk")
        .distinct()[:ITEMS]
    )
    now = timezone.now()
    session = services.session_create(
        host=host,
        cooperatives=[coop],
        title=TITLE,
        scheduled_start=now,
        scheduled_end=now + dt.timedelta(hours=2),
        hls_url="https://live.example.cn/bench/live.m3u8",
        description="压测用的直播场次：商品来自压测数据。",
    )
    items = []
    for order, product in enumerate(products):
        normal = min(r.price for r in product.stockrecords.all() if r.price is not None)
        live = max((normal * Decimal("0.8")).quantize(Decimal("0.1"), ROUND_DOWN), Decimal("0.10"))
        items.append(
            services.item_add(
                session=session,
                product=product,
                live_price=live,
                flash_quantity=500,
                per_buyer_limit=2,
                display_order=order,
            )
        )
    services.session_go_live(session_id=session.pk, user=host)
    if items:
        services.item_pin(session_id=session.pk, item_id=items[0].pk, user=host)
    words = (
        "新米什么时候发货？",
        "主播讲讲怎么保存",
        "已下单，期待！",
        "能寄到县城吗？",
        "去年买过，很好吃",
    )
    for i in range(COMMENTS if commenters else 0):
        services.comment_post(
            session_id=session.pk,
            user=commenters[i % len(commenters)],
            text=f"{words[i % len(words)]}（{i + 1}）",
        )
    return LiveSession.objects.get(pk=session.pk)


def _viewers_seen(session, n: int) -> None:
    """What the first heartbeat of each pool viewer would have left behind: its
    SessionViewer row and the cache marker that spares later heartbeats that write (the
    key is selectors.viewer_heartbeat's ``live:seen:<session>:a<token>``)."""
    from django.core.cache import cache

    from marketplace.livestream import selectors
    from marketplace.livestream.models import SessionViewer

    keys = [f"a{viewer_token(i)}" for i in range(n)]
    SessionViewer.objects.bulk_create(
        [SessionViewer(session=session, viewer_key=k) for k in keys],
        ignore_conflicts=True,
        batch_size=2000,
    )
    for start in range(0, n, 2000):
        cache.set_many(
            {f"live:seen:{session.pk}:{k}": 1 for k in keys[start : start + 2000]},
            selectors.SEEN_SECONDS,
        )
