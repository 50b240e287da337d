"""Checkout session fork: a line that sold out is reported with the shop's sold-out message,
and the delivery checks other packages register (settings CHECKOUT_DELIVERY_CHECKS) run
once the shipping address is known."""

from django.conf import settings
from django.urls import reverse
from django.utils.module_loading import import_string
from oscar.apps.checkout import exceptions, session
from oscar.core.loading import get_class

from marketplace.shop.partner.models import InsufficientStock

StockRequired = get_class("partner.availability", "StockRequired")


class CheckoutSessionMixin(session.CheckoutSessionMixin):
    def check_basket_is_valid(self, request):
        # Oscar's message for this reads "…不再可以购买无库存。" in Chinese; buyers who lose a
        # flash sale before or during "place order" should read the same words either way.
        sold_out = []
        for line in request.basket.all_lines():
            availability = request.strategy.fetch_for_line(line).availability
            if line.stockrecord is not None and isinstance(availability, StockRequired) \
                    and not availability.is_purchase_permitted(line.quantity)[0]:
                sold_out.append(str(InsufficientStock(line.stockrecord, line.quantity)))
        if sold_out:
            raise exceptions.FailedPreCondition(url=reverse("basket:summary"), messages=sold_out)
        super().check_basket_is_valid(request)

    def check_shipping_data_is_captured(self, request):
        super().check_shipping_data_is_captured(request)
        # The core names no package here: logistics (or any other) registers its check by
        # dotted path, called as check(basket=..., address=...) -> list of messages.
        checks = getattr(settings, "CHECKOUT_DELIVERY_CHECKS", ())
        if not checks:
            return
        address = self.get_shipping_address(basket=request.basket)
        problems = [message for path in checks
                    for message in import_string(path)(basket=request.basket, address=address)]
        if problems:
            raise exceptions.FailedPreCondition(url=reverse("checkout:shipping-address"),
                                                messages=problems)
