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
