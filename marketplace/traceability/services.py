"""Write use cases of traceability: batches, inputs, inspections, issuing and binding codes."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import ipaddress
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from oscar.core.loading import get_model

from marketplace.traceability.codes import code_check, code_generate
from marketplace.traceability.models import (
    CodeScan,
    HarvestBatch,
    InputRecord,
    Inspection,
    LineBatch,
    TraceCode,
)

Line = get_model("order", "Line")
StockRecord = get_model("partner", "StockRecord")

MAX_CODES_PER_ISSUE = 10_000


class TraceError(Exception):
    """A refused traceability action; ``message`` is Chinese, for the person who tried."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def user_manages_cooperative(user, cooperative) -> bool:
    """Platform staff manage every cooperative; cooperative staff their partner's."""
    if user is None or not user.is_authenticated:
        return False
    if user.is_staff:
        return True
    return cooperative.partner.users.filter(pk=user.pk).exists()


def _require_manager(user, cooperative) -> None:
    if not user_manages_cooperative(user, cooperative):
        raise TraceError(_("只有本合作社的工作人员可以操作。"))


@transaction.atomic
def batch_create(
    *, user, cooperative, product, batch_number: str, harvested_on: dt.date,
    quantity: Decimal, unit: str, plot_region=None, plot_description: str = "",
    planted_on: dt.date | None = None,
) -> HarvestBatch:
    _require_manager(user, cooperative)
    if not StockRecord.objects.filter(product=product, partner=cooperative.partner).exists():
        raise TraceError(_("该商品不是本合作社在售的商品。"))
    if planted_on and planted_on > harvested_on:
        raise TraceError(_("种植日期不能晚于采收日期。"))
    if HarvestBatch.objects.filter(cooperative=cooperative, batch_number=batch_number).exists():
        raise TraceError(_("批次号“%(number)s”已存在。") % {"number": batch_number})
    try:
        with transaction.atomic():
            return HarvestBatch.objects.create(
                cooperative=cooperative, product=product, batch_number=batch_number,
                harvested_on=harvested_on, quantity=quantity, unit=unit,
                plot_region=plot_region, plot_description=plot_description,
                planted_on=planted_on, created_by=user,
            )
    except IntegrityError as exc:  # the same number created at the same moment
        raise TraceError(_("批次号“%(number)s”已存在。") % {"number": batch_number}) from exc


@transaction.atomic
def input_add(
    *, user, batch: HarvestBatch, kind: str, name: str, amount: str, applied_on: dt.date,
    registration_number: str = "", safe_interval_days: int | None = None,
) -> InputRecord:
    """Record an input (投入品). One applied too close to harvest is still saved: it is a fact,
    and ``interval_problem`` shows the warning to staff and buyers."""
    _require_manager(user, batch.cooperative)
    record = InputRecord.objects.create(
        batch=batch, kind=kind, name=name, amount=amount, applied_on=applied_on,
        registration_number=registration_number, safe_interval_days=safe_interval_days,
    )
    record.batch = batch
    return record


@transaction.atomic
def inspection_add(
    *, user, batch: HarvestBatch, kind: str, issuer: str, inspected_on: dt.date, result: str,
    number: str = "", document=None,
) -> Inspection:
    _require_manager(user, batch.cooperative)
    inspection = Inspection(
        batch=batch, kind=kind, number=number, issuer=issuer, inspected_on=inspected_on,
        result=result,
    )
    if document:
        inspection.document = document
    inspection.save()
    return inspection


@transaction.atomic
def codes_issue(*, batch: HarvestBatch, count: int, user) -> list[TraceCode]:
    """Issue ``count`` new codes for a batch, serials continuing after the last one."""
    _require_manager(user, batch.cooperative)
    if not 1 <= count <= MAX_CODES_PER_ISSUE:
        raise ValueError(
            _("一次可生成 1 至 %(max)s 个码，请分批生成。") % {"max": f"{MAX_CODES_PER_ISSUE:,}"}
        )
    # Lock the batch so two issues at once do not pick the same serials.
    HarvestBatch.objects.select_for_update().filter(pk=batch.pk).first()
    last = TraceCode.objects.filter(batch=batch).aggregate(m=Max("serial"))["m"] or 0
    new_codes: set[str] = set()
    while len(new_codes) < count:
        wanted = count - len(new_codes)
        fresh = {code_generate() for _i in range(wanted)} - new_codes
        taken = set(TraceCode.objects.filter(code__in=fresh).values_list("code", flat=True))
        new_codes |= fresh - taken
    rows = [
        TraceCode(code=code, batch=batch, serial=last + n)
        for n, code in enumerate(sorted(new_codes)[:count], start=1)
    ]
    TraceCode.objects.bulk_create(rows, batch_size=1000)
    return list(TraceCode.objects.filter(batch=batch, serial__gt=last).order_by("serial"))


def _check_line(order_line, batch: HarvestBatch, user) -> None:
    _require_manager(user, batch.cooperative)
    if order_line.product_id != batch.product_id:
        raise TraceError(
            _("批次“%(batch)s”的商品与订单行商品“%(title)s”不一致。")
            % {"batch": batch.batch_number, "title": order_line.title}
        )
    if order_line.partner_id != batch.cooperative.partner_id:
        raise TraceError(_("该订单行不是本合作社的商品。"))


def _link_batch(order_line, batch: HarvestBatch, user, now) -> LineBatch:
    link, _created = LineBatch.objects.get_or_create(
        order_line=order_line, batch=batch, defaults={"bound_by": user}
    )
    return link


@transaction.atomic
def codes_bind(*, order_line, codes: list[str], user) -> list[TraceCode]:
    """Bind typed or scanned codes to an order line (打包绑码).

    Each code is bound once: the UPDATE only takes codes that are still free, so of two
    packers scanning the same sticker only the first one wins. Codes already on this line
    are accepted again (a packer scanning twice) and not counted twice.
    """
    if not codes:
        raise TraceError(_("请扫描或输入至少一个码。"))
    normalised: list[str] = []
    for text in codes:
        code, error = code_check(text)
        if error:
            raise TraceError(f"{str(text)[:20]}：{error}")
        if code not in normalised:
            normalised.append(code)
    # Lock the line: binds to one line are serialised, so the quantity limit holds.
    order_line = Line.objects.select_for_update().get(pk=order_line.pk)
    found = {
        c.code: c
        for c in TraceCode.objects.select_related("batch__cooperative").filter(code__in=normalised)
    }
    missing = [c for c in normalised if c not in found]
    if missing:
        raise TraceError(_("码 %(code)s 不存在。") % {"code": missing[0]})
    for code in normalised:
        _check_line(order_line, found[code].batch, user)
    fresh = [code for code in normalised if found[code].order_line_id != order_line.pk]
    for code in fresh:
        if found[code].order_line_id is not None:
            raise TraceError(_("码 %(code)s 已绑定到其他订单，不能重复绑定。") % {"code": code})
    already = TraceCode.objects.filter(order_line=order_line).count()
    if already + len(fresh) > order_line.quantity:
        raise TraceError(
            _("该订单行只有 %(quantity)d 件，已绑定 %(already)d 个码，不能再绑定 %(count)d 个。")
            % {"quantity": order_line.quantity, "already": already, "count": len(fresh)}
        )
    now = timezone.now()
    if fresh:
        updated = TraceCode.objects.filter(code__in=fresh, order_line__isnull=True).update(
            order_line=order_line, bound_at=now, bound_by=user
        )
        if updated != len(fresh):  # another packer took one of them meanwhile
            raise TraceError(_("有码刚刚已被绑定到其他订单，请重新扫描。"))
    for batch in {found[code].batch.pk: found[code].batch for code in normalised}.values():
        _link_batch(order_line, batch, user, now)
    return list(TraceCode.objects.filter(code__in=normalised).order_by("batch", "serial"))


@transaction.atomic
def batch_bind(*, order_line, batch: HarvestBatch, user) -> LineBatch:
    """Record that a line was packed from a batch, without per-item codes (按批次绑定)."""
    _check_line(order_line, batch, user)
    return _link_batch(order_line, batch, user, timezone.now())


def _network(address: str) -> str:
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return "unknown"
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    prefix = 24 if ip.version == 4 else 48
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))


def place_hash(address: str) -> str:
    """A keyed hash of the client's /24 (IPv4) or /48 (IPv6) network; never the address."""
    key = f"traceability.place:{settings.SECRET_KEY}".encode()
    return hmac.new(key, _network(address).encode(), hashlib.sha256).hexdigest()


def scan_record(code: TraceCode, request) -> CodeScan:
    """Count one public view of a code's page."""
    return CodeScan.objects.create(code=code, place=place_hash(request.META.get("REMOTE_ADDR", "")))
