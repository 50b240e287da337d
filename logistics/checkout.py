"""Delivery checks the checkout runs before an order is placed (settings
CHECKOUT_DELIVERY_CHECKS): a basket that cannot reach the buyer's address — above all a
chilled or frozen product with no cold-chain node on the way — is refused with the reason
at order time, not discovered after payment."""

from __future__ import annotations

from collections import defaultdict

from django.utils.translation import gettext as _

from logistics import routing
from logistics.models import Node
from logistics.services import coldest, network_index
from marketplace.cooperatives.models import Cooperative


def delivery_problems(*, basket, address) -> list[str]:
    """Messages for the buyer, one per cooperative whose parcel could not be routed; empty
    when every parcel has a route. A county without any logistics node is not checked (its
    parcels go by other means, and the hub sees them)."""
    region = getattr(address, "region_id", None)
    if not region:
        return []
    if not Node.objects.exists():
        return []  # no network here yet: nothing to check against
    by_partner = defaultdict(list)
    for line in basket.all_lines():
        if line.stockrecord is not None:
            by_partner[line.stockrecord.partner_id].append(line)
    origins = dict(Cooperative.objects.filter(partner_id__in=by_partner, village__isnull=False)
                   .values_list("partner_id", "village_id"))
    counties = {code[:6] for code in origins.values()}
    served = {c for c in counties if Node.objects.filter(region__code__startswith=c).exists()}
    if not served:
        return []
    network = network_index(county_codes=[*served, region[:6]])
    problems = []
    for partner_id, origin in origins.items():
        if origin[:6] not in served:
            continue
        lines = by_partner[partner_id]
        storage = coldest(line.product.storage for line in lines)
        try:
            routing.route(origin, region, network, storage=storage)
        except routing.RouteError as exc:
            titles = "、".join(line.product.get_title() for line in lines)
            problems.append(_("%(titles)s 无法配送到这个地址：%(reason)s") % {
                "titles": titles, "reason": exc})
    return problems

