"""Write use cases for cooperatives: create one with its partner, give staff access, stock,
follow and unfollow."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from oscar.core.loading import get_model

from marketplace.cooperatives.models import Cooperative, Follow
from marketplace.shop.catalogue.services import stock_values_check

Partner = get_model("partner", "Partner")
StockRecord = get_model("partner", "StockRecord")


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


@transaction.atomic
def stockrecord_update(*, stockrecord, price: Decimal, num_in_stock: int):
    """Set a stock record's price and stock on hand (库存快速修改).

    Stock on hand may not drop below what open orders have allocated. Checkout allocates
    concurrently, so the database checks that in the same UPDATE rather than trusting the
    num_allocated read when the form was shown.
    """
    price = stock_values_check(price=price, num_in_stock=num_in_stock)
    stockrecord.pre_save_signal()
    updated = StockRecord.objects.filter(
        Q(num_allocated__isnull=True) | Q(num_allocated__lte=num_in_stock), pk=stockrecord.pk
    ).update(price=price, num_in_stock=num_in_stock, date_updated=timezone.now())
    if not updated:
        stockrecord.refresh_from_db(fields=["num_allocated"])
        raise ValidationError(
            {
                "num_in_stock": _("库存不能少于已被订单占用的 %(n)d 件。")
                % {"n": stockrecord.num_allocated or 0}
            }
        )
    stockrecord.refresh_from_db(fields=["price", "num_in_stock", "num_allocated"])
    # Oscar's stock alert receiver listens to post_save, which UPDATE does not send.
    stockrecord.post_save_signal()
    return stockrecord


@transaction.atomic
def cooperative_follow(*, user, cooperative: Cooperative) -> bool:
    """Follow a cooperative (关注): its live sessions will be announced to this user.

    Idempotent: following again (a double tap, two tabs) changes nothing and returns False.
    """
    _follow, created = Follow.objects.get_or_create(user=user, cooperative=cooperative)
    return created


@transaction.atomic
def cooperative_unfollow(*, user, cooperative: Cooperative) -> bool:
    """Stop following; returns False when the user was not following it."""
    deleted, _by_model = Follow.objects.filter(user=user, cooperative=cooperative).delete()
    return deleted > 0
