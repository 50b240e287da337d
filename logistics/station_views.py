"""Station console (站点操作台): a node's expected, on-hand and dispatched parcels, and the
scan form. Phone first and light: no dashboard JavaScript; the form works without JS and
station.js adds the camera, the offline queue and sending through the API."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from logistics import selectors, services
from logistics.forms import ScanForm
from logistics.models import Node, ScanEvent


def station_login_required(view):
    """Anonymous people go to the login page; anyone who operates no node gets a 404, so
    the console gives nothing away."""
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not user.is_active or not selectors.nodes_operated_by(user).exists():
            raise Http404
        return never_cache(view)(request, *args, **kwargs)
    return wrapper


def _node_for(request, node_id: int) -> Node:
    """The node if the user operates it; another node is a 404, like one that does not exist."""
    return get_object_or_404(selectors.nodes_operated_by(request.user).select_related("region"),
                             pk=node_id)


@station_login_required
def index(request):
    nodes = list(selectors.nodes_operated_by(request.user).select_related("region"))
    if len(nodes) == 1:
        return redirect("logistics-station:console", node_id=nodes[0].pk)
    return render(request, "logistics/station/index.html", {"nodes": nodes})


@station_login_required
def console(request, node_id: int):
    node = _node_for(request, node_id)
    result, status = None, 200
    if request.method == "POST":
        form = ScanForm(request.POST, request.FILES)
        if form.is_valid():
            result = services.scan_record(node=node, operator=request.user,
                                          **form.scan_kwargs())
            if result.ok:
                form = ScanForm(initial={"event": form.cleaned_data["event"]})
            else:
                form.add_error(None, result.reason)
                status = 400
        else:
            status = 400
    else:
        form = ScanForm(initial={"event": request.GET.get("event") or ScanEvent.RECEIVED})
    context = {
        "node": node, "form": form, "result": result,
        "many_nodes": selectors.nodes_operated_by(request.user).count() > 1,
        "lists": selectors.station_parcels(node), "left_days": selectors.STATION_LEFT_DAYS,
        "result_text": _result_text(result, form), "js_text": _js_text(),
    }
    return render(request, "logistics/station/console.html", context, status=status)


def _js_text() -> dict:
    """station.js's messages, translated here like every other string."""
    return {
        "accepted": _("已记录："), "duplicate": _("这次扫描已记录过（重复提交）："),
        "rejected": _("未记录："), "queued": _("已离线保存，联网后自动上传："),
        "sent": _("已上传离线扫描："), "not_sent": _("条未记录："),
        "batch_refused": _("待上传的扫描未被接受："),
        "no_camera": _("无法打开摄像头，请手动输入运单号。"),
    }


def _result_text(result, form) -> str:
    if result is None:
        return ""
    if result.outcome == services.ACCEPTED:
        return _("已记录：%(code)s") % {"code": result.event.shipment.code}
    if result.outcome == services.DUPLICATE:
        return _("这次扫描已记录过（重复提交）：%(code)s") % {"code": result.event.shipment.code}
    return _("未记录：%(reason)s") % {"reason": result.reason}


@station_login_required
def parcel(request, node_id: int, code: str):
    """One parcel routed through this node: its route and what was scanned, in order."""
    node = _node_for(request, node_id)
    found = selectors.shipments_with_route(
        selectors.shipments_through(node).filter(code=services.parcel_code_normalise(code))
        .select_related("origin_region__parent", "destination_region__parent")).first()
    if found is None:
        raise Http404
    return render(request, "logistics/station/parcel.html",
                  {"node": node, "parcel": selectors.with_state(found)})
