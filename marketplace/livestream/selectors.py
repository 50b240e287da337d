"""Reads for the public live pages: listings, a session's page, the cached state that viewer
pages poll, and the viewer counter fed by their heartbeats."""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.core.cache import cache
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from marketplace.livestream.models import (
    Comment,
    LiveSession,
    PinEvent,
    Reminder,
    SessionItem,
    SessionViewer,
)
from marketplace.livestream.services import item_is_active

# The state endpoint is polled every 2 s by every viewer: one build per second serves them
# all, whatever their number.
STATE_SECONDS = 1
LATEST_COMMENTS = 20
LISTED_SESSIONS = 20

# Viewers now = distinct viewers heard from within about 30 s. The cache API has no sets and
# no key scans (locmem and Redis alike), so each 10 s bucket counts its distinct viewers
# (cache.add marks a viewer once per bucket, cache.incr counts the marks) and the count is
# the largest of the last three buckets: a page beating every 10 s is in each of them, and
# one that stopped drops out 20 to 30 s after its last beat.
BUCKET_SECONDS = 10
WINDOW_BUCKETS = 3
# A viewer is written to SessionViewer once; this guard only saves the repeated write.
SEEN_SECONDS = 12 * 3600


def clock() -> float:
    """Seconds since the epoch; tests patch this to move time without sleeping."""
    return time.time()


# --- viewers ---------------------------------------------------------------------------------

def _bucket_key(session_id: int, bucket: int) -> str:
    return f"live:viewers:{session_id}:{bucket}"


def viewer_heartbeat(*, session_id: int, viewer_key: str) -> None:
    """Count one viewer's heartbeat, and remember the viewer for conversion figures.

    Lives here beside ``viewers_now`` because the count is a cache structure both must agree
    on; the only database write is the first heartbeat of each viewer (per SEEN_SECONDS).
    """
    bucket = int(clock() // BUCKET_SECONDS)
    lifetime = BUCKET_SECONDS * (WINDOW_BUCKETS + 1)
    if cache.add(f"live:beat:{session_id}:{bucket}:{viewer_key}", 1, lifetime):
        count_key = _bucket_key(session_id, bucket)
        cache.add(count_key, 0, lifetime)
        try:
            cache.incr(count_key)
        except ValueError:  # evicted between add and incr
            cache.set(count_key, 1, lifetime)
    if cache.add(f"live:seen:{session_id}:{viewer_key}", 1, SEEN_SECONDS):
        SessionViewer.objects.get_or_create(session_id=session_id, viewer_key=viewer_key)


def viewers_now(session_id: int) -> int:
    """Distinct viewers whose page sent a heartbeat within about the last 30 s (one cache
    round trip, no query)."""
    bucket = int(clock() // BUCKET_SECONDS)
    keys = [_bucket_key(session_id, bucket - i) for i in range(WINDOW_BUCKETS)]
    return max((int(v) for v in cache.get_many(keys).values()), default=0)


# --- listings --------------------------------------------------------------------------------

def _listed(status: str, order: str) -> QuerySet[LiveSession]:
    return (LiveSession.objects.filter(status=status).order_by(order)
            .prefetch_related("cooperatives")[:LISTED_SESSIONS])


def sessions_index() -> dict[str, list[LiveSession]]:
    """Live now, upcoming (soonest first) and recent replays (latest ended first)."""
    return {
        "live": list(_listed(LiveSession.LIVE, "-started_at")),
        "upcoming": list(_listed(LiveSession.SCHEDULED, "scheduled_start")),
        "replays": list(_listed(LiveSession.ENDED, "-ended_at")),
    }


def live_now_for_product(product_id: int) -> LiveSession | None:
    """The live session showing this product on camera right now, if any (one query)."""
    pin = (PinEvent.objects.filter(item__product_id=product_id, unpinned_at__isnull=True,
                                   session__status=LiveSession.LIVE)
           .select_related("session").only("session", "session__slug", "session__title")
           .first())
    return None if pin is None else pin.session


# --- one session -----------------------------------------------------------------------------

def commenter_name(user) -> str:
    """What other viewers see of a commenter: a name if given, else the first letter of the
    e-mail address; never the address itself."""
    name = f"{user.last_name}{user.first_name}".strip()
    if name:
        return name
    return f"{(user.email or '?')[:1]}***"


def _items(session: LiveSession, *, images: bool = True) -> list[SessionItem]:
    related = ["product__stockrecords", *(["product__images"] if images else [])]
    items = list(
        SessionItem.objects.filter(session=session).select_related("product")
        .prefetch_related(*related)
    )
    for item in items:
        item.session = session  # item_is_active reads it; no query per item
        prices = [r.price for r in item.product.stockrecords.all() if r.price is not None]
        item.normal_price = min(prices) if prices else None
    return items


def _open_pin_item_id(session: LiveSession) -> int | None:
    return (PinEvent.objects.filter(session=session, unpinned_at__isnull=True)
            .values_list("item_id", flat=True).first())


def latest_comments(session: LiveSession) -> list[Comment]:
    """The latest visible comments, oldest first (read top to bottom like a chat)."""
    comments = (Comment.objects.filter(session=session, hidden=False)
                .select_related("user").only("text", "created_at", "user", "user__first_name",
                                             "user__last_name", "user__email")
                .order_by("-created_at", "-pk")[:LATEST_COMMENTS])
    comments = list(reversed(list(comments)))
    for c in comments:
        c.author = commenter_name(c.user)
    return comments


@dataclass(frozen=True)
class Chapter:
    item: SessionItem
    offset: int  # seconds from the start of the replay

    @property
    def label(self) -> str:
        hours, rest = divmod(self.offset, 3600)
        minutes, seconds = divmod(rest, 60)
        return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes:02d}:{seconds:02d}"


def replay_chapters(session: LiveSession, items: list[SessionItem]) -> list[Chapter]:
    """Each pin of the session as a chapter at its offset from the start (a re-pinned item
    gets a chapter per pin)."""
    if session.started_at is None:
        return []
    by_id = {item.pk: item for item in items}
    pins = PinEvent.objects.filter(session=session).values_list("item_id", "pinned_at")
    return [Chapter(item=by_id[item_id],
                    offset=max(0, int((pinned_at - session.started_at).total_seconds())))
            for item_id, pinned_at in pins if item_id in by_id]


def session_page(session: LiveSession, user) -> dict:
    """Everything the viewer page shows, in a fixed number of queries."""
    items = _items(session)
    pinned_id = _open_pin_item_id(session) if session.status == LiveSession.LIVE else None
    pinned = next((item for item in items if item.pk == pinned_id), None)
    now = timezone.now()
    for item in items:
        item.active = item_is_active(item, now=now)
    reminded = (session.status == LiveSession.SCHEDULED and user.is_authenticated
                and Reminder.objects.filter(session=session, user=user).exists())
    return {
        "items": items,
        "pinned": pinned,
        "comments": latest_comments(session) if session.status in (
            LiveSession.LIVE, LiveSession.SCHEDULED) else [],
        "chapters": replay_chapters(session, items) if session.status == LiveSession.ENDED
        else [],
        "reminded": reminded,
    }


# --- the polled state ------------------------------------------------------------------------

def _money(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def session_state(session: LiveSession) -> dict:
    """The state viewer pages poll: status, pinned item, units left per item, viewers now and
    the latest visible comments. Four queries (five with the session) whatever the number of
    viewers, orders or comments; texts are data (JSON strings), escaped by whoever puts them
    in a page."""
    items = _items(session, images=False)
    pinned_id = _open_pin_item_id(session) if session.status == LiveSession.LIVE else None
    now = timezone.now()
    pinned = None
    for item in items:
        if item.pk == pinned_id:
            pinned = {
                "id": item.pk,
                "title": item.product.get_title(),
                "url": item.product.get_absolute_url(),
                "live_price": _money(item.live_price),
                "normal_price": _money(item.normal_price),
                "units_left": item.units_left,
                "flash_ends_at": _iso(item.flash_ends_at),
                "active": item_is_active(item, now=now),
                "buy_url": reverse("livestream:buy", kwargs={"slug": session.slug,
                                                             "item_id": item.pk}),
            }
    return {
        "status": session.status,
        "scheduled_start": _iso(session.scheduled_start),
        "pinned": pinned,
        "items": [{"id": item.pk, "units_left": item.units_left} for item in items],
        "viewers": viewers_now(session.pk),
        "comments": [{"id": c.pk, "user": c.author, "text": c.text,
                      "at": _iso(c.created_at)} for c in latest_comments(session)],
    }


_JSON_HTML_SAFE = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026"})


def _state_key(slug: str) -> str:
    # Slugs are [-a-zA-Z0-9_]; hashing keeps the key short and safe for any cache backend.
    return "live:state:" + hashlib.sha1(slug.encode(), usedforsecurity=False).hexdigest()


def cached_state(slug: str) -> tuple[bytes, str] | None:
    """(JSON body, ETag) of a session's state: built at most once per STATE_SECONDS per
    session, no query at all on a hit. None for an unknown slug."""
    key = _state_key(slug)
    hit = cache.get(key)
    if hit is not None:
        return hit
    session = LiveSession.objects.filter(slug=slug).first()
    if session is None:
        return None
    text = json.dumps(session_state(session), ensure_ascii=False, separators=(",", ":"))
    # Viewers' text stays data even if something ever reads the body as HTML.
    body = text.translate(_JSON_HTML_SAFE).encode()
    etag = '"' + hashlib.sha1(body, usedforsecurity=False).hexdigest()[:20] + '"'
    cache.set(key, (body, etag), STATE_SECONDS)
    return body, etag


def status_notice(session: LiveSession) -> str:
    """One line under the title saying where the session stands."""
    return {
        LiveSession.SCHEDULED: _("直播尚未开始"),
        LiveSession.LIVE: _("正在直播"),
        LiveSession.ENDED: _("直播已结束"),
        LiveSession.CANCELLED: _("本场直播已取消"),
    }[session.status]
