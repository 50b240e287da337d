import oscar.apps.catalogue.apps as apps
from django.urls import path


class CatalogueConfig(apps.CatalogueConfig):
    name = 'marketplace.shop.catalogue'

    def ready(self):
        super().ready()
        from marketplace.pagecache import connect_invalidation

        connect_invalidation()

    def get_urls(self):
        from marketplace.shop.catalogue.views import RecentlyViewedView

        urls = [path("recently-viewed/", RecentlyViewedView.as_view(),
                     name="recently-viewed")]
        return self.post_process_urls(urls) + super().get_urls()
