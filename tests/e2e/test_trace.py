"""A buyer opens a delivered order on a phone, taps a 溯源码 and reads where the product came
from, how it was checked and how it travelled; the same code typed into /t/ (grouped, lower
case) lands on the same page, and a mistyped one gets a clear message."""
# ruff: noqa: F811  (the logistics network fixture is imported and used as a parameter)

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from marketplace.traceability import services
from marketplace.traceability.codes import code_group
from tests.e2e.test_buyer_checkout import log_in
from tests.logistics.conftest import network, paid_order, scan  # noqa: F401  # fixtures

pytestmark = [pytest.mark.e2e]


def _delivered(network, shipment) -> None:
    for minutes, (node, event) in enumerate([
        ("yetan", "received"), ("yetan", "dispatched"), ("miaogao", "received"),
        ("miaogao", "dispatched"), ("hub", "received"), ("hub", "dispatched"),
        ("xinluwan", "received"), ("xinluwan", "dispatched"), ("yuanlukou", "received"),
        ("yuanlukou", "out_for_delivery"),
    ]):
        assert scan(network, node, shipment, event, minutes=minutes * 10).ok
    assert scan(network, "yuanlukou", shipment, "delivered", minutes=110,
                recipient_name="李四", signature="李四").ok


def test_buyer_taps_a_trace_code_on_a_delivered_order_and_types_it_into_the_code_box(
    base_data_tx, live_server, phone, shot, network, buyer, product_a, coop_a, staff_a
):
    # given a batch of A's product with its inputs and a passed inspection, whose first code
    # was packed with the buyer's order, delivered at 远路口村
    harvested = timezone.localdate() - dt.timedelta(days=10)
    batch = services.batch_create(
        user=staff_a, cooperative=coop_a, product=product_a, batch_number="GP-2026-11",
        harvested_on=harvested, quantity=Decimal("600"), unit="公斤",
        plot_region=coop_a.village, plot_description="后山梯田 5 号田块",
        planted_on=harvested - dt.timedelta(days=150))
    services.input_add(user=staff_a, batch=batch, kind="fertiliser", name="商品有机肥",
                       amount="300 公斤/亩", applied_on=harvested - dt.timedelta(days=60))
    services.inspection_add(user=staff_a, batch=batch, kind="report",
                            issuer="遂昌县农产品质量安全检测站", inspected_on=harvested,
                            result="pass", number="JC-2026-1101")
    code = services.codes_issue(batch=batch, count=2, user=staff_a)[0].code
    order = paid_order(buyer, product_a)
    services.codes_bind(order_line=order.lines.get(), codes=[code], user=staff_a)
    _delivered(network, order.shipments.get())

    # when the buyer opens the order on a phone and taps its 溯源码
    page = phone()
    log_in(page, buyer.email)
    page.goto(f"/accounts/orders/{order.number}/")
    codes = page.locator(".order-trace-codes")
    expect(codes).to_contain_text("溯源码")
    shot(page, "order-codes")
    codes.get_by_role("link", name=code_group(code)).click()

    # then the trace page shows the product, batch, inspection, the sale and the delivery
    expect(page).to_have_url(re.compile(rf"/t/{code}/$"))
    body = page.locator("body")
    expect(body).to_contain_text(product_a.title)
    expect(page.locator("#production")).to_contain_text("GP-2026-11")
    expect(page.locator("#inputs")).to_contain_text("商品有机肥")
    expect(page.locator("#inspections")).to_contain_text("合格")
    expect(page.locator("#inspections")).to_contain_text("遂昌县农产品质量安全检测站")
    expect(page.locator("#sale")).to_contain_text(
        timezone.localtime(order.date_placed).strftime("%Y-%m-%d"))
    delivery = page.locator("#delivery")
    expect(delivery).to_contain_text("已签收")
    expect(delivery).to_contain_text("远路口村")
    expect(body).not_to_contain_text("李四")  # nothing personal on a public page
    shot(page, "trace-page")

    # when they type the printed code, grouped and in lower case, into /t/
    page.goto("/t/")
    box = page.get_by_role("search").locator("[name=code]")
    box.fill(code_group(code).lower())
    page.get_by_role("search").get_by_role("button").click()

    # then they land on the same page
    expect(page).to_have_url(re.compile(rf"/t/{code}/$"))
    expect(page.locator("#production")).to_contain_text("GP-2026-11")

    # and a code with one character wrong gets a clear message, the typed text kept
    wrong = code[:3] + ("0" if code[3] != "0" else "1") + code[4:]
    page.goto("/t/")
    page.get_by_role("search").locator("[name=code]").fill(code_group(wrong))
    page.get_by_role("search").get_by_role("button").click()
    expect(page.get_by_role("alert")).to_contain_text("校验位不对")
    expect(page.get_by_role("search").locator("[name=code]")).to_have_value(code_group(wrong))
    shot(page, "mistyped")
