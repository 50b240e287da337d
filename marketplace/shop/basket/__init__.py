default_app_config = 'marketplace.shop.basket.apps.BasketConfig'
