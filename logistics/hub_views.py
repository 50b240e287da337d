"""Hub dashboard (分拨中心): joint delivery runs and manifests, SLA watch, cold-chain alerts,
and shipping labels for the hub and the cooperatives."""

from __future__ import annotations

from datetime import timedelta
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from oscar.core.loading import get_model

from logistics import dispatch, labels, selectors, services, sla, status
from logistics.models import DispatchRun, Node, Shipment, TemperatureAlert

Partner = get_model("partner", "Partner")

BREACHES_SHOWN = 100
ALERTS_SHOWN = 20
RUNS_SHOWN = 30
SHEET_LIMIT = 200  # labels in one sheet PDF


def _signed_in(view):
    """Anonymous people go to the login page; inactive accounts get a 404."""
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not user.is_active:
            raise Http404
        return never_cache(view)(request, *args, **kwargs)
    return wrapper


def hub_staff_required(view):
    """Hub staff only (operators of a hub, platform staff); anyone else signed in gets a 404."""
    @_signed_in
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not (request.user.is_staff or dispatch.hubs_for(request.user).exists()):
            raise Http404
        return view(request, *args, **kwargs)
    return wrapper


def _hub_for(request, hub_id: int) -> Node:
    # Another hub looks exactly like a missing one.
    return get_object_or_404(dispatch.hubs_for(request.user), pk=hub_id)


def _run_for(request, hub_id: int, run_id: int) -> DispatchRun:
    hub = _hub_for(request, hub_id)
    return get_object_or_404(DispatchRun.objects.select_related("hub", "station"),
                             pk=run_id, hub=hub)


def _pdf(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def _track_base(request) -> str:
    return settings.SITE_URL or request.build_absolute_uri("/")


@hub_staff_required
@require_GET
def hub_index(request):
    hubs = list(dispatch.hubs_for(request.user).order_by("region_id"))
    if len(hubs) == 1:
        return redirect("logistics-hub:detail", hub_id=hubs[0].pk)
    return render(request, "logistics/hub/index.html", {"hubs": hubs})


@hub_staff_required
@require_GET
def hub_detail(request, hub_id: int):
    hub = _hub_for(request, hub_id)
    towns, elsewhere = dispatch.towns_waiting(hub)
    today = timezone.localdate()
    runs = list(DispatchRun.objects.filter(hub=hub, date__gte=today - timedelta(days=7))
                .select_related("station").annotate(parcel_count=Count("parcels"))
                .order_by("-date", "station__region_id", "-number")[:RUNS_SHOWN])
    county = hub.region_id[:6]
    return render(request, "logistics/hub/detail.html", {
        "hub": hub, "towns": towns, "elsewhere": elsewhere, "today": today, "runs": runs,
        "waiting_total": sum(t.waiting for t in towns),
        "breaches": list(sla.open_breaches_under(hub)[:BREACHES_SHOWN]),
        "sla_hours": settings.LOGISTICS_SLA_HOURS,
        "alerts": list(TemperatureAlert.objects
                       .filter(node__region__code__startswith=county)
                       .select_related("shipment", "node")[:ALERTS_SHOWN]),
        "can_dispatch": services.node_operated_by(request.user, hub),
    })


@hub_staff_required
@require_POST
def runs_plan(request, hub_id: int):
    hub = _hub_for(request, hub_id)
    runs = dispatch.runs_plan(hub=hub, user=request.user)
    if runs:
        messages.success(request, _("已安排 %(n)d 个乡镇的共同配送车次。") % {"n": len(runs)})
    else:
        messages.info(request, _("没有新的待配送包裹：今天的车次已包含分拨中心的全部包裹。"))
    return redirect("logistics-hub:detail", hub_id=hub.pk)


@hub_staff_required
@require_GET
def run_detail(request, hub_id: int, run_id: int):
    run = _run_for(request, hub_id, run_id)
    groups = dispatch.run_groups(run)
    return render(request, "logistics/hub/run.html", {
        "hub": run.hub, "run": run, "groups": groups,
        "total": sum(len(parcels) for _name, parcels in groups),
        "can_dispatch": services.node_operated_by(request.user, run.hub),
    })


@hub_staff_required
@require_GET
def run_manifest(request, hub_id: int, run_id: int):
    run = _run_for(request, hub_id, run_id)
    content = labels.manifest_pdf(run, dispatch.run_groups(run))
    return _pdf(content, f"manifest-{run.date:%Y%m%d}-{run.station.region_id}-{run.number}.pdf")


@hub_staff_required
@require_POST
def run_dispatch(request, hub_id: int, run_id: int):
    run = _run_for(request, hub_id, run_id)
    try:
        summary = dispatch.run_dispatch(run=run, operator=request.user)
    except dispatch.DispatchRefused as exc:
        messages.error(request, exc.reason)
        return redirect("logistics-hub:run", hub_id=run.hub_id, run_id=run.pk)
    if summary.already_done:
        messages.info(request, _("这趟车已经发出：%(n)d 件包裹都已扫描发出，没有重复记录。")
                      % {"n": summary.duplicate})
    else:
        messages.success(request, _("已发车：%(ok)d 件扫描发出，%(dup)d 件此前已扫描。")
                         % {"ok": summary.accepted, "dup": summary.duplicate})
    if summary.rejected:
        messages.warning(request, _("%(n)d 件未能发出：%(list)s") % {
            "n": len(summary.rejected),
            "list": "；".join(f"{code}：{reason}" for code, reason in summary.rejected[:10])})
    return redirect("logistics-hub:run", hub_id=run.hub_id, run_id=run.pk)


# --- labels ------------------------------------------------------------------------------------

def _may_print_for(user, partner_id: int, origin_region: str) -> bool:
    """Hub staff of the parcel's county, platform staff, and the cooperative's own staff."""
    if user.is_staff:
        return True
    if Partner.objects.filter(pk=partner_id, users=user).exists():
        return True
    hub = dispatch.county_hub(origin_region)
    return hub is not None and hub.operators.filter(pk=user.pk).exists()


@_signed_in
@require_GET
def label(request, code: str):
    shipment = selectors.shipment_by_code(services.parcel_code_normalise(code))
    if shipment is None or not _may_print_for(request.user, shipment.partner_id,
                                              shipment.origin_region_id):
        raise Http404
    return _pdf(labels.label_pdf([shipment], base=_track_base(request)),
                f"label-{shipment.code}.pdf")


def _awaiting_pickup(partner_id: int) -> list[Shipment]:
    """A cooperative's parcels not yet taken in at their first node: what still needs a
    label on it."""
    shipments = selectors.shipments_with_route(
        Shipment.objects.filter(partner_id=partner_id, route_error="")
        .exclude(events__kind__in=status.MOVEMENTS)
        .select_related("partner", "order__shipping_address").order_by("created_at", "pk"))
    return [selectors.with_state(s) for s in shipments[:SHEET_LIMIT]]


@_signed_in
@require_GET
def labels_index(request):
    """The cooperatives a user works for, each with its parcels awaiting pickup."""
    partners = list(Partner.objects.filter(users=request.user).order_by("name"))
    if not partners:
        raise Http404
    for partner in partners:
        partner.awaiting = _awaiting_pickup(partner.pk)
    return render(request, "logistics/hub/labels.html", {"partners": partners,
                                                         "limit": SHEET_LIMIT})


@_signed_in
@require_GET
def label_sheet(request, partner_id: int):
    """Every label a cooperative still has to stick on, one per page."""
    partner = Partner.objects.filter(pk=partner_id).select_related("cooperative").first()
    coop = getattr(partner, "cooperative", None) if partner else None
    origin = coop.village_id if coop is not None else ""
    allowed = partner is not None and (
        request.user.is_staff or partner.users.filter(pk=request.user.pk).exists()
        or (origin and _may_print_for(request.user, partner.pk, origin)))
    if not allowed:
        raise Http404
    shipments = _awaiting_pickup(partner.pk)
    if not shipments:
        messages.info(request, _("没有待揽收的包裹。"))
        return redirect("logistics-hub:labels")
    return _pdf(labels.label_pdf(shipments, base=_track_base(request)),
                f"labels-{partner.pk}.pdf")
