"""Memoizing the sales figures until the facts they come from are rebuilt.

The facts of a day change only when that day is built (services.facts_build), so every figure
is cached under a facts version that each build bumps; a figure read after a build is computed
afresh, and otherwise served from Django's cache for REPORTING_CACHE_SECONDS (0: no caching).
The dashboard JSON, its exports and the 数商兴农 report all call the same selectors, so the
previous period's KPIs computed for one page serve the next one too.
"""

from __future__ import annotations

import functools
import hashlib
import time
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

VERSION_KEY = "reporting:facts-version"
KEY_PREFIX = "reporting:fig"

P = ParamSpec("P")
R = TypeVar("R")


def cache_seconds() -> int:
    return int(getattr(settings, "REPORTING_CACHE_SECONDS", 3900))


def _fresh_version() -> int:
    # A clock value rather than 1, so a version key lost to eviction or a cache restart never
    # comes back at a number whose old entries are still stored.
    return time.time_ns() // 1000


def facts_version() -> int:
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, _fresh_version(), timeout=None)
        version = cache.get(VERSION_KEY, 0)
    return int(version)


def _bump() -> None:
    try:
        cache.incr(VERSION_KEY)
    except ValueError:  # no version stored yet (or evicted)
        cache.set(VERSION_KEY, _fresh_version(), timeout=None)


def facts_changed() -> None:
    """Call after (re)building facts: figures cached before are no longer served. Bumped at
    once (reads later in this transaction see the new facts) and again after commit (another
    process may have cached the old facts in between, under the first new version)."""
    _bump()
    transaction.on_commit(_bump)


def _key(name: str, args: tuple, kwargs: dict) -> str:
    # Scope and Filters are frozen dataclasses: their repr is stable and names every field.
    text = repr((args, sorted(kwargs.items())))
    digest = hashlib.sha256(text.encode()).hexdigest()[:32]
    return f"{KEY_PREFIX}:{facts_version()}:{name}:{digest}"


def cached_figure(fn: Callable[P, R]) -> Callable[P, R]:
    """Memoize a selector by (function, facts version, arguments: scope, filters, limits)."""
    name = f"{fn.__module__}.{fn.__qualname__}"

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        seconds = cache_seconds()
        if seconds <= 0:
            return fn(*args, **kwargs)
        key = _key(name, args, kwargs)
        hit = cache.get(key)
        if hit is not None:
            return hit
        value = fn(*args, **kwargs)
        cache.set(key, value, seconds)
        return value

    wrapper.uncached = fn  # type: ignore[attr-defined]
    return wrapper
