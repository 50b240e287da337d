"""Read queries for cooperatives: valid certification badges, followers, and stock a user may
manage."""

from __future__ import annotations

from django.db.models import Count, Exists, IntegerField, OuterRef, Prefetch, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from oscar.core.loading import get_model

from marketplace.cooperatives.models import Certification, Cooperative, Follow

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


def cooperatives_for_profile(*, user) -> QuerySet[Cooperative]:
    """Cooperatives as their public page shows them: badges, ``follower_count`` and, for a
    signed-in user, ``followed`` (whether they follow it), all in the one cooperative query."""
    followers = (
        Follow.objects.filter(cooperative=OuterRef("pk"))
        .order_by()
        .values("cooperative")
        .annotate(n=Count("pk"))
        .values("n")
    )
    queryset = cooperatives_with_valid_certifications().annotate(
        follower_count=Coalesce(Subquery(followers, output_field=IntegerField()), 0)
    )
    if user is not None and user.is_authenticated:
        mine = Follow.objects.filter(cooperative=OuterRef("pk"), user=user)
        return queryset.annotate(followed=Exists(mine))
    return queryset


def cooperatives_followed_by(*, user) -> QuerySet[Cooperative]:
    """The cooperatives a user follows, most recently followed first (account page)."""
    return Cooperative.objects.filter(follows__user=user).order_by(
        "-follows__created_at", "-follows__pk"
    )


def stockrecords_for_user(*, user) -> QuerySet:
    """Stock records a user manages: all for platform staff, their cooperatives' otherwise."""
    queryset = StockRecord.objects.select_related("product", "partner").order_by(
        "product__title", "pk"
    )
    if user.is_staff:
        return queryset
    return queryset.filter(partner__users=user)
