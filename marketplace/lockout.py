"""The page shown when django-axes locks out a login: in Chinese, with when to try again."""

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
