"""Order fork: shipping and billing addresses point at a village (or town)."""

from oscar.apps.address.abstract_models import AbstractBillingAddress, AbstractShippingAddress

from marketplace.shop.address.mixins import RegionAddressMixin


class ShippingAddress(RegionAddressMixin, AbstractShippingAddress):
    class Meta(AbstractShippingAddress.Meta):
        pass


class BillingAddress(RegionAddressMixin, AbstractBillingAddress):
    class Meta(AbstractBillingAddress.Meta):
        pass


from oscar.apps.order.models import *
