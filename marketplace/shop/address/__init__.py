default_app_config = 'marketplace.shop.address.apps.AddressConfig'
