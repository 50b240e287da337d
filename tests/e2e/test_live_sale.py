"""A live sale in two real browsers: the host's console and a buyer's phone.

The buyer watches the live page, buys the pinned item at its live price through checkout,
and the host's console, left open, shows the viewer, the buyer's comment, the basket add, the
order, the units, the GMV and the flash units left move without a reload.
"""

import re
from decimal import Decimal

import pytest
from oscar.core.loading import get_model
from playwright.sync_api import expect

from marketplace.livestream import services
from tests import factories
from tests.e2e.test_buyer_checkout import log_in, saved_address
from tests.livestream.conftest import new_session

Order = get_model("order", "Order")

pytestmark = [pytest.mark.e2e]


def figure(page, name):
    return page.locator(f'#live-figures [data-figure="{name}"]')


def test_buyer_buys_the_pinned_item_at_the_live_price_and_the_host_console_moves(
    base_data_tx, live_server, phone, shot, coop_a, buyer
):
    # given a live session of cooperative A with the rice pinned at 29.90 instead of 39.90
    host = factories.coop_staff(coop_a, email="e2e-host@example.com")
    session = new_session(coop_a, host, title="妙高红米丰收直播")
    rice = services.item_add(
        session=session, live_price=Decimal("29.90"), flash_quantity=50, per_buyer_limit=2,
        product=factories.product(coop_a, title="妙高红米 5kg", price="39.90", stock=100))
    services.item_add(
        session=session, live_price=Decimal("68.00"), flash_quantity=10,
        product=factories.product(coop_a, title="高山绿茶 250g", price="88.00", stock=20))
    services.session_go_live(session_id=session.pk, user=host)
    services.item_pin(session_id=session.pk, item_id=rice.pk, user=host)
    saved_address(buyer)

    # and the host's console open on the host's phone, showing no sales yet
    console = phone()
    log_in(console, host.email)
    console.goto(f"/dashboard/live/{session.pk}/")
    expect(figure(console, "orders")).to_have_text("0")
    expect(figure(console, "gmv")).to_have_text("0.00")
    expect(console.locator(f"#item-{rice.pk} [data-units-left]")).to_have_text("50")
    shot(console, "console-before")

    # when a buyer opens the live page
    page = phone()
    log_in(page, buyer.email)
    page.goto(f"/live/{session.slug}/")
    pinned = page.locator("#live-pinned")
    expect(pinned.locator(".pinned-title")).to_have_text("妙高红米 5kg")
    expect(pinned.locator(".pinned-live-price")).to_have_text("¥29.90")
    expect(pinned.locator(".pinned-normal-price")).to_have_text("¥39.90")
    expect(pinned.locator(".pinned-units")).to_have_text("50")
    shot(page, "live-page")

    # then the console counts a viewer now, without a reload
    expect(figure(console, "viewers_now")).to_have_text("1")

    # when the buyer comments, the comment reaches the console without a reload, as text
    page.fill("#live-comment-text", "5kg 的还有吗？<3")
    page.click("#live-comment-form button[type=submit]")
    expect(page.locator("#live-comments")).to_contain_text("5kg 的还有吗？<3")
    on_console = console.locator("#live-comments li", has_text="5kg 的还有吗？<3")
    expect(on_console).to_have_count(1)

    # and when the host hides it there, it leaves the buyer's page within a poll or two
    on_console.locator("button[type=submit]").click()
    expect(console.locator("#live-comments")).to_contain_text("已隐藏")
    expect(page.locator("#live-comments")).not_to_contain_text("5kg 的还有吗？")
    expect(page.locator("#live-comments")).to_contain_text("还没有评论")

    # when the buyer taps "buy now" and goes through checkout with the saved address
    pinned.locator(".pinned-buy button").click()
    expect(page).to_have_url(re.compile(r"/checkout/shipping-address/"))
    page.locator("form:has(input[name=action][value=ship_to]) button[type=submit]").first.click()
    expect(page).to_have_url(re.compile(r"/checkout/(payment-details|preview)/"))
    if "/preview/" not in page.url:
        page.locator("a#view_preview, a[href='/checkout/preview/']").first.click()
    expect(page).to_have_url(re.compile(r"/checkout/preview/"))
    expect(page.get_by_text("¥29.90").first).to_be_visible()
    shot(page, "preview")
    page.locator("#place-order").click()
    expect(page).to_have_url(re.compile(r"/checkout/thank-you/"))

    # then the order holds the rice at the live price, attributed to the session
    order = Order.objects.get(user=buyer)
    line = order.lines.get()
    assert (line.title, line.quantity, line.unit_price_incl_tax) == (
        "妙高红米 5kg", 1, Decimal("29.90"))
    assert line.live_session_id == session.pk
    expect(page.get_by_text(order.number).first).to_be_visible()

    # and the host's console, never reloaded, shows the sale within a poll or two
    expect(figure(console, "basket_adds")).to_have_text("1")
    expect(figure(console, "orders")).to_have_text("1")
    expect(figure(console, "units")).to_have_text("1")
    expect(figure(console, "gmv")).to_have_text("29.90")
    expect(figure(console, "conversion_percent")).to_have_text("100.0")
    expect(console.locator(f"#item-{rice.pk} [data-units-left]")).to_have_text("49")
    shot(console, "console-after")

    # and the live page shows one unit fewer left
    page.goto(f"/live/{session.slug}/")
    expect(pinned.locator(".pinned-units")).to_have_text("49")
