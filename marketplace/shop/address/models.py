"""Address fork: a buyer's saved addresses point at a village (or town)."""

from oscar.apps.address.abstract_models import AbstractUserAddress

from marketplace.shop.address.mixins import RegionAddressMixin


class UserAddress(RegionAddressMixin, AbstractUserAddress):
    class Meta(AbstractUserAddress.Meta):
        pass


from oscar.apps.address.models import *
