"""Access matrix of the hub dashboard (/logistics/hub/). Hub staff (the hub's operators,
platform staff) run it; a station operator, a cooperative's staff, a buyer get 404 (another
hub's run too); anonymous people the login page. Labels are also for the parcel's own
cooperative; the label list is the cooperatives' page. A POST by a tenant that is not allowed
leaves everything as it was; the same POST by the hub's operator changes it."""

from __future__ import annotations

import pytest
from django.urls import resolve, reverse

from logistics import dispatch
from logistics.models import DispatchRun, ScanEvent
from tests import factories
from tests.logistics.conftest import paid_order, scan

pytestmark = pytest.mark.django_db

ROUTES_CHECKED = {
    "logistics/hub/",
    "logistics/hub/<int:hub_id>/",
    "logistics/hub/<int:hub_id>/plan/",
    "logistics/hub/<int:hub_id>/runs/<int:run_id>/",
    "logistics/hub/<int:hub_id>/runs/<int:run_id>/manifest.pdf",
    "logistics/hub/<int:hub_id>/runs/<int:run_id>/dispatch/",
    "logistics/hub/label/<str:code>.pdf",
    "logistics/hub/labels/",
    "logistics/hub/labels/<int:partner_id>/sheet.pdf",
}

TENANTS = ["hub-operator", "platform-staff", "station-operator", "own-cooperative",
           "other-cooperative", "buyer", "anonymous"]
HUB_STAFF = {"hub-operator", "platform-staff"}
# who gets a 200 on each page (everyone else signed in: 404; anonymous: the login page)
ALLOWED = {
    "logistics/hub/": HUB_STAFF,
    "logistics/hub/<int:hub_id>/": HUB_STAFF,
    "logistics/hub/<int:hub_id>/runs/<int:run_id>/": HUB_STAFF,
    "logistics/hub/<int:hub_id>/runs/<int:run_id>/manifest.pdf": HUB_STAFF,
    "logistics/hub/label/<str:code>.pdf": HUB_STAFF | {"own-cooperative"},
    "logistics/hub/labels/": {"own-cooperative", "other-cooperative"},
    "logistics/hub/labels/<int:partner_id>/sheet.pdf": HUB_STAFF | {"own-cooperative"},
}


@pytest.fixture
def world(network, buyer, product_a, coop_b, staff_a):
    """A's parcel received at the hub and planned on today's run to 新路湾; a second parcel of
    A's still awaiting pickup (for the label sheet)."""
    parcel = paid_order(buyer, product_a).shipments.get()
    waiting = paid_order(buyer, product_a).shipments.get()
    scan(network, "hub", parcel, "received")
    run = dispatch.runs_plan(hub=network.hub, user=network.op["hub"])[0]
    users = {
        "hub-operator": network.op["hub"],
        "platform-staff": factories.user(email="platform@example.com", is_staff=True),
        "station-operator": network.op["xinluwan"],  # on the parcel's route, not a hub
        "own-cooperative": staff_a,
        "other-cooperative": factories.coop_staff(coop_b, email="staff-b@example.com"),
        "buyer": buyer,  # the parcel's own buyer: tracking is theirs, the hub is not
        "anonymous": None,
    }
    hub = network.hub.pk
    paths = {
        "logistics/hub/": reverse("logistics-hub:index"),
        "logistics/hub/<int:hub_id>/": reverse("logistics-hub:detail", args=[hub]),
        "logistics/hub/<int:hub_id>/plan/": reverse("logistics-hub:plan", args=[hub]),
        "logistics/hub/<int:hub_id>/runs/<int:run_id>/":
            reverse("logistics-hub:run", args=[hub, run.pk]),
        "logistics/hub/<int:hub_id>/runs/<int:run_id>/manifest.pdf":
            reverse("logistics-hub:manifest", args=[hub, run.pk]),
        "logistics/hub/<int:hub_id>/runs/<int:run_id>/dispatch/":
            reverse("logistics-hub:dispatch", args=[hub, run.pk]),
        "logistics/hub/label/<str:code>.pdf": reverse("logistics-hub:label", args=[parcel.code]),
        "logistics/hub/labels/": reverse("logistics-hub:labels"),
        "logistics/hub/labels/<int:partner_id>/sheet.pdf":
            reverse("logistics-hub:label-sheet", args=[parcel.partner_id]),
    }
    return {"users": users, "paths": paths, "parcel": parcel, "waiting": waiting, "run": run,
            "network": network}


def _as(client, user):
    client.logout()
    if user is not None:
        client.force_login(user)
    return client


def _is_login(response) -> bool:
    return response.status_code == 302 and "login" in response["Location"] and (
        "next=" in response["Location"])


def test_the_routes_listed_are_the_hub_routes(world):
    assert {resolve(p).route for p in world["paths"].values()} == ROUTES_CHECKED


@pytest.mark.parametrize("route", sorted(ALLOWED))
def test_each_tenant_gets_the_page_or_a_404_or_the_login(client, world, route):
    path = world["paths"][route]
    for tenant in TENANTS:
        response = _as(client, world["users"][tenant]).get(path)
        if tenant == "anonymous":
            assert _is_login(response), (route, tenant, response.status_code)
        elif tenant in ALLOWED[route]:
            # a hub index with one hub redirects to it: still the hub's own page
            assert response.status_code in (200, 302), (route, tenant, response.status_code)
            if response.status_code == 302:
                assert response["Location"] == world["paths"]["logistics/hub/<int:hub_id>/"]
        else:
            assert response.status_code == 404, (route, tenant, response.status_code)


def test_planning_is_for_hub_staff_only(client, world):
    path = world["paths"]["logistics/hub/<int:hub_id>/plan/"]
    network = world["network"]
    # a parcel arriving after the run was planned: planning would add it
    late = paid_order(world["users"]["buyer"], world["parcel"].order.lines.get().product)
    scan(network, "hub", late.shipments.get(), "received", minutes=10)
    for tenant in TENANTS:
        if tenant in HUB_STAFF:
            continue
        response = _as(client, world["users"][tenant]).post(path)
        assert (_is_login(response) if tenant == "anonymous"
                else response.status_code == 404), (tenant, response.status_code)
        assert world["run"].parcels.count() == 1

    response = _as(client, world["users"]["hub-operator"]).post(path)

    assert response.status_code == 302 and world["run"].parcels.count() == 2
    assert DispatchRun.objects.count() == 1


def test_dispatching_is_for_the_hubs_operators_only(client, world):
    path = world["paths"]["logistics/hub/<int:hub_id>/runs/<int:run_id>/dispatch/"]
    for tenant in TENANTS:
        if tenant == "hub-operator":
            continue
        response = _as(client, world["users"][tenant]).post(path)
        if tenant == "anonymous":
            assert _is_login(response)
        elif tenant == "platform-staff":  # sees the run; the scan needs a hub operator
            assert response.status_code == 302
        else:
            assert response.status_code == 404, (tenant, response.status_code)
        assert not ScanEvent.objects.filter(kind="dispatched").exists()
        world["run"].refresh_from_db()
        assert world["run"].dispatched_at is None

    response = _as(client, world["users"]["hub-operator"]).post(path)

    assert response.status_code == 302
    assert ScanEvent.objects.filter(kind="dispatched").count() == 1


@pytest.mark.parametrize("method", ["get", "put", "delete"])
def test_the_post_only_routes_refuse_other_methods(client, world, method):
    _as(client, world["users"]["hub-operator"])
    for route in ("logistics/hub/<int:hub_id>/plan/",
                  "logistics/hub/<int:hub_id>/runs/<int:run_id>/dispatch/"):
        assert getattr(client, method)(world["paths"][route]).status_code == 405


def test_ids_that_do_not_exist_are_404_for_hub_staff(client, world):
    _as(client, world["users"]["platform-staff"])
    hub, run = world["network"].hub.pk, world["run"].pk
    for path in (reverse("logistics-hub:detail", args=[world["network"].xinluwan.pk]),
                 reverse("logistics-hub:detail", args=[999999]),
                 reverse("logistics-hub:run", args=[hub, 999999]),
                 reverse("logistics-hub:run", args=[world["network"].xinluwan.pk, run]),
                 reverse("logistics-hub:label", args=["NOSUCHCODE"]),
                 reverse("logistics-hub:label-sheet", args=[999999])):
        assert client.get(path).status_code == 404, path
