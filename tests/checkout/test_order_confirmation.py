"""The order confirmation mail leaves after the order commits, once, and survives a mail
server outage by failing the task (to be retried) without marking the mail as sent."""

import smtplib

import pytest
from django.core.mail.backends.base import BaseEmailBackend
from oscar.core.loading import get_model

from marketplace.shop.order.services import order_confirmation_send
from tests import factories
from tests.reliability.helpers import buyer_ready_to_submit, place_order

Order = get_model("order", "Order")
CommunicationEvent = get_model("order", "CommunicationEvent")


class DownMailServer(BaseEmailBackend):
    """Stands in for an SMTP server that refuses connections."""

    def send_messages(self, email_messages):
        raise smtplib.SMTPConnectError(421, "service not available")


@pytest.fixture
def order(coop_a, django_capture_on_commit_callbacks):
    product = factories.product(coop_a, title="遂昌菊米", stock=5)
    client = buyer_ready_to_submit(product)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert "订单" in place_order(client).content.decode()
    assert callbacks, "the confirmation must be queued for after the commit"
    return Order.objects.get()


def test_confirmation_waits_for_the_commit_then_goes_once(order, mailoutbox):
    # nothing was sent inside the request
    assert mailoutbox == []
    # the task sends it once; a second run (a redelivered message) sends nothing
    assert order_confirmation_send(order_id=order.pk) is True
    assert order_confirmation_send(order_id=order.pk) is False
    assert len(mailoutbox) == 1
    assert order.number in mailoutbox[0].body
    assert mailoutbox[0].to == [order.user.email]


def test_mail_server_outage_fails_the_task_and_a_retry_sends_it(order, mailoutbox, settings):
    settings.EMAIL_BACKEND = "tests.checkout.test_order_confirmation.DownMailServer"
    with pytest.raises(smtplib.SMTPException):
        order_confirmation_send(order_id=order.pk)
    assert not CommunicationEvent.objects.filter(order=order).exists()
    # the server is back: the retry sends it
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert order_confirmation_send(order_id=order.pk) is True
    assert len(mailoutbox) == 1


def test_a_deleted_order_is_skipped(db):
    assert order_confirmation_send(order_id=987654) is False
