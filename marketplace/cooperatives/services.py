"""Write use cases for cooperatives: create one with its partner, and give staff access."""

from __future__ import annotations

from django.contrib.auth.models import Permission
from django.db import transaction
from oscar.core.loading import get_model

from marketplace.cooperatives.models import Cooperative

Partner = get_model("partner", "Partner")


@transaction.atomic
def cooperative_create(
    *,
    name: str,
    slug: str,
    legal_name: str,
    credit_code: str,
    village_code: str,
    contact_phone: str,
    description: str = "",
    member_households: int = 0,
    poverty_area: bool = False,
) -> Cooperative:
    """Create the Oscar partner (shop name shown to buyers) and the cooperative's profile."""
    partner = Partner.objects.create(name=name, code=slug)
    coop = Cooperative(
        partner=partner,
        slug=slug,
        legal_name=legal_name,
        credit_code=credit_code.strip().upper(),
        village_id=village_code,
        contact_phone=contact_phone,
        description=description,
        member_households=member_households,
        poverty_area=poverty_area,
    )
    coop.full_clean(exclude=["partner"])
    coop.save()
    return coop


@transaction.atomic
def cooperative_staff_add(*, cooperative: Cooperative, user) -> None:
    """Let a user manage this cooperative's products, stock and order lines in the dashboard.

    Oscar scopes non-staff dashboard users to the partners whose ``users`` they are in, once
    they hold ``partner.dashboard_access``.
    """
    perm = Permission.objects.get(codename="dashboard_access", content_type__app_label="partner")
    user.user_permissions.add(perm)
    cooperative.partner.users.add(user)
