"""Helpers that put a buyer one click before "place order", through the real views."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from oscar.core.loading import get_model

from tests import factories

UserAddress = get_model("address", "UserAddress")
Country = get_model("address", "Country")


def saved_address(user, village="331123102209"):
    return UserAddress.objects.create(
        user=user, first_name="张三", line1="村口 1 号", region_id=village,
        country=Country.objects.get(pk="CN"), phone_number="+8613812345678",
    )


def buyer_ready_to_submit(product, *, quantity=1, email=None) -> Client:
    """A logged-in client whose basket holds ``product`` and whose checkout session has a
    saved shipping address and free shipping: the next POST to the preview places the order."""
    user = factories.user(email=email)
    address = saved_address(user)
    client = Client()
    client.force_login(user)
    response = client.post(
        f"/basket/add/{product.pk}/", {"quantity": quantity}, HTTP_REFERER="/"
    )
    assert response.status_code in (200, 302), response.status_code
    session = client.session
    session["checkout_data"] = {
        "shipping": {"user_address_id": address.pk, "method_code": "free-shipping"},
    }
    session.save()
    return client


def place_order(client: Client):
    return client.post("/checkout/preview/", {"action": "place_order"}, follow=True)


def require_postgres():
    if connection.vendor != "postgresql":
        pytest.skip("concurrency test needs PostgreSQL: set DATABASE_URL (SQLite locks the "
                    "whole file, so it cannot show a race)")


def at_once(calls: list[Callable], *, timeout: float = 120) -> list:
    """Run every call in its own thread (so on its own DB connection), all released by one
    barrier; return their results in order, an exception standing in for a failed call."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(i, call):
        try:
            barrier.wait(timeout=30)
            results[i] = call()
        except Exception as exc:
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=timeout)
    return results
