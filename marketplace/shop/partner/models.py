"""Partner fork: stock is taken with one guarded UPDATE, so it can never be oversold."""

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _
from oscar.apps.partner.abstract_models import AbstractStockRecord


class InsufficientStock(Exception):
    """Raised when fewer units are available than a buyer asked for (已售罄)."""

    def __init__(self, stockrecord, requested: int):
        self.stockrecord = stockrecord
        self.requested = requested
        super().__init__(
            _("“%(title)s”库存不足（已售罄或剩余数量少于 %(n)d 件）。")
            % {"title": stockrecord.product.get_title(), "n": requested}
        )


class StockRecord(AbstractStockRecord):
    # Oscar's price accepts negatives; every model form (dashboard, admin) now refuses them.
    price = models.DecimalField(
        _("Price"), decimal_places=2, max_digits=12, blank=True, null=True,
        validators=[MinValueValidator(Decimal("0.00"), message=_("价格不能为负数。"))],
    )

    def allocate(self, quantity):
        """Allocate stock with ``UPDATE … WHERE num_in_stock - num_allocated >= quantity``.

        Oscar's own allocate adds to num_allocated unconditionally, so two buyers racing for
        the last unit can both succeed (upstream issue #4524). Here the database decides:
        the row count tells whether the units were still there.
        """
        if not self.can_track_allocations:
            return
        self.pre_save_signal()
        taken = (
            type(self)
            .objects.filter(pk=self.pk)
            .filter(num_in_stock__gte=Coalesce(F("num_allocated"), 0) + quantity)
            .update(num_allocated=Coalesce(F("num_allocated"), 0) + quantity)
        )
        if taken != 1:
            raise InsufficientStock(self, quantity)
        self.refresh_from_db(fields=["num_allocated"])
        # Receivers may tell an allocation (only num_allocated moved) from an edit.
        self.allocation_only = True
        try:
            self.post_save_signal()
        finally:
            del self.allocation_only

    allocate.alters_data = True


from oscar.apps.partner.models import *
