"""The filters of the sales dashboard and its exports, and the period of a report."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from oscar.core.loading import get_model

from marketplace.reporting.selectors import (
    LIVE,
    STORE,
    Filters,
    Scope,
    scope_towns,
    scope_with_county,
)
from marketplace.reporting.services import local_day

DASHBOARD_MAX_DAYS = 366 * 5
DEFAULT_DAYS = 30


def today() -> dt.date:
    return local_day(timezone.now())


class FiltersForm(forms.Form):
    """Period (默认最近 30 天), county (platform staff only), town, category, channel.

    ``scope_and_filters()`` gives the narrowed scope and the filters; a county or town outside
    the user's scope raises Http404 (as if it did not exist), other bad values are form errors.
    """

    first = forms.DateField(label=_("开始日期"), required=False)
    last = forms.DateField(label=_("结束日期"), required=False)
    county = forms.CharField(label=_("县（区）"), required=False, max_length=12)
    town = forms.CharField(label=_("乡镇"), required=False, max_length=12)
    category = forms.ModelChoiceField(
        label=_("品类"), required=False, queryset=get_model("catalogue", "Category").objects
        .order_by("path"))
    channel = forms.ChoiceField(
        label=_("渠道"), required=False,
        choices=[("", _("全部渠道")), (STORE, _("店铺")), (LIVE, _("直播"))])

    def __init__(self, data=None, *, scope: Scope, **kwargs):
        self.scope = scope
        super().__init__(data, **kwargs)

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        end = today()
        last = data.get("last") or end
        first = data.get("first") or (last - dt.timedelta(days=DEFAULT_DAYS - 1))
        if last > end:
            self.add_error("last", _("结束日期不能晚于今天（%(day)s）。") % {"day": end})
        if first > last:
            self.add_error("first", _("开始日期不能晚于结束日期。"))
        elif (last - first).days + 1 > DASHBOARD_MAX_DAYS:
            self.add_error("first", _("时间范围最长 %(n)d 天（约 5 年），请缩短。")
                           % {"n": DASHBOARD_MAX_DAYS})
        data["first"], data["last"] = first, last
        return data

    def scope_and_filters(self) -> tuple[Scope, Filters]:
        """Call after is_valid(). Http404 for a county or town outside the scope."""
        data = self.cleaned_data
        scope = scope_with_county(self.scope, data.get("county") or "")
        if scope is None:
            raise Http404("county outside the scope")
        town = data.get("town") or ""
        if town and not scope_towns(scope).filter(code=town).exists():
            raise Http404("town outside the scope")
        category = data.get("category")
        return scope, Filters(first=data["first"], last=data["last"], town=town,
                              category_id=category.pk if category else None,
                              channel=data.get("channel") or "")
