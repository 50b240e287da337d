"""SLA watch: a parcel received at a node and still there past its level's limit (hub 12 h,
station 24 h, point 48 h) is flagged once, and the flag is resolved when it moves on."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from logistics import sla, tasks
from logistics.models import SlaBreach
from tests.logistics.conftest import paid_order, scan

pytestmark = pytest.mark.django_db


@pytest.fixture
def parcel(network, buyer, product_a):
    """A's parcel: 叶坦 → 妙高 → hub → 新路湾 → 远路口."""
    return paid_order(buyer, product_a).shipments.get()


def hours_after_scans(hours):
    """``hours`` after the helper's scans (its clock starts three hours ago)."""
    return timezone.now() - timedelta(hours=3) + timedelta(hours=hours)


@pytest.mark.parametrize(("node", "stay", "flagged"), [
    ("hub", 11.5, False),
    ("hub", 12.5, True),
    ("miaogao", 23, False),
    ("miaogao", 25, True),
    ("yetan", 47, False),
    ("yetan", 49, True),
    ("yuanlukou", 49, True),  # waiting at the last point for the buyer counts too
])
def test_a_parcel_is_flagged_only_past_its_node_levels_limit(network, parcel, node, stay,
                                                             flagged):
    scan(network, node, parcel, "received")

    result = sla.sla_watch(now=hours_after_scans(stay))

    assert (result.flagged, SlaBreach.objects.filter(node=getattr(network, node)).count()) == (
        (1, 1) if flagged else (0, 0))


def test_a_breach_is_flagged_once_and_resolved_when_the_parcel_moves_on(network, parcel):
    received = scan(network, "hub", parcel, "received", minutes=0).event
    sla.sla_watch(now=hours_after_scans(13))
    again = sla.sla_watch(now=hours_after_scans(14))
    breach = SlaBreach.objects.get()
    assert (again.flagged, breach.resolved_at, breach.limit_hours) == (0, None, 12)
    assert (breach.node, breach.arrived_at) == (network.hub, received.device_time)

    scan(network, "hub", parcel, "dispatched", minutes=60)
    later = hours_after_scans(15)
    moved = sla.sla_watch(now=later)

    breach.refresh_from_db()
    assert (moved.resolved, breach.resolved_at) == (1, later)
    assert SlaBreach.objects.count() == 1


def test_parcels_moving_on_time_or_out_for_delivery_are_not_flagged(network, parcel):
    scan(network, "yuanlukou", parcel, "received", minutes=0)
    scan(network, "yuanlukou", parcel, "out_for_delivery", minutes=10)

    assert sla.sla_watch(now=hours_after_scans(100)).flagged == 0


def test_a_delivered_parcel_resolves_its_breach(network, parcel):
    scan(network, "yuanlukou", parcel, "received", minutes=0)
    sla.sla_watch(now=hours_after_scans(50))
    scan(network, "yuanlukou", parcel, "delivered", minutes=100, recipient_name="李四",
         signature="李四")

    result = sla.sla_watch(now=hours_after_scans(51))

    assert result.resolved == 1
    assert not SlaBreach.objects.filter(resolved_at__isnull=True).exists()


def test_the_beat_task_uses_the_settings_limits(network, parcel, settings):
    settings.LOGISTICS_SLA_HOURS = {"hub": 1, "station": 1, "point": 1}
    scan(network, "miaogao", parcel, "received")  # three hours ago

    assert tasks.sla_watch() == {"flagged": 1, "resolved": 0}
    assert SlaBreach.objects.get().node == network.miaogao
    assert "logistics-sla-watch" in settings.CELERY_BEAT_SCHEDULE


def test_the_hub_dashboard_lists_open_breaches_only(client, network, parcel, buyer, product_a):
    other = paid_order(buyer, product_a).shipments.get()
    scan(network, "miaogao", parcel, "received")
    scan(network, "hub", other, "received")
    sla.sla_watch(now=hours_after_scans(30))
    scan(network, "hub", other, "dispatched", minutes=30)
    sla.sla_watch(now=hours_after_scans(31))
    client.force_login(network.op["hub"])

    page = client.get(reverse("logistics-hub:detail", kwargs={"hub_id": network.hub.pk}))

    listed = page.text.split('id="sla"')[1].split('id="alerts"')[0]
    assert parcel.code in listed and "妙高街道服务站" in listed
    assert other.code not in listed
