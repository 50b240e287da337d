default_app_config = 'marketplace.shop.partner.apps.PartnerConfig'
