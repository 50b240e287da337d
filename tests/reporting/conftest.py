"""Shared fixtures of the reporting tests."""

from __future__ import annotations

import pytest
from oscar.core.loading import get_model

from marketplace.shop.catalogue.services import category_by_name
from tests import factories
from tests.livestream.conftest import new_session

ProductCategory = get_model("catalogue", "ProductCategory")


@pytest.fixture
def world(coop_a, coop_b, staff_a):
    """Three products (one in two categories), a live session, three buyers."""
    rice = factories.product(coop_a, title="红米", price="39.90")
    tea = factories.product(coop_b, title="白茶", price="128.00", category="茶叶")
    kiwi = factories.product(coop_b, title="猕猴桃", price="9.99", category="水果")
    ProductCategory.objects.create(product=kiwi, category=category_by_name("加工食品"))
    session = new_session(coop_a, staff_a)
    buyers = [factories.user(email=f"fact-buyer-{i}@example.com") for i in range(3)]
    return {"products": [rice, tea, kiwi], "session": session, "buyers": buyers}
