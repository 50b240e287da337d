"""Admin chooser viewsets for the commerce objects that CMS blocks point at."""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.viewsets.chooser import ChooserViewSet


class ProductChooserViewSet(ChooserViewSet):
    model = "catalogue.Product"
    icon = "tag"
    choose_one_text = _("选择商品")
    choose_another_text = _("更换商品")
    edit_item_text = _("编辑商品")
    per_page = 20

    def get_object_list(self):
        from oscar.core.loading import get_model

        # Only what a visitor can buy is worth featuring (browsable: public, not a variant).
        return get_model("catalogue", "Product").objects.browsable().order_by("title", "pk")


class LiveSessionChooserViewSet(ChooserViewSet):
    model = "livestream.LiveSession"
    icon = "media"
    choose_one_text = _("选择直播场次")
    choose_another_text = _("更换直播场次")
    edit_item_text = _("编辑直播场次")
    per_page = 20

    def get_object_list(self):
        from marketplace.livestream.models import LiveSession

        return LiveSession.objects.exclude(status=LiveSession.CANCELLED).order_by(
            "-scheduled_start"
        )


class CooperativeChooserViewSet(ChooserViewSet):
    model = "cooperatives.Cooperative"
    icon = "group"
    choose_one_text = _("选择合作社")
    choose_another_text = _("更换合作社")
    edit_item_text = _("编辑合作社")
    per_page = 20

    def get_object_list(self):
        from marketplace.cooperatives.models import Cooperative

        return Cooperative.objects.order_by("legal_name")


class CategoryChooserViewSet(ChooserViewSet):
    model = "catalogue.Category"
    icon = "folder-open-inverse"
    choose_one_text = _("选择分类")
    choose_another_text = _("更换分类")
    edit_item_text = _("编辑分类")
    per_page = 30

    def get_object_list(self):
        from oscar.core.loading import get_model

        return get_model("catalogue", "Category").objects.order_by("path")


product_chooser_viewset = ProductChooserViewSet("product_chooser")
live_session_chooser_viewset = LiveSessionChooserViewSet("live_session_chooser")
cooperative_chooser_viewset = CooperativeChooserViewSet("cooperative_chooser")
category_chooser_viewset = CategoryChooserViewSet("category_chooser")
