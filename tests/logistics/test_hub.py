"""Joint delivery (共同配送) at the hub: towns with their waiting parcels, daily runs that mix
cooperatives and group by village point, idempotent planning and dispatch through the scans."""
# ruff: noqa: F811  (fixtures imported from hub_helpers are test parameters here)

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from logistics import dispatch, services, status
from logistics.models import DispatchRun, Node, RunParcel, ScanEvent
from logistics.selectors import shipment_by_code
from tests import factories
from tests.logistics.conftest import scan
from tests.logistics.hub_helpers import (  # noqa: F401  (fixtures)
    DAMABU,
    at_hub,
    coop_c,
    damabu,
    order_to,
    parcels,
)

pytestmark = pytest.mark.django_db


def test_the_hub_sees_each_town_with_its_waiting_parcels_by_village_point(network, parcels):
    towns, elsewhere = dispatch.towns_waiting(network.hub)

    by_name = {t.station.name: t for t in towns}
    xinluwan = by_name["新路湾镇服务站"]
    assert (xinluwan.waiting, xinluwan.planned, elsewhere) == (5, 0, 0)
    assert dict(xinluwan.points) == {"远路口村服务点": 2, "大马埠村服务点": 2, "新路湾镇服务站": 1}
    assert by_name["妙高街道服务站"].waiting == 0


def test_planning_makes_one_run_per_town_mixing_cooperatives_grouped_by_point(network, parcels):
    runs = dispatch.runs_plan(hub=network.hub, user=network.op["hub"])

    assert [r.station for r in runs] == [network.xinluwan]
    groups = dispatch.run_groups(runs[0])
    codes = {name: sorted(p.shipment.code for p in ps) for name, ps in groups}
    assert codes == {
        "远路口村服务点": sorted([parcels["yuanlukou_a"].code, parcels["yuanlukou_c"].code]),
        "大马埠村服务点": sorted([parcels["damabu_a"].code, parcels["damabu_c"].code]),
        "新路湾镇服务站": [parcels["sanjing_c"].code],
    }
    assert [name for name, _ps in groups][-1] == "新路湾镇服务站"  # the station's counter last
    partners = {p.shipment.partner_id for _n, ps in groups for p in ps}
    assert len(partners) == 2
    assert parcels["not_yet"].code not in str(codes)


def test_planning_again_adds_only_new_arrivals_to_the_same_run(network, parcels, buyer,
                                                               product_a):
    first = dispatch.runs_plan(hub=network.hub, user=network.op["hub"])
    again = dispatch.runs_plan(hub=network.hub, user=network.op["hub"])
    assert again == [] and DispatchRun.objects.count() == 1
    assert RunParcel.objects.count() == 5

    late = at_hub(network, order_to(buyer, DAMABU, product_a).shipments.get())
    third = dispatch.runs_plan(hub=network.hub, user=network.op["hub"])

    assert third == first and DispatchRun.objects.count() == 1
    assert RunParcel.objects.filter(run=first[0], shipment=late).exists()
    assert RunParcel.objects.count() == 6


def test_dispatch_scans_every_parcel_through_scan_record_and_moves_its_status(network,
                                                                              parcels):
    run = dispatch.runs_plan(hub=network.hub, user=network.op["hub"])[0]

    summary = dispatch.run_dispatch(run=run, operator=network.op["hub"])

    assert (summary.accepted, summary.duplicate, summary.rejected) == (5, 0, [])
    assert ScanEvent.objects.filter(node=network.hub, kind="dispatched").count() == 5
    for name in ("yuanlukou_a", "damabu_c", "sanjing_c"):
        state = shipment_by_code(parcels[name].code).state
        assert (state.status, state.next_node_id) == (status.IN_TRANSIT, network.xinluwan.pk)
    run.refresh_from_db()
    assert run.dispatched_at is not None and run.dispatched_by == network.op["hub"]
    # and the station now expects them: nothing is left waiting at the hub
    towns, _elsewhere = dispatch.towns_waiting(network.hub)
    assert sum(t.waiting + t.planned for t in towns) == 0


def test_dispatching_twice_stores_each_scan_once(network, parcels):
    run = dispatch.runs_plan(hub=network.hub, user=network.op["hub"])[0]
    dispatch.run_dispatch(run=run, operator=network.op["hub"])

    again = dispatch.run_dispatch(run=run, operator=network.op["hub"])

    assert (again.accepted, again.duplicate, again.already_done) == (0, 5, True)
    assert ScanEvent.objects.filter(kind="dispatched").count() == 5


def test_a_town_gets_a_second_run_after_the_first_has_left(network, parcels, buyer, product_a):
    first = dispatch.runs_plan(hub=network.hub, user=network.op["hub"])[0]
    dispatch.run_dispatch(run=first, operator=network.op["hub"])
    at_hub(network, order_to(buyer, DAMABU, product_a).shipments.get(), minutes=40)

    second = dispatch.runs_plan(hub=network.hub, user=network.op["hub"])[0]

    assert second.pk != first.pk and (second.number, second.parcels.count()) == (2, 1)


def test_a_parcel_the_scan_refuses_is_reported_with_its_reason_and_the_rest_leave(
        network, parcels):
    run = dispatch.runs_plan(hub=network.hub, user=network.op["hub"])[0]
    # an offline phone at 大马埠 syncs late: that parcel was handed to the buyer meanwhile
    delivered = scan(network, "damabu", parcels["damabu_a"], "delivered", minutes=60,
                     recipient_name="王五", signature="王五")
    assert delivered.outcome == "accepted", delivered.reason

    summary = dispatch.run_dispatch(run=run, operator=network.op["hub"])

    assert summary.accepted == 4
    assert [code for code, _reason in summary.rejected] == [parcels["damabu_a"].code]
    refused = RunParcel.objects.get(shipment=parcels["damabu_a"])
    assert (refused.outcome, "已签收" in refused.reason) == ("rejected", True)


def test_a_station_operator_cannot_dispatch_a_hub_run(network, parcels):
    run = dispatch.runs_plan(hub=network.hub, user=network.op["hub"])[0]

    with pytest.raises(dispatch.DispatchRefused):
        dispatch.run_dispatch(run=run, operator=network.op["xinluwan"])

    assert ScanEvent.objects.filter(kind="dispatched").count() == 0


# --- pages -------------------------------------------------------------------------------------

def _client(client, user):
    client.force_login(user)
    return client


def _messages(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_the_hub_page_plans_and_dispatches_a_run(client, network, parcels):
    c = _client(client, network.op["hub"])
    page = c.get(reverse("logistics-hub:detail", kwargs={"hub_id": network.hub.pk}))
    assert page.status_code == 200
    assert "新路湾镇服务站" in page.text and "安排今日车次" in page.text

    planned = c.post(reverse("logistics-hub:plan", kwargs={"hub_id": network.hub.pk}),
                     follow=True)
    run = DispatchRun.objects.get()
    assert "已安排 1 个乡镇" in planned.text
    run_page = c.get(reverse("logistics-hub:run",
                             kwargs={"hub_id": network.hub.pk, "run_id": run.pk}))
    assert parcels["sanjing_c"].code in run_page.text and "大马埠村服务点" in run_page.text

    url = reverse("logistics-hub:dispatch", kwargs={"hub_id": network.hub.pk, "run_id": run.pk})
    first = c.post(url, follow=True)
    second = c.post(url, follow=True)

    assert "已发车：5 件扫描发出" in first.text
    assert "这趟车已经发出" in second.text
    assert ScanEvent.objects.filter(kind="dispatched").count() == 5


def test_planning_with_nothing_waiting_says_so(client, network):
    c = _client(client, network.op["hub"])
    response = c.post(reverse("logistics-hub:plan", kwargs={"hub_id": network.hub.pk}),
                      follow=True)
    assert "没有新的待配送包裹" in response.text and DispatchRun.objects.count() == 0


def test_a_run_of_another_hub_is_a_404(client, network, parcels):
    run = dispatch.runs_plan(hub=network.hub, user=network.op["hub"])[0]
    services.network_load_csv(text="kind,region,name\nhub,331124,松阳县分拨中心\n")
    other = Node.objects.get(region_id="331124000000")
    other_op = factories.user(email="op-songyang@example.com")
    other.operators.add(other_op)
    c = _client(client, other_op)

    for name in ("run", "manifest"):
        assert c.get(reverse(f"logistics-hub:{name}", kwargs={
            "hub_id": other.pk, "run_id": run.pk})).status_code == 404
        assert c.get(reverse(f"logistics-hub:{name}", kwargs={
            "hub_id": network.hub.pk, "run_id": run.pk})).status_code == 404
    assert c.post(reverse("logistics-hub:dispatch", kwargs={
        "hub_id": other.pk, "run_id": run.pk})).status_code == 404
    assert ScanEvent.objects.filter(kind="dispatched").count() == 0


def test_platform_staff_see_the_hub_but_only_its_operators_dispatch(client, network, parcels):
    run = dispatch.runs_plan(hub=network.hub, user=network.op["hub"])[0]
    staff = factories.user(email="platform@example.com", is_staff=True)
    c = _client(client, staff)

    page = c.get(reverse("logistics-hub:run", kwargs={"hub_id": network.hub.pk,
                                                      "run_id": run.pk}))
    response = c.post(reverse("logistics-hub:dispatch", kwargs={
        "hub_id": network.hub.pk, "run_id": run.pk}), follow=True)

    assert page.status_code == 200 and "只有本分拨中心的操作员可以发车" in page.text
    assert "只有本分拨中心的操作员可以发车" in response.text
    assert ScanEvent.objects.filter(kind="dispatched").count() == 0


@pytest.mark.parametrize("extra", [0, 12], ids=["few", "many"])
def test_the_hub_page_reads_in_a_fixed_number_of_queries(client, network, parcels, buyer,
                                                         product_a, extra,
                                                         django_assert_max_num_queries):
    for _i in range(extra):
        at_hub(network, order_to(buyer, DAMABU, product_a).shipments.get())
    dispatch.runs_plan(hub=network.hub, user=network.op["hub"])
    c = _client(client, network.op["hub"])

    with django_assert_max_num_queries(18):
        response = c.get(reverse("logistics-hub:detail", kwargs={"hub_id": network.hub.pk}))
    assert response.status_code == 200


def test_the_hub_is_in_the_menu_of_its_operators_only(client, network, staff_a):
    hub_page = reverse("logistics-hub:detail", kwargs={"hub_id": network.hub.pk})
    c = _client(client, network.op["hub"])
    assert f'href="{reverse("logistics-hub:index")}"' in c.get(hub_page).text

    c = _client(client, staff_a)
    assert f'href="{reverse("logistics-hub:index")}"' not in c.get(
        reverse("dashboard:index")).text


@pytest.mark.parametrize("extra", [0, 12], ids=["few", "many"])
def test_the_run_page_reads_in_a_fixed_number_of_queries(client, network, parcels, buyer,
                                                         product_a, extra,
                                                         django_assert_max_num_queries):
    for _i in range(extra):
        at_hub(network, order_to(buyer, DAMABU, product_a).shipments.get())
    run = dispatch.runs_plan(hub=network.hub, user=network.op["hub"])[0]
    c = _client(client, network.op["hub"])

    with django_assert_max_num_queries(12):
        response = c.get(reverse("logistics-hub:run", kwargs={"hub_id": network.hub.pk,
                                                              "run_id": run.pk}))
    assert response.status_code == 200 and response.text.count('class="parcel"') == 5 + extra


def test_platform_staff_without_any_hub_see_an_empty_list(client, db):
    c = _client(client, factories.user(email="platform@example.com", is_staff=True))

    response = c.get(reverse("logistics-hub:index"))

    assert response.status_code == 200 and "还没有分拨中心" in response.text
