"""CMS: Wagtail pages around the products (home page, stories, festivals, articles)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CmsConfig(AppConfig):
    name = "cms"
    label = "cms"
    verbose_name = _("内容")
    default_auto_field = "django.db.models.AutoField"

    def ready(self):
        from wagtail.signals import page_published, page_unpublished

        from marketplace.pagecache import pagecache_bump

        def bump(**kwargs):
            pagecache_bump()

        page_published.connect(bump, dispatch_uid="cms-pagecache-published", weak=False)
        page_unpublished.connect(bump, dispatch_uid="cms-pagecache-unpublished", weak=False)
