"""Dashboard catalogue forms: a stock record's price and stock can never be negative."""

from django import forms
from django.utils.translation import gettext_lazy as _
from oscar.apps.dashboard.catalogue import forms as oscar_forms


class StockRecordForm(oscar_forms.StockRecordForm):
    def clean_price(self):
        price = self.cleaned_data.get("price")
        if price is not None and price < 0:
            raise forms.ValidationError(_("价格不能为负数。"), code="negative_price")
        return price

    def clean_num_in_stock(self):
        value = self.cleaned_data.get("num_in_stock")
        if value is not None and value < 0:
            raise forms.ValidationError(_("库存不能为负数。"), code="negative_stock")
        return value
