"""Dashboard refund page (退款): staff refund order lines, per line, through the provider."""

from __future__ import annotations

import logging

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from oscar.core.loading import get_model

from marketplace.payments import services
from marketplace.payments.forms import RefundForm, refundable_lines
from marketplace.payments.models import Refund, RefundLine
from marketplace.payments.money import from_fen
from marketplace.payments.providers import ProviderError

logger = logging.getLogger(__name__)

Order = get_model("order", "Order")


def _refund_history(order, *, own_line_ids: set[int] | None) -> list[dict]:
    """The order's refunds, newest first; for a cooperative (``own_line_ids`` given) only
    those touching its lines, each with only its lines and their amount."""
    refunds = (
        Refund.objects.filter(order=order).select_related("created_by")
        .order_by("-created_at", "-pk")
        .prefetch_related(Prefetch("lines", queryset=RefundLine.objects.select_related("line")
                                   .order_by("pk")))
    )
    if own_line_ids is not None:
        refunds = refunds.filter(lines__line_id__in=own_line_ids).distinct()
    history = []
    for refund in refunds:
        lines = list(refund.lines.all())
        if own_line_ids is None:
            amount_fen = refund.amount_fen
        else:
            lines = [rl for rl in lines if rl.line_id in own_line_ids]
            amount_fen = sum(rl.amount_fen for rl in lines)
        history.append({
            "refund": refund,
            "amount": from_fen(amount_fen),
            "lines": [{"title": rl.line.title, "quantity": rl.quantity,
                       "amount": from_fen(rl.amount_fen)} for rl in lines],
        })
    return history


@never_cache
def refund(request, order_number: str):
    user = request.user
    if not user.is_authenticated:
        return redirect_to_login(request.get_full_path(), reverse("dashboard:login"))
    # A signed-in buyer learns nothing, not even that the order exists.
    if not (user.is_active and (user.is_staff or user.has_perm("partner.dashboard_access"))):
        raise Http404
    order = get_object_or_404(Order, number=order_number)
    lines = order.lines.select_related("partner").order_by("pk")
    if not user.is_staff:
        lines = lines.filter(partner__users=user)
    lines = list(lines)
    if not lines:
        # Another cooperative's order looks exactly like a missing one.
        raise Http404
    own_line_ids = None if user.is_staff else {line.pk for line in lines}

    rows = refundable_lines(lines, services.line_refunded([line.pk for line in lines]))
    form = RefundForm(request.POST if request.method == "POST" else None, rows=rows)
    status = 200
    if request.method == "POST" and not form.is_valid():
        status = 400
    elif request.method == "POST":
        try:
            done = services.refund_create(order_id=order.pk, lines=form.cleaned_data["lines"],
                                          user=user, reason=form.cleaned_data["reason"])
        except services.RefundNotAllowed as exc:
            form.add_error(None, str(exc))
            status = 400
        except ProviderError:
            logger.exception("refund of order %s: payment provider unavailable", order.number)
            form.add_error(None, _("支付服务暂时不可用，退款没有完成，也没有记录。请稍后再试。"))
            status = 503
        else:
            messages.success(request, _("已退款 ¥%(amount)s。") % {
                "amount": from_fen(done.amount_fen)})
            return redirect("payments-dashboard:refund", order_number=order.number)
    return render(request, "payments/dashboard/refund.html", {
        "order": order,
        "rows": rows,
        "form": form,
        "history": _refund_history(order, own_line_ids=own_line_ids),
        "is_cooperative_view": not user.is_staff,
        "refundable_status": order.status in services.REFUNDABLE_STATUSES,
    }, status=status)
