"""Cold-chain alerts: a temperature reading outside its parcel's storage range tells the
cooperative's staff and the next node's operators (in-site notification and e-mail), once per
reading; readings within range, and ambient parcels, raise nothing."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse
from oscar.core.loading import get_model

from logistics import alerts, tasks
from logistics.models import Node, ScanEvent, TemperatureAlert
from tests import factories
from tests.logistics.conftest import paid_order, scan

pytestmark = pytest.mark.django_db

Notification = get_model("communication", "Notification")


@pytest.fixture
def cold_network(network):
    """Every node can keep chilled and frozen goods."""
    Node.objects.update(holds_chilled=True, holds_frozen=True)
    return network


@pytest.fixture
def tenglong_coop(db):
    coop = factories.cooperative(name="腾龙冷鲜合作社", village="331123001008")
    coop.staff_user = factories.coop_staff(coop, email="staff-tenglong@example.com")
    return coop


def parcel_of(buyer, coop, storage):
    """A parcel 腾龙 → 妙高 → hub → 新路湾 → 远路口 of one ``storage`` product."""
    product = factories.product(coop, storage=storage)
    return paid_order(buyer, product).shipments.get()


def reading(net, node, parcel, value, django_capture_on_commit_callbacks, minutes=10):
    """A temperature scan as a station records it: the task runs after commit."""
    with django_capture_on_commit_callbacks(execute=True):
        result = scan(net, node, parcel, "temperature", temperature=value, minutes=minutes)
    assert result.outcome == "accepted", result.reason
    return result.event


def recipients(subject_part):
    return sorted(n.recipient.email for n in Notification.objects.filter(
        subject__contains=subject_part).select_related("recipient"))


def test_a_chilled_reading_too_warm_tells_the_cooperative_and_the_next_node_once(
        cold_network, buyer, tenglong_coop, django_capture_on_commit_callbacks):
    parcel = parcel_of(buyer, tenglong_coop, "冷藏")

    event = reading(cold_network, "miaogao", parcel, "12.5", django_capture_on_commit_callbacks)
    tasks.scan_recorded(event.pk)  # the task again (a retry, a second worker)
    alerts.temperature_alert_raise(event_id=event.pk)

    alert = TemperatureAlert.objects.get()
    assert (alert.event_id, str(alert.temperature), str(alert.low), str(alert.high)) == (
        event.pk, "12.5", "0.0", "8.0")
    # the next node after 妙高 is the hub
    assert recipients(parcel.code) == ["op-hub@example.com", "staff-tenglong@example.com"]
    assert sorted(m.to[0] for m in mail.outbox) == ["op-hub@example.com",
                                                     "staff-tenglong@example.com"]
    assert all(parcel.code in m.subject and "12.5" in m.body for m in mail.outbox)
    assert alerts.alerts_for_shipment(parcel) == [alert]


@pytest.mark.parametrize(("storage", "value", "alerted"), [
    ("冷藏", "4", False),
    ("冷藏", "8.0", False),
    ("冷藏", "0", False),
    ("冷藏", "8.1", True),
    ("冷藏", "-0.5", True),
    ("冷冻", "-20", False),
    ("冷冻", "-18", False),
    ("冷冻", "-17.9", True),
    ("冷冻", "-35", True),
    ("常温", "40", False),
    ("常温", "-30", False),
], ids=lambda v: str(v))
def test_only_readings_outside_the_storage_range_raise_an_alert(
        cold_network, buyer, tenglong_coop, storage, value, alerted,
        django_capture_on_commit_callbacks):
    parcel = parcel_of(buyer, tenglong_coop, storage)

    reading(cold_network, "miaogao", parcel, value, django_capture_on_commit_callbacks)

    assert TemperatureAlert.objects.exists() is alerted
    assert (len(mail.outbox) > 0) is alerted


def test_each_out_of_range_reading_is_its_own_alert(cold_network, buyer, tenglong_coop,
                                                    django_capture_on_commit_callbacks):
    parcel = parcel_of(buyer, tenglong_coop, "冷藏")

    reading(cold_network, "miaogao", parcel, "11", django_capture_on_commit_callbacks)
    reading(cold_network, "hub", parcel, "10", django_capture_on_commit_callbacks, minutes=20)

    assert [str(a.temperature) for a in alerts.alerts_for_shipment(parcel)] == ["11.0", "10.0"]
    # at the hub the next node is 新路湾镇服务站
    assert "op-xinluwan@example.com" in recipients(parcel.code)


def test_at_the_last_stop_the_node_itself_is_told(cold_network, buyer, tenglong_coop,
                                                  django_capture_on_commit_callbacks):
    parcel = parcel_of(buyer, tenglong_coop, "冷冻")

    reading(cold_network, "yuanlukou", parcel, "-5", django_capture_on_commit_callbacks)

    assert recipients(parcel.code) == ["op-yuanlukou@example.com",
                                       "staff-tenglong@example.com"]


def test_other_scans_raise_no_alert(cold_network, buyer, tenglong_coop,
                                    django_capture_on_commit_callbacks):
    parcel = parcel_of(buyer, tenglong_coop, "冷藏")
    with django_capture_on_commit_callbacks(execute=True):
        scan(cold_network, "tenglong", parcel, "received")
    event = ScanEvent.objects.get()

    assert alerts.temperature_alert_raise(event_id=event.pk) is None
    assert not TemperatureAlert.objects.exists() and not mail.outbox


def test_the_hub_dashboard_shows_the_alert(client, cold_network, buyer, tenglong_coop,
                                           django_capture_on_commit_callbacks):
    parcel = parcel_of(buyer, tenglong_coop, "冷藏")
    reading(cold_network, "miaogao", parcel, "15", django_capture_on_commit_callbacks)
    client.force_login(cold_network.op["hub"])

    page = client.get(reverse("logistics-hub:detail", kwargs={"hub_id": cold_network.hub.pk}))

    alerts_html = page.text.split('id="alerts"')[1]
    assert parcel.code in alerts_html and "15.0 ℃" in alerts_html
