"""Login lock-out (django-axes): whose attempts count together, and the Chinese lock-out page."""

from __future__ import annotations

from axes.helpers import get_cool_off, get_failure_limit
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.timesince import timeuntil


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None,
    credentials: dict | None = None,
) -> HttpResponse:
    # Each refused attempt restarts the cool-off (axes' default), so it ends one cool-off
    # from now; people need the clock time, not an ISO 8601 duration.
    cool_off = get_cool_off(request)
    now = timezone.now()
    context = {"failure_limit": get_failure_limit(request, credentials)}
    if cool_off:
        context.update(retry_at=now + cool_off, wait=timeuntil(now + cool_off, now))
    return render(request, "axes/lockout.html", context, status=settings.AXES_HTTP_RESPONSE_CODE)


def login_username(request: HttpRequest, credentials: dict | None = None) -> str | None:
    """The account a login attempt is for, as axes should count it.

    axes looks only for the user model's USERNAME_FIELD ("email"), but every login form here
    (Oscar's, Django admin's, Wagtail's) authenticates with ``username=``, so the failures
    it recorded had no account and only the IP address was ever locked. Its backend hands
    over ``email``, Django's failure signal ``username``; Oscar's form posts
    ``login-username``. Lower-cased, because the e-mail backend matches addresses
    case-insensitively and a guesser must not get five more tries per spelling.
    """
    for data in (credentials or {}, getattr(request, "POST", {})):
        for key in ("username", "email", "login-username"):
            if data.get(key):
                return str(data[key]).strip().lower()
    return None
