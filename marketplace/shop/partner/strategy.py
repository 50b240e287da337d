"""Pricing strategy fork: a basket line added from a live session costs the live price."""

from django.conf import settings
from oscar.apps.partner import prices, strategy

from marketplace.livestream.services import item_is_active


class Default(strategy.Default):
    def fetch_for_line(self, line, stockrecord=None):
        info = super().fetch_for_line(line, stockrecord)
        item = line.live_item if getattr(line, "live_item_id", None) else None
        if item is None or not item_is_active(
                item, grace_seconds=settings.LIVE_PRICE_GRACE_SECONDS):
            return info
        live = prices.FixedPrice(currency=info.price.currency, excl_tax=item.live_price,
                                 tax=info.price.tax if info.price.is_tax_known else None)
        return strategy.PurchaseInfo(price=live, availability=info.availability,
                                     stockrecord=info.stockrecord)


class Selector(strategy.Selector):
    def strategy(self, request=None, user=None, **kwargs):
        return Default(request)
