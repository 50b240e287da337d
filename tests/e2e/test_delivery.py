"""A village point's operator hands a parcel over on a phone; the buyer sees it delivered on
the order page, and the public tracking page shows the same without personal data."""

import re

import pytest
from oscar.core.loading import get_model
from playwright.sync_api import expect

from tests.e2e.test_buyer_checkout import log_in
from tests.logistics.conftest import network, paid_order, scan  # noqa: F401  # fixtures

Order = get_model("order", "Order")

pytestmark = [pytest.mark.e2e]


def test_village_operator_marks_a_parcel_delivered_and_the_buyer_sees_it(
    base_data_tx, live_server, phone, shot, network, buyer, product_a  # noqa: F811
):
    # given A's parcel for the buyer, carried through the county and received at 远路口村
    order = paid_order(buyer, product_a)
    parcel = order.shipments.get()
    for minutes, (node, event) in enumerate([
        ("yetan", "received"), ("yetan", "dispatched"), ("miaogao", "received"),
        ("miaogao", "dispatched"), ("hub", "received"), ("hub", "dispatched"),
        ("xinluwan", "received"), ("xinluwan", "dispatched"), ("yuanlukou", "received"),
    ]):
        assert scan(network, node, parcel, event, minutes=minutes * 10).ok

    # when the village point's operator opens the station console on a phone
    station = phone()
    log_in(station, network.op["yuanlukou"].email)
    station.goto("/logistics/")
    expect(station).to_have_url(re.compile(rf"/logistics/n/{network.yuanlukou.pk}/"))
    row = station.locator(f'#on-hand [data-parcel="{parcel.code}"]')
    expect(row).to_be_visible()
    shot(station, "on-hand")

    # and hands the parcel to the buyer, who signs with their name
    station.locator("[name=code]").fill(parcel.code)
    station.locator("[name=event]").select_option("delivered")
    station.locator("[name=recipient_name]").fill("李四")
    station.locator("[name=signature]").fill("李四")
    station.locator("#scan-submit").click()

    # then the console says so and the parcel leaves the on-hand list
    expect(station.locator("#scan-result")).to_have_attribute("data-outcome", "accepted")
    expect(station.locator(f'#dispatched [data-parcel="{parcel.code}"]')).to_be_visible()
    expect(row).to_have_count(0)
    shot(station, "delivered")

    # and the buyer's order page shows the parcel delivered at the village point
    page = phone()
    log_in(page, buyer.email)
    page.goto(f"/accounts/orders/{order.number}/")
    parcels = page.locator("#order-parcels")
    expect(parcels).to_contain_text(parcel.code)
    expect(parcels).to_contain_text("已签收")
    expect(parcels).to_contain_text("远路口村服务点")
    shot(page, "order-page")
    assert Order.objects.get(pk=order.pk).status == "delivered"

    # and the public tracking page, reached from there, shows it without the buyer's name
    parcels.get_by_role("link", name=parcel.code).first.click()
    expect(page).to_have_url(re.compile(rf"/track/{parcel.code}/"))
    expect(page.locator("body")).to_contain_text("已签收")
    expect(page.locator("body")).not_to_contain_text("李四")
    expect(page.locator("body")).not_to_contain_text(order.number)
