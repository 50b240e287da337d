default_app_config = 'marketplace.shop.dashboard.catalogue.apps.CatalogueDashboardConfig'
