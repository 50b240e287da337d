"""Orders dashboard fork: a cooperative sees and fulfils only its own lines of an order.

One basket with several cooperatives' goods becomes one order. Oscar lets a partner user
open the whole order once any line is theirs and shows every line, the totals and the
payment; here non-staff users get only the lines whose partner they belong to, the subtotal
of those lines, and only line-level fulfilment actions on them. Order-level actions
(status, payment events, notes, the delivery address) stay with platform staff.
"""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.db.models import DecimalField, IntegerField, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from oscar.apps.dashboard.orders import views
from oscar.core.loading import get_model

Line = get_model("order", "Line")
ShippingEvent = get_model("order", "ShippingEvent")
ShippingEventQuantity = get_model("order", "ShippingEventQuantity")


def _own_lines_q(user, prefix: str = "") -> Q:
    return Q(**{f"{prefix}partner__users": user})


def _own_line_sums(user):
    """Subqueries: the user's lines' total (incl. tax) and item count, per order row."""
    own = Line.objects.filter(_own_lines_q(user), order=OuterRef("pk")).order_by()
    total = own.values("order").annotate(s=Sum("line_price_incl_tax")).values("s")
    items = own.values("order").annotate(n=Sum("quantity")).values("n")
    money = DecimalField(max_digits=12, decimal_places=2)
    return {
        "partner_total_incl_tax": Coalesce(
            Subquery(total, output_field=money), Decimal("0.00"), output_field=money
        ),
        "partner_num_items": Coalesce(
            Subquery(items, output_field=IntegerField()), 0, output_field=IntegerField()
        ),
    }


class OrderListView(views.OrderListView):
    """Orders stay scoped by Oscar; a cooperative sees its own subtotal, not the order's."""

    def get_queryset(self):
        queryset = super().get_queryset()
        if not self.request.user.is_staff:
            queryset = queryset.annotate(**_own_line_sums(self.request.user))
        return queryset

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["is_cooperative_view"] = not self.request.user.is_staff
        return ctx

    def get_row_values(self, order):
        row = super().get_row_values(order)
        if not self.request.user.is_staff:
            row["value"] = order.partner_total_incl_tax
            row["num_items"] = order.partner_num_items
        return row

    def change_order_statuses(self, request, orders):
        if not request.user.is_staff:
            messages.error(request, _("订单状态涉及其他合作社，只有平台管理员可以修改。"))
            return redirect("dashboard:order-list")
        return super().change_order_statuses(request, orders)


class OrderStatsView(views.OrderStatsView):
    def get_stats(self, filters):
        stats = super().get_stats(filters)
        user = self.request.user
        if not user.is_staff:
            orders = views.queryset_orders_for_user(user).filter(**filters)
            own_lines = Line.objects.filter(_own_lines_q(user), order__in=orders)
            stats["total_lines"] = own_lines.count()
            stats["total_revenue"] = own_lines.aggregate(s=Sum("line_price_incl_tax"))[
                "s"
            ] or Decimal("0.00")
        return stats


class OrderDetailView(views.OrderDetailView):
    # Actions that touch the whole order, and so other cooperatives' lines too.
    staff_only_actions = frozenset(
        {
            "save_note",
            "delete_note",
            "change_order_status",
            "create_order_payment_event",
            "create_payment_event",
        }
    )

    def get(self, request, *args, **kwargs):
        if self.kwargs.get("note_id") and not request.user.is_staff:
            raise Http404
        return super().get(request, *args, **kwargs)

    def get_order_lines(self):
        lines = self.object.lines.select_related("product", "partner", "stockrecord")
        if self.request.user.is_staff:
            return lines
        return lines.filter(_own_lines_q(self.request.user))

    def handle_order_action(self, request, order, action):
        if action in self.staff_only_actions and not request.user.is_staff:
            return self.reload_page(error=_("该操作影响整张订单，只有平台管理员可以执行。"))
        return super().handle_order_action(request, order, action)

    def handle_line_action(self, request, order, action):
        if action in self.staff_only_actions and not request.user.is_staff:
            return self.reload_page(error=_("收款记录由平台管理员登记，合作社不能创建。"))
        # Lines outside get_order_lines() make Oscar refuse the whole request.
        return super().handle_line_action(request, order, action)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        ctx["is_cooperative_view"] = not user.is_staff
        if not user.is_staff:
            lines = list(ctx["lines"])
            ctx["lines"] = lines
            ctx["cooperative_subtotal_excl_tax"] = sum(
                (line.line_price_excl_tax for line in lines), Decimal("0.00")
            )
            ctx["cooperative_subtotal_incl_tax"] = sum(
                (line.line_price_incl_tax for line in lines), Decimal("0.00")
            )
            ctx["cooperative_shipping_events"] = self.get_own_shipping_events(lines)
            ctx["payment_transactions"] = []
        return ctx

    def get_own_shipping_events(self, lines):
        """Shipping events on the user's lines, each with only those lines' quantities."""
        own_ids = [line.pk for line in lines]
        quantities = ShippingEventQuantity.objects.filter(line_id__in=own_ids).select_related(
            "line"
        )
        events = (
            ShippingEvent.objects.filter(order=self.object, line_quantities__line_id__in=own_ids)
            .select_related("event_type")
            .distinct()
            .order_by("date_created")
        )
        by_event: dict[int, list] = {}
        for qty in quantities:
            by_event.setdefault(qty.event_id, []).append(qty)
        return [(event, by_event.get(event.pk, [])) for event in events]


class LineDetailView(views.LineDetailView):
    def get_object(self, queryset=None):
        line = super().get_object(queryset)
        user = self.request.user
        if user.is_staff:
            return line
        if line.partner_id is None or not line.partner.users.filter(pk=user.pk).exists():
            raise Http404
        return line


class ShippingAddressUpdateView(views.ShippingAddressUpdateView):
    """The address belongs to the whole order: platform staff change it, nobody else."""

    def get_object(self, queryset=None):
        if not self.request.user.is_staff:
            raise Http404
        return super().get_object(queryset)
