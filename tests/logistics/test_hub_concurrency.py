"""The hub's buttons pressed at once (two planners, dispatch in two tabs) on real PostgreSQL:
one run per town, each parcel on it once, each dispatch scan stored once."""
# ruff: noqa: F811  (the network fixture is imported)

from __future__ import annotations

from collections import Counter

import pytest

from logistics import dispatch
from logistics.models import DispatchRun, RunParcel, ScanEvent
from tests.dashboard.builders import order_with_lines, stockrecord
from tests.logistics.conftest import network, scan  # noqa: F401  # the fixture
from tests.reliability.helpers import at_once, require_postgres

pytestmark = [pytest.mark.reliability, pytest.mark.postgres]

PARCELS = 30


@pytest.fixture
def at_the_hub(base_data_tx, network, coop_a, buyer):
    """PARCELS of A's parcels received at the hub, bound for 新路湾镇."""
    require_postgres()
    from logistics import services
    from tests import factories

    product = factories.product(coop_a, title="红米")
    for i in range(PARCELS):
        order = order_with_lines(user=buyer, stockrecords=[stockrecord(product)])
        for shipment in services.shipments_create(order_id=order.pk):
            scan(network, "hub", shipment, "received", minutes=i)
    return network


def test_three_planners_at_once_make_one_run_holding_each_parcel_once(at_the_hub):
    net = at_the_hub

    def plan():
        return [r.pk for r in dispatch.runs_plan(hub=net.hub, user=net.op["hub"])]

    results = at_once([plan, plan, plan])

    assert not [r for r in results if isinstance(r, Exception)], results
    assert DispatchRun.objects.count() == 1
    assert RunParcel.objects.count() == PARCELS
    assert RunParcel.objects.values("shipment").distinct().count() == PARCELS


def test_dispatch_pressed_in_two_tabs_at_once_stores_each_scan_once(at_the_hub):
    net = at_the_hub
    run = dispatch.runs_plan(hub=net.hub, user=net.op["hub"])[0]

    def press():
        return dispatch.run_dispatch(run=DispatchRun.objects.get(pk=run.pk),
                                     operator=net.op["hub"])

    results = at_once([press, press])

    assert not [r for r in results if isinstance(r, Exception)], results
    assert ScanEvent.objects.filter(kind="dispatched").count() == PARCELS
    totals = Counter()
    for summary in results:
        totals.update(accepted=summary.accepted, duplicate=summary.duplicate,
                      rejected=len(summary.rejected))
    assert totals == {"accepted": PARCELS, "duplicate": PARCELS, "rejected": 0}
    assert DispatchRun.objects.get(pk=run.pk).dispatched_at is not None
