"""Daily sales facts reconcile exactly with the orders and refunds they come from (hypothesis),
are idempotent, and are rebuilt by a task and a command that refuse bad ranges."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from itertools import count
from unittest import mock

import pytest
from django.core.management import CommandError, call_command
from hypothesis import HealthCheck, given
from hypothesis import settings as hyp_settings
from hypothesis import strategies as st
from oscar.core.loading import get_model

from marketplace.payments.models import Payment, Refund, RefundLine
from marketplace.reporting import selectors, services, tasks
from marketplace.reporting.models import FactDay, OrderFact, SalesFact, SalesRollup

Order = get_model("order", "Order")
Line = get_model("order", "Line")
ShippingAddress = get_model("order", "ShippingAddress")
ProductCategory = get_model("catalogue", "ProductCategory")

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 5, 10)
# Buyer addresses: two villages of two towns of 遂昌, a town-level address, and a village of
# another county (麻阳, Hunan).
REGIONS = ["331123001007", "331123102209", "331123102000", "431226101001"]
STATUSES = ["pending_payment", "cancelled", "paid", "completed", "refunded",
            "partially_refunded", "shipped"]
_numbers = count(500001)


order_spec = st.fixed_dictionaries({
    "day": st.integers(0, 2),
    # minutes after local midnight; near both ends of the day on purpose
    "minute": st.sampled_from([0, 1, 600, 1438, 1439]),
    "status": st.sampled_from(STATUSES),
    "buyer": st.integers(0, 3),  # 3: no account (not counted as a buyer)
    "region": st.integers(0, len(REGIONS)),  # len: no address
    "lines": st.lists(st.fixed_dictionaries({
        "product": st.integers(0, 2), "quantity": st.integers(1, 5), "live": st.booleans(),
        "refund": st.sampled_from([None, "part", "all"]),
    }), min_size=1, max_size=3),
})


def _make(world, spec) -> None:
    products, session = world["products"], world["session"]
    region = REGIONS[spec["region"]] if spec["region"] < len(REGIONS) else None
    address = ShippingAddress.objects.create(
        first_name="王", line1="村口 1 号", region_id=region, country_id="CN",
        phone_number="+8613812345678")
    start, _end = services.day_bounds(DAY + dt.timedelta(days=spec["day"]))
    user = world["buyers"][spec["buyer"]] if spec["buyer"] < 3 else None
    order = Order.objects.create(
        number=str(next(_numbers)), site_id=1, user=user, currency="CNY",
        total_incl_tax=0, total_excl_tax=0, shipping_incl_tax=Decimal("8.00"),
        shipping_excl_tax=Decimal("8.00"), shipping_method="快递", shipping_code="express",
        shipping_address=address, status=spec["status"],
        date_placed=start + dt.timedelta(minutes=spec["minute"]))
    refunds = []
    for spec_line in spec["lines"]:
        product = products[spec_line["product"]]
        record = product.stockrecords.get()
        amount = record.price * spec_line["quantity"]
        line = Line.objects.create(
            order=order, partner=record.partner, partner_name=record.partner.name,
            stockrecord=record, product=product, title=product.title,
            quantity=spec_line["quantity"], line_price_incl_tax=amount,
            line_price_excl_tax=amount, line_price_before_discounts_incl_tax=amount,
            line_price_before_discounts_excl_tax=amount, unit_price_incl_tax=record.price,
            unit_price_excl_tax=record.price, status=order.status, num_allocated=0,
            live_session=session if spec_line["live"] else None)
        if spec_line["refund"]:
            fen = int(amount * 100)
            refunds.append((line, fen if spec_line["refund"] == "all" else max(fen // 3, 1)))
    if refunds:
        payment = Payment.objects.create(order=order, provider="sandbox", amount_fen=1,
                                         status=Payment.SUCCEEDED)
        refund = Refund.objects.create(order=order, payment=payment, origin=Refund.DASHBOARD,
                                       amount_fen=sum(f for _l, f in refunds))
        for line, fen in refunds:
            RefundLine.objects.create(refund=refund, line=line, amount_fen=fen, quantity=1)


def _wipe() -> None:
    RefundLine.objects.all().delete()
    Refund.objects.all().delete()
    Payment.objects.all().delete()
    Line.objects.all().delete()
    Order.objects.all().delete()
    SalesFact.objects.all().delete()
    OrderFact.objects.all().delete()


def _expected():
    """Every fact row computed directly from the orders, in Python."""
    rows: dict = defaultdict(lambda: {"gmv_fen": 0, "refund_fen": 0, "orders": set(),
                                      "units": 0, "buyers": set()})
    lines = Line.objects.select_related("order__shipping_address", "partner__cooperative")
    for line in lines:
        order = line.order
        if order.status in ("pending_payment", "cancelled"):
            continue
        region = order.shipping_address.region_id
        county = region[:6] + "000000" if region else ""
        town = region[:9] + "000" if region and region[6:9] != "000" else ""
        category = min(line.product.categories.values_list("pk", flat=True))
        coop = line.partner.cooperative
        key = (services.local_day(order.date_placed), coop.pk, category,
               line.live_session_id, county, town, line.product_id,
               coop.village_id[:6] + "000000", coop.village_id[:9] + "000", coop.poverty_area)
        row = rows[key]
        row["gmv_fen"] += int(line.line_price_incl_tax * 100)
        row["refund_fen"] += sum(line.refund_lines.values_list("amount_fen", flat=True))
        row["orders"].add(order.pk)
        row["units"] += line.quantity
        if order.user_id:
            row["buyers"].add(order.user_id)
    return {key: {**row, "orders": len(row["orders"]), "buyers": len(row["buyers"])}
            for key, row in rows.items()}


def _expected_orders() -> set:
    """(day, order, buyer, cooperative, category, live session, origin county, origin town)
    of every sold line."""
    out = set()
    for line in Line.objects.select_related("order", "partner__cooperative"):
        order = line.order
        if order.status in ("pending_payment", "cancelled"):
            continue
        coop = line.partner.cooperative
        out.add((services.local_day(order.date_placed), order.pk, order.user_id, coop.pk,
                 min(line.product.categories.values_list("pk", flat=True)),
                 line.live_session_id, coop.village_id[:6] + "000000",
                 coop.village_id[:9] + "000"))
    return out


def _facts():
    return {(f.day, f.cooperative_id, f.category_id, f.live_session_id, f.buyer_county,
             f.buyer_town, f.product_id, f.origin_county, f.origin_town, f.poverty_area):
            {"gmv_fen": f.gmv_fen, "refund_fen": f.refund_fen, "orders": f.orders,
             "units": f.units, "buyers": f.buyers}
            for f in SalesFact.objects.all()}


@hyp_settings(max_examples=25, deadline=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture,
                                     HealthCheck.too_slow])
@given(specs=st.lists(order_spec, min_size=1, max_size=8))
def test_every_fact_reconciles_with_the_orders_and_refunds(world, specs):
    # given random orders over three days: unpaid, cancelled, paid, refunded in part or whole,
    # live or not, placed a minute after midnight or before it, with and without an address
    _wipe()
    for spec in specs:
        _make(world, spec)
    # when the days (and the days around them) are built
    services.facts_build_range(DAY - dt.timedelta(days=1), DAY + dt.timedelta(days=3))
    # then every row, and so every total by any dimension, equals the direct computation
    expected, facts = _expected(), _facts()
    assert facts == expected
    assert set(OrderFact.objects.values_list(
        "day", "order_id", "buyer_id", "cooperative_id", "category_id", "live_session_id",
        "origin_county", "origin_town")) == _expected_orders()
    for dimension in range(10):
        by_dim_expected: dict = defaultdict(int)
        by_dim_facts: dict = defaultdict(int)
        for key, row in expected.items():
            by_dim_expected[key[dimension]] += row["gmv_fen"] - row["refund_fen"]
        for key, row in facts.items():
            by_dim_facts[key[dimension]] += row["gmv_fen"] - row["refund_fen"]
        assert by_dim_facts == by_dim_expected


def _facts_grouped() -> dict:
    """SalesFact summed in Python without product and buyer region: what the rollup holds."""
    rows: dict = defaultdict(lambda: {"gmv_fen": 0, "refund_fen": 0, "orders": 0, "units": 0})
    for f in SalesFact.objects.all():
        row = rows[(f.day, f.cooperative_id, f.category_id, f.live_session_id,
                    f.origin_county, f.origin_town, f.poverty_area)]
        for k in row:
            row[k] += getattr(f, k)
    return dict(rows)


def _rollup() -> dict:
    return {(r.day, r.cooperative_id, r.category_id, r.live_session_id, r.origin_county,
             r.origin_town, r.poverty_area):
            {"gmv_fen": r.gmv_fen, "refund_fen": r.refund_fen, "orders": r.orders,
             "units": r.units}
            for r in SalesRollup.objects.all()}


@hyp_settings(max_examples=15, deadline=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture,
                                     HealthCheck.too_slow])
@given(specs=st.lists(order_spec, min_size=1, max_size=8),
       later=st.lists(order_spec, max_size=3))
def test_the_rollup_equals_the_facts_grouped_after_every_build(world, specs, later):
    # given random orders, built day by day
    _wipe()
    SalesRollup.objects.all().delete()
    for spec in specs:
        _make(world, spec)
    services.facts_build_range(DAY - dt.timedelta(days=1), DAY + dt.timedelta(days=3))
    # then the rollup is SalesFact summed without product and buyer region, row for row,
    # and its distinct-order columns add up to OrderFact's distinct orders
    assert _rollup() == _facts_grouped()
    _assert_order_columns_add_up()
    # and stays so when more orders come and only one day is rebuilt (the on-demand build)
    for spec in later:
        _make(world, spec)
    services.facts_build(DAY + dt.timedelta(days=1))
    assert _rollup() == _facts_grouped()
    _assert_order_columns_add_up()


def _assert_order_columns_add_up() -> None:
    """Summed over any period and grouped by its dimension, each distinct-order column of the
    rollup equals the distinct orders of OrderFact: over every county and within each."""
    facts = list(OrderFact.objects.values())
    rollup = list(SalesRollup.objects.values())
    periods = [(DAY - dt.timedelta(days=1), DAY + dt.timedelta(days=3)), (DAY, DAY),
               (DAY + dt.timedelta(days=1), DAY + dt.timedelta(days=2))]
    for first, last in periods:
        for county in ("", "331123000000"):
            def within(row, county=county, first=first, last=last):
                return first <= row["day"] <= last and row["origin_county"] == (
                    county or row["origin_county"])
            for key, (every, in_county) in selectors._ORDER_FLAGS.items():
                want: dict = defaultdict(set)
                for row in filter(within, facts):
                    want[row[key] if key else None].add(row["order_id"])
                got: dict = defaultdict(int)
                for row in filter(within, rollup):
                    got[row[key] if key else None] += row[in_county if county else every]
                assert {k: n for k, n in got.items() if n} == {
                    k: len(v) for k, v in want.items()}, (key, county, first, last)


def test_a_rebuild_replaces_the_day_and_changes_nothing_else(world):
    _wipe()
    spec = {"day": 0, "minute": 600, "status": "paid", "buyer": 0, "region": 0,
            "lines": [{"product": 0, "quantity": 2, "live": True, "refund": None}]}
    _make(world, spec)
    assert services.facts_build(DAY) == 1
    first = _facts()
    assert services.facts_build(DAY) == 1
    assert _facts() == first
    (row,) = first.values()
    assert row == {"gmv_fen": 7980, "refund_fen": 0, "orders": 1, "units": 2, "buyers": 1}
    assert FactDay.objects.get(day=DAY).rows == 1


def test_the_hourly_task_picks_up_a_late_refund_of_an_old_sale(world):
    # given a sale 40 days ago, built, then refunded now
    _wipe()
    old = dt.date.today() - dt.timedelta(days=40)
    spec = {"day": 0, "minute": 600, "status": "completed", "buyer": 0, "region": 1,
            "lines": [{"product": 1, "quantity": 1, "live": False, "refund": None}]}
    _make(world, spec)
    order = Order.objects.get()
    start, _end = services.day_bounds(old)
    Order.objects.filter(pk=order.pk).update(date_placed=start + dt.timedelta(hours=9))
    services.facts_build(old)
    assert SalesFact.objects.get(day=old).refund_fen == 0
    payment = Payment.objects.create(order=order, provider="sandbox", amount_fen=12800,
                                     status=Payment.SUCCEEDED)
    refund = Refund.objects.create(order=order, payment=payment, origin=Refund.DASHBOARD,
                                   amount_fen=12800)
    RefundLine.objects.create(refund=refund, line=order.lines.get(), amount_fen=12800)
    # when the hourly task runs
    built = tasks.facts_build_recent()
    # then the sale's day is rebuilt and nets to zero
    assert old.isoformat() in built
    fact = SalesFact.objects.get(day=old)
    assert (fact.gmv_fen, fact.refund_fen, fact.net_fen) == (12800, 12800, 0)


def test_the_hourly_task_counts_an_old_order_paid_now(world):
    # given an order placed 10 days ago and not paid then, built (no sale that day)
    _wipe()
    old = dt.date.today() - dt.timedelta(days=10)
    _make(world, {"day": 0, "minute": 600, "status": "pending_payment", "buyer": 0, "region": 1,
                  "lines": [{"product": 0, "quantity": 1, "live": False, "refund": None}]})
    order = Order.objects.get()
    start, _end = services.day_bounds(old)
    Order.objects.filter(pk=order.pk).update(date_placed=start + dt.timedelta(hours=9))
    services.facts_build(old)
    assert not SalesFact.objects.filter(day=old).exists()
    # when it is paid now (Oscar records the status change) and the hourly task runs
    order.refresh_from_db()
    order.set_status("paid")
    built = tasks.facts_build_recent()
    # then its day is rebuilt with the sale
    assert old.isoformat() in built
    assert SalesFact.objects.get(day=old).gmv_fen == 3990


def test_the_command_rebuilds_a_range_with_a_progress_bar(world, capsys):
    _wipe()
    _make(world, {"day": 1, "minute": 0, "status": "paid", "buyer": 1, "region": 2,
                  "lines": [{"product": 2, "quantity": 3, "live": False, "refund": "part"}]})
    call_command("report_facts_rebuild", "--from", DAY.isoformat(),
                 "--to", (DAY + dt.timedelta(days=2)).isoformat())
    out = capsys.readouterr().out
    assert "3/3 days" in out and "[" + "#" * 30 + "]" in out
    fact = SalesFact.objects.get()
    assert fact.day == DAY + dt.timedelta(days=1)
    assert fact.buyer_town == "331123102000" and fact.buyer_county == "331123000000"


@pytest.mark.parametrize(("first", "last", "message"), [
    ("2026-05-10", "2026-05-01", "after"),
    ("1970-01-01", "2026-05-01", "50 years"),
    ("2026-02-30", "2026-03-01", "not a date"),
    ("yesterday", "2026-03-01", "not a date"),
])
def test_the_command_refuses_bad_ranges(db, first, last, message):
    with pytest.raises(CommandError, match=message):
        call_command("report_facts_rebuild", "--from", first, "--to", last)
    assert not FactDay.objects.exists()


@hyp_settings(max_examples=15, deadline=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture,
                                     HealthCheck.too_slow])
@given(specs=st.lists(order_spec, min_size=1, max_size=8), first=st.integers(0, 2),
       length=st.integers(1, 3))
def test_orders_from_the_rollup_equal_the_distinct_count(world, specs, first, length):
    # given random orders, built
    _wipe()
    for spec in specs:
        _make(world, spec)
    services.facts_build_range(DAY, DAY + dt.timedelta(days=2))
    start = DAY + dt.timedelta(days=first)
    f = selectors.Filters(first=start, last=start + dt.timedelta(days=length - 1))
    for scope in (selectors.Scope(staff=True), selectors.Scope(county="331123000000")):
        # when every figure with orders is read from the rollup's columns
        def figures(scope=scope):
            return [selectors.order_counts(scope, f), selectors.kpis(scope, f),
                    selectors.top_cooperatives(scope, f, None),
                    selectors.top_cooperatives(scope, f, None, poverty_only=True),
                    selectors.by_category(scope, f), selectors.by_town(scope, f),
                    selectors.live_league(scope, f, None)]
        fast = figures()
        # then it equals the same figures counted with COUNT(DISTINCT) over OrderFact
        with mock.patch.object(selectors, "_order_flag", return_value=None):
            assert fast == figures()
