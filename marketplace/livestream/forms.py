"""What hosts type in the console: a session's schedule and the items put on sale in it."""

from __future__ import annotations

from django import forms
from django.core.validators import URLValidator
from django.utils.translation import gettext_lazy as _
from oscar.core.loading import get_model

from marketplace.cooperatives.models import Cooperative

Product = get_model("catalogue", "Product")

# datetime-local is what phones show a date-and-time picker for; its value has no zone, so
# it is read in the current time zone (Asia/Shanghai), as people mean it.
_LOCAL = "%Y-%m-%dT%H:%M"
_HTTP_ONLY = [URLValidator(schemes=["http", "https"])]


def _datetime_field(label, *, required=True) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label, required=required, input_formats=[_LOCAL, "%Y-%m-%d %H:%M",
                                                       "%Y-%m-%d %H:%M:%S"],
        widget=forms.DateTimeInput(format=_LOCAL, attrs={"type": "datetime-local",
                                                         "class": "form-control"}),
    )


def _text(attrs=None):
    return forms.TextInput(attrs={"class": "form-control", **(attrs or {})})


class SessionForm(forms.Form):
    title = forms.CharField(label=_("标题"), max_length=120, widget=_text())
    cooperatives = forms.ModelMultipleChoiceField(
        label=_("合作社"), queryset=Cooperative.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    scheduled_start = _datetime_field(_("计划开始"))
    scheduled_end = _datetime_field(_("计划结束"))
    hls_url = forms.URLField(label=_("直播流地址（HLS）"), max_length=500, validators=_HTTP_ONLY,
                             assume_scheme="https",
                             widget=forms.URLInput(attrs={"class": "form-control",
                                                          "placeholder": "https://…/live.m3u8"}))
    replay_url = forms.URLField(label=_("回放地址"), max_length=500, required=False,
                                validators=_HTTP_ONLY, assume_scheme="https",
                                widget=forms.URLInput(attrs={"class": "form-control"}))
    description = forms.CharField(label=_("简介"), max_length=2000, required=False,
                                  widget=forms.Textarea(attrs={"class": "form-control",
                                                               "rows": 3}))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # Cooperative staff schedule for their own cooperatives only; platform staff for any.
        queryset = Cooperative.objects.order_by("legal_name")
        if not user.is_staff:
            queryset = queryset.filter(partner__users=user).distinct()
        self.fields["cooperatives"].queryset = queryset
        if not self.is_bound:
            own = list(queryset[:2])
            if len(own) == 1:
                self.initial.setdefault("cooperatives", own)

    def clean(self):
        data = super().clean()
        start, end = data.get("scheduled_start"), data.get("scheduled_end")
        if start and end and end <= start:
            self.add_error("scheduled_end", _("结束时间必须晚于开始时间。"))
        return data


class ItemForm(forms.Form):
    """The live price, flash units and limits are checked by services.item_add, whose
    messages the view shows; this form only makes sure they are numbers."""

    product = forms.ModelChoiceField(label=_("商品"), queryset=Product.objects.none(),
                                     widget=forms.Select(attrs={"class": "form-control"}))
    live_price = forms.DecimalField(label=_("直播价（元）"), max_digits=12, decimal_places=2,
                                    widget=forms.NumberInput(attrs={"class": "form-control",
                                                                    "step": "0.01"}))
    flash_quantity = forms.IntegerField(label=_("直播专享数量"), max_value=2_000_000_000,
                                        widget=forms.NumberInput(attrs={"class": "form-control"}))
    per_buyer_limit = forms.IntegerField(label=_("每人限购（0 为不限）"), min_value=0,
                                         max_value=32767, initial=0,
                                         widget=forms.NumberInput(attrs={"class": "form-control"}))
    display_order = forms.IntegerField(label=_("排序"), min_value=0, max_value=32767, initial=0,
                                       widget=forms.NumberInput(attrs={"class": "form-control"}))
    flash_ends_at = _datetime_field(_("秒杀截止（可不填）"), required=False)

    def __init__(self, *args, session, **kwargs):
        super().__init__(*args, **kwargs)
        # Only the session's cooperatives' products are offered: another cooperative's
        # product is "not a valid choice", before the service would refuse it anyway.
        self.fields["product"].queryset = (
            Product.objects.filter(stockrecords__partner__cooperative__live_sessions=session)
            .distinct().order_by("title")
        )
        self.fields["product"].label_from_instance = lambda p: p.title
