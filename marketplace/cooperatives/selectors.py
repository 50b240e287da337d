"""Read queries for cooperatives: the ones a user may manage, badges that are still valid."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from marketplace.cooperatives.models import Certification, Cooperative


def cooperatives_for_user(*, user) -> QuerySet[Cooperative]:
    """Cooperatives a user manages: all for platform staff, their own for cooperative staff."""
    qs = Cooperative.objects.select_related("partner", "village")
    if user.is_staff:
        return qs
    return qs.filter(partner__users=user)


def cooperatives_with_valid_certifications() -> QuerySet[Cooperative]:
    """Cooperatives with ``valid_certifications`` prefetched (expired ones left out)."""
    valid = Certification.objects.filter(valid_until__gte=timezone.localdate())
    return Cooperative.objects.select_related("partner", "village").prefetch_related(
        Prefetch("certifications", queryset=valid, to_attr="valid_certifications")
    )


def valid_certifications(*, cooperative: Cooperative) -> list[Certification]:
    if hasattr(cooperative, "valid_certifications"):
        return cooperative.valid_certifications
    return list(cooperative.certifications.filter(valid_until__gte=timezone.localdate()))
