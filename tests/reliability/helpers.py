"""Helpers that put a buyer one click before "place order", through the real views."""

from __future__ import annotations

import threading
from collections.abc import Callable
from importlib import import_module

import pytest
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.auth.hashers import make_password
from django.db import connection
from django.test import Client
from oscar.core.loading import get_class, get_model

from tests import factories

Basket = get_model("basket", "Basket")
Selector = get_class("partner.strategy", "Selector")
UserAddress = get_model("address", "UserAddress")
Country = get_model("address", "Country")


def saved_address(user, village="331123102209"):
    return UserAddress.objects.create(
        user=user, first_name="张三", line1="村口 1 号", region_id=village,
        country=Country.objects.get(pk="CN"), phone_number="+8613812345678",
    )


def buyers_in_bulk(n: int, *, prefix: str) -> list:
    """``n`` buyers in one INSERT, sharing one password hash (hashing is the slow part)."""
    User = get_user_model()
    password = make_password(factories.PASSWORD)
    User.objects.bulk_create(
        [User(email=f"{prefix}{i}@example.com", password=password) for i in range(n)]
    )
    return list(User.objects.filter(email__startswith=prefix).order_by("pk"))


def buyer_ready_to_submit(product, *, quantity=1, email=None, user=None) -> Client:
    """A logged-in client whose basket holds ``product`` and whose checkout session has a
    saved shipping address and free shipping: the next POST to the preview places the order."""
    user = user or factories.user(email=email)
    address = saved_address(user)
    client = Client()
    client.force_login(user)
    response = client.post(
        f"/basket/add/{product.pk}/", {"quantity": quantity}, HTTP_REFERER="/"
    )
    assert response.status_code in (200, 302), response.status_code
    session = client.session
    session["checkout_data"] = _checkout_data(address)
    session.save()
    return client


def _checkout_data(address) -> dict:
    """What the shipping address and shipping method steps leave in the session."""
    return {"shipping": {"user_address_id": address.pk, "method_code": "free-shipping"}}


def buyers_ready_in_bulk(product, n: int, *, prefix: str) -> list[str]:
    """Session keys of ``n`` buyers in the state ``buyer_ready_to_submit`` leaves one in,
    made through the models (Oscar's ``Basket.add_product``, a session store) because
    hundreds of basket-add requests take too long to prepare a load test."""
    engine = import_module(settings.SESSION_ENGINE)
    strategy = Selector().strategy()
    keys = []
    for user in buyers_in_bulk(n, prefix=prefix):
        address = saved_address(user)
        basket = Basket.objects.create(owner=user)
        basket.strategy = strategy
        basket.add_product(product, 1)
        session = engine.SessionStore()
        session.update({
            SESSION_KEY: str(user.pk),
            BACKEND_SESSION_KEY: "oscar.apps.customer.auth_backends.EmailBackend",
            HASH_SESSION_KEY: user.get_session_auth_hash(),
            "checkout_data": _checkout_data(address),
        })
        session.create()
        keys.append(session.session_key)
    return keys


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
