"""Comment rate limits (per user: one every few seconds, a few per minute), shared by the
viewer page and the API, kept in the cache (local memory or Redis)."""

from __future__ import annotations

from django.core.cache import cache
from django.utils.translation import gettext as _

from marketplace.livestream import selectors

COMMENT_GAP_SECONDS = 3
COMMENT_PER_MINUTE = 10


def _gap_key(user_id: int) -> str:
    return f"live:comment-gap:{user_id}"


def _minute_key(user_id: int) -> str:
    return f"live:comment-minute:{user_id}:{int(selectors.clock() // 60)}"


def comment_allowed(user_id: int) -> str | None:
    """Why this user may not comment right now, or None (and then the gap starts now).

    cache.add makes the gap check atomic (two posts at once: one waits); the stored time is
    compared with selectors.clock() so tests can move time instead of sleeping."""
    now = selectors.clock()
    gap_key = _gap_key(user_id)
    if not cache.add(gap_key, now, COMMENT_GAP_SECONDS):
        last = cache.get(gap_key)
        if last is not None and now - last < COMMENT_GAP_SECONDS:
            return _("评论太快了，请 %(n)d 秒后再发。") % {"n": COMMENT_GAP_SECONDS}
        cache.set(gap_key, now, COMMENT_GAP_SECONDS)
    if cache.get(_minute_key(user_id), 0) >= COMMENT_PER_MINUTE:
        return _("每分钟最多发 %(n)d 条评论，请稍后再试。") % {"n": COMMENT_PER_MINUTE}
    return None


def comment_refused(user_id: int) -> None:
    """A refused text does not use up the user's turn."""
    cache.delete(_gap_key(user_id))


def comment_counted(user_id: int) -> None:
    key = _minute_key(user_id)
    cache.add(key, 0, 70)
    try:
        cache.incr(key)
    except ValueError:
        cache.set(key, 1, 70)
