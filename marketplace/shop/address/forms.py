"""Address forms in Chinese order: 收货人, 手机号, region picker (down to the village), 详细地址.

Oscar's own fields that a Chinese address does not use (last name, lines 2-4, state, title,
country) are left out: country is always China and state/line4 are filled from the region.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from oscar.apps.address import forms as oscar_forms
from oscar.core.loading import get_model
from phonenumber_field.phonenumber import PhoneNumber

from marketplace.regions.forms import RegionField, region_refresh_requested
from marketplace.validators import normalise_phone, validate_mobile_phone

Country = get_model("address", "Country")
UserAddress = get_model("address", "UserAddress")

ADDRESS_FIELDS = ["first_name", "phone_number", "region", "line1", "postcode"]


def default_country():
    """China, or the only shipping country when the shop is set up differently."""
    country = Country._default_manager.filter(iso_3166_1_a2="CN").first()
    if country is None:
        country = Country._default_manager.filter(is_shipping_country=True).first()
    return country


class ChineseAddressForm(oscar_forms.AbstractAddressForm):
    """Shared fields and cleaning of the address book and checkout address forms."""

    first_name = forms.CharField(label=_("收货人"), max_length=255)
    phone_number = forms.CharField(
        label=_("手机号"), max_length=32,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel",
                                      "placeholder": _("11位手机号")}),
    )
    region = RegionField(label=_("所在地区"))
    line1 = forms.CharField(
        label=_("详细地址"), max_length=255,
        widget=forms.TextInput(attrs={"placeholder": _("路名、门牌号、楼栋或小组")}),
    )
    postcode = forms.CharField(label=_("邮政编码（选填）"), max_length=64, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance.country_id:
            self.instance.country = default_country()

    def clean(self):
        cleaned_data = super().clean()
        # Views that know the picker re-render before validating; for any other view
        # (Oscar's address book) this keeps the refresh button from saving the address.
        if region_refresh_requested(self):
            raise ValidationError(_("已更新地区选项，请继续选择后再保存。"), code="region_refresh")
        return cleaned_data

    def clean_phone_number(self):
        value = self.cleaned_data.get("phone_number") or ""
        if not value and not self.fields["phone_number"].required:
            return ""
        validate_mobile_phone(value)
        return PhoneNumber.from_string(normalise_phone(value), region="CN")

    def validate_unique(self):
        # The names are part of the address hash (duplicate check), and the checkout keeps
        # the unsaved address in the session and shows it on the preview page: fill the
        # province…village names before either happens.
        if self.instance.region_id:
            self.instance.fill_region_names()
        super().validate_unique()


class UserAddressForm(ChineseAddressForm):
    class Meta:
        model = UserAddress
        fields = ADDRESS_FIELDS

    def __init__(self, user, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.user = user
