"""Fixtures for dashboard scoping: orders of cooperative A's and B's products."""

import pytest

from tests import factories
from tests.dashboard.builders import order_with_lines, stockrecord


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
