"""The cascading province → city → county → town → village picker widget (five <select>s)."""

from __future__ import annotations

from collections.abc import Sequence

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from marketplace.regions import codes
from marketplace.regions.models import Region

DEPTH = 5
PLACEHOLDERS = (
    _("请选择省份"),
    _("请选择城市"),
    _("请选择区县"),
    _("请选择乡镇（街道）"),
    _("请选择村（社区）"),
)
LEVEL_LABELS = (_("省"), _("市"), _("区县"), _("乡镇（街道）"), _("村（社区）"))


def is_code(value: object) -> bool:
    return isinstance(value, str) and len(value) == 12 and value.isdigit()


def selections_from_code(code: str | None) -> list[str]:
    """The province…region codes of one stored code, read from its digits (no query)."""
    if not is_code(code):
        return []
    chain: list[str] = []
    for c in codes.ancestor_codes(code):
        # Cities without counties (e.g. 东莞市) repeat the city code at county level.
        if c not in chain:
            chain.append(c)
    return chain


def selections(value: object) -> list[str]:
    """Normalise a widget value (a stored code, or the raw selects) to the chosen codes.

    Stops at the first empty select: a stale lower choice under an emptied select is ignored.
    """
    if value is None or value == "":
        return []
    if isinstance(value, Region):
        return selections_from_code(value.code)
    if isinstance(value, str):
        return selections_from_code(value.strip())
    chosen: list[str] = []
    for raw in value:
        raw = (raw or "").strip() if isinstance(raw, str) else ""
        if not raw:
            break
        chosen.append(raw)
    return chosen[:DEPTH]


class RegionPickerWidget(forms.Widget):
    """Renders ``<name>_1`` … ``<name>_5`` selects and a no-JavaScript refresh button.

    Each select lists the children of the choice above it. All rows the page needs (the
    provinces, and the children of every chosen region) come from one query.
    """

    template_name = "regions/picker.html"
    refresh_suffix = "_refresh"

    class Media:
        js = ("regions/picker.js",)

    def __init__(self, attrs=None, depth: int = DEPTH):
        super().__init__(attrs)
        self.depth = depth

    def use_required_attribute(self, initial):
        # Lower levels are optional; the field reports what is missing.
        return False

    def subwidget_names(self, name: str) -> list[str]:
        return [f"{name}_{i}" for i in range(1, self.depth + 1)]

    def refresh_name(self, name: str) -> str:
        return f"{name}{self.refresh_suffix}"

    def value_from_datadict(self, data, files, name):
        names = self.subwidget_names(name)
        if any(n in data for n in names):
            return [data.get(n, "") for n in names]
        # A plain ``<name>=<code>`` (API clients, tests) stands for the code and its path.
        return data.get(name)

    def value_omitted_from_data(self, data, files, name):
        return name not in data and not any(n in data for n in self.subwidget_names(name))

    def id_for_label(self, id_):
        return f"{id_}_1" if id_ else id_

    def format_value(self, value):
        return selections(value)

    @staticmethod
    def load_options(chosen: Sequence[str]) -> tuple[list[Region], dict[str, list[Region]]]:
        """Provinces and the children of each chosen code, in one query."""
        parents = [c for c in chosen if is_code(c)]
        rows = Region.objects.filter(Q(level=Region.Level.PROVINCE) | Q(parent_id__in=parents))
        provinces: list[Region] = []
        children: dict[str, list[Region]] = {}
        for r in rows.only("code", "name", "level", "parent_id").order_by("code"):
            if r.level == Region.Level.PROVINCE and r.parent_id is None:
                provinces.append(r)
            if r.parent_id:
                children.setdefault(r.parent_id, []).append(r)
        return provinces, children

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        chosen = selections(value)
        provinces, children = self.load_options(chosen)
        base_attrs = dict(context["widget"]["attrs"])
        base_id = base_attrs.pop("id", None)
        selects = []
        options: list[Region] = provinces
        still_valid = True
        for i, sub_name in enumerate(self.subwidget_names(name)):
            wanted = chosen[i] if i < len(chosen) else ""
            known = {r.code for r in options}
            selected = wanted if still_valid and wanted in known else ""
            if not selected:
                still_valid = False
            sub_attrs = {**base_attrs, "data-level": str(i + 1)}
            if base_id:
                sub_attrs["id"] = f"{base_id}_{i + 1}"
            selects.append({
                "name": sub_name,
                "attrs": sub_attrs,
                "label": LEVEL_LABELS[i],
                "placeholder": PLACEHOLDERS[i],
                "options": options,
                "value": selected,
            })
            options = children.get(selected, []) if selected else []
        context["widget"]["selects"] = selects
        context["widget"]["refresh_name"] = self.refresh_name(name)
        return context
