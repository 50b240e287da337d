"""The database itself refuses a second payment per order attempt and a second event."""

import pytest
from django.db import IntegrityError, transaction
from oscar.core.loading import get_model

from marketplace.payments.models import Payment, ProviderEvent, Refund, idempotency_key
from tests import factories
from tests.reliability.helpers import buyer_ready_to_submit, place_order

pytestmark = pytest.mark.django_db

Order = get_model("order", "Order")


@pytest.fixture
def order(coop_a):
    product = factories.product(coop_a, stock=5)
    place_order(buyer_ready_to_submit(product))
    return Order.objects.get(lines__product=product)


def test_one_payment_per_order_attempt(order):
    Payment.objects.filter(order=order).delete()
    Payment.objects.create(order=order, attempt=1, provider="stripe", reference="pi_1",
                           amount_fen=3990)

    with pytest.raises(IntegrityError), transaction.atomic():
        Payment.objects.create(order=order, attempt=1, provider="stripe", reference="pi_2",
                               amount_fen=3990)

    Payment.objects.create(order=order, attempt=2, provider="stripe", reference="pi_3",
                           amount_fen=3990)
    assert Payment.objects.filter(order=order).count() == 2


def test_one_payment_per_provider_reference(order):
    Payment.objects.filter(order=order).delete()
    Payment.objects.create(order=order, attempt=1, provider="stripe", reference="pi_1",
                           amount_fen=3990)

    with pytest.raises(IntegrityError), transaction.atomic():
        Payment.objects.create(order=order, attempt=2, provider="stripe", reference="pi_1",
                               amount_fen=3990)


def test_each_event_id_is_stored_once():
    ProviderEvent.objects.create(provider="stripe", event_id="evt_1", type="x")

    with pytest.raises(IntegrityError), transaction.atomic():
        ProviderEvent.objects.create(provider="stripe", event_id="evt_1", type="x")


def test_a_refund_is_never_zero(order):
    payment = Payment.objects.get(order=order)

    with pytest.raises(IntegrityError), transaction.atomic():
        Refund.objects.create(order=order, payment=payment, amount_fen=0,
                              origin=Refund.DASHBOARD)


def test_idempotency_key_names_order_and_attempt():
    assert idempotency_key("100123", 2) == "order-100123-attempt-2"
