"""Answers of the search box's suggestion endpoint, kept in the shared cache per typed text.

Every keystroke in the search box asks /search/suggest/ (after a short pause), and buyers type
the same few hundred prefixes ("hong", "hm", "红") all day, so an answer is kept for
SEARCH_SUGGEST_CACHE_SECONDS (default 60 s, the endpoint's own Cache-Control max-age) under
a key made of the text and the index's version. The backends bump that version whenever
they write to the index (index_changed), so a product indexed now is suggested on the next
keystroke, not a minute later. SuggestFastPath answers a cached text before the middleware
stack (sessions, locale, CSRF, auth, basket), as the live state endpoint does.
"""

from __future__ import annotations

import hashlib
import time

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse
from django.urls import reverse
from django.utils.cache import patch_cache_control

from marketplace.middleware import secured

VERSION_KEY = "search:index-version"
MAX_AGE = 60  # what browsers and CDNs may keep an answer for
CONTENT_TYPE = "application/json"


def cache_seconds() -> int:
    return getattr(settings, "SEARCH_SUGGEST_CACHE_SECONDS", 60)


def _bump() -> None:
    try:
        cache.incr(VERSION_KEY)
    except ValueError:
        cache.set(VERSION_KEY, time.time_ns(), timeout=None)


def index_changed() -> None:
    """The index holds other products now: cached suggestions are stale once the write
    commits (the DB backend writes in the caller's transaction)."""
    transaction.on_commit(_bump)


def _key(text: str) -> str | None:
    version = cache.get(VERSION_KEY)
    if version is None:
        return None  # nothing cached under any version yet (or the key was evicted)
    digest = hashlib.sha256(text.encode()).hexdigest()[:32]
    return f"suggest:{version}:{digest}"


def cached_body(text: str) -> bytes | None:
    """The JSON answer for this (cleaned) text, when one is cached for the current index."""
    if cache_seconds() <= 0:
        return None
    key = _key(text)
    return cache.get(key) if key else None


def body_store(text: str, body: bytes) -> None:
    seconds = cache_seconds()
    if seconds <= 0:
        return
    key = _key(text)
    if key is None:
        _bump()
        key = _key(text)
    if key:
        cache.set(key, body, seconds)


def json_response(body: bytes, status: int = 200) -> HttpResponse:
    response = HttpResponse(body, content_type=CONTENT_TYPE, status=status)
    if status == 200:
        patch_cache_control(response, public=True, max_age=MAX_AGE)
    return response


class SuggestFastPath:
    """First in MIDDLEWARE: GET /search/suggest/?q=... whose answer is cached is answered
    here; anything else (not cached, another method, another path) goes through the stack
    to the view, which stores what it computed."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.path = None

    def __call__(self, request):
        if request.method in ("GET", "HEAD"):
            if self.path is None:
                self.path = reverse("search:suggest")
            if request.path_info == self.path:
                from search.views import suggest_text

                text = suggest_text(request.GET.get("q", ""))
                body = cached_body(text) if text else None
                if body is not None:
                    return secured(json_response(body))
        return self.get_response(request)
