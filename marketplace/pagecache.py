"""Whole-page cache for anonymous visitors of the browsing pages (home, listings, search,
product and cooperative pages).

Most buyers arrive on phones over weak rural networks and most of their requests are
anonymous browsing; rendering a 24-product listing costs ~90 ms of CPU, serving it from the
cache well under 1 ms. A page is cached only when it cannot differ between visitors:

- GET of a listed URL name, answered 200 as HTML, for a visitor with no session, no open
  basket and no pending messages (anyone logged in or with a basket gets a fresh page);
- its CSRF form tokens are cut out before storing and this visitor's token is put back on
  every hit, so the add-to-basket forms of a cached page work;
- the only cookie a cached page may set is Oscar's recently-viewed list, which the hit
  updates itself (the recently-viewed block loads separately, see catalogue's views); a hit
  on a product page also announces the view, so Oscar's analytics still count it.

Entries live for PAGE_CACHE_SECONDS and are keyed on a version that any change of what
these pages show bumps after its transaction commits (products, stock records, categories,
cooperatives, offers, CMS pages). Stock taken by orders changes rows with a guarded UPDATE
and no signal, so a cached "in stock" can be up to PAGE_CACHE_SECONDS old; the checkout
itself never oversells.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import os
import re
import time
from collections.abc import Callable
from types import SimpleNamespace

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.http import HttpResponse
from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH, get_token
from django.urls import Resolver404, resolve
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

VERSION_KEY = "pagecache:version"
CACHED_VIEWS = {
    # Every Wagtail page (published pages; publishing, unpublishing, moving or deleting one
    # clears the cache, see cms/apps.py).
    "wagtail_serve": None,
    "catalogue:index": None,
    "catalogue:category": None,
    "catalogue:detail": None,
    "search:search": None,
    "cooperatives:detail": None,
    # The live page: its live parts (pinned item, units, comments) refresh from state.json
    # within 2 s of loading; pins and status changes also bump the version.
    "livestream:detail": None,
    # Public parcel tracking: it tells browsers and CDNs max-age=60 already, so a scan may
    # take as long to show here (logged-in buyers' order pages are always fresh).
    "track:parcel": None,
}
# Models whose change can alter a cached page; a missing one is skipped (apps may be off).
INVALIDATING_MODELS = (
    "catalogue.Product", "catalogue.Category", "catalogue.ProductImage",
    "catalogue.ProductAttributeValue", "catalogue.ProductCategory", "partner.StockRecord",
    "partner.Partner", "cooperatives.Cooperative", "cooperatives.Certification",
    "offer.ConditionalOffer", "offer.Range", "livestream.LiveSession", "livestream.SessionItem",
)
_TOKEN_INPUT = re.compile(r'(name="csrfmiddlewaretoken" value=")[A-Za-z0-9]{32,64}(")')


@functools.cache
def token_placeholder() -> str:
    """The marker that stands for the CSRF token in a stored page. Derived from SECRET_KEY so
    nobody can plant it in content they control (a product description) and have the
    next visitor's token written there."""
    digest = hmac.new(settings.SECRET_KEY.encode(), b"pagecache-csrf", hashlib.sha256)
    return f"pagecache-csrf-{digest.hexdigest()[:32]}"


def page_cache_seconds() -> int:
    return getattr(settings, "PAGE_CACHE_SECONDS", 0)


def pagecache_bump() -> None:
    """Make every cached page stale (the next visitor of each page renders it anew)."""
    try:
        cache.incr(VERSION_KEY)
    except ValueError:
        # Missing (first use, or evicted): any value never used before will do.
        import time

        cache.set(VERSION_KEY, time.time_ns(), timeout=None)


def _bump_on_commit(instance=None, **kwargs) -> None:
    # Every order allocates stock; invalidating every page per order would empty the cache
    # exactly when a sale is busiest. An allocation counts only when it sells out.
    if getattr(instance, "allocation_only", False) and instance.net_stock_level > 0:
        return
    transaction.on_commit(pagecache_bump)


def connect_invalidation() -> None:
    from django.apps import apps

    for label in INVALIDATING_MODELS:
        try:
            model = apps.get_model(label)
        except LookupError:
            continue
        post_save.connect(_bump_on_commit, sender=model, dispatch_uid=f"pagecache-{label}")
        post_delete.connect(_bump_on_commit, sender=model, dispatch_uid=f"pagecache-d-{label}")


def _version():
    version = cache.get(VERSION_KEY)
    if version is None:
        pagecache_bump()
        version = cache.get(VERSION_KEY)
    return version


def cached_fragments(request, names: list[str], render: Callable[[int], str]) -> list[str]:
    """The HTML of fragments that are the same for every visitor (product cards), from the
    cache where present: ``render(i)`` makes the i-th of ``names`` when it is not.

    For pages that cannot be cached whole (a buyer logged in or with a basket): their product
    cards still are. One cache round trip reads them all; CSRF tokens are handled as for
    whole pages; the page cache's version and lifetime apply.
    """
    seconds = page_cache_seconds()
    if seconds <= 0:
        return [render(i) for i in range(len(names))]
    prefix = f"fragment:{_version()}:{get_language()}:"
    found = cache.get_many([prefix + name for name in names])
    marker, token = token_placeholder(), None
    out, new = [], {}
    for i, name in enumerate(names):
        html = found.get(prefix + name)
        if html is None:
            html = render(i)
            stored, replaced = _TOKEN_INPUT.subn(rf"\g<1>{marker}\g<2>", html)
            if stored.count("csrfmiddlewaretoken") == replaced:
                new[prefix + name] = stored
        elif marker in html:
            token = token or get_token(request)
            # The stored card is template output (escaped when it was rendered); only our
            # own token, [A-Za-z0-9] by construction, is put into it.
            html = mark_safe(html.replace(marker, token))  # noqa: S308  # nosec B308 B703
        out.append(html)
    if new:
        cache.set_many(new, seconds)
    return out


def _visitor_has_state(request) -> bool:
    """A session, an open basket or pending messages: the page may be this visitor's own."""
    cookies = request.COOKIES
    return (settings.SESSION_COOKIE_NAME in cookies
            or settings.OSCAR_BASKET_COOKIE_OPEN in cookies
            or "messages" in cookies)


def _entry_key(request, language: str) -> str:
    return f"pagecache:{language}:{request.get_host()}:{request.get_full_path()}"


def _lookup(key: str):
    """(current version, the entry when it was stored under that version) in one round
    trip to the cache."""
    found = cache.get_many([VERSION_KEY, key])
    version, entry = found.get(VERSION_KEY), found.get(key)
    if version is None or entry is None or entry.get("version") != version:
        return version, None
    return version, entry


class AnonymousPageCacheMiddleware:
    """Sits after CSRF and locale middleware (it needs both) and before authentication,
    the basket and everything else, which a hit therefore skips. It renders and stores the
    misses; PageCacheFastPath, first in MIDDLEWARE, answers most hits."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        match = self._cacheable_match(request)
        if match is None:
            return self.get_response(request)
        key = _entry_key(request, get_language())
        version, entry = _lookup(key)
        if entry is not None:
            return _replay(request, entry)
        if version is None:
            version = _version()
        response = self.get_response(request)
        self._store(key, version, match, response)
        response.headers.setdefault("X-Page-Cache", "miss")
        return response

    def _cacheable_match(self, request):
        if request.method != "GET" or page_cache_seconds() <= 0 or _visitor_has_state(request):
            return None
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return None
        if match.view_name not in CACHED_VIEWS:
            return None
        paths = CACHED_VIEWS[match.view_name]
        if paths is not None and request.path_info not in paths:
            return None
        return match

    def _store(self, key, version, match, response) -> None:
        if (response.status_code != 200 or response.streaming
                or not response.get("Content-Type", "").startswith("text/html")
                or "private" in response.get("Cache-Control", "")):
            return
        history_cookie = settings.OSCAR_RECENTLY_VIEWED_COOKIE_NAME
        if any(name != history_cookie for name in response.cookies):
            return
        content = response.content.decode(response.charset)
        content, replaced = _TOKEN_INPUT.subn(rf"\g<1>{token_placeholder()}\g<2>", content)
        if content.count("csrfmiddlewaretoken") != replaced:
            return  # a token used some other way would be this visitor's, not everyone's
        headers = {k: v for k, v in response.items() if k.lower() != "set-cookie"}
        viewed = int(match.kwargs["pk"]) if match.view_name == "catalogue:detail" else None
        cache.set(key, {"content": content, "headers": headers, "version": version,
                        "product_viewed": viewed}, page_cache_seconds())


# Each worker keeps the entries it last read for PAGE_CACHE_LOCAL_SECONDS (default 0.5 s), so
# the busiest pages (the home page) mostly skip even the cache read; a publish or a product
# change reaches every worker within that time.
_local: dict[str, tuple[float, dict]] = {}
_LOCAL_MAX = 200  # entries per worker (pages are ~20-60 KB)


def _local_lookup(key: str):
    seconds = getattr(settings, "PAGE_CACHE_LOCAL_SECONDS", 0.5)
    now = time.monotonic()
    if seconds > 0:
        hit = _local.get(key)
        if hit is not None and hit[0] > now:
            return hit[1]
    _version_now, entry = _lookup(key)
    if entry is not None and seconds > 0:
        if len(_local) >= _LOCAL_MAX:
            _local.clear()
        _local[key] = (now + seconds, entry)
    return entry


def local_entries_forget() -> None:
    _local.clear()


_CSRF_CHARS = CSRF_ALLOWED_CHARS
_CSRF_INDEX = {c: i for i, c in enumerate(_CSRF_CHARS)}


def _csrf_string(length: int = CSRF_SECRET_LENGTH) -> str:
    """Random characters for a CSRF secret or mask from one read of the OS's random source
    (Django draws each character separately: most of a cached page's cost was that)."""
    n = len(_CSRF_CHARS)  # 62: bytes from 248 up are dropped, so every character is as likely
    limit = 256 - 256 % n
    out: list[str] = []
    while len(out) < length:
        out.extend(_CSRF_CHARS[b % n] for b in os.urandom(length + 16) if b < limit)
    return "".join(out[:length])


def _csrf_token(request) -> str:
    """django.middleware.csrf.get_token, faster: the visitor's secret (or a new one, sent as
    their cookie) masked with a fresh random mask, as Django masks it (its check unmasks it;
    tests post forms of cached pages with enforced CSRF checks)."""
    secret = request.META.get("CSRF_COOKIE")
    if secret is None:
        secret = request.META["CSRF_COOKIE"] = _csrf_string()
    request.META["CSRF_COOKIE_NEEDS_UPDATE"] = True
    mask = _csrf_string()
    n, index = len(_CSRF_CHARS), _CSRF_INDEX
    cipher = "".join(_CSRF_CHARS[(index[x] + index[y]) % n] for x, y in zip(secret, mask,
                                                                              strict=True))
    return mask + cipher


def _replay(request, entry) -> HttpResponse:
    """The stored page with this visitor's CSRF token put back, and what the product view
    does besides rendering."""
    content = entry["content"]
    marker = token_placeholder()
    if marker in content:
        content = content.replace(marker, _csrf_token(request))
    response = HttpResponse(content)
    for name, value in entry["headers"].items():
        response[name] = value
    response["X-Page-Cache"] = "hit"
    if entry.get("product_viewed") is not None:
        _product_viewed(request, response, entry["product_viewed"])
    return response


class PageCacheFastPath:
    """First in MIDDLEWARE: a GET from a visitor without session, basket or messages whose
    page is in the cache is answered here, before the session, locale, CSRF, auth and basket
    middleware (the bare stack costs about a third of a process's throughput, see the bench's
    B1 row). It does what those would do for such a visitor: the language from the cookie,
    the CSRF cookie read or issued, the security headers. Everything else (a miss, another
    method, static files) goes through the stack, where AnonymousPageCacheMiddleware renders
    and stores the page."""

    def __init__(self, get_response):
        from django.middleware.csrf import CsrfViewMiddleware

        self.get_response = get_response
        self.skip = tuple(p for p in (settings.STATIC_URL, settings.MEDIA_URL) if p)
        self.csrf = CsrfViewMiddleware(get_response)

    def __call__(self, request):
        if (request.method == "GET" and page_cache_seconds() > 0
                and not _visitor_has_state(request)
                and not request.path_info.startswith(self.skip)):
            from django.core.exceptions import DisallowedHost

            from marketplace.middleware import visitor_language

            language = visitor_language(request)
            try:
                key = _entry_key(request, language)
            except DisallowedHost:
                return self.get_response(request)
            entry = _local_lookup(key)
            if entry is not None:
                return self._answer(request, entry, language)
        return self.get_response(request)

    def _answer(self, request, entry, language) -> HttpResponse:
        from django.utils.cache import patch_vary_headers

        from marketplace.middleware import secured

        self.csrf.process_request(request)  # the visitor's CSRF cookie, as the stack reads it
        response = _replay(request, entry)  # the page is rendered: no language to activate
        self.csrf.process_response(request, response)  # and a new visitor gets one
        # What LocaleMiddleware and CommonMiddleware add to every answer.
        patch_vary_headers(response, ("Accept-Language",))
        response.headers.setdefault("Content-Language", language)
        response.headers.setdefault("Content-Length", str(len(response.content)))
        return secured(response)


def _product_viewed(request, response, pk: int) -> None:
    """What the product view does besides rendering: remember the product in the
    visitor's history cookie and announce the view (Oscar's analytics count it). The
    signal's product is a bare instance carrying only its pk: receivers must not expect
    more (Oscar's counter needs only the key)."""
    from django.contrib.auth.models import AnonymousUser
    from oscar.apps.catalogue.signals import product_viewed
    from oscar.core.loading import get_class, get_model

    history = get_class("customer.history", "CustomerHistoryManager")
    history.update(SimpleNamespace(id=pk), request, response)
    product = get_model("catalogue", "Product")(pk=pk)
    product_viewed.send(sender=AnonymousPageCacheMiddleware, product=product, user=AnonymousUser(),
                        request=request, response=response)
