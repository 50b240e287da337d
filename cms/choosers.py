"""Admin chooser viewsets for the commerce objects that CMS blocks point at."""

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms.choosers import BaseFilterForm
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic.chooser import ChooseResultsView, ChooseView
from wagtail.admin.viewsets.chooser import ChooserViewSet


class TextSearchFilterForm(BaseFilterForm):
    """A search box matching the given fields by substring: these commerce models are not in
    Wagtail's search index, and Chinese names have no word boundaries to match on anyway."""

    search_fields: tuple[str, ...] = ()

    q = forms.CharField(
        label=_("搜索"), required=False, max_length=60,
        widget=forms.TextInput(attrs={"placeholder": _("输入名称搜索")}),
    )

    def filter(self, objects):
        objects = super().filter(objects)
        query = (self.cleaned_data.get("q") or "").strip()
        if query:
            condition = Q()
            for name in self.search_fields:
                condition |= Q(**{f"{name}__icontains": query})
            objects = objects.filter(condition)
            self.is_searching = True
            self.search_query = query
        return objects


def _search_views(*fields: str, columns=()):
    """Choose / results view classes whose search box matches ``fields``, listing ``columns``
    after the title."""
    form = type("SearchForm", (TextSearchFilterForm,), {"search_fields": fields})
    attrs = {"filter_form_class": form}
    if columns:
        attrs["columns"] = property(lambda view: [view.title_column, *columns])
    choose = type("ChooseView", (ChooseView,), attrs)
    results = type("ChooseResultsView", (ChooseResultsView,), attrs)
    return choose, results


def _first_stockrecord(product):
    records = product.stockrecords.all()  # prefetched
    return records[0] if records else None


PRODUCT_COLUMNS = (
    Column("cooperative", label=_("合作社"),
           accessor=lambda p: getattr(_first_stockrecord(p), "partner", "") or ""),
    Column("price", label=_("价格"),
           accessor=lambda p: getattr(_first_stockrecord(p), "price", "") or ""),
    Column("stock", label=_("库存"),
           accessor=lambda p: getattr(_first_stockrecord(p), "num_in_stock", "")),
)


class ProductChooserViewSet(ChooserViewSet):
    model = "catalogue.Product"
    icon = "tag"
    choose_one_text = _("选择商品")
    choose_another_text = _("更换商品")
    edit_item_text = _("编辑商品")
    per_page = 20
    choose_view_class, choose_results_view_class = _search_views(
        "title", "upc", columns=PRODUCT_COLUMNS
    )

    def get_object_list(self):
        from django.db.models import Prefetch
        from oscar.core.loading import get_model

        records = get_model("partner", "StockRecord").objects.select_related("partner").order_by(
            "price", "pk"
        )
        # Only what a visitor can buy is worth featuring (browsable: public, not a variant).
        return (get_model("catalogue", "Product").objects.browsable()
                .prefetch_related(Prefetch("stockrecords", queryset=records))
                .order_by("-date_created", "-pk"))


class LiveSessionChooserViewSet(ChooserViewSet):
    model = "livestream.LiveSession"
    icon = "media"
    choose_one_text = _("选择直播场次")
    choose_another_text = _("更换直播场次")
    edit_item_text = _("编辑直播场次")
    per_page = 20
    choose_view_class, choose_results_view_class = _search_views("title")

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
    choose_view_class, choose_results_view_class = _search_views("legal_name", "slug")

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
    choose_view_class, choose_results_view_class = _search_views("name")

    def get_object_list(self):
        from oscar.core.loading import get_model

        return get_model("catalogue", "Category").objects.order_by("path")


product_chooser_viewset = ProductChooserViewSet("product_chooser")
live_session_chooser_viewset = LiveSessionChooserViewSet("live_session_chooser")
cooperative_chooser_viewset = CooperativeChooserViewSet("cooperative_chooser")
category_chooser_viewset = CategoryChooserViewSet("category_chooser")
