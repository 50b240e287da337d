"""Read queries of traceability: what a code's trace page shows, and the batches a user manages."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Count, Min, QuerySet
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from oscar.core.loading import get_model

from marketplace.regions import codes as region_codes
from marketplace.regions.models import Region
from marketplace.traceability.codes import code_group
from marketplace.traceability.models import HarvestBatch, TraceCode

logger = logging.getLogger(__name__)

COPIED_PLACES = 5
COPIED_DAYS_AFTER_DELIVERY = 30


@dataclass
class TraceView:
    code: str
    code_display: str
    serial: int
    product: Any
    product_title: str
    cooperative: Any
    certifications: list[dict]
    batch: HarvestBatch
    plot_region_path: list[str]
    plot_place: str
    inputs: list
    inspections: list
    sale: dict | None
    delivery: list[dict]
    delivered_at: dt.datetime | None
    scans: dict = field(default_factory=dict)
    warning: str = ""
    bound_at: dt.datetime | None = None


def delivery_timeline(order_line) -> dict:
    """The line's delivery events through settings.TRACE_DELIVERY_TIMELINE (may be unset)."""
    empty: dict = {"events": [], "delivered_at": None}
    path = getattr(settings, "TRACE_DELIVERY_TIMELINE", "")
    if order_line is None or not path:
        return empty
    try:
        hook = import_string(path)
    except ImportError:
        logger.warning("TRACE_DELIVERY_TIMELINE %r cannot be imported", path)
        return empty
    result = hook(order_line) or {}
    return {"events": list(result.get("events") or []),
            "delivered_at": result.get("delivered_at")}


def _region_path(region: Region | None) -> list[str]:
    """Names from the town (乡镇街道) down to the region itself."""
    if region is None:
        return []
    wanted = [c for c in region.ancestor_codes()
              if region_codes.level_of(c) >= region_codes.TOWN]
    names = dict(Region.objects.filter(code__in=wanted).values_list("code", "name"))
    return [names[c] for c in wanted if c in names]


def trace_for_code(code: str) -> TraceView | None:
    """Everything a code's public page shows, or None for an unknown code."""
    trace_code = (
        TraceCode.objects.select_related(
            "batch__product", "batch__cooperative", "batch__plot_region",
            "order_line__order", "order_line__live_session",
        )
        .filter(code=code)
        .first()
    )
    if trace_code is None:
        return None
    batch = trace_code.batch
    cooperative = batch.cooperative
    today = timezone.localdate()
    certifications = [
        {"kind": c.kind, "kind_label": c.get_kind_display(), "number": c.number,
         "issuer": c.issuer, "valid_until": c.valid_until, "expired": c.valid_until < today}
        for c in cooperative.certifications.all()
    ]
    inputs = list(batch.inputs.all())
    for record in inputs:
        record.batch = batch  # interval_problem reads the harvest date without a query
    inspections = list(batch.inspections.all())
    path = _region_path(batch.plot_region)

    line = trace_code.order_line
    sale = None
    timeline = {"events": [], "delivered_at": None}
    if line is not None:
        session = line.live_session
        sale = {
            "date": timezone.localtime(line.order.date_placed).date(),
            "placed_at": line.order.date_placed,
            "live": session is not None,
            "channel": _("直播") if session else _("店铺"),
            "live_title": session.title if session else "",
            "live_slug": session.slug if session else "",
        }
        timeline = delivery_timeline(line)

    stats = trace_code.scans.aggregate(
        count=Count("pk"), first_scanned_at=Min("scanned_at"), places=Count("place", distinct=True)
    )
    warning = ""
    delivered_at = timeline["delivered_at"]
    if stats["places"] >= COPIED_PLACES:
        warning = _("此码已在 %(n)d 个不同网络被查询，可能被复制，请核对包装与购买渠道。") % {
            "n": stats["places"]
        }
    elif (delivered_at and stats["first_scanned_at"]
          and stats["first_scanned_at"] - delivered_at
          > dt.timedelta(days=COPIED_DAYS_AFTER_DELIVERY)):
        warning = _("此码在签收 %(days)d 天后才首次被查询，可能被复制，请核对包装与购买渠道。") % {
            "days": (stats["first_scanned_at"] - delivered_at).days
        }

    return TraceView(
        code=trace_code.code,
        code_display=code_group(trace_code.code),
        serial=trace_code.serial,
        product=batch.product,
        product_title=batch.product.get_title(),
        cooperative=cooperative,
        certifications=certifications,
        batch=batch,
        plot_region_path=path,
        plot_place=" · ".join(path),
        inputs=inputs,
        inspections=inspections,
        sale=sale,
        delivery=timeline["events"],
        delivered_at=delivered_at,
        scans=stats,
        warning=warning,
        bound_at=trace_code.bound_at,
    )


def batches_for_user(user) -> QuerySet[HarvestBatch]:
    """Batches a user may see and change: all for platform staff, their cooperatives' for
    cooperative staff, none for anyone else."""
    queryset = HarvestBatch.objects.select_related("cooperative", "product", "plot_region")
    if user is None or not user.is_authenticated:
        return queryset.none()
    if user.is_staff:
        return queryset
    return queryset.filter(cooperative__partner__users=user)


def lines_for_user(user) -> QuerySet:
    """Order lines a user packs: all for platform staff, their cooperatives' for cooperative
    staff, none for anyone else."""
    lines = get_model("order", "Line").objects.select_related("order", "product", "partner")
    if user is None or not user.is_authenticated:
        return lines.none()
    if user.is_staff:
        return lines
    return lines.filter(partner__users=user)
