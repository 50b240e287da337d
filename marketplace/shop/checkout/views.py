"""Checkout fork: place the order first (stock taken atomically), then start the payment."""

import logging

from django.contrib import messages
from django.db import transaction
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from oscar.apps.checkout import views
from oscar.apps.order.exceptions import UnableToPlaceOrder

from marketplace.payments.providers import get_provider
from marketplace.regions.forms import region_refresh_initial, region_refresh_requested
from marketplace.shop.order.services import order_mark_paid
from marketplace.shop.partner.models import InsufficientStock

logger = logging.getLogger(__name__)


class RegionRefreshMixin:
    """Treat the picker's no-JavaScript "更新地区选项" button as re-render, don't save.

    The form comes back unbound, holding what was typed, with the next level's options
    filled and no error messages for fields the buyer has not reached yet.
    """

    def post(self, request, *args, **kwargs):
        if getattr(self, "object", None) is None and hasattr(self, "get_object"):
            self.object = self.get_object()
        form = self.get_form()
        if not region_refresh_requested(form):
            return super().post(request, *args, **kwargs)
        form_kwargs = self.get_form_kwargs()
        form_kwargs.pop("data", None)
        form_kwargs.pop("files", None)
        form_kwargs["initial"] = {**form_kwargs.get("initial", {}), **region_refresh_initial(form)}
        return self.render_to_response(
            self.get_context_data(form=self.get_form_class()(**form_kwargs))
        )


class ShippingAddressView(RegionRefreshMixin, views.ShippingAddressView):
    """New address through the region picker, or one from the address book."""

    def get_initial(self):
        initial = super().get_initial() or {}
        if initial.get("region_id"):
            initial["region"] = initial["region_id"]
        return initial

    def post(self, request, *args, **kwargs):
        if request.user.is_authenticated and "address_id" in request.POST:
            raw_id = request.POST["address_id"]
            address = (
                request.user.addresses.filter(pk=raw_id).first() if raw_id.isdigit() else None
            )
            if address is None or request.POST.get("action") != "ship_to":
                messages.error(request, _("找不到这个收货地址，请重新选择。"))
                return redirect("checkout:shipping-address")
            self.checkout_session.ship_to_user_address(address)
            return redirect(self.get_success_url())
        return super().post(request, *args, **kwargs)


class UserAddressUpdateView(RegionRefreshMixin, views.UserAddressUpdateView):
    pass


class PaymentDetailsView(views.PaymentDetailsView):
    """The sandbox (or later Stripe) pays after the order exists, never before.

    Oscar's default takes payment and then places the order, which can take money for an
    order that then fails (sold out). Here placing the order and taking the stock happen in
    one transaction; the provider is started for an order that exists.
    """

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["payment_provider"] = get_provider()
        return ctx

    def handle_payment(self, order_number, total, **kwargs):
        # Nothing is taken before the order exists; see handle_successful_order.
        return None

    def place_order(self, *args, **kwargs):
        try:
            with transaction.atomic():
                return super().place_order(*args, **kwargs)
        except InsufficientStock as exc:
            raise UnableToPlaceOrder(str(exc)) from exc

    def handle_successful_order(self, order):
        provider = get_provider()
        start = provider.start(
            order_number=order.number, amount=order.total_incl_tax, currency=order.currency
        )
        if start.paid:
            order_mark_paid(
                order_id=order.pk, provider_code=provider.code, provider_label=provider.label,
                reference=start.reference, amount=order.total_incl_tax,
            )
            order.refresh_from_db()
        response = super().handle_successful_order(order)
        if start.redirect_url:
            return redirect(start.redirect_url)
        return response

    def render_preview(self, request, **kwargs):
        if "error" in kwargs and not kwargs["error"]:
            kwargs["error"] = _("下单失败，请稍后重试。")
        return super().render_preview(request, **kwargs)
