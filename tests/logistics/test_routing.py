"""Routing over real region codes of the demo county 遂昌县 (331123): every collapse case."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from logistics.routing import CARRIER, Network, NodeRef, RouteError, route
from marketplace.shop.catalogue.storage import AMBIENT, CHILLED, FROZEN

DATA = Path(__file__).resolve().parents[2] / "marketplace" / "regions" / "data"

HUB = "331123000000"  # 遂昌县
MIAOGAO = "331123001000"  # 妙高街道
XINLUWAN = "331123102000"  # 新路湾镇
YETAN = "331123001007"  # 叶坦社区, 妙高街道
TENGLONG = "331123001008"  # 腾龙社区, 妙高街道
YUANLUKOU = "331123102209"  # 远路口村委会, 新路湾镇
OUTSIDE = "431226101001"  # a village outside the county (麻阳县东街社区)
JINZHU = "331123104000"  # 金竹镇: a town with no station in this network


def node(id_, kind, region, name, chilled=False, frozen=False):
    return NodeRef(id=id_, kind=kind, region=region, name=name, holds_chilled=chilled,
                   holds_frozen=frozen)


def network(*extra, drop=()):
    nodes = [
        node(1, "hub", HUB, "遂昌县分拨中心", chilled=True, frozen=True),
        node(2, "station", MIAOGAO, "妙高街道服务站", chilled=True),
        node(3, "station", XINLUWAN, "新路湾镇服务站"),
        node(4, "point", YETAN, "叶坦社区服务点"),
        node(5, "point", TENGLONG, "腾龙社区服务点", chilled=True),
        node(6, "point", YUANLUKOU, "远路口村服务点"),
        *extra,
    ]
    return Network.of(n for n in nodes if n.id not in drop)


def ids(hops):
    return [None if h is CARRIER else h.id for h in hops]


@pytest.mark.parametrize(("origin", "destination", "expected"), [
    pytest.param(YETAN, YETAN, [4], id="same-village-single-hand-over"),
    pytest.param(YETAN, TENGLONG, [4, 2, 5], id="same-town-skips-the-hub"),
    pytest.param(YETAN, YUANLUKOU, [4, 2, 1, 3, 6], id="across-towns-through-the-hub"),
    pytest.param(YUANLUKOU, YETAN, [6, 3, 1, 2, 4], id="across-towns-the-other-way"),
    pytest.param(YETAN, XINLUWAN, [4, 2, 1, 3], id="to-a-town-address-ends-at-its-station"),
    pytest.param(YETAN, MIAOGAO, [4, 2], id="to-own-town-address-ends-at-the-station"),
    pytest.param(YETAN, OUTSIDE, [4, 2, 1, None], id="outside-the-county-by-carrier"),
])
def test_route_collapses_at_the_lowest_shared_level(origin, destination, expected):
    assert ids(route(origin, destination, network())) == expected


def test_a_village_without_a_point_waits_at_its_town_station():
    # 腾龙社区 has no point here: its parcels are collected at 妙高街道服务站
    hops = route(YETAN, TENGLONG, network(drop={5}))
    assert ids(hops) == [4, 2]
    # and the same village without a point is a single hand-over at the station
    assert ids(route(TENGLONG, TENGLONG, network(drop={5}))) == [2]


def test_a_town_without_a_station_goes_from_the_hub_straight_to_the_village():
    village = "331123104200"
    hops = route(YETAN, village, network(node(7, "point", village, "金竹村服务点")))
    assert ids(hops) == [4, 2, 1, 7]


def test_across_towns_without_a_hub_is_refused_with_a_reason():
    with pytest.raises(RouteError, match="分拨中心"):
        route(YETAN, YUANLUKOU, network(drop={1}))
    with pytest.raises(RouteError, match="县外"):
        route(YETAN, OUTSIDE, network(drop={1}))
    # within one town the hub is not needed
    assert ids(route(YETAN, TENGLONG, network(drop={1}))) == [4, 2, 5]


@pytest.mark.parametrize(("storage", "destination", "expected"), [
    pytest.param(AMBIENT, YUANLUKOU, [4, 2, 1, 3, 6], id="ambient-anywhere"),
    pytest.param(CHILLED, TENGLONG, None, id="chilled-refused-at-origin-point"),
])
def test_cold_chain_routes_only_through_nodes_that_hold_it(storage, destination, expected):
    if expected is None:
        with pytest.raises(RouteError, match=r"叶坦社区服务点.*冷藏"):
            route(YETAN, destination, network(), storage=storage)
    else:
        assert ids(route(YETAN, destination, network(), storage=storage)) == expected


def test_chilled_goes_through_chilled_nodes_and_frozen_needs_freezers():
    # 腾龙 → 妙高 station → 腾龙: all hold chilled
    assert ids(route(TENGLONG, TENGLONG, network(), storage=CHILLED)) == [5]
    assert ids(route(TENGLONG, MIAOGAO, network(), storage=CHILLED)) == [5, 2]
    with pytest.raises(RouteError, match="冷冻"):
        route(TENGLONG, MIAOGAO, network(), storage=FROZEN)
    # across towns, 新路湾镇服务站 cannot hold chilled goods
    with pytest.raises(RouteError, match="新路湾镇服务站"):
        route(TENGLONG, YUANLUKOU, network(), storage=CHILLED)
    # the carrier (outside the county) is not ours to check: the hub is
    assert ids(route(TENGLONG, OUTSIDE, network(), storage=CHILLED)) == [5, 2, 1, None]


def test_addresses_above_town_level_are_refused():
    with pytest.raises(RouteError):
        route(YETAN, HUB, network())
    with pytest.raises(RouteError):
        route(HUB, YETAN, network())


# --- every pair of villages of the county, on a full network --------------------------------

def _county_villages() -> list[str]:
    with open(DATA / "villages-demo.csv", encoding="utf-8") as f:
        return [row["code"] for row in csv.DictReader(f) if row["code"].startswith("331123")]


VILLAGES = _county_villages()


def _full_network() -> Network:
    nodes = [node(1, "hub", HUB, "hub")]
    towns = sorted({v[:9] + "000" for v in VILLAGES})
    nodes += [node(100 + i, "station", t, t) for i, t in enumerate(towns)]
    nodes += [node(1000 + i, "point", v, v) for i, v in enumerate(VILLAGES)]
    return Network.of(nodes)


FULL = _full_network()


def test_the_demo_county_has_its_villages():
    assert len(VILLAGES) > 200
    assert len({v[:9] for v in VILLAGES}) == 20


@settings(max_examples=300, deadline=None)
@given(origin=st.sampled_from(VILLAGES), destination=st.sampled_from(VILLAGES))
def test_every_route_goes_up_to_the_shared_level_and_down_again(origin, destination):
    hops = route(origin, destination, FULL)
    kinds = [h.kind for h in hops]
    assert hops[0].region == origin and hops[-1].region == destination
    assert len({h.id for h in hops}) == len(hops)  # never the same node twice
    if origin == destination:
        assert kinds == ["point"]
    elif origin[:9] == destination[:9]:
        assert kinds == ["point", "station", "point"]
        assert hops[1].region == origin[:9] + "000"
    else:
        assert kinds == ["point", "station", "hub", "station", "point"]
        assert (hops[1].region, hops[3].region) == (origin[:9] + "000", destination[:9] + "000")
