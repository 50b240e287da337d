"""CMS: Wagtail pages around the products (home page, stories, festivals, articles)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CmsConfig(AppConfig):
    name = "cms"
    label = "cms"
    verbose_name = _("内容")
    default_auto_field = "django.db.models.AutoField"

    def ready(self):
        from django.db import transaction
        from django.db.models.signals import post_delete, post_save
        from wagtail.models import Page, Site
        from wagtail.signals import page_published, page_unpublished, post_page_move

        from marketplace.pagecache import pagecache_bump

        # Published pages are in the anonymous page cache (per language): anything that
        # changes what a visitor of any page sees (a page's content, its place in the menu
        # or the tree, a site's root) renders them anew once the change commits.
        def bump(**kwargs):
            transaction.on_commit(pagecache_bump)

        for signal, sender, uid in (
            (page_published, None, "published"), (page_unpublished, None, "unpublished"),
            (post_page_move, None, "moved"), (post_delete, Page, "deleted"),
            (post_save, Site, "site-saved"), (post_delete, Site, "site-deleted"),
        ):
            signal.connect(bump, sender=sender, dispatch_uid=f"cms-pagecache-{uid}", weak=False)

        # Cooperative staff join or leave the 合作社编辑 group with their partner (cms/workflow.py).
        from cms.permissions import connect_receivers

        connect_receivers()
