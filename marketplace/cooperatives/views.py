"""Cooperative dashboard pages: the phone-friendly stock quick edit (库存快速修改)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from oscar.views.decorators import permissions_required

from marketplace.cooperatives.forms import StockRecordQuickForm
from marketplace.cooperatives.selectors import stockrecords_for_user
from marketplace.cooperatives.services import stockrecord_update

# The same gate as Oscar's partner-facing dashboard pages: anonymous users go to the
# dashboard login, signed-in users without dashboard access get a 403.
dashboard_access_required = permissions_required(
    (["is_staff"], ["partner.dashboard_access"]), login_url=reverse_lazy("dashboard:login")
)

STOCK_PER_PAGE = 50


@dashboard_access_required
def stock_list(request):
    page = Paginator(stockrecords_for_user(user=request.user), STOCK_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(request, "cooperatives/dashboard/stock_list.html", {"page_obj": page})


@dashboard_access_required
def stock_edit(request, pk: int):
    stockrecord = get_object_or_404(stockrecords_for_user(user=request.user), pk=pk)
    form = StockRecordQuickForm(request.POST or None, stockrecord=stockrecord)
    if request.method == "POST" and form.is_valid():
        try:
            stockrecord_update(
                stockrecord=stockrecord,
                price=form.cleaned_data["price"],
                num_in_stock=form.cleaned_data["num_in_stock"],
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
        else:
            messages.success(
                request, _("已保存“%(title)s”的价格和库存。") % {"title": stockrecord.product.title}
            )
            return redirect("cooperative-dashboard:stock-list")
    return render(
        request,
        "cooperatives/dashboard/stock_edit.html",
        {"form": form, "stockrecord": stockrecord},
    )
