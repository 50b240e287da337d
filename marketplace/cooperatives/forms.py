"""Forms for a cooperative's profile and certifications (validated 信用代码 and phone)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from marketplace.cooperatives.models import Certification, Cooperative
from marketplace.regions.models import Region
from marketplace.validators import normalise_phone


class CooperativeForm(forms.ModelForm):
    village = forms.ModelChoiceField(
        queryset=Region.objects.filter(level=Region.Level.VILLAGE),
        label=_("所在村"),
        to_field_name="code",
        widget=forms.TextInput(attrs={"placeholder": _("12位村级区划代码")}),
        error_messages={"invalid_choice": _("未知的村级区划代码。")},
    )

    class Meta:
        model = Cooperative
        fields = [
            "legal_name", "credit_code", "village", "contact_phone", "description", "logo",
            "member_households", "poverty_area",
        ]

    def clean_credit_code(self):
        return self.cleaned_data["credit_code"].strip().upper()

    def clean_contact_phone(self):
        return normalise_phone(self.cleaned_data["contact_phone"])


class CertificationForm(forms.ModelForm):
    class Meta:
        model = Certification
        fields = ["kind", "number", "issuer", "valid_until"]
        widgets = {"valid_until": forms.DateInput(attrs={"type": "date"})}


class StockRecordQuickForm(forms.Form):
    """库存快速修改: price and stock on hand of one stock record, typed on a phone."""

    price = forms.DecimalField(
        label=_("价格（元）"),
        min_value=0,
        max_digits=12,
        decimal_places=2,
        error_messages={
            "required": _("请填写价格。"),
            "invalid": _("请输入有效的价格，例如 39.90。"),
            "min_value": _("价格不能为负数。"),
            "max_digits": _("价格位数太多。"),
            "max_decimal_places": _("价格最多保留两位小数。"),
            "max_whole_digits": _("价格位数太多。"),
        },
        widget=forms.NumberInput(attrs={
            "inputmode": "decimal", "step": "0.01", "min": "0",
            "class": "form-control form-control-lg",
        }),
    )
    num_in_stock = forms.IntegerField(
        label=_("库存（件）"),
        min_value=0,
        # The column is a 32-bit integer: PostgreSQL refuses more with an error (a 500).
        max_value=2_147_483_647,
        error_messages={
            "required": _("请填写库存数量。"),
            "invalid": _("库存必须是整数。"),
            "min_value": _("库存不能为负数。"),
            "max_value": _("库存数量太大。"),
        },
        widget=forms.NumberInput(attrs={
            "inputmode": "numeric", "step": "1", "min": "0",
            "class": "form-control form-control-lg",
        }),
    )

    def __init__(self, *args, stockrecord, **kwargs):
        self.stockrecord = stockrecord
        kwargs.setdefault(
            "initial", {"price": stockrecord.price, "num_in_stock": stockrecord.num_in_stock}
        )
        super().__init__(*args, **kwargs)

    def clean_num_in_stock(self):
        num_in_stock = self.cleaned_data["num_in_stock"]
        allocated = self.stockrecord.num_allocated or 0
        if num_in_stock < allocated:
            raise forms.ValidationError(
                _("库存不能少于已被订单占用的 %(n)d 件。"), params={"n": allocated}
            )
        return num_in_stock
