"""Administrative divisions keyed by their 12-digit statistics code (统计用区划代码)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from marketplace.regions import codes


class Region(models.Model):
    class Level(models.IntegerChoices):
        PROVINCE = codes.PROVINCE, _("省")
        CITY = codes.CITY, _("市")
        COUNTY = codes.COUNTY, _("县/区")
        TOWN = codes.TOWN, _("乡/镇/街道")
        VILLAGE = codes.VILLAGE, _("村/社区")

    code = models.CharField(_("统计用区划代码"), max_length=12, primary_key=True)
    name = models.CharField(_("名称"), max_length=64)
    level = models.PositiveSmallIntegerField(_("级别"), choices=Level.choices, db_index=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children",
        verbose_name=_("上级"),
    )

    class Meta:
        ordering = ("code",)
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")
        indexes = [models.Index(fields=["parent", "code"])]

    def __str__(self) -> str:
        return self.name

    def ancestor_codes(self) -> list[str]:
        return codes.ancestor_codes(self.code)

    def ancestor_code(self, level: int) -> str:
        return codes.ancestor_code(self.code, level)
