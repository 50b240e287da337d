default_app_config = 'marketplace.shop.dashboard.orders.apps.OrdersDashboardConfig'
