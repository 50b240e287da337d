"""The cooperative stock quick edit page (库存快速修改) and its service."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from marketplace.cooperatives.services import stockrecord_update
from tests.dashboard.builders import stockrecord


def _edit_url(sr):
    return reverse("cooperative-dashboard:stock-edit", kwargs={"pk": sr.pk})


def test_staff_a_edits_own_price_and_stock(client, staff_a, product_a):
    # given
    sr = stockrecord(product_a)
    client.force_login(staff_a)
    # when
    response = client.post(_edit_url(sr), {"price": "45.50", "num_in_stock": "80"})
    # then
    assert response.status_code == 302
    assert response["Location"] == reverse("cooperative-dashboard:stock-list")
    sr.refresh_from_db()
    assert (sr.price, sr.num_in_stock) == (Decimal("45.50"), 80)


def test_edit_page_shows_current_values(client, staff_a, product_a):
    client.force_login(staff_a)

    response = client.get(_edit_url(stockrecord(product_a)))

    assert response.status_code == 200
    assert 'value="39.90"' in response.content.decode()


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"price": "-1", "num_in_stock": "5"}, "price", "价格不能为负数。"),
        ({"price": "abc", "num_in_stock": "5"}, "price", "请输入有效的价格，例如 39.90。"),
        ({"price": "1.999", "num_in_stock": "5"}, "price", "价格最多保留两位小数。"),
        ({"price": "", "num_in_stock": "5"}, "price", "请填写价格。"),
        ({"price": "10", "num_in_stock": "-3"}, "num_in_stock", "库存不能为负数。"),
        ({"price": "10", "num_in_stock": "2.5"}, "num_in_stock", "库存必须是整数。"),
        ({"price": "10", "num_in_stock": "3"}, "num_in_stock", "库存不能少于已被订单占用的 4 件。"),
    ],
    ids=["negative-price", "not-a-price", "three-decimals", "no-price", "negative-stock",
         "fractional-stock", "below-allocated"],
)
def test_invalid_input_shows_chinese_errors(client, staff_a, product_a, data, field, message):
    # given: 4 units are allocated to open orders
    sr = stockrecord(product_a)
    sr.num_allocated = 4
    sr.save()
    client.force_login(staff_a)
    # when
    response = client.post(_edit_url(sr), data)
    # then
    assert response.status_code == 200
    assert message in response.context["form"].errors[field]
    assert message in response.content.decode()
    sr.refresh_from_db()
    assert (sr.price, sr.num_in_stock) == (Decimal("39.90"), 50)


def test_service_refuses_stock_below_allocation_taken_meanwhile(product_a):
    # given: the form was shown with nothing allocated, then checkout allocated 10
    shown = stockrecord(product_a)
    stockrecord(product_a).allocate(10)
    # when / then
    with pytest.raises(ValidationError) as exc:
        stockrecord_update(stockrecord=shown, price=Decimal("39.90"), num_in_stock=5)
    assert exc.value.message_dict == {"num_in_stock": ["库存不能少于已被订单占用的 10 件。"]}
    assert stockrecord(product_a).num_in_stock == 50


def test_service_updates_and_closes_stock_alert(product_a):
    # given: an open low stock alert
    sr = stockrecord(product_a)
    sr.low_stock_threshold = 60
    sr.save()
    assert sr.alerts.filter(status="Open").exists()
    # when
    stockrecord_update(stockrecord=sr, price=Decimal("0"), num_in_stock=100)
    # then
    sr.refresh_from_db()
    assert (sr.price, sr.num_in_stock) == (Decimal("0.00"), 100)
    assert not sr.alerts.filter(status="Open").exists()


def test_dashboard_menu_links_the_stock_page_for_cooperative_staff(client, staff_a):
    client.force_login(staff_a)

    response = client.get(reverse("dashboard:index"))

    assert reverse("cooperative-dashboard:stock-list") in response.content.decode()
    assert "库存快速修改" in response.content.decode()
