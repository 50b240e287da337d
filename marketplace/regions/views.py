"""JSON list of a region's children, for the cascading address picker."""

from django.http import JsonResponse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from marketplace.regions.models import Region
from marketplace.regions.selectors import region_children


@require_GET
@cache_control(public=True, max_age=86400)
def children(request):
    parent = request.GET.get("parent") or None
    if parent is not None:
        if not (parent.isdigit() and len(parent) == 12):
            return JsonResponse({"error": "parent must be a 12-digit region code"}, status=400)
        if not Region.objects.filter(pk=parent).exists():
            return JsonResponse({"error": "unknown region code"}, status=404)
    rows = region_children(parent_code=parent)
    return JsonResponse({"parent": parent, "children": [
        {"code": r.code, "name": r.name, "level": r.level} for r in rows
    ]})
