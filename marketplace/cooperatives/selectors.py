"""Read queries for cooperatives: valid certification badges, and stock a user may manage."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from oscar.core.loading import get_model

from marketplace.cooperatives.models import Certification, Cooperative

StockRecord = get_model("partner", "StockRecord")


def valid_certifications_prefetch(lookup: str = "certifications") -> Prefetch:
    """Prefetch a cooperative's unexpired certifications into ``valid_certifications``.

    ``lookup`` is the path to the certifications from the queryset's model, e.g.
    ``partner__cooperative__certifications`` from a stock record. An expired certificate
    no longer earns its badge.
    """
    valid = Certification.objects.filter(valid_until__gte=timezone.localdate())
    return Prefetch(lookup, queryset=valid, to_attr="valid_certifications")


def cooperatives_with_valid_certifications() -> QuerySet[Cooperative]:
    return Cooperative.objects.select_related("partner", "village").prefetch_related(
        valid_certifications_prefetch()
    )


def stockrecords_for_user(*, user) -> QuerySet:
    """Stock records a user manages: all for platform staff, their cooperatives' otherwise."""
    queryset = StockRecord.objects.select_related("product", "partner").order_by(
        "product__title", "pk"
    )
    if user.is_staff:
        return queryset
    return queryset.filter(partner__users=user)
