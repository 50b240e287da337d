"""Fixtures for dashboard scoping: one product each for cooperatives A and B, and orders."""

import pytest

from tests import factories
from tests.dashboard.builders import order_with_lines, stockrecord

TITLE_A = "妙高红米"
TITLE_B = "湖山白茶"


@pytest.fixture
def product_a(coop_a):
    return factories.product(coop_a, title=TITLE_A, price="39.90", stock=50)


@pytest.fixture
def product_b(coop_b):
    return factories.product(coop_b, title=TITLE_B, price="128.00", stock=20)


@pytest.fixture
def order_b(buyer, product_b):
    """An order holding only cooperative B's goods."""
    return order_with_lines(user=buyer, stockrecords=[stockrecord(product_b)])


@pytest.fixture
def mixed_order(buyer, product_a, product_b):
    """One basket with A's and B's goods became this one order."""
    return order_with_lines(
        user=buyer, stockrecords=[stockrecord(product_a), stockrecord(product_b)]
    )


@pytest.fixture
def admin_user(db):
    # tests/conftest.py's admin_user passes is_staff to Oscar's create_user, which sets it
    # itself (TypeError); create_superuser is the manager's way to make one.
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_superuser(
        email="admin@example.com", password=factories.PASSWORD
    )
