"""Public parcel tracking (/track/): anyone with a parcel code sees its route, where it is and
its timeline, without personal data (see logistics.tracking)."""

from __future__ import annotations

import re

from django.shortcuts import redirect, render
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_safe

from logistics import services, tracking

# The page may be kept this long by browsers and shared caches: a scan shows up within it.
TRACK_CACHE_SECONDS = 60
# What a stored code can look like (services.CODE_ALPHABET is a subset): anything else is not
# looked up at all (PostgreSQL refuses some characters, such as NUL, in a query).
_CODE_SHAPE = re.compile(r"[0-9A-Z]{1,32}")


@require_safe
def index(request):
    """A box to type a parcel code into (also reached by a label's QR code without a code)."""
    typed = request.GET.get("code", "")
    code = services.parcel_code_normalise(typed)
    if code:
        return redirect("track:parcel", code=code)
    return render(request, "logistics/track/index.html", {"typed": typed})


@require_safe
def parcel(request, code: str):
    normal = services.parcel_code_normalise(code)
    if normal and normal != code:
        return redirect("track:parcel", code=normal)
    view = tracking.parcel_public(normal) if _CODE_SHAPE.fullmatch(normal) else None
    if view is None:
        return render(request, "logistics/track/not_found.html", {"code": code[:32]},
                      status=404)
    response = render(request, "logistics/track/parcel.html", {"parcel": view})
    # The same for every visitor (no personal data), so shared caches may keep it briefly.
    patch_cache_control(response, public=True, max_age=TRACK_CACHE_SECONDS)
    return response
