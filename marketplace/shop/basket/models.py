"""Basket fork: a basket's lines load, in a fixed number of queries, everything the pricing
strategy and the basket, mini-basket and checkout templates read per line."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from oscar.apps.basket.abstract_models import AbstractBasket, AbstractLine


class Basket(AbstractBasket):
    def all_lines(self):
        # Oscar joins only product and stockrecord; the strategy then reads
        # product.stockrecords.all()[0] and the product class (the parent's for a variant)
        # once per line, so every page showing the basket grew with its lines.
        if self.id is None:
            return self.lines.model.objects.none()
        if self._lines is None:
            self._lines = (
                self.lines.select_related(
                    "live_item__session",
                    "product__product_class",
                    "product__parent__product_class",
                    "stockrecord__partner",
                )
                .prefetch_related(
                    "attributes",
                    "product__images",
                    "product__parent__images",
                    "product__stockrecords",
                )
                .order_by(self._meta.pk.name)
            )
        return self._lines


class Line(AbstractLine):
    # Set when the line was added from a live session: it is priced at the item's live
    # price while the session is live, and takes the item's flash units at order placement.
    live_item = models.ForeignKey(
        "livestream.SessionItem", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("直播商品"),
    )

    class Meta(AbstractLine.Meta):
        pass


from oscar.apps.basket.models import *
