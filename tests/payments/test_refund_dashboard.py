"""Refunds from the dashboard (退款): per line, by quantity or by amount, through the
payment provider; platform staff refund any line, a cooperative only its own."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.contrib.sites.models import Site as DjangoSite
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from oscar.core.loading import get_model

from marketplace.payments import services
from marketplace.payments.models import Payment, Refund, RefundLine
from marketplace.payments.providers import ProviderError
from marketplace.payments.providers.sandbox import SandboxProvider
from tests import factories
from tests.conftest import TITLE_A, TITLE_B
from tests.dashboard.builders import order_with_lines, stockrecord
from tests.payments.stripe_helpers import intent_event, pay_intent, post_webhook, stripe_client
from tests.reliability.helpers import buyer_ready_to_submit, place_order

pytestmark = pytest.mark.django_db

Order = get_model("order", "Order")
Source = get_model("payment", "Source")

def paid_order(buyer, *products, quantity=2):
    """An order of ``quantity`` of each product, paid through the sandbox provider."""
    order = order_with_lines(user=buyer, stockrecords=[stockrecord(p) for p in products],
                             quantity=quantity, status="pending_payment")
    services.payment_start(order_id=order.pk)
    order.refresh_from_db()
    assert order.status == "paid"
    return order


@pytest.fixture
def mixed_order(buyer, product_a, product_b):
    """One basket with A's and B's goods (2 each): ¥79.80 + ¥256.00, paid."""
    return paid_order(buyer, product_a, product_b)


@pytest.fixture
def order_b(buyer, product_b):
    return paid_order(buyer, product_b)


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def url(order) -> str:
    return reverse("payments-dashboard:refund", kwargs={"order_number": order.number})


def line_of(order, product):
    return order.lines.get(product=product)


def refund(client, order, rows: dict, reason="商品破损"):
    """POST the refund form; ``rows`` maps a line (or a raw line id) to (quantity, amount)."""
    data = {"reason": reason}
    for line, (quantity, amount) in rows.items():
        pk = getattr(line, "pk", line)
        data[f"qty_{pk}"] = quantity
        data[f"amount_{pk}"] = amount
    return client.post(url(order), data)


def text(response) -> str:
    """The page as a reader sees it: tags dropped, whitespace collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def statuses(order) -> tuple[str, set[str]]:
    order.refresh_from_db()
    return order.status, set(order.lines.values_list("status", flat=True))


def refunded_total(order) -> Decimal:
    return Source.objects.get(order=order).amount_refunded


# --- Platform staff ----------------------------------------------------------------------


def test_full_refund_of_every_line_refunds_the_order(admin_user, mixed_order, product_a,
                                                     product_b):
    client = logged_in(admin_user)
    page = client.get(url(mixed_order))
    assert page.status_code == 200
    assert TITLE_A in text(page) and TITLE_B in text(page)

    response = refund(client, mixed_order, {line_of(mixed_order, product_a): (2, ""),
                                            line_of(mixed_order, product_b): (2, "")})

    assert response.status_code == 302
    assert response["Location"] == url(mixed_order)
    after = client.get(url(mixed_order))
    assert "已退款 ¥335.80" in text(after)
    assert "商品破损" in text(after)  # the reason in the history
    assert statuses(mixed_order) == ("refunded", {"refunded"})
    made = Refund.objects.get(order=mixed_order)
    assert (made.amount_fen, made.origin, made.created_by) == (33580, Refund.DASHBOARD,
                                                               admin_user)
    assert made.reference.startswith("SBXR-")
    assert refunded_total(mixed_order) == Decimal("335.80")


def test_partial_refund_by_quantity_takes_the_paid_share(admin_user, mixed_order, product_a):
    client = logged_in(admin_user)
    line = line_of(mixed_order, product_a)

    response = refund(client, mixed_order, {line: (1, "")})

    assert response.status_code == 302
    assert statuses(mixed_order)[0] == "partially_refunded"
    line.refresh_from_db()
    assert line.status == "partially_refunded"
    assert list(RefundLine.objects.values_list("quantity", "amount_fen")) == [(1, 3990)]
    page = text(client.get(url(mixed_order)))
    assert "1 件 / ¥39.90" in page  # refunded so far, and what is left, of line A


def test_partial_refund_by_amount_without_quantity(admin_user, mixed_order, product_b):
    client = logged_in(admin_user)
    line = line_of(mixed_order, product_b)

    response = refund(client, mixed_order, {line: (0, "5.50")}, reason="晚到补偿")

    assert response.status_code == 302
    assert list(RefundLine.objects.values_list("line", "quantity", "amount_fen")) == [
        (line.pk, 0, 550)]
    assert statuses(mixed_order)[0] == "partially_refunded"
    assert refunded_total(mixed_order) == Decimal("5.50")


def test_two_refunds_exhaust_a_line_and_a_third_is_refused(admin_user, mixed_order, product_a):
    client = logged_in(admin_user)
    line = line_of(mixed_order, product_a)

    first = refund(client, mixed_order, {line: (1, "")})
    second = refund(client, mixed_order, {line: (1, "")})
    third = refund(client, mixed_order, {line: (0, "0.01")})

    assert (first.status_code, second.status_code, third.status_code) == (302, 302, 400)
    assert "尚未退完" in text(third)
    assert Refund.objects.filter(order=mixed_order).count() == 2
    line.refresh_from_db()
    assert line.status == "refunded"
    assert statuses(mixed_order)[0] == "partially_refunded"  # B's line is still paid
    assert "已全部退款" in text(client.get(url(mixed_order)))
    assert refunded_total(mixed_order) == Decimal("79.80")


def test_refunds_of_every_line_in_steps_end_refunded_and_source_sums_them(
        admin_user, mixed_order, product_a, product_b):
    client = logged_in(admin_user)
    a, b = line_of(mixed_order, product_a), line_of(mixed_order, product_b)

    for rows in ({a: (0, "10.00")}, {a: (2, ""), b: (1, "")}, {b: (1, "")}):
        assert refund(client, mixed_order, rows).status_code == 302

    # line A: ¥10 then the ¥69.80 left; line B: half, then the other half
    assert list(Refund.objects.order_by("pk").values_list("amount_fen", flat=True)) == [
        1000, 6980 + 12800, 12800]
    assert statuses(mixed_order) == ("refunded", {"refunded"})
    assert refunded_total(mixed_order) == Decimal("335.80")
    assert sum(Refund.objects.values_list("amount_fen", flat=True)) == 33580


def test_unpaid_order_is_refused(admin_user, buyer, product_a):
    order = order_with_lines(user=buyer, stockrecords=[stockrecord(product_a)],
                             status="pending_payment")
    client = logged_in(admin_user)
    assert "该订单当前状态不能退款" in text(client.get(url(order)))

    response = refund(client, order, {order.lines.get(): (1, "")})

    assert response.status_code == 400
    assert "该订单当前状态不能退款" in text(response)
    assert not Refund.objects.exists()
    assert statuses(order) == ("pending_payment", {"pending_payment"})


def test_paid_order_without_a_payment_record_is_refused(admin_user, buyer, product_a):
    order = order_with_lines(user=buyer, stockrecords=[stockrecord(product_a)], status="paid")

    response = refund(logged_in(admin_user), order, {order.lines.get(): (1, "")})

    assert response.status_code == 400
    assert "没有可退款的支付记录" in text(response)
    assert not Refund.objects.exists()


def test_provider_unavailable_answers_503_and_saves_nothing(admin_user, mixed_order, product_a,
                                                           monkeypatch):
    def unreachable(self, **kwargs):
        raise ProviderError("connection refused")

    monkeypatch.setattr(SandboxProvider, "refund", unreachable)

    response = refund(logged_in(admin_user), mixed_order,
                      {line_of(mixed_order, product_a): (1, "")})

    assert response.status_code == 503
    assert "支付服务暂时不可用" in text(response)
    assert not Refund.objects.exists()
    assert not RefundLine.objects.exists()
    assert statuses(mixed_order) == ("paid", {"paid"})
    assert refunded_total(mixed_order) == Decimal("0.00")


# --- Hostile input ----------------------------------------------------------------------


def _foreign_order_line(ctx):
    other = paid_order(ctx["buyer"], ctx["product_a"], quantity=1)
    return other.lines.get().pk


HOSTILE = {
    "negative quantity": (lambda ctx: {ctx["a"]: ("-1", "")}, "商品破损"),
    "negative amount": (lambda ctx: {ctx["a"]: ("0", "-5.00")}, "商品破损"),
    "zero amount": (lambda ctx: {ctx["a"]: ("0", "0.00")}, "商品破损"),
    "non-numeric quantity": (lambda ctx: {ctx["a"]: ("两", "")}, "商品破损"),
    "non-numeric amount": (lambda ctx: {ctx["a"]: ("1", "abc")}, "商品破损"),
    "fractional quantity": (lambda ctx: {ctx["a"]: ("1.5", "")}, "商品破损"),
    "three decimals": (lambda ctx: {ctx["a"]: ("0", "1.234")}, "商品破损"),
    "NaN": (lambda ctx: {ctx["a"]: ("0", "NaN")}, "商品破损"),
    "infinity": (lambda ctx: {ctx["a"]: ("0", "Infinity")}, "商品破损"),
    "huge amount": (lambda ctx: {ctx["a"]: ("0", "1e30")}, "商品破损"),
    "huge quantity": (lambda ctx: {ctx["a"]: ("99999999999999999999999", "")}, "商品破损"),
    "quantity above what is left": (lambda ctx: {ctx["a"]: ("3", "")}, "商品破损"),
    "amount above what is left": (lambda ctx: {ctx["a"]: ("0", "79.81")}, "商品破损"),
    "empty selection": (lambda ctx: {ctx["a"]: ("0", "")}, "商品破损"),
    "nothing posted for any line": (lambda ctx: {}, "商品破损"),
    "no reason": (lambda ctx: {ctx["a"]: ("1", "")}, ""),
    "blank reason": (lambda ctx: {ctx["a"]: ("1", "")}, "   "),
    "reason too long": (lambda ctx: {ctx["a"]: ("1", "")}, "长" * 201),
    "line of another order": (lambda ctx: {_foreign_order_line(ctx): ("1", "")}, "商品破损"),
    "line id not a number": (lambda ctx: {"x' OR 1=1": ("1", "")}, "商品破损"),
}


@pytest.mark.parametrize("case", list(HOSTILE), ids=list(HOSTILE))
def test_hostile_input_is_a_form_error_and_changes_nothing(case, admin_user, buyer, product_a):
    order = paid_order(buyer, product_a)
    ctx = {"buyer": buyer, "product_a": product_a, "a": order.lines.get()}
    rows, reason = HOSTILE[case]

    response = refund(logged_in(admin_user), order, rows(ctx), reason=reason)

    assert response.status_code == 400, case
    assert "alert-danger" in response.content.decode() or "invalid-feedback" in (
        response.content.decode()), case
    assert not Refund.objects.exists()
    assert statuses(order) == ("paid", {"paid"})


# --- Cooperatives -------------------------------------------------------------------------


def test_cooperative_staff_refund_their_own_line(staff_a, mixed_order, product_a):
    client = logged_in(staff_a)
    page = client.get(url(mixed_order))
    assert page.status_code == 200
    assert TITLE_A in text(page)
    assert TITLE_B not in text(page)
    assert "¥256.00" not in text(page)

    response = refund(client, mixed_order, {line_of(mixed_order, product_a): (2, "")})

    assert response.status_code == 302
    made = Refund.objects.get()
    assert (made.amount_fen, made.created_by) == (7980, staff_a)
    assert statuses(mixed_order) == ("partially_refunded", {"refunded", "paid"})


def test_cooperative_staff_cannot_refund_another_cooperatives_line(staff_a, mixed_order,
                                                                   product_b):
    response = refund(logged_in(staff_a), mixed_order,
                      {line_of(mixed_order, product_b): (1, "")})

    assert response.status_code == 400
    assert "只能退本订单中自己合作社" in text(response)
    assert not Refund.objects.exists()
    assert statuses(mixed_order) == ("paid", {"paid"})


@pytest.mark.parametrize("method", ["get", "post"])
def test_another_cooperatives_order_is_404(staff_a, order_b, method):
    client = logged_in(staff_a)
    data = {"reason": "x", f"qty_{order_b.lines.get().pk}": "1"}

    response = getattr(client, method)(url(order_b), data if method == "post" else None)

    assert response.status_code == 404
    assert TITLE_B not in response.content.decode()
    assert not Refund.objects.exists()


def test_unknown_order_is_404(admin_user):
    response = logged_in(admin_user).get(
        reverse("payments-dashboard:refund", kwargs={"order_number": "nope"}))

    assert response.status_code == 404


def test_cooperative_history_shows_only_their_part_of_refunds(
        admin_user, staff_a, staff_b, mixed_order, product_a, product_b):
    a, b = line_of(mixed_order, product_a), line_of(mixed_order, product_b)
    admin = logged_in(admin_user)
    assert refund(admin, mixed_order, {a: (1, ""), b: (1, "")}, reason="一起退").status_code == 302
    assert refund(admin, mixed_order, {b: (0, "20.00")}, reason="只退茶叶").status_code == 302

    seen_by_a = text(logged_in(staff_a).get(url(mixed_order)))
    seen_by_b = text(logged_in(staff_b).get(url(mixed_order)))
    seen_by_admin = text(admin.get(url(mixed_order)))

    assert "一起退" in seen_by_a and "只退茶叶" not in seen_by_a
    assert "¥39.90" in seen_by_a and "¥167.90" not in seen_by_a and TITLE_B not in seen_by_a
    assert "一起退" in seen_by_b and "只退茶叶" in seen_by_b and TITLE_A not in seen_by_b
    assert "¥167.90" in seen_by_admin and "¥20.00" in seen_by_admin


# --- Who may open the page ----------------------------------------------------------------


def test_buyer_gets_404_and_anonymous_goes_to_login(buyer, mixed_order, product_a):
    as_buyer = logged_in(buyer)
    for response in (as_buyer.get(url(mixed_order)),
                     refund(as_buyer, mixed_order, {line_of(mixed_order, product_a): (1, "")})):
        assert response.status_code == 404
        assert TITLE_A not in response.content.decode()

    anonymous = Client().get(url(mixed_order))
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(reverse("dashboard:login"))
    assert not Refund.objects.exists()


def test_order_detail_page_links_to_the_refund_page(admin_user, staff_a, mixed_order):
    detail = reverse("dashboard:order-detail", kwargs={"number": mixed_order.number})
    for user in (admin_user, staff_a):
        page = logged_in(user).get(detail)
        assert page.status_code == 200
        assert f'href="{url(mixed_order)}"' in page.content.decode()
        assert "退款" in text(page)


# --- The buyer's side ----------------------------------------------------------------------


def test_buyer_order_page_shows_the_refunded_amount(admin_user, buyer, mixed_order, product_a,
                                                    product_b):
    admin = logged_in(admin_user)
    assert refund(admin, mixed_order, {line_of(mixed_order, product_a): (1, "")},
                  reason="少发一袋").status_code == 302
    assert refund(admin, mixed_order,
                  {line_of(mixed_order, product_b): (0, "12.34")}).status_code == 302

    page = text(logged_in(buyer).get(
        reverse("customer:order", kwargs={"order_number": mixed_order.number})))

    assert "已退款 ¥52.24" in page
    assert f"{TITLE_A} × 1：¥39.90" in page
    assert f"{TITLE_B}：¥12.34" in page
    assert "少发一袋" in page


# --- Query budget -------------------------------------------------------------------------

QUERY_BUDGET = 9  # measured 8 on SQLite for 1 and for 10 lines, plus one of room


@pytest.mark.parametrize("n_lines", [1, 10])
def test_refund_page_queries_do_not_grow_with_lines(admin_user, buyer, coop_a, n_lines,
                                                    django_assert_max_num_queries):
    products = [factories.product(coop_a, price="10.00") for _ in range(n_lines)]
    order = paid_order(buyer, *products)
    client = logged_in(admin_user)
    lines = list(order.lines.all())
    # each line partly refunded, two refunds in the history
    half = len(lines) // 2 or 1
    assert refund(client, order, dict.fromkeys(lines[:half], (1, ""))).status_code == 302
    assert refund(client, order, dict.fromkeys(lines, (0, "1.00"))).status_code == 302
    client.get(url(order))  # warm per-process caches

    with django_assert_max_num_queries(QUERY_BUDGET):
        response = client.get(url(order))

    assert response.status_code == 200



# --- Stripe -------------------------------------------------------------------------------


def test_refund_through_stripe_reaches_stripe(stripe_on, admin_user, product_a):
    buyer_client = buyer_ready_to_submit(product_a, quantity=2, email="payer@example.com")
    place_order(buyer_client)
    order = Order.objects.get(user__email="payer@example.com")
    reference = Payment.objects.get(order=order).reference
    pay_intent(stripe_on, reference)
    paid = post_webhook(buyer_client, *intent_event(stripe_on, "payment_intent.succeeded",
                                                    reference))
    assert paid.json()["outcome"] == "paid"

    response = refund(logged_in(admin_user), order, {order.lines.get(): (1, "")})

    assert response.status_code == 302
    made = Refund.objects.get(order=order)
    remote = stripe_client(stripe_on).v1.refunds.list(params={"payment_intent": reference})
    assert [(r.id, r.amount) for r in remote.data] == [(made.reference, 3990)]
    assert statuses(order)[0] == "partially_refunded"
    assert refunded_total(order) == Decimal("39.90")


# --- Demo data ----------------------------------------------------------------------------


def test_demo_orders_can_be_refunded(settings, tmp_path, client):
    from marketplace.demo import services as demo

    settings.MEDIA_ROOT = tmp_path
    try:
        demo.demo_seed(orders=30, skip_regions=True, log=lambda message: None)
        paid = Order.objects.filter(number__startswith="D", status__in=["paid", "completed"])
        assert paid.exists()
        assert Payment.objects.filter(order__in=paid, status=Payment.SUCCEEDED,
                                      provider="sandbox").count() == paid.count()
        assert not Payment.objects.filter(order__status="cancelled").exists()
        order = paid.order_by("number").first()
        admin = get_user_model().objects.get(email="admin@demo.cn")
        line = order.lines.order_by("pk").first()

        response = refund(logged_in(admin), order, {line: (line.quantity, "")})

        assert response.status_code == 302, text(response)[-600:]
        assert statuses(order)[0] in {"refunded", "partially_refunded"}
        assert Source.objects.get(order=order).amount_refunded == line.line_price_incl_tax
    finally:
        DjangoSite.objects.clear_cache()
        cache.clear()
