"""seed_demo's logistics step: the demo county's network from a CSV, operators, a parcel for
every paid past order with a scan history, the tour's parcel; nothing more on a second run."""

from __future__ import annotations

import csv
import io

import pytest
from django.contrib.sites.models import Site as DjangoSite
from django.core.cache import cache
from oscar.core.loading import get_model

from logistics import demo, selectors, status
from logistics.models import Hop, Node, ScanEvent, Shipment, ShipmentLine
from marketplace.cooperatives.models import Cooperative
from marketplace.demo import services as demo_services
from marketplace.regions.models import Region

Order = get_model("order", "Order")
UserAddress = get_model("address", "UserAddress")
ORDERS = 40


@pytest.fixture
def seeded(db, settings, tmp_path, django_capture_on_commit_callbacks):
    settings.MEDIA_ROOT = tmp_path
    logged = []
    # what follows each scan after its commit (the order following its parcels) runs too
    with django_capture_on_commit_callbacks(execute=True):
        ctx = demo_services.demo_seed(orders=ORDERS, skip_regions=True, log=logged.append)
    yield ctx, logged
    DjangoSite.objects.clear_cache()
    cache.clear()


def _counts() -> dict[str, int]:
    return {
        "nodes": Node.objects.count(),
        "operators": Node.operators.through.objects.count(),
        "shipments": Shipment.objects.count(),
        "hops": Hop.objects.count(),
        "lines": ShipmentLine.objects.count(),
        "scans": ScanEvent.objects.count(),
        "orders": Order.objects.count(),
    }


def test_the_step_is_part_of_seed_demo(settings):
    assert "logistics.demo.demo_logistics_create" in demo_services.seed_steps()


def test_the_network_csv_has_one_hub_a_station_per_town_and_points_where_people_are(seeded):
    rows = list(csv.DictReader(io.StringIO(demo.demo_network_csv())))
    by_kind = {k: [r for r in rows if r["kind"] == k] for k in ("hub", "station", "point")}

    suichang = [r for r in rows if r["region"].startswith("331123")]
    assert [r["name"] for r in suichang if r["kind"] == "hub"] == ["遂昌县农村物流分拨中心"]
    towns = set(Region.objects.filter(code__startswith="331123", level=Region.Level.TOWN)
                .values_list("code", flat=True))
    assert {r["region"] for r in by_kind["station"] if r["region"].startswith("331123")} == towns
    people = set(UserAddress.objects.values_list("region_id", flat=True)) | set(
        Cooperative.objects.values_list("village_id", flat=True))
    assert people <= {r["region"] for r in by_kind["point"]}
    # it is what was loaded, through services.network_load_csv
    assert Node.objects.count() == len(rows)
    assert all(not r["name"].endswith("村委会服务点") for r in by_kind["point"])


def test_operators_are_printed_with_their_node(seeded):
    ctx, _logged = seeded
    roles = {email: role for role, email, _pw in ctx.credentials}

    assert "遂昌县农村物流分拨中心" in roles["hub@demo.cn"]
    home = UserAddress.objects.get(user__email="buyer@demo.cn").region_id
    village = Node.objects.get(region_id=home)
    town = village.parent
    assert village.name in roles["village@demo.cn"] and town.name in roles["town@demo.cn"]
    assert village.operators.filter(email="village@demo.cn").exists()
    assert town.operators.filter(email="town@demo.cn").exists()


def test_every_paid_past_order_has_its_parcels_with_a_plausible_history(seeded):
    paid = Order.objects.filter(number__startswith="D").exclude(status="cancelled")
    assert paid.exists()
    assert not paid.filter(shipments__isnull=True).exists()
    assert not Shipment.objects.filter(order__status="cancelled").exists()

    shipments = [selectors.with_state(s) for s in selectors.shipments_with_route(
        Shipment.objects.filter(order__in=paid, route_error="").select_related("order"))]
    for s in shipments:
        times = [e.device_time for e in s.timeline]
        assert times and min(times) > s.order.date_placed, s.code
        if s.order.status == "completed":
            assert s.state.status in (status.DELIVERED, status.WITH_CARRIER), s.code
    delivered = [s for s in shipments if s.state.status == status.DELIVERED]
    assert len(delivered) >= 0.8 * len(shipments)
    # the paired county's parcels leave through its hub with an express carrier
    carried = [s for s in shipments if s.state.status == status.WITH_CARRIER]
    assert carried and all(s.route[-1] is None for s in carried)
    assert all(any(e.tracking_number for e in s.timeline) for s in carried)
    # delivered with a typed signature; cold parcels had their temperature taken
    for s in delivered:
        proof = next(e for e in s.timeline if e.kind == "delivered")
        assert proof.recipient_name and proof.signature
    assert ScanEvent.objects.filter(kind="temperature", shipment__storage__in=["冷藏", "冷冻"]
                                    ).exists()


def test_the_tour_parcel_waits_at_the_hub_for_the_tour_s_operators(seeded):
    order = Order.objects.get(number=demo.TOUR_ORDER)
    parcel = selectors.shipment_by_code(order.shipments.get().code)

    assert order.user.email == "buyer@demo.cn"
    assert parcel.state.status == status.AT_NODE
    here = Node.objects.get(pk=parcel.state.node_id)
    assert here.kind == Node.HUB and here.operators.filter(email="hub@demo.cn").exists()
    # then on to buyer@demo.cn's town station and village point
    route = parcel.route_nodes
    assert route[route.index(here) + 1].operators.filter(email="town@demo.cn").exists()
    assert route[-1].operators.filter(email="village@demo.cn").exists()
    order.refresh_from_db()
    assert order.status == "shipped"  # it followed its parcel, scanned through scan_record


def test_open_orders_show_parcels_on_the_way_and_one_refused_at_the_door(
        db, settings, tmp_path, django_capture_on_commit_callbacks):
    # given the full demo (500 orders): a few were placed in the last days
    settings.MEDIA_ROOT = tmp_path
    with django_capture_on_commit_callbacks(execute=True):
        demo_services.demo_seed(orders=demo_services.DEFAULT_ORDERS, skip_regions=True,
                                log=lambda _m: None)
    states = [selectors.with_state(s).state.status for s in selectors.shipments_with_route(
        Shipment.objects.exclude(order__status="completed").filter(route_error=""))]

    assert states.count(status.EXCEPTION) == 1
    assert 1 <= sum(s in (status.IN_TRANSIT, status.AT_NODE) for s in states) <= 10
    assert status.DELIVERED in states
    refused = ScanEvent.objects.get(kind="exception")
    assert refused.reason == "address" and refused.note
    # open orders followed their parcels: all delivered, or one left its origin
    follows = set(Order.objects.filter(number__startswith="D").exclude(
        status__in=["completed", "cancelled"]).values_list("status", flat=True))
    assert follows <= {"paid", "shipped", "delivered"} and "delivered" in follows
    DjangoSite.objects.clear_cache()
    cache.clear()


def test_running_the_step_again_adds_nothing(seeded):
    ctx, logged = seeded
    before = _counts()

    demo.demo_logistics_create(ctx=ctx)

    assert _counts() == before
    assert "0 orders given parcels, 0 archived and 0 live scans" in logged[-1]


def test_without_the_demo_county_s_regions_the_step_says_so_and_adds_nothing(db, monkeypatch):
    monkeypatch.setattr(demo.data, "DEMO_COUNTY", "999999")
    logged = []

    demo.demo_logistics_create(ctx=demo_services.SeedContext(log=logged.append))

    assert logged == ["logistics: skipped, the demo county's regions are missing"]
    assert not Node.objects.exists()
