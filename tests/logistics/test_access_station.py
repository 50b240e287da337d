"""Who may use the station console and API: the operators of the node in the URL. Another
node's operator and buyers get 404 (as if nothing were there), anonymous people the login
page (pages) or 403 (API); a refused write saves nothing."""

from __future__ import annotations

import json
import uuid

import pytest
from django.test import Client
from django.urls import resolve
from django.utils import timezone

from logistics.models import ScanEvent
from tests.logistics.conftest import paid_order

pytestmark = pytest.mark.django_db

ROUTES_CHECKED = {
    "logistics/",
    "logistics/n/<int:node_id>/",
    "logistics/n/<int:node_id>/p/<str:code>/",
    "api/logistics/nodes/",
    "api/logistics/nodes/<int:node_id>/parcels/",
    "api/logistics/nodes/<int:node_id>/scans/",
    "api/logistics/nodes/<int:node_id>/temperatures/",
}
TENANTS = ["operator", "other_operator", "buyer", "anonymous"]


@pytest.fixture
def world(network, buyer, product_a):
    """A parcel routed through 叶坦 (its origin); 腾龙 is a node off its route."""
    parcel = paid_order(buyer, product_a).shipments.get()
    users = {"operator": network.op["yetan"], "other_operator": network.op["tenglong"],
             "buyer": buyer, "anonymous": None}
    return network, parcel, users


def client_for(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _scan_body(parcel, key):
    item = {"client_uuid": str(uuid.uuid4()), "parcel_code": parcel.code,
            "event": "received" if key == "scans" else None,
            "device_time": timezone.now().isoformat()}
    if key == "readings":
        item.update(temperature="4.0")
        del item["event"]
    return json.dumps({key: [item]})


def _requests(net, parcel):
    """(route, method, url, body) for every console and API route, aimed at 叶坦."""
    node = net.yetan.pk
    return [
        ("logistics/n/<int:node_id>/", "get", f"/logistics/n/{node}/", None),
        ("logistics/n/<int:node_id>/", "post", f"/logistics/n/{node}/", {
            "code": parcel.code, "event": "received", "client_uuid": str(uuid.uuid4())}),
        ("logistics/n/<int:node_id>/p/<str:code>/", "get",
         f"/logistics/n/{node}/p/{parcel.code}/", None),
        ("api/logistics/nodes/<int:node_id>/parcels/", "get",
         f"/api/logistics/nodes/{node}/parcels/", None),
        ("api/logistics/nodes/<int:node_id>/scans/", "post",
         f"/api/logistics/nodes/{node}/scans/", _scan_body(parcel, "scans")),
        ("api/logistics/nodes/<int:node_id>/temperatures/", "post",
         f"/api/logistics/nodes/{node}/temperatures/", _scan_body(parcel, "readings")),
    ]


def _send(client, method, url, body):
    if method == "get":
        return client.get(url)
    if isinstance(body, str):
        return client.post(url, body, content_type="application/json")
    return client.post(url, body)


@pytest.mark.parametrize("tenant", TENANTS)
def test_every_node_route_answers_each_tenant_as_it_should(world, tenant):
    net, parcel, users = world
    client = client_for(users[tenant])

    for route, method, url, body in _requests(net, parcel):
        assert resolve(url).route == route
        response = _send(client, method, url, body)
        where = f"{tenant} {method.upper()} {url}"
        if tenant == "operator":
            assert response.status_code == 200, where
        elif tenant == "anonymous" and url.startswith("/api/"):
            assert response.status_code == 403, where
        elif tenant == "anonymous":
            assert response.status_code == 302, where
            assert "/login/" in response.url and "next=" in response.url, where
        else:
            assert response.status_code == 404, where

    stored = ScanEvent.objects.count()
    assert stored == (3 if tenant == "operator" else 0)  # page scan, API scan, API reading


@pytest.mark.parametrize("tenant", TENANTS)
def test_the_console_index_and_node_list_show_only_ones_own_nodes(world, tenant):
    net, _parcel, users = world
    client = client_for(users[tenant])

    page = client.get("/logistics/")
    nodes = client.get("/api/logistics/nodes/")

    assert resolve("/logistics/").route == "logistics/"
    assert resolve("/api/logistics/nodes/").route == "api/logistics/nodes/"
    if tenant in ("operator", "other_operator"):
        own = net.yetan if tenant == "operator" else net.tenglong
        assert page.status_code == 302 and page.url == f"/logistics/n/{own.pk}/"
        assert [n["id"] for n in nodes.json()] == [own.pk]
    elif tenant == "buyer":
        assert (page.status_code, nodes.status_code) == (404, 404)
    else:
        assert page.status_code == 302 and "/login/" in page.url
        assert nodes.status_code == 403


def test_a_parcel_of_another_node_is_a_404_on_ones_own_node(world):
    net, parcel, _users = world
    client = client_for(net.op["tenglong"])

    page = client.get(f"/logistics/n/{net.tenglong.pk}/p/{parcel.code}/")
    lists = client.get(f"/api/logistics/nodes/{net.tenglong.pk}/parcels/").json()
    scan = client.post(f"/api/logistics/nodes/{net.tenglong.pk}/scans/",
                       _scan_body(parcel, "scans"), content_type="application/json")

    assert page.status_code == 404
    assert parcel.code not in json.dumps(lists)
    result = scan.json()["results"][0]
    assert result["outcome"] == "rejected" and "本站点没有这个包裹" in result["reason"]
    assert not ScanEvent.objects.exists()


def test_a_node_that_does_not_exist_is_a_404_like_another_tenants(world):
    net, _parcel, _users = world
    client = client_for(net.op["yetan"])

    assert client.get("/logistics/n/999999/").status_code == 404
    assert client.get("/api/logistics/nodes/999999/parcels/").status_code == 404
