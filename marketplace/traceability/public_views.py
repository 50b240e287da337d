"""The public trace page of a code (/t/<code>/, where a label's QR leads) and a box to type a
code into (/t/). Anyone holding the product may look; the page shows production, checks,
the sale and town/village-level delivery, never who bought it or where they live."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from marketplace.traceability import labels
from marketplace.traceability.codes import code_check
from marketplace.traceability.models import TraceCode
from marketplace.traceability.selectors import trace_for_code
from marketplace.traceability.services import scan_record

# Longer text is not a code and is not echoed back.
_TYPED_MAX = 64


def _index(request, typed: str, error: str, status: int):
    return render(request, "traceability/trace_index.html",
                  {"typed": typed[:_TYPED_MAX], "error": error}, status=status)


@require_safe
def index(request):
    """A box to type the code printed under a label's QR (for a phone that cannot scan)."""
    typed = request.GET.get("code", "")
    if not typed.strip():
        return _index(request, "", "", 200)
    code, error = code_check(typed[:_TYPED_MAX])
    if error:
        return _index(request, typed, error, 400)
    return redirect("trace:code", code=code)


# Every view is a scan to count (copied-code warnings rely on it): no page cache, no shared
# cache, no browser cache.
@never_cache
@require_safe
def code(request, code: str):
    found, error = code_check(code[:_TYPED_MAX])
    if error:
        return _index(request, code, error, 400)
    if found != code:  # typed in lower case, with dashes or with I/L/O: the canonical address
        return redirect("trace:code", code=found)
    trace_code = TraceCode.objects.only("pk").filter(code=found).first()
    if trace_code is None:
        return render(request, "traceability/trace_missing.html", {"code": found}, status=404)
    if request.method == "GET":  # a HEAD (link checkers, previews) reads nothing
        scan_record(trace_code, request)
    trace = trace_for_code(found)
    return render(request, "traceability/trace.html", {"trace": trace})


@require_safe
def qr(request, code: str, kind: str):
    """The QR of a code's page as PNG or SVG, for packaging artwork. Not a scan."""
    found, _error = code_check(code[:_TYPED_MAX])
    if found is None or not TraceCode.objects.filter(code=found).exists():
        raise Http404
    url = labels.trace_url(settings.SITE_URL or request.build_absolute_uri("/"), found)
    if kind == "svg":
        return HttpResponse(labels.qr_svg(url), content_type="image/svg+xml")
    return HttpResponse(labels.qr_png(url), content_type="image/png")
