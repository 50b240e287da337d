"""Checkout fork: place the order first (stock taken atomically), then start the payment."""

import logging

from django.db import transaction
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from oscar.apps.checkout import views
from oscar.apps.order.exceptions import UnableToPlaceOrder

from marketplace.payments.providers import get_provider
from marketplace.shop.order.services import order_mark_paid
from marketplace.shop.partner.models import InsufficientStock

logger = logging.getLogger(__name__)


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
