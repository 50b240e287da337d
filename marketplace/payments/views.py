"""Payment pages (pay, return, status) and the Stripe webhook endpoint: thin, over services."""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST
from oscar.core.loading import get_model

from marketplace.payments import services
from marketplace.payments.models import Payment
from marketplace.payments.providers import InvalidWebhook, ProviderError, get_provider
from marketplace.shop.order import services as order_services

logger = logging.getLogger(__name__)

Order = get_model("order", "Order")

PAID_STATUSES = order_services.PAID_STATUSES


def _own_order(request, number: str):
    # Another buyer's order number answers 404, exactly like one that does not exist.
    return get_object_or_404(Order, number=number, user=request.user)


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def payment_page_csp() -> str:
    """CSP of the payment page: our own files plus Stripe's script, frames and API only."""
    stripe_js = _origin(settings.STRIPE_JS_URL) or "https://js.stripe.com"
    api = _origin(settings.STRIPE_API_BASE) or "https://api.stripe.com"
    scripts = " ".join(dict.fromkeys([stripe_js, "https://*.js.stripe.com"]))
    frames = " ".join(dict.fromkeys([stripe_js, "https://*.js.stripe.com",
                                     "https://hooks.stripe.com"]))
    return "; ".join([
        "default-src 'self'",
        f"script-src 'self' {scripts}",
        f"frame-src {frames}",
        f"connect-src 'self' {api}",
        "img-src 'self' data: https://*.stripe.com",
        "style-src 'self' 'unsafe-inline'",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ])


@never_cache
@login_required
@require_GET
def pay(request, number: str):
    """The buyer's payment page for one unpaid order (Stripe's Payment Element)."""
    order = _own_order(request, number)
    if order.status in PAID_STATUSES:
        return redirect("payments:return", number=order.number)
    context = {"order": order, "provider": get_provider()}
    status = 200
    if order.status == "pending_payment":
        try:
            start = services.payment_start(order_id=order.pk)
        except services.PaymentNotPossible:
            return redirect("payments:return", number=order.number)
        except ProviderError:
            logger.exception("payment start failed for order %s", order.number)
            context["provider_down"] = True
            status = 503
        else:
            if start.paid:
                return redirect("payments:return", number=order.number)
            context.update(
                client_secret=start.client_secret,
                publishable_key=settings.STRIPE_PUBLISHABLE_KEY,
                stripe_js_url=settings.STRIPE_JS_URL,
                return_url=request.build_absolute_uri(
                    reverse("payments:return", kwargs={"number": order.number})),
            )
    response = render(request, "payments/pay.html", context, status=status)
    response["Content-Security-Policy"] = payment_page_csp()
    return response


@never_cache
@login_required
@require_GET
def payment_return(request, number: str):
    """Where Stripe sends the buyer back (card, Alipay, WeChat Pay). It shows what our
    records say; only the webhook (or reconciliation) marks the order paid."""
    order = _own_order(request, number)
    reference = request.GET.get("payment_intent", "")
    if reference and not Payment.objects.filter(order=order, reference=reference).exists():
        raise Http404("unknown payment for this order")
    context = {
        "order": order,
        "paid": order.status in PAID_STATUSES,
        "cancelled": order.status == order_services.STATUS_CANCELLED,
        "refunded": order.status == order_services.STATUS_REFUNDED,
        "pending": order.status == order_services.STATUS_PENDING_PAYMENT,
        "declined": request.GET.get("redirect_status") == "failed",
    }
    response = render(request, "payments/return.html", context)
    response["Content-Security-Policy"] = "default-src 'self'; frame-ancestors 'none'"
    return response


@never_cache
@login_required
@require_GET
def payment_status(request, number: str):
    order = _own_order(request, number)
    return JsonResponse({"number": order.number, "status": order.status,
                         "paid": order.status in PAID_STATUSES})


@csrf_exempt
@require_POST
def stripe_webhook(request):
    """Stripe's events: signature checked, each event id handled once."""
    if not settings.STRIPE_SECRET_KEY:
        return JsonResponse({"error": "Stripe is not configured on this server"}, status=404)
    provider = get_provider("stripe")
    try:
        event = provider.parse_webhook(request.body,
                                       request.headers.get("Stripe-Signature", ""))
    except InvalidWebhook as exc:
        return JsonResponse({"error": str(exc)}, status=400)
    try:
        outcome = services.webhook_receive(provider_code=provider.code, event=event)
    except ProviderError:
        logger.exception("webhook %s: provider unreachable", event.id)
        # Not stored: Stripe retries the delivery later.
        return JsonResponse({"error": "payment provider unreachable, retry later"}, status=503)
    return JsonResponse({"received": event.id, "outcome": outcome})

