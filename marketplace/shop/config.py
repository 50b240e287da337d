"""Oscar's root app config without its "" → OSCAR_HOMEPAGE redirect (Wagtail serves "/")."""

from oscar import config


class Shop(config.Shop):
    def get_urls(self):
        return [u for u in super().get_urls() if getattr(u, "name", None) != "home"]
