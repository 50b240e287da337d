default_app_config = 'marketplace.shop.order.apps.OrderConfig'
