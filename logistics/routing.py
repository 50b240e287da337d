"""Routing along the node tree: a pure function of region codes and the network (no database).

A parcel goes up from the cooperative's village to the lowest level it shares with the
buyer's address, then down again:

    same village:  point                                      (one hand-over)
    same town:     point → station → point
    same county:   point → station → hub → station → point
    elsewhere:     point → station → hub → express carrier

A village or town without a node of its own is skipped (its parcels wait one level up, where
the buyer or farmer collects them); a route that has to cross towns needs the county hub.
Cold-chain parcels (冷藏 / 冷冻) may only wait at nodes that can hold them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from marketplace.regions import codes
from marketplace.shop.catalogue.storage import AMBIENT, CHILLED, FROZEN

CARRIER = None  # the hop after the hub for a destination outside the county


@dataclass(frozen=True)
class NodeRef:
    id: int
    kind: str  # "hub", "station" or "point"
    region: str  # its 12-digit region code
    name: str = ""
    holds_chilled: bool = False
    holds_frozen: bool = False

    def holds(self, storage: str) -> bool:
        return node_holds(storage, chilled=self.holds_chilled, frozen=self.holds_frozen)


def node_holds(storage: str, *, chilled: bool, frozen: bool) -> bool:
    """Whether parcels of a storage class (常温 / 冷藏 / 冷冻) may wait at a node with a
    refrigerator (``chilled``) and/or a freezer (``frozen``); a freezer can hold chilled
    goods too."""
    if storage == FROZEN:
        return frozen
    if storage == CHILLED:
        return chilled or frozen
    return True


@dataclass
class Network:
    """The nodes of one or more counties, found by the region each serves."""

    by_region: dict[str, NodeRef] = field(default_factory=dict)

    @classmethod
    def of(cls, nodes: Iterable[NodeRef]) -> Network:
        return cls(by_region={n.region: n for n in nodes})

    def at(self, region: str, level: int) -> NodeRef | None:
        return self.by_region.get(codes.ancestor_code(region, level))


class RouteError(ValueError):
    """No route: the message says why, in words for the buyer or the hub."""


def route(origin: str, destination: str, network: Network, *,
          storage: str = AMBIENT) -> list[NodeRef | None]:
    """The hops from ``origin`` (the cooperative's village) to ``destination`` (the buyer's
    village or town), as nodes in order; ``CARRIER`` (None) last when the destination lies
    outside the origin's county.
    """
    from django.utils.translation import gettext as _

    o_level, d_level = codes.level_of(origin), codes.level_of(destination)
    if o_level < codes.TOWN:
        raise RouteError(_("发货地必须精确到乡镇或村。"))
    hub = network.at(origin, codes.COUNTY)
    origin_point = network.at(origin, codes.VILLAGE) if o_level == codes.VILLAGE else None
    origin_station = network.at(origin, codes.TOWN)
    same_county = codes.ancestor_code(destination, codes.COUNTY) == codes.ancestor_code(
        origin, codes.COUNTY) and d_level >= codes.COUNTY

    if not same_county:
        if hub is None:
            raise RouteError(_("本县还没有分拨中心，无法发往县外。"))
        hops: list[NodeRef | None] = [origin_point, origin_station, hub]
        return [*_checked(hops, storage), CARRIER]
    if d_level < codes.TOWN:
        raise RouteError(_("收货地址必须精确到乡镇或村。"))

    dest_point = network.at(destination, codes.VILLAGE) if d_level == codes.VILLAGE else None
    dest_station = network.at(destination, codes.TOWN)
    same_town = codes.ancestor_code(destination, codes.TOWN) == codes.ancestor_code(
        origin, codes.TOWN)
    if same_town and origin == destination and d_level == codes.VILLAGE:
        hops = [origin_point or origin_station]
    elif same_town:
        hops = [origin_point, origin_station, dest_point]
    else:
        if hub is None:
            raise RouteError(_("本县还没有分拨中心，无法跨乡镇配送。"))
        hops = [origin_point, origin_station, hub, dest_station, dest_point]
    return _checked(hops, storage)


def _checked(hops: list[NodeRef | None], storage: str) -> list[NodeRef]:
    from django.utils.translation import gettext as _

    out: list[NodeRef] = []
    for node in hops:
        if node is not None and (not out or out[-1].id != node.id):
            out.append(node)
    if not out:
        raise RouteError(_("沿途没有物流节点，无法配送。"))
    for node in out:
        if not node.holds(storage):
            raise RouteError(_("“%(node)s”不能存放%(storage)s商品，无法配送。") % {
                "node": node.name or node.region, "storage": storage})
    return out
