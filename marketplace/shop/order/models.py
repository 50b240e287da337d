"""Order fork: shipping and billing addresses point at a village (or town)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from oscar.apps.address.abstract_models import AbstractBillingAddress, AbstractShippingAddress
from oscar.apps.order.abstract_models import AbstractLine

from marketplace.shop.address.mixins import RegionAddressMixin


class ShippingAddress(RegionAddressMixin, AbstractShippingAddress):
    class Meta(AbstractShippingAddress.Meta):
        pass


class BillingAddress(RegionAddressMixin, AbstractBillingAddress):
    class Meta(AbstractBillingAddress.Meta):
        pass


class Line(AbstractLine):
    """An order line remembers the live session it was bought in (attribution, 直播成交)."""

    live_session = models.ForeignKey(
        "livestream.LiveSession", on_delete=models.PROTECT, null=True, blank=True,
        related_name="order_lines", verbose_name=_("直播场次"),
    )
    live_item = models.ForeignKey(
        "livestream.SessionItem", on_delete=models.PROTECT, null=True, blank=True,
        related_name="order_lines", verbose_name=_("直播商品"),
    )

    class Meta(AbstractLine.Meta):
        pass


from oscar.apps.order.models import *
