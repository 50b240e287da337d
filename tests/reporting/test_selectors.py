"""The dashboard and report figures read from the facts equal a direct computation from the
orders, for any scope and filter (hypothesis); periods compare as a county official expects."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hyp_settings
from hypothesis import strategies as st
from oscar.core.loading import get_model

from marketplace.reporting import selectors, services
from marketplace.reporting.models import AnalystScope
from marketplace.reporting.selectors import Filters, Scope
from tests import factories
from tests.reporting.test_facts import DAY, _make, _wipe, order_spec

Line = get_model("order", "Line")

pytestmark = pytest.mark.django_db

SUICHANG = "331123000000"
TOWNS = ["331123001000", "331123102000"]  # the towns of coop_a and coop_b


def _direct(world, scope: Scope, f: Filters) -> dict:
    """KPIs computed from order lines, the slow obvious way."""
    gmv = refund = units = live = 0
    orders, buyers, coops = set(), set(), set()
    for line in Line.objects.select_related("order", "partner__cooperative", "product"):
        order, coop = line.order, line.partner.cooperative
        day = services.local_day(order.date_placed)
        if order.status in ("pending_payment", "cancelled") or not f.first <= day <= f.last:
            continue
        if scope.county and coop.village_id[:6] + "000000" != scope.county:
            continue
        if scope.cooperative_ids and coop.pk not in scope.cooperative_ids:
            continue
        if f.town and coop.village_id[:9] + "000" != f.town:
            continue
        category = min(line.product.categories.values_list("pk", flat=True))
        if f.category_id and category != f.category_id:
            continue
        if f.channel and (line.live_session_id is not None) != (f.channel == "live"):
            continue
        fen = int(line.line_price_incl_tax * 100)
        gmv += fen
        refund += sum(line.refund_lines.values_list("amount_fen", flat=True))
        units += line.quantity
        live += fen if line.live_session_id else 0
        orders.add(order.pk)
        coops.add(coop.pk)
        if order.user_id:
            buyers.add(order.user_id)
    return {"gmv_fen": gmv, "refund_fen": refund, "net_fen": gmv - refund, "units": units,
            "orders": len(orders), "buyers": len(buyers), "active_cooperatives": len(coops),
            "live_gmv_fen": live}


filters_spec = st.fixed_dictionaries({
    "first": st.integers(0, 2), "length": st.integers(1, 3),
    "town": st.sampled_from(["", *TOWNS]), "category": st.integers(0, 3),
    "channel": st.sampled_from(["", "store", "live"]), "scope": st.integers(0, 2),
})


@hyp_settings(max_examples=30, deadline=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture,
                                     HealthCheck.too_slow])
@given(specs=st.lists(order_spec, min_size=1, max_size=6),
       picks=st.lists(filters_spec, min_size=1, max_size=4))
def test_kpis_equal_a_direct_computation_for_any_filter(world, specs, picks):
    # given random orders, built into facts
    _wipe()
    for spec in specs:
        _make(world, spec)
    services.facts_build_range(DAY, DAY + dt.timedelta(days=2))
    products = world["products"]
    categories = [None, *(min(p.categories.values_list("pk", flat=True)) for p in products)]
    scopes = [Scope(staff=True), Scope(county=SUICHANG),
              Scope(cooperative_ids=(products[0].stockrecords.get().partner.cooperative.pk,))]
    for pick in picks:
        # when the figures are read with any scope and filters
        first = DAY + dt.timedelta(days=pick["first"])
        f = Filters(first=first, last=first + dt.timedelta(days=pick["length"] - 1),
                    town=pick["town"], category_id=categories[pick["category"]],
                    channel=pick["channel"])
        scope = scopes[pick["scope"]]
        got = selectors.kpis(scope, f)
        # then they equal the direct computation from the order lines
        want = _direct(world, scope, f)
        assert {k: got[k] for k in want} == want
        # and the series adds up to the total
        assert sum(p["gmv_fen"] for p in selectors.series(scope, f)["points"]) == want["gmv_fen"]
        # and so do the breakdowns
        assert sum(r["gmv_fen"] for r in selectors.by_category(scope, f)) == want["gmv_fen"]
        assert sum(r["net_fen"] for r in selectors.top_products(scope, f, limit=None)) \
            == want["net_fen"]


def test_a_county_scope_excludes_another_countys_cooperatives(world):
    # given a sale of a cooperative in 遂昌 and one in 麻阳 (Hunan)
    _wipe()
    _make(world, {"day": 0, "minute": 600, "status": "paid", "buyer": 0, "region": 0,
                  "lines": [{"product": 0, "quantity": 1, "live": False, "refund": None}]})
    mayang = factories.cooperative(name="麻阳冰糖橙合作社", village="431226101001")
    orange = factories.product(mayang, title="冰糖橙", price="50.00", category="水果")
    world_b = {**world, "products": [orange]}
    _make(world_b, {"day": 0, "minute": 600, "status": "paid", "buyer": 1, "region": 0,
                    "lines": [{"product": 0, "quantity": 1, "live": False, "refund": None}]})
    services.facts_build(DAY)
    f = Filters(first=DAY, last=DAY)
    # then 遂昌's analyst reads 39.90, 麻阳's 50.00, the platform both
    assert selectors.kpis(Scope(county=SUICHANG), f)["gmv_fen"] == 3990
    assert selectors.kpis(Scope(county="431226000000"), f)["gmv_fen"] == 5000
    assert selectors.kpis(Scope(staff=True), f)["gmv_fen"] == 8990
    # and 遂昌's town breakdown lists every town of 遂昌, none of 麻阳
    towns = selectors.by_town(Scope(county=SUICHANG), f)
    assert all(t["code"].startswith("331123") for t in towns)
    assert len(towns) > 10 and sum(t["gmv_fen"] for t in towns) == 3990


def test_who_reads_which_figures(world, coop_a, staff_a):
    analyst = factories.user(email="analyst-sel@example.com")
    from marketplace.regions.models import Region
    AnalystScope.objects.create(user=analyst, county=Region.objects.get(code=SUICHANG))
    buyer = factories.user(email="buyer-sel@example.com")
    admin = factories.user(email="admin-sel@example.com", is_staff=True)
    assert selectors.scope_for_user(analyst) == Scope(county=SUICHANG)
    assert selectors.scope_for_user(staff_a) == Scope(cooperative_ids=(coop_a.pk,))
    assert selectors.scope_for_user(admin) == Scope(staff=True)
    assert selectors.scope_for_user(buyer) is None
    # an analyst cannot widen their scope to another county; staff can narrow theirs
    assert selectors.scope_with_county(Scope(county=SUICHANG), "431226000000") is None
    assert selectors.scope_with_county(Scope(staff=True), "431226000000") \
        == Scope(county="431226000000", staff=True)
    assert selectors.scope_with_county(Scope(staff=True), "431226101001") is None  # a village


@pytest.mark.parametrize(("first", "last", "before", "year_ago"), [
    # a calendar month compares with the month before, however long it is
    ("2026-03-01", "2026-03-31", ("2026-02-01", "2026-02-28"), ("2025-03-01", "2025-03-31")),
    ("2026-01-01", "2026-01-31", ("2025-12-01", "2025-12-31"), ("2025-01-01", "2025-01-31")),
    # a quarter with the quarter before
    ("2026-07-01", "2026-09-30", ("2026-04-01", "2026-06-30"), ("2025-07-01", "2025-09-30")),
    # February of a leap year against February of the year before
    ("2028-02-01", "2028-02-29", ("2028-01-01", "2028-01-31"), ("2027-02-01", "2027-02-28")),
    # any other span with the same number of days just before it
    ("2026-05-10", "2026-05-16", ("2026-05-03", "2026-05-09"), ("2025-05-10", "2025-05-16")),
])
def test_periods_compare_like_the_county_report(first, last, before, year_ago):
    f = Filters(first=dt.date.fromisoformat(first), last=dt.date.fromisoformat(last))
    p, y = selectors.previous_period(f), selectors.year_before(f)
    assert (p.first.isoformat(), p.last.isoformat()) == before
    assert (y.first.isoformat(), y.last.isoformat()) == year_ago


def test_change_is_none_without_a_base():
    assert selectors.change(120, 100) == pytest.approx(0.2)
    assert selectors.change(50, 0) is None
