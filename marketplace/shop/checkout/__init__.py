default_app_config = 'marketplace.shop.checkout.apps.CheckoutConfig'
