"""Checkout forms: the shipping address form with the region picker (Oscar's other forms stay)."""

from django import forms
from django.utils.translation import gettext_lazy as _
from oscar.core.loading import get_model

from marketplace.shop.address.forms import ADDRESS_FIELDS, ChineseAddressForm


class ShippingAddressForm(ChineseAddressForm):
    notes = forms.CharField(
        label=_("配送备注（选填）"), required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    class Meta:
        model = get_model("order", "ShippingAddress")
        fields = [*ADDRESS_FIELDS, "notes"]
