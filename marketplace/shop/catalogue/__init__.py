default_app_config = 'marketplace.shop.catalogue.apps.CatalogueConfig'
