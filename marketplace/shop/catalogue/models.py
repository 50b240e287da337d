"""Catalogue fork: products carry their origin region (产地) as a real column."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from oscar.apps.catalogue.abstract_models import AbstractProduct

STORAGE_AMBIENT, STORAGE_CHILLED, STORAGE_FROZEN = "ambient", "chilled", "frozen"


class Product(AbstractProduct):
    origin_region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("产地"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    def attribute_value(self, code: str, default=None):
        """Read one attribute value from prefetched attribute values, else the database."""
        for value in self.get_attribute_values():
            if value.attribute.code == code:
                return value.value
        return default


from oscar.apps.catalogue.models import *
