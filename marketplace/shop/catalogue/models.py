"""Catalogue fork: products carry their origin region (产地) as a real column."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from oscar.apps.catalogue.abstract_models import AbstractProduct

from marketplace.shop.catalogue.storage import COLD_CHAIN


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
        """One attribute's value, from prefetched attribute values when present."""
        for value in self.get_attribute_values():
            if value.attribute.code == code:
                return value.value
        return default

    @property
    def storage(self) -> str:
        """储存方式: 常温, 冷藏 or 冷冻."""
        return str(self.attribute_value("storage", ""))

    @property
    def sorted_recommended_products(self) -> list:
        """Recommended products ready for their cards (one card would otherwise cost about
        five queries)."""
        from marketplace.shop.catalogue.selectors import products_prepare_for_cards

        return products_prepare_for_cards(super().sorted_recommended_products)

    @property
    def requires_cold_chain(self) -> bool:
        """Chilled and frozen produce must travel in the cold chain (冷链)."""
        return self.storage in COLD_CHAIN


from oscar.apps.catalogue.models import *
