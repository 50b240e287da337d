"""Checkout session fork: a line that sold out is reported with the shop's sold-out message."""

from django.urls import reverse
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
