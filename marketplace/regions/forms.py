"""Form field for choosing a region with the cascading picker; cleans to a Region."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from marketplace.regions.models import Region
from marketplace.regions.widgets import RegionPickerWidget, is_code, selections

UNKNOWN_CODE = _("未知的地区代码。")
TOO_SHALLOW = _("请至少选择到乡镇（街道）一级。")


class RegionField(forms.Field):
    """The deepest region chosen in the picker, which must be at ``min_level`` or below.

    Every chosen code must exist and sit under the one chosen above it; anything else
    (a stale village under another town, letters, 13 digits) is "未知的地区代码。".
    """

    widget = RegionPickerWidget
    default_error_messages = {
        "required": _("请选择所在地区。"),
        "unknown": UNKNOWN_CODE,
        "too_shallow": TOO_SHALLOW,
    }

    def __init__(self, *, min_level: int = Region.Level.TOWN, **kwargs):
        self.min_level = min_level
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, Region):
            return value.code
        return value

    def to_python(self, value) -> Region | None:
        if isinstance(value, Region):
            return value
        chosen = selections(value)
        if not chosen:
            return None
        if not all(is_code(c) for c in chosen):
            raise ValidationError(self.error_messages["unknown"], code="unknown")
        found = {r.code: r for r in Region.objects.filter(code__in=chosen)}
        parent_id = None
        for code in chosen:
            region = found.get(code)
            if region is None or region.parent_id != parent_id:
                raise ValidationError(self.error_messages["unknown"], code="unknown")
            parent_id = code
        return found[chosen[-1]]

    def validate(self, value):
        super().validate(value)
        if value is not None and value.level < self.min_level:
            raise ValidationError(self.error_messages["too_shallow"], code="too_shallow")

    def has_changed(self, initial, data):
        initial_chosen = selections(self.prepare_value(initial))
        data_chosen = selections(data)
        return (initial_chosen[-1:] or [""]) != (data_chosen[-1:] or [""])


def region_refresh_requested(form: forms.BaseForm) -> bool:
    """Whether the no-JavaScript "更新地区选项" button submitted this bound form."""
    if not form.is_bound:
        return False
    for name, field in form.fields.items():
        if isinstance(field, RegionField):
            if field.widget.refresh_name(form.add_prefix(name)) in form.data:
                return True
    return False


def region_refresh_initial(form: forms.BaseForm) -> dict:
    """Initial data for re-rendering a form after a refresh: what was typed, unvalidated."""
    initial = {}
    for name, field in form.fields.items():
        value = field.widget.value_from_datadict(form.data, form.files, form.add_prefix(name))
        if isinstance(field, RegionField):
            # The raw selects, not the deepest code: after a province changes, the lower
            # selects still hold the old choices, which the widget drops as stale.
            initial[name] = value
        elif value not in (None, ""):
            initial[name] = value
    return initial
