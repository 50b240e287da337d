"""Access matrix of public tracking (/track/): public by design. Every tenant (an operator on
the parcel's route, an operator elsewhere, the buyer, another buyer, anonymous) gets the same
page, which holds no personal data (tests/logistics/test_track.py), and the same 404 for a
code that does not exist; nobody is asked to log in."""

from __future__ import annotations

import pytest
from django.urls import resolve

from tests import factories
from tests.logistics.conftest import paid_order, scan

pytestmark = pytest.mark.django_db

ROUTES_CHECKED = {
    "track/",
    "track/<str:code>/",
}

TENANTS = ["operator-on-route", "operator-elsewhere", "owner", "other-buyer", "anonymous"]


@pytest.fixture
def world(network, buyer, product_a):
    order = paid_order(buyer, product_a)
    shipment = order.shipments.get()
    scan(network, "yetan", shipment, "received")
    users = {
        "operator-on-route": network.op["yetan"],
        "operator-elsewhere": network.op["tenglong"],  # 腾龙社区: not on this parcel's route
        "owner": buyer,
        "other-buyer": factories.user(email="other-buyer@example.com"),
        "anonymous": None,
    }
    return shipment, users


def _client(client, user):
    if user is not None:
        client.force_login(user)
    return client


def test_the_routes_listed_are_the_tracking_routes(world):
    shipment, _users = world
    assert {resolve("/track/").route, resolve(f"/track/{shipment.code}/").route} == (
        ROUTES_CHECKED)


@pytest.mark.parametrize("tenant", TENANTS)
def test_every_tenant_sees_the_same_public_tracking_page(client, world, tenant):
    shipment, users = world

    response = _client(client, users[tenant]).get(f"/track/{shipment.code}/")

    assert response.status_code == 200
    assert f'data-parcel="{shipment.code}"' in response.content.decode()
    assert "public" in response["Cache-Control"]


@pytest.mark.parametrize("tenant", TENANTS)
def test_every_tenant_gets_a_404_for_a_code_that_does_not_exist(client, world, tenant):
    _shipment, users = world

    response = _client(client, users[tenant]).get("/track/ZZZZZZZZZZ/")

    assert response.status_code == 404


@pytest.mark.parametrize("tenant", TENANTS)
def test_every_tenant_may_open_the_search_box(client, world, tenant):
    _shipment, users = world

    response = _client(client, users[tenant]).get("/track/")

    assert response.status_code == 200
    assert 'name="code"' in response.content.decode()
