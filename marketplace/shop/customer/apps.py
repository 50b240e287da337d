"""Customer fork: forked so get_class("customer.views", ...) finds our OrderLineView."""

import oscar.apps.customer.apps as apps


class CustomerConfig(apps.CustomerConfig):
    name = "marketplace.shop.customer"
