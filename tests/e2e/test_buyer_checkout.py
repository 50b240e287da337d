"""A buyer buys on a phone in a real browser; only the seller cooperative's staff see it."""

import re

import pytest
from oscar.core.loading import get_model
from playwright.sync_api import expect

from tests import factories

Order = get_model("order", "Order")
UserAddress = get_model("address", "UserAddress")
Country = get_model("address", "Country")

pytestmark = [pytest.mark.e2e]

TITLE = "遂昌红米 5斤装"


def saved_address(user, village="331123102209"):
    return UserAddress.objects.create(
        user=user, first_name="张三", line1="村口 1 号", region_id=village,
        country=Country.objects.get(pk="CN"), phone_number="+8613812345678",
    )


def log_in(page, email):
    page.goto("/accounts/login/")
    page.locator("[name=login-username]").fill(email)
    page.locator("[name=login-password]").fill(factories.PASSWORD)
    page.locator("button[name=login_submit]").click()
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))


def search_from_header(page, query):
    box = page.locator("nav form[action*='search'] [name=q]").first
    if not box.is_visible():
        # On a phone the menu holding the search box is collapsed behind its toggler.
        page.locator("nav:has([name=q]) .navbar-toggler").first.click()
    expect(box).to_be_visible()
    box.fill(query)
    box.press("Enter")
    expect(page).to_have_url(re.compile(r"/search/\?q="))


def test_buyer_checks_out_on_a_phone_and_only_the_seller_sees_the_order(
    base_data_tx, live_server, phone, shot, coop_a, coop_b, buyer, staff_a, staff_b
):
    # given a product of cooperative A (with a photo), one of B, a buyer with a saved address
    factories.product(coop_a, title=TITLE, image=True, price="59.00")
    factories.product(coop_b, title="湖山高山云雾茶 250克")
    saved_address(buyer)

    # when the buyer logs in, searches, and opens the product
    page = phone()
    log_in(page, buyer.email)
    shot(page, "buyer-logged-in")
    search_from_header(page, "红米")
    result = page.get_by_role("link", name=TITLE).first
    expect(result).to_be_visible()
    expect(page.get_by_text("湖山高山云雾茶")).to_have_count(0)
    shot(page, "search-results")
    result.click()
    expect(page.get_by_role("heading", name=TITLE)).to_be_visible()
    shot(page, "product")

    # and adds it to the basket and goes to the basket
    page.locator("#add_to_basket_form button[type=submit]").click()
    expect(page.locator(".alert-success").first).to_contain_text(TITLE)
    # Oscar's "view basket" links sit in a message and a collapsing header whose visibility
    # changes while the page settles on a phone; go to the basket page as its URL.
    page.goto("/basket/")
    expect(page).to_have_url(re.compile(r"/basket/$"))
    expect(page.get_by_role("link", name=TITLE).first).to_be_visible()
    shot(page, "basket")

    # and proceeds to checkout, ships to the saved address and continues to the preview
    page.locator("a[href='/checkout/']").first.click()
    expect(page).to_have_url(re.compile(r"/checkout/shipping-address/"))
    expect(page.get_by_text("村口 1 号").first).to_be_visible()
    shot(page, "shipping-address")
    page.locator("form:has(input[name=action][value=ship_to]) button[type=submit]").first.click()
    expect(page).to_have_url(re.compile(r"/checkout/(payment-details|preview)/"))
    shot(page, "payment-details")
    if "/payment-details/" in page.url:
        page.locator("a#view_preview, a[href='/checkout/preview/']").first.click()
    expect(page).to_have_url(re.compile(r"/checkout/preview/"))
    expect(page.get_by_text(TITLE).first).to_be_visible()
    shot(page, "preview")
    # then the preview says plainly that the sandbox takes no real money
    expect(page.get_by_text("沙箱").first).to_be_visible()

    # when the buyer places the order
    page.locator("#place-order").click()

    # then the thank-you page shows the order number, and the order is paid
    expect(page).to_have_url(re.compile(r"/checkout/thank-you/"))
    order = Order.objects.get(user=buyer)
    expect(page.get_by_text(order.number).first).to_be_visible()
    shot(page, "thank-you")
    assert order.status == "paid"
    assert [line.title for line in order.lines.all()] == [TITLE]

    # when staff of the seller cooperative A open the dashboard's orders
    page_a = phone()
    log_in(page_a, staff_a.email)
    response = page_a.goto("/dashboard/orders/")
    assert response.status == 200
    # then they see the order and, opened, its line
    link = page_a.get_by_role("link", name=order.number).first
    expect(link).to_be_visible()
    shot(page_a, "staff-a-orders")
    link.click()
    expect(page_a).to_have_url(re.compile(rf"/dashboard/orders/{order.number}/"))
    expect(page_a.get_by_text(TITLE).first).to_be_visible()
    shot(page_a, "staff-a-order-detail")

    # when staff of cooperative B open the same pages
    page_b = phone()
    log_in(page_b, staff_b.email)
    response = page_b.goto("/dashboard/orders/")
    assert response.status == 200
    # then the order is not listed and its page does not exist for them
    expect(page_b.locator("body")).not_to_contain_text(order.number)
    shot(page_b, "staff-b-orders")
    response = page_b.goto(f"/dashboard/orders/{order.number}/")
    assert response.status == 404
    shot(page_b, "staff-b-order-404")
