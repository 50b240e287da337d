"""An offline station's batch of scans, replayed 3 times at once (a phone retrying over a
weak network while a second tab syncs too), is stored exactly once per event."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter

import pytest
from django.utils import timezone

from logistics import services
from logistics.models import ScanEvent
from tests import factories
from tests.dashboard.builders import order_with_lines, stockrecord
from tests.logistics.conftest import network  # noqa: F401  # the fixture
from tests.reliability.helpers import at_once, require_postgres

pytestmark = [pytest.mark.reliability]

PARCELS = 100


def test_a_batch_replayed_three_times_at_once_yields_each_event_once(base_data_tx, network,  # noqa: F811
                                                                     coop_a):
    require_postgres()
    # given 100 parcels through the county hub and the hub's offline queue of 200 scans
    buyer = factories.user()
    products = [factories.product(coop_a, title=f"红米{i}") for i in range(4)]
    codes = []
    for i in range(PARCELS):
        order = order_with_lines(user=buyer, stockrecords=[stockrecord(products[i % 4])])
        codes += [s.code for s in services.shipments_create(order_id=order.pk)]
    start = timezone.now() - dt.timedelta(hours=2)
    batch = [
        {"parcel_code": code, "event": event, "client_uuid": str(uuid.uuid4()),
         "device_time": (start + dt.timedelta(seconds=10 * i + step)).isoformat()}
        for i, code in enumerate(codes) for step, event in enumerate(("received", "dispatched"))
    ]

    # when three copies of it arrive at the same moment
    def send():
        return services.scans_record_batch(node=network.hub, operator=network.op["hub"],
                                           scans=[dict(item) for item in batch])

    runs = at_once([send, send, send])

    # then every scan was stored once, and every copy was told it is safe
    assert not [r for r in runs if isinstance(r, Exception)], runs
    assert ScanEvent.objects.count() == len(batch) == 2 * PARCELS
    outcomes = Counter(result.outcome for run in runs for result in run)
    assert outcomes == {"accepted": len(batch), "duplicate": 2 * len(batch)}
    accepted_per_uuid = Counter(r.client_uuid for run in runs for r in run
                                if r.outcome == "accepted")
    assert set(accepted_per_uuid.values()) == {1}
