"""The Stripe payment page in Chromium: its CSP lets Stripe.js in and mount, and it stays light.

localstripe serves a stand-in Stripe.js at STRIPE_JS_URL (its own origin, as js.stripe.com is
in production) whose Element mounts plain card inputs, so the page's CSP is tried against a
real cross-origin script without reaching Stripe.
"""

from __future__ import annotations

import pytest
from django.conf import settings as django_settings
from django.test import Client
from playwright.sync_api import expect

from marketplace.payments.models import Payment
from tests import factories
from tests.dashboard.builders import order_with_lines, stockrecord
from tests.payments import stripe_helpers

pytestmark = [pytest.mark.e2e]

# localstripe's fixtures (tests/payments/conftest.py offers them to tests/payments/ only)
localstripe = stripe_helpers.localstripe
stripe_on = stripe_helpers.stripe_on

# What the pay page may weigh without Stripe.js (HTML, CSS, our script, headers included):
# buyers pay on village phone networks.
PAGE_BUDGET_BYTES = 60 * 1024

# Collects what the browser reports about CSP before any of the page's own code runs.
CSP_LISTENER = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`);
});
"""


def signed_in_page(phone, live_server, user):
    """A phone page carrying the user's session (the login page is tested elsewhere)."""
    client = Client()
    client.force_login(user)
    page = phone()
    page.context.add_cookies([{
        "name": django_settings.SESSION_COOKIE_NAME,
        "value": client.cookies[django_settings.SESSION_COOKIE_NAME].value,
        "url": live_server.url,
    }])
    return page


def test_pay_page_mounts_stripe_under_its_csp_and_stays_light(
    base_data_tx, stripe_on, live_server, phone, shot, coop_a, buyer
):
    # given buyer A's order awaiting payment, Stripe (localstripe) as the provider
    product = factories.product(coop_a, title="妙高红米 5kg", price="39.90", stock=10)
    order = order_with_lines(user=buyer, stockrecords=[stockrecord(product)],
                             status="pending_payment")
    stripe_js = django_settings.STRIPE_JS_URL
    page = signed_in_page(phone, live_server, buyer)
    page.add_init_script(CSP_LISTENER)
    console: list[str] = []
    page.on("console", lambda message: console.append(f"{message.type}: {message.text}"))
    requests = []
    page.on("requestfinished", lambda request: requests.append(request))

    # when the buyer opens the pay page
    response = page.goto(f"/payments/pay/{order.number}/", wait_until="networkidle")

    # then it is the Stripe page, sent with its CSP
    assert response.status == 200
    assert "script-src 'self' " + stripe_on in response.headers["content-security-policy"]
    payment = Payment.objects.get(order=order)
    assert payment.provider == "stripe"
    assert payment.amount_fen == 3990
    # and Stripe.js came from STRIPE_JS_URL and defined Stripe()
    scripts = {r.url: r.response().status for r in requests if r.resource_type == "script"}
    assert scripts.get(stripe_js) == 200, scripts
    assert page.evaluate("typeof window.Stripe") == "function"
    # and the Element is mounted into #payment-element (localstripe's card inputs)
    holder = page.locator("#payment-element")
    expect(holder.locator("input[placeholder=number]")).to_be_visible()
    expect(holder.locator("input[placeholder=cvc]")).to_be_visible()
    expect(holder.locator(".pay-loading")).to_have_count(0)
    expect(page.locator("#pay-message")).to_be_hidden()  # no "payment widget failed" notice
    shot(page, "stripe-pay-page")
    # and the browser reported no CSP violation, as an event or in the console
    assert page.evaluate("window.__cspViolations") == []
    assert not [line for line in console if "Content Security Policy" in line], console
    # and everything but Stripe.js stays under the budget
    own = [r for r in requests if not r.url.startswith(stripe_on)]
    sizes = {r.url: r.sizes()["responseBodySize"] + r.sizes()["responseHeadersSize"]
             for r in own}
    assert any(url.endswith(f"/payments/pay/{order.number}/") for url in sizes), sizes
    total = sum(sizes.values())
    print(f"pay page without Stripe.js: {total} bytes in {len(sizes)} requests: {sizes}")
    assert total < PAGE_BUDGET_BYTES, sizes

    # when something off the allow-list is loaded into the page (the listener's control)
    page.evaluate("""() => { const img = document.createElement("img");
                             img.src = "https://evil.example.com/pixel.png";
                             document.body.appendChild(img); }""")

    # then the CSP blocks it and the listener above would have seen it
    page.wait_for_function("window.__cspViolations.length > 0")
    assert page.evaluate("window.__cspViolations") == [
        "img-src https://evil.example.com/pixel.png"]
