"""Stripe provider: PaymentIntents in CNY (card, Alipay, WeChat Pay), refunds, webhooks.

Every call goes through one ``StripeClient`` built from settings, so tests point it at
localstripe with ``STRIPE_API_BASE``. Card data never reaches us: the buyer's browser
confirms the intent with Stripe.js; we only create, read, cancel and refund intents.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
from collections.abc import Iterable, Iterator

import stripe
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from marketplace.payments.providers.base import (
    CANCELED,
    IntentState,
    InvalidWebhook,
    PaymentDeclined,
    PaymentStart,
    ProviderError,
    RefundState,
    WebhookEvent,
)

logger = logging.getLogger(__name__)


@functools.lru_cache(maxsize=4)
def _client(api_key: str, api_base: str, timeout: float) -> stripe.StripeClient:
    kwargs = {}
    if api_base:
        kwargs["base_addresses"] = {"api": api_base}
    return stripe.StripeClient(
        api_key,
        http_client=stripe.RequestsClient(timeout=timeout),
        # Retries carry the same Idempotency-Key, so a retried create makes no second intent.
        max_network_retries=2,
        **kwargs,
    )


def client() -> stripe.StripeClient:
    return _client(settings.STRIPE_SECRET_KEY, settings.STRIPE_API_BASE,
                   settings.STRIPE_TIMEOUT_SECONDS)


def _plain(obj) -> dict:
    return obj.to_dict() if hasattr(obj, "to_dict") else dict(obj)


def _state(intent) -> IntentState:
    intent = _plain(intent)
    metadata = intent.get("metadata") or {}
    attempt = str(metadata.get("attempt") or "0")
    created = intent.get("created")
    return IntentState(
        reference=intent["id"],
        status=intent["status"],
        amount_fen=int(intent["amount"]),
        currency=str(intent["currency"]).upper(),
        order_number=str(metadata.get("order_number") or ""),
        attempt=int(attempt) if attempt.isdigit() else 0,
        created=dt.datetime.fromtimestamp(int(created), tz=dt.UTC) if created else None,
    )


def _refund_state(refund) -> RefundState:
    refund = _plain(refund)
    return RefundState(
        reference=refund["id"], amount_fen=int(refund["amount"]), status=refund["status"],
        payment_reference=str(refund.get("payment_intent") or ""),
    )


def _call(func, *args, **kwargs):
    try:
        return func(*args, **kwargs)
    except stripe.CardError as exc:
        raise PaymentDeclined(exc.user_message or str(exc)) from exc
    except stripe.StripeError as exc:
        raise ProviderError(str(exc)) from exc


class StripeProvider:
    code = "stripe"
    label = _("在线支付（银行卡、支付宝、微信支付）")
    is_sandbox = False
    pays_at_once = False

    def start(self, *, order_number: str, attempt: int, amount_fen: int, currency: str,
              idempotency_key: str) -> PaymentStart:
        if not isinstance(amount_fen, int) or amount_fen <= 0:
            raise ValueError("a Stripe payment needs a positive whole number of fen")
        params = {
            "amount": amount_fen,
            "currency": currency.lower(),
            "payment_method_types": list(settings.STRIPE_PAYMENT_METHOD_TYPES),
            "metadata": {"order_number": order_number, "attempt": str(attempt)},
        }
        if "wechat_pay" in settings.STRIPE_PAYMENT_METHOD_TYPES:
            # WeChat Pay in a browser shows a QR code; Stripe needs the client named up front.
            params["payment_method_options"] = {"wechat_pay": {"client": "web"}}
        intent = _call(client().v1.payment_intents.create, params=params,
                       options={"idempotency_key": idempotency_key})
        return PaymentStart(reference=intent.id, paid=False, client_secret=intent.client_secret)

    def client_secret(self, reference: str) -> str:
        return _call(client().v1.payment_intents.retrieve, reference).client_secret

    def retrieve(self, reference: str) -> IntentState:
        return _state(_call(client().v1.payment_intents.retrieve, reference))

    def cancel(self, reference: str) -> IntentState:
        """Cancel unless it is past cancelling; either way answer the intent's state now.

        An intent that succeeded meanwhile cannot be cancelled: the caller sees ``succeeded``
        and keeps the order.
        """
        try:
            return _state(client().v1.payment_intents.cancel(reference))
        except stripe.InvalidRequestError:
            state = self.retrieve(reference)
            if state.status != CANCELED:
                logger.info("intent %s not cancelled: it is %s", reference, state.status)
            return state
        except stripe.StripeError as exc:
            raise ProviderError(str(exc)) from exc

    def refund(self, *, reference: str, amount_fen: int, idempotency_key: str,
               metadata: dict[str, str]) -> RefundState:
        refund = _call(
            client().v1.refunds.create,
            params={"payment_intent": reference, "amount": amount_fen, "metadata": metadata},
            options={"idempotency_key": idempotency_key},
        )
        return _refund_state(refund)

    def refunds_of(self, reference: str) -> list[RefundState]:
        page = _call(client().v1.refunds.list, params={"payment_intent": reference, "limit": 100})
        return [_refund_state(r) for r in page.auto_paging_iter()]

    def recent_intents(self, since: dt.datetime) -> Iterable[IntentState]:
        return _recent_intents(since)

    def recently_refunded(self, since: dt.datetime) -> set[str]:
        """From the charge.refunded events (one list call, not one per payment)."""
        params = {"type": "charge.refunded", "created": {"gte": int(since.timestamp())},
                  "limit": 100}
        try:
            events = client().v1.events.list(params=params)
            return {
                str(_plain(event)["data"]["object"].get("payment_intent") or "")
                for event in events.auto_paging_iter()
            } - {""}
        except stripe.StripeError as exc:
            raise ProviderError(str(exc)) from exc

    def parse_webhook(self, payload: bytes, signature: str) -> WebhookEvent:
        secret = settings.STRIPE_WEBHOOK_SECRET
        if not secret:
            raise InvalidWebhook("STRIPE_WEBHOOK_SECRET is not set")
        try:
            event = stripe.Webhook.construct_event(
                payload, signature, secret, tolerance=settings.STRIPE_WEBHOOK_TOLERANCE_SECONDS
            )
        except stripe.SignatureVerificationError as exc:
            raise InvalidWebhook(f"signature: {exc.user_message or exc}") from exc
        except ValueError as exc:
            raise InvalidWebhook("body is not a Stripe event") from exc
        try:
            plain = _plain(event)
            obj = plain["data"]["object"]
            payment_reference = obj.get("id") if obj.get("object") == "payment_intent" else (
                obj.get("payment_intent") or ""
            )
            if isinstance(payment_reference, dict):  # an expanded intent
                payment_reference = payment_reference.get("id")
            return WebhookEvent(
                id=_identifier(plain.get("id"), "id"),
                type=_identifier(plain.get("type"), "type", limit=64),
                object_id=_identifier(obj.get("id"), "data.object.id"),
                payment_reference=_identifier(payment_reference, "payment intent",
                                              required=False),
            )
        except (KeyError, TypeError, AttributeError) as exc:
            raise InvalidWebhook("event without data.object") from exc


def _identifier(value, name: str, *, limit: int = 128, required: bool = True) -> str:
    """An id or type from a signed event, checked before it reaches the database: Stripe's
    are short ASCII strings; anything else is refused with a 400, not stored."""
    if value in (None, "") and not required:
        return ""
    if not isinstance(value, str) or not value or len(value) > limit \
            or not value.isascii() or not value.isprintable():
        raise InvalidWebhook(f"event {name} is not a valid identifier")
    return value


def _recent_intents(since: dt.datetime) -> Iterator[IntentState]:
    gte = int(since.timestamp())
    try:
        page = client().v1.payment_intents.list(params={"limit": 100, "created": {"gte": gte}})
    except stripe.InvalidRequestError:
        # localstripe lists intents but knows no ``created`` filter: filter here instead.
        page = _call(client().v1.payment_intents.list, params={"limit": 100})
    except stripe.StripeError as exc:
        raise ProviderError(str(exc)) from exc
    try:
        for intent in page.auto_paging_iter():
            if int(intent.created) >= gte:
                yield _state(intent)
    except stripe.StripeError as exc:
        raise ProviderError(str(exc)) from exc
