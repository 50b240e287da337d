"""Forms of the traceability dashboard: batches, inputs, inspections, issuing and binding codes."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from oscar.core.loading import get_model
from PIL import Image, UnidentifiedImageError

from marketplace.cooperatives.models import Cooperative
from marketplace.regions import codes as region_codes
from marketplace.regions.models import Region
from marketplace.traceability.models import HarvestBatch, InputRecord, Inspection
from marketplace.traceability.services import MAX_CODES_PER_ISSUE

Product = get_model("catalogue", "Product")

MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
_DATE = forms.DateInput(attrs={"type": "date"})


class BatchForm(forms.ModelForm):
    """A harvest batch of one of the user's cooperatives' products."""

    plot_region = forms.ModelChoiceField(
        queryset=Region.objects.filter(level__in=[region_codes.TOWN, region_codes.VILLAGE]),
        required=False, label=_("地块所在村镇"),
    )

    class Meta:
        model = HarvestBatch
        fields = ("cooperative", "product", "batch_number", "plot_region", "plot_description",
                  "planted_on", "harvested_on", "quantity", "unit")
        widgets = {"planted_on": _DATE, "harvested_on": _DATE}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        cooperatives = Cooperative.objects.select_related("partner")
        if not user.is_staff:
            cooperatives = cooperatives.filter(partner__users=user)
        self.fields["cooperative"].queryset = cooperatives
        self.fields["product"].queryset = Product.objects.filter(
            stockrecords__partner__cooperative__in=cooperatives
        ).distinct()
        if self.instance.pk:  # a batch keeps its cooperative and product once codes exist
            del self.fields["cooperative"]
            del self.fields["product"]
        elif cooperatives.count() == 1:
            self.fields["cooperative"].initial = cooperatives.first()

    def clean_quantity(self):
        quantity = self.cleaned_data["quantity"]
        if quantity is not None and quantity <= 0:
            raise forms.ValidationError(_("数量必须大于 0。"))
        return quantity

    def clean(self):
        data = super().clean()
        cooperative, product = data.get("cooperative"), data.get("product")
        if cooperative and product and not product.stockrecords.filter(
                partner=cooperative.partner).exists():
            self.add_error("product", _("该商品不是所选合作社在售的商品。"))
        planted, harvested = data.get("planted_on"), data.get("harvested_on")
        if planted and harvested and planted > harvested:
            self.add_error("planted_on", _("种植日期不能晚于采收日期。"))
        return data

    def validate_unique(self):
        # cooperative is not a field when editing; check the pair ourselves either way.
        super().validate_unique()
        cooperative = self.cleaned_data.get("cooperative") or getattr(
            self.instance, "cooperative", None)
        number = self.cleaned_data.get("batch_number")
        if cooperative and number:
            clash = HarvestBatch.objects.filter(cooperative=cooperative, batch_number=number)
            if self.instance.pk:
                clash = clash.exclude(pk=self.instance.pk)
            if clash.exists():
                self.add_error("batch_number", _("本合作社已有这个批次号。"))


class InputForm(forms.ModelForm):
    class Meta:
        model = InputRecord
        fields = ("kind", "name", "registration_number", "amount", "applied_on",
                  "safe_interval_days")
        widgets = {"applied_on": _DATE}

    def clean(self):
        data = super().clean()
        if data.get("kind") == InputRecord.Kind.PESTICIDE and data.get(
                "safe_interval_days") is None:
            self.add_error("safe_interval_days", _("农药请填写安全间隔期。"))
        return data


def document_kind(upload) -> str:
    """"pdf" or "image" judged by the content (not the name); "" for anything else."""
    upload.seek(0)
    head = upload.read(5)
    upload.seek(0)
    if head == b"%PDF-":
        return "pdf"
    try:
        with Image.open(upload) as image:
            image.verify()
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        return ""
    finally:
        upload.seek(0)
    return "image"


class InspectionForm(forms.ModelForm):
    class Meta:
        model = Inspection
        fields = ("kind", "number", "issuer", "inspected_on", "result", "document")
        widgets = {"inspected_on": _DATE}

    def clean_document(self):
        document = self.cleaned_data.get("document")
        if not document or not hasattr(document, "read"):
            return document
        if document.size > MAX_DOCUMENT_BYTES:
            raise forms.ValidationError(_("文件不能超过 10 MB。"))
        if not document_kind(document):
            raise forms.ValidationError(_("请上传 PDF 文件或图片（JPG、PNG）。"))
        return document


class CodesIssueForm(forms.Form):
    count = forms.IntegerField(
        label=_("生成数量"), min_value=1, max_value=MAX_CODES_PER_ISSUE,
        error_messages={"max_value": _("一次最多生成 10,000 个码，请分批生成。")},
    )


class LabelsForm(forms.Form):
    first = forms.IntegerField(label=_("起始序号"), min_value=1)
    last = forms.IntegerField(label=_("结束序号"), min_value=1)

    def clean(self):
        data = super().clean()
        if data.get("first") and data.get("last") and data["first"] > data["last"]:
            raise forms.ValidationError(_("起始序号不能大于结束序号。"))
        return data


class CodesBindForm(forms.Form):
    codes = forms.CharField(
        label=_("溯源码"), widget=forms.Textarea(attrs={"rows": 4, "autofocus": True}),
        help_text=_("扫描或输入标签上的码，每行一个。"), max_length=20_000,
        error_messages={"required": _("请扫描或输入至少一个码。")},
    )

    def clean_codes(self):
        lines = [line.strip() for line in self.cleaned_data["codes"].splitlines()]
        codes = [line for line in lines if line]
        if not codes:
            raise forms.ValidationError(_("请扫描或输入至少一个码。"))
        return codes


class BatchBindForm(forms.Form):
    batch = forms.ModelChoiceField(queryset=HarvestBatch.objects.none(), label=_("批次"))

    def __init__(self, *args, batches, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["batch"].queryset = batches
