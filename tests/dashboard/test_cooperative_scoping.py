"""Cooperative staff see and change only their own products, stock records and order lines."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse
from oscar.core.loading import get_model

from tests import factories
from tests.conftest import TITLE_A, TITLE_B
from tests.dashboard.builders import order_with_lines, stockrecord

StockAlert = get_model("partner", "StockAlert")


def _b_line(order):
    return order.lines.get(partner__cooperative__partner__name="湖山茶叶合作社")


# Every dashboard URL of B's product, stock record and order, as (method, url, data).
FOREIGN_URLS = {
    "product-update-get": lambda ctx: ("get", reverse(
        "dashboard:catalogue-product", kwargs={"pk": ctx["product_b"].pk}), None),
    "product-update-post": lambda ctx: ("post", reverse(
        "dashboard:catalogue-product", kwargs={"pk": ctx["product_b"].pk}), {"title": "x"}),
    "product-delete-get": lambda ctx: ("get", reverse(
        "dashboard:catalogue-product-delete", kwargs={"pk": ctx["product_b"].pk}), None),
    "product-delete-post": lambda ctx: ("post", reverse(
        "dashboard:catalogue-product-delete", kwargs={"pk": ctx["product_b"].pk}), {}),
    "stock-edit-get": lambda ctx: ("get", reverse(
        "cooperative-dashboard:stock-edit", kwargs={"pk": stockrecord(ctx["product_b"]).pk}),
        None),
    "stock-edit-post": lambda ctx: ("post", reverse(
        "cooperative-dashboard:stock-edit", kwargs={"pk": stockrecord(ctx["product_b"]).pk}),
        {"price": "1.00", "num_in_stock": "0"}),
    "order-detail-get": lambda ctx: ("get", reverse(
        "dashboard:order-detail", kwargs={"number": ctx["order_b"].number}), None),
    "order-detail-post": lambda ctx: ("post", reverse(
        "dashboard:order-detail", kwargs={"number": ctx["order_b"].number}),
        {"order_action": "change_order_status", "new_status": "cancelled"}),
    "line-detail-b-only-order": lambda ctx: ("get", reverse(
        "dashboard:order-line-detail",
        kwargs={"number": ctx["order_b"].number, "line_id": ctx["order_b"].lines.get().pk}),
        None),
    "line-detail-mixed-order": lambda ctx: ("get", reverse(
        "dashboard:order-line-detail",
        kwargs={"number": ctx["mixed_order"].number,
                "line_id": _b_line(ctx["mixed_order"]).pk}),
        None),
    "shipping-address-b-only-order": lambda ctx: ("get", reverse(
        "dashboard:order-shipping-address", kwargs={"number": ctx["order_b"].number}), None),
    "shipping-address-mixed-order-get": lambda ctx: ("get", reverse(
        "dashboard:order-shipping-address", kwargs={"number": ctx["mixed_order"].number}),
        None),
    "shipping-address-mixed-order-post": lambda ctx: ("post", reverse(
        "dashboard:order-shipping-address", kwargs={"number": ctx["mixed_order"].number}),
        {"first_name": "王五", "line1": "别处"}),
}


@pytest.fixture
def ctx(product_a, product_b, order_b, mixed_order):
    return {
        "product_a": product_a, "product_b": product_b,
        "order_b": order_b, "mixed_order": mixed_order,
    }


@pytest.mark.parametrize("case", FOREIGN_URLS.values(), ids=FOREIGN_URLS.keys())
def test_staff_a_gets_404_for_b_data(client, staff_a, ctx, case):
    # given
    method, url, data = case(ctx)
    client.force_login(staff_a)
    # when
    response = getattr(client, method)(url, data or {})
    # then
    assert response.status_code == 404
    assert TITLE_B.encode() not in response.content


def test_b_data_is_left_unchanged_after_staff_a_posts(client, staff_a, ctx):
    # given
    client.force_login(staff_a)
    # when
    for case in FOREIGN_URLS.values():
        method, url, data = case(ctx)
        if method == "post":
            client.post(url, data or {})
    # then
    product_b = ctx["product_b"]
    product_b.refresh_from_db()
    sr_b = stockrecord(product_b)
    assert product_b.title == TITLE_B
    assert (sr_b.price, sr_b.num_in_stock) == (Decimal("128.00"), 20)
    ctx["order_b"].refresh_from_db()
    assert ctx["order_b"].status == "paid"
    ctx["mixed_order"].shipping_address.refresh_from_db()
    assert ctx["mixed_order"].shipping_address.first_name == "李四"


@pytest.mark.parametrize(
    "url_name",
    [
        "dashboard:catalogue-product-list",
        "dashboard:order-list",
        "dashboard:stock-alert-list",
        "cooperative-dashboard:stock-list",
        "dashboard:index",
    ],
    ids=["product-list", "order-list", "stock-alerts", "stock-list", "dashboard-index"],
)
def test_b_data_never_appears_in_staff_a_lists(client, staff_a, ctx, url_name):
    # given: A and B both have stock alerts and orders
    for product in (ctx["product_a"], ctx["product_b"]):
        sr = stockrecord(product)
        sr.low_stock_threshold = 1000
        sr.save()
    assert StockAlert.objects.filter(stockrecord__product=ctx["product_b"]).exists()
    client.force_login(staff_a)
    # when
    response = client.get(reverse(url_name))
    # then
    assert response.status_code == 200
    assert TITLE_B.encode() not in response.content
    assert ctx["order_b"].number.encode() not in response.content
    assert b"128.00" not in response.content  # B's price
    assert b"167.90" not in response.content  # the mixed order's total (A + B)


def test_lists_show_staff_a_their_own_data(client, staff_a, ctx):
    client.force_login(staff_a)

    products = client.get(reverse("dashboard:catalogue-product-list"))
    orders = client.get(reverse("dashboard:order-list"))
    stock = client.get(reverse("cooperative-dashboard:stock-list"))

    assert TITLE_A.encode() in products.content
    assert ctx["mixed_order"].number.encode() in orders.content
    assert "¥39.90".encode() in orders.content  # A's subtotal, not the order's ¥167.90
    assert "¥167.90".encode() not in orders.content
    assert TITLE_A.encode() in stock.content


def test_staff_a_edits_own_product(client, staff_a, product_a):
    # given
    client.force_login(staff_a)
    url = reverse("dashboard:catalogue-product", kwargs={"pk": product_a.pk})
    # when
    response = client.get(url)
    # then
    assert response.status_code == 200
    assert TITLE_A.encode() in response.content


def test_mixed_order_shows_staff_a_only_their_line_and_subtotal(client, staff_a, mixed_order):
    # given
    client.force_login(staff_a)
    # when
    response = client.get(reverse("dashboard:order-detail", kwargs={"number": mixed_order.number}))
    # then
    assert response.status_code == 200
    content = response.content.decode()
    assert TITLE_A in content
    assert TITLE_B not in content
    assert "¥39.90" in content
    assert "¥128.00" not in content
    assert "¥167.90" not in content  # the order total
    assert [line.title for line in response.context["lines"]] == [TITLE_A]
    assert response.context["cooperative_subtotal_incl_tax"] == Decimal("39.90")


def test_mixed_order_shows_staff_b_only_their_line(client, staff_b, mixed_order):
    client.force_login(staff_b)

    response = client.get(reverse("dashboard:order-detail", kwargs={"number": mixed_order.number}))

    assert TITLE_B in response.content.decode()
    assert TITLE_A not in response.content.decode()


def test_staff_a_sees_own_line_detail(client, staff_a, mixed_order):
    line_a = mixed_order.lines.get(title=TITLE_A)
    client.force_login(staff_a)

    response = client.get(reverse(
        "dashboard:order-line-detail", kwargs={"number": mixed_order.number, "line_id": line_a.pk}
    ))

    assert response.status_code == 200


def test_admin_sees_everything(client, admin_user, ctx):
    # given
    client.force_login(admin_user)
    mixed = ctx["mixed_order"]
    # when
    detail = client.get(reverse("dashboard:order-detail", kwargs={"number": mixed.number}))
    product_b = client.get(
        reverse("dashboard:catalogue-product", kwargs={"pk": ctx["product_b"].pk})
    )
    stock = client.get(reverse("cooperative-dashboard:stock-list"))
    address = client.get(
        reverse("dashboard:order-shipping-address", kwargs={"number": mixed.number})
    )
    # then
    assert TITLE_A in detail.content.decode()
    assert TITLE_B in detail.content.decode()
    assert "¥167.90" in detail.content.decode()
    assert product_b.status_code == 200
    assert address.status_code == 200
    assert TITLE_A in stock.content.decode()
    assert TITLE_B in stock.content.decode()


@pytest.mark.parametrize(
    "url_name",
    ["dashboard:index", "dashboard:order-list", "dashboard:catalogue-product-list",
     "cooperative-dashboard:stock-list"],
)
def test_anonymous_is_sent_to_dashboard_login(client, url_name):
    response = client.get(reverse(url_name))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("dashboard:login"))


@pytest.mark.parametrize(
    "url_name",
    ["dashboard:index", "dashboard:order-list", "dashboard:catalogue-product-list",
     "cooperative-dashboard:stock-list"],
)
def test_buyer_without_dashboard_access_gets_403(client, buyer, url_name):
    # Oscar's permissions_required: signed in but not allowed -> PermissionDenied.
    client.force_login(buyer)

    response = client.get(reverse(url_name))

    assert response.status_code == 403


def _post_line_action(client, order, line, **data):
    return client.post(
        reverse("dashboard:order-detail", kwargs={"number": order.number}),
        {"selected_line": [line.pk], f"selected_line_qty_{line.pk}": line.quantity, **data},
    )


def test_staff_a_cannot_change_status_of_b_line_in_mixed_order(client, staff_a, mixed_order):
    # given
    line_b = _b_line(mixed_order)
    client.force_login(staff_a)
    # when
    response = _post_line_action(
        client, mixed_order, line_b, line_action="change_line_statuses", new_status="processing"
    )
    # then
    assert response.status_code == 302
    line_b.refresh_from_db()
    assert line_b.status == "paid"


def test_staff_a_changes_status_of_own_line(client, staff_a, mixed_order):
    # given
    line_a = mixed_order.lines.get(title=TITLE_A)
    client.force_login(staff_a)
    # when
    _post_line_action(
        client, mixed_order, line_a, line_action="change_line_statuses", new_status="processing"
    )
    # then
    line_a.refresh_from_db()
    assert line_a.status == "processing"
    assert _b_line(mixed_order).status == "paid"


@pytest.mark.parametrize(
    "data",
    [
        {"order_action": "change_order_status", "new_status": "cancelled"},
        {"order_action": "create_order_payment_event", "amount": "1.00",
         "payment_event_type": "paid"},
        {"order_action": "save_note", "message": "合作社备注"},
    ],
    ids=["change-order-status", "order-payment-event", "save-note"],
)
def test_staff_a_order_level_actions_are_refused(client, staff_a, mixed_order, data):
    # given
    client.force_login(staff_a)
    url = reverse("dashboard:order-detail", kwargs={"number": mixed_order.number})
    # when
    response = client.post(url, data, follow=True)
    # then
    mixed_order.refresh_from_db()
    assert mixed_order.status == "paid"
    assert not mixed_order.payment_events.exists()
    assert not mixed_order.notes.exists()
    assert "只有平台管理员可以执行" in response.content.decode()


def test_staff_a_cannot_create_payment_event_for_own_line(client, staff_a, mixed_order):
    line_a = mixed_order.lines.get(title=TITLE_A)
    client.force_login(staff_a)

    _post_line_action(client, mixed_order, line_a, line_action="create_payment_event",
                      payment_event_type="paid", amount="39.90")

    assert not mixed_order.payment_events.exists()


def test_staff_a_cannot_bulk_change_order_statuses_from_list(client, staff_a, mixed_order):
    client.force_login(staff_a)

    client.post(reverse("dashboard:order-list"), {
        "action": "change_order_statuses", "selected_order": [mixed_order.pk],
        "new_status": "cancelled",
    })

    mixed_order.refresh_from_db()
    assert mixed_order.status == "paid"


# Measured 2025: order detail 12 (cooperative) / 20 (admin) queries, flat in the number of
# lines; the lists below are flat in the number of rows. Budgets leave two queries of room.
QUERY_BUDGETS = {
    ("staff_a", "dashboard:order-detail"): 14,
    ("admin_user", "dashboard:order-detail"): 22,
    ("staff_a", "dashboard:order-list"): 12,
    ("admin_user", "dashboard:order-list"): 10,
    ("staff_a", "dashboard:catalogue-product-list"): 19,
    ("staff_a", "dashboard:stock-alert-list"): 9,
    ("staff_a", "cooperative-dashboard:stock-list"): 9,
    ("admin_user", "cooperative-dashboard:stock-list"): 7,
}


@pytest.mark.parametrize(
    ("user_fixture", "url_name"), QUERY_BUDGETS.keys(), ids=[
        f"{who}-{name.split(':')[1]}" for who, name in QUERY_BUDGETS
    ]
)
def test_dashboard_pages_have_flat_query_budgets(
    client, request, coop_a, buyer, django_assert_max_num_queries, user_fixture, url_name
):
    # given: first 1 object of each kind, then 10
    client.force_login(request.getfixturevalue(user_fixture))
    budget = QUERY_BUDGETS[(user_fixture, url_name)]
    stockrecords = []
    for batch in (1, 9):
        for _ in range(batch):
            sr = stockrecord(factories.product(coop_a))
            sr.low_stock_threshold = 1000
            sr.save()
            stockrecords.append(sr)
            order_with_lines(user=buyer, stockrecords=[sr])
        # an order whose number of lines grows with the batch, for the detail page
        order = order_with_lines(user=buyer, stockrecords=stockrecords)
        kwargs = {"number": order.number} if url_name == "dashboard:order-detail" else {}
        # when / then
        with django_assert_max_num_queries(budget):
            response = client.get(reverse(url_name, kwargs=kwargs))
        assert response.status_code == 200
