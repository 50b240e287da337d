"""An address that points at a region (village, or at least a town) of the NBS tree."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


def region_address_lines(path) -> tuple[str, str]:
    """(state, line4) of an address from its region path: province…county, then town…village."""
    from marketplace.regions.selectors import region_display_names

    names = region_display_names(path)
    return "".join(names[:3])[:255], "".join(names[3:])[:255]


class RegionAddressMixin(models.Model):
    """Adds ``region``; on save the province…village names fill state and line4 for display."""

    region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("所在地区（乡镇/村）"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    # Chinese order: province/city/county, then town/village, then the street line.
    base_fields = hash_fields = ["state", "line4", "line1", "line2", "line3", "postcode"]

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.fill_region_names()
        super().save(*args, **kwargs)

    def fill_region_names(self) -> None:
        from marketplace.regions.selectors import region_path

        if self.region_id:
            self.state, self.line4 = region_address_lines(region_path(code=self.region_id))

    def clean(self):
        super().clean()
        if self.region_id:
            from marketplace.regions.models import Region

            level = Region.objects.filter(pk=self.region_id).values_list("level", flat=True).first()
            if level is None:
                raise ValidationError({"region": _("未知的地区代码。")})
            if level < Region.Level.TOWN:
                raise ValidationError({"region": _("请至少选择到乡镇（街道）一级。")})
