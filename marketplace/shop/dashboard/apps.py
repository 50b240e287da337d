"""Dashboard fork: forked only so get_class("dashboard.<app>.views", ...) finds our
orders and catalogue dashboard overrides (Oscar's loader resolves the root app first)."""

import oscar.apps.dashboard.apps as apps


class DashboardConfig(apps.DashboardConfig):
    name = "marketplace.shop.dashboard"
