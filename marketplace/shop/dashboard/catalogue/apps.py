"""Catalogue dashboard fork: cooperative staff may open the low stock alerts of their partner."""

import oscar.apps.dashboard.catalogue.apps as apps
from oscar.core.loading import get_class


class CatalogueDashboardConfig(apps.CatalogueDashboardConfig):
    name = "marketplace.shop.dashboard.catalogue"

    def configure_permissions(self):
        super().configure_permissions()
        DashboardPermission = get_class("dashboard.permissions", "DashboardPermission")
        # The fork's StockAlertListView scopes alerts to the user's partners, so partner
        # users can be let in (Oscar's own view lists every alert, hence staff only).
        self.permissions_map["stock-alert-list"] = (
            DashboardPermission.get("partner", "view_stockalert"),
            DashboardPermission.partner_dashboard_access,
        )
