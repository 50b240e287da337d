"""What station operators type (or the camera reads) when they scan a parcel."""

from __future__ import annotations

import uuid

from django import forms
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from logistics.models import ScanEvent
from logistics.photos import PhotoError, proof_photo_clean
from logistics.services import parcel_code_normalise


def _text(element_id: str, **attrs) -> forms.TextInput:
    return forms.TextInput(attrs={"id": element_id, **attrs})


class ScanForm(forms.Form):
    """One scan at the operator's node. The client UUID is made when the page is shown (and
    again by station.js for each scan), so sending the same form twice records it once."""

    code = forms.CharField(
        label=_("运单号"), max_length=200,
        widget=_text("scan-code", autocomplete="off", autocapitalize="characters",
                     inputmode="text", placeholder=_("输入运单号或扫码")))
    event = forms.ChoiceField(label=_("操作"), choices=ScanEvent.KINDS,
                              widget=forms.Select(attrs={"id": "scan-event"}))
    recipient_name = forms.CharField(label=_("签收人"), max_length=50, required=False,
                                     widget=_text("recipient-name", autocomplete="off"))
    photo = forms.FileField(
        label=_("签收照片"), required=False,
        widget=forms.ClearableFileInput(attrs={"id": "photo", "accept": "image/*",
                                               "capture": "environment"}))
    signature = forms.CharField(label=_("签名（手写姓名）"), max_length=100, required=False,
                                widget=_text("signature", autocomplete="off"))
    reason = forms.ChoiceField(label=_("异常原因"), required=False,
                               choices=[("", "—"), *ScanEvent.REASONS],
                               widget=forms.Select(attrs={"id": "reason"}))
    note = forms.CharField(label=_("备注"), max_length=500, required=False,
                           widget=_text("note"))
    temperature = forms.CharField(
        label=_("温度（℃）"), max_length=10, required=False,
        widget=_text("temperature", inputmode="decimal", autocomplete="off"))
    carrier_name = forms.CharField(label=_("快递公司"), max_length=50, required=False,
                                   widget=_text("carrier-name"))
    tracking_number = forms.CharField(label=_("快递单号"), max_length=50, required=False,
                                      widget=_text("tracking-number", autocomplete="off"))
    client_uuid = forms.UUIDField(widget=forms.HiddenInput(attrs={"id": "scan-uuid"}))
    # The device's clock at the scan (ISO 8601 with zone), set by station.js; without
    # JavaScript the server's clock is the scan time.
    device_time = forms.CharField(required=False, max_length=40,
                                  widget=forms.HiddenInput(attrs={"id": "scan-time"}))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("client_uuid", uuid.uuid4())
        super().__init__(*args, **kwargs)

    def clean_code(self) -> str:
        code = parcel_code_normalise(self.cleaned_data["code"])
        if not code:
            raise forms.ValidationError(_("请输入运单号。"))
        return code

    def clean_photo(self):
        upload = self.cleaned_data.get("photo")
        if not upload:
            return None
        try:
            return proof_photo_clean(upload)
        except PhotoError as exc:
            raise forms.ValidationError(str(exc)) from None

    def clean_device_time(self):
        text = (self.cleaned_data.get("device_time") or "").strip()
        if not text:
            return timezone.now()
        try:
            value = parse_datetime(text)
        except ValueError:
            value = None
        if value is None or timezone.is_naive(value):
            raise forms.ValidationError(_("扫描时间无效（需要带时区的时间）。"))
        return value

    def scan_kwargs(self) -> dict:
        """The cleaned form as scan_record's keyword arguments."""
        data = self.cleaned_data
        return {
            "parcel_code": data["code"], "event": data["event"],
            "device_time": data["device_time"], "client_uuid": data["client_uuid"],
            "recipient_name": data["recipient_name"], "signature": data["signature"],
            "photo": data["photo"], "reason": data["reason"], "note": data["note"],
            "temperature": data["temperature"] or None,
            "carrier_name": data["carrier_name"], "tracking_number": data["tracking_number"],
        }
