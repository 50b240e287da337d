"""Search forms: the site-wide search box and listing sort/filter options."""

from django import forms
from django.utils.translation import gettext_lazy as _


class SearchInput(forms.TextInput):
    input_type = "search"


class SearchForm(forms.Form):
    """The search box in the header of every page, and the search page's filters."""

    RELEVANCY, NEWEST, PRICE_ASC, PRICE_DESC = "relevancy", "newest", "price-asc", "price-desc"
    SORT_BY_CHOICES = [
        (RELEVANCY, _("综合排序")),
        (NEWEST, _("最新上架")),
        (PRICE_ASC, _("价格从低到高")),
        (PRICE_DESC, _("价格从高到低")),
    ]

    q = forms.CharField(
        required=False,
        max_length=100,
        label=_("搜索"),
        widget=SearchInput(
            {"placeholder": _("搜索农产品，如 红米、茶叶"), "class": "form-control",
             "autocomplete": "off"}
        ),
    )
    sort_by = forms.ChoiceField(
        label=_("排序"), choices=SORT_BY_CHOICES, required=False,
        widget=forms.Select(attrs={"class": "form-control", "onchange": "this.form.submit()"}),
    )


class BrowseCategoryForm(SearchForm):
    """Sort options on a category listing (no free-text query)."""

    q = None
