"""Project middleware.

Language choice: Chinese first; English only when the visitor picks it (cookie). Django's
LocaleMiddleware follows the browser's Accept-Language, which would show English to any phone
set to English even though the county's site is Chinese-first.

Shared responses: views whose answer is the same for everyone drop ``Vary`` so a CDN can
share them.
"""

import functools

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


def visitor_language(request) -> str:
    """The visitor's language: the one they picked (cookie), else Chinese."""
    code = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    supported = {c for c, _ in settings.LANGUAGES}
    return code if code in supported else settings.LANGUAGE_CODE


class ChineseFirstLocaleMiddleware(LocaleMiddleware):
    def process_request(self, request):
        translation.activate(visitor_language(request))
        request.LANGUAGE_CODE = translation.get_language()


def shared_by_all(view):
    """Mark a view's responses as the same for every visitor: no cookie, language or session
    changes them, so a CDN may serve one copy to everyone (see SharedResponseMiddleware)."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response.shared_by_all = True
        return response

    return wrapped


class SharedResponseMiddleware:
    """Outermost: drops the ``Vary`` header that inner middleware (locale, session, CSRF) add
    to every response from responses marked ``shared_by_all``; with ``Vary: Cookie`` a CDN
    would keep one copy per visitor and the cached state endpoint would reach the servers on
    every poll. Such responses must not set cookies either; one that does keeps its Vary."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if getattr(response, "shared_by_all", False) and not response.cookies:
            del response["Vary"]
        return response


def secured(response):
    """The headers SecurityMiddleware and XFrameOptionsMiddleware give every response, for
    the fast paths that answer before the stack (live state, search suggestions)."""
    if settings.SECURE_CONTENT_TYPE_NOSNIFF:
        response["X-Content-Type-Options"] = "nosniff"
    if settings.SECURE_REFERRER_POLICY:
        response["Referrer-Policy"] = settings.SECURE_REFERRER_POLICY
    if settings.SECURE_CROSS_ORIGIN_OPENER_POLICY:
        response["Cross-Origin-Opener-Policy"] = settings.SECURE_CROSS_ORIGIN_OPENER_POLICY
    response["X-Frame-Options"] = getattr(settings, "X_FRAME_OPTIONS", "DENY")
    return response
