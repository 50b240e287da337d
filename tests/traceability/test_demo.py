"""seed_demo's trace step: a batch with inputs and an inspection for every demo product, codes
bound to recently delivered orders (and the tour buyer's), the safe-interval warning on one
batch, a sample trace URL printed; nothing more on a second run."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.sites.models import Site as DjangoSite
from django.core.cache import cache
from django.db import connection
from django.db.models import Count, Sum
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from oscar.core.loading import get_model

from marketplace.demo import data
from marketplace.demo import services as demo_services
from marketplace.traceability import demo
from marketplace.traceability.models import (
    HarvestBatch,
    InputRecord,
    Inspection,
    LineBatch,
    TraceCode,
)

Line = get_model("order", "Line")
Order = get_model("order", "Order")
Product = get_model("catalogue", "Product")
ORDERS = 60
STEP = "marketplace.traceability.demo.demo_trace_create"
STEPS = [
    *demo_services.DEFAULT_STEPS,
    "marketplace.livestream.demo.demo_live_sessions_create",
    "logistics.demo.demo_logistics_create",
    STEP,
]


def _seed(logged: list[str]):
    return demo_services.demo_seed(orders=ORDERS, skip_regions=True, log=logged.append,
                                   steps=STEPS)


@pytest.fixture
def seeded(db, settings, tmp_path, django_capture_on_commit_callbacks):
    settings.MEDIA_ROOT = tmp_path
    logged: list[str] = []
    # Orders follow their parcels after each scan's commit, before the trace step runs (as
    # in seed_demo, where every step commits): run those callbacks, then the step.
    with django_capture_on_commit_callbacks(execute=True):
        ctx = demo_services.demo_seed(orders=ORDERS, skip_regions=True, log=logged.append,
                                      steps=STEPS[:-1])
    demo.demo_trace_create(ctx=ctx)
    yield ctx, logged
    DjangoSite.objects.clear_cache()
    cache.clear()


def _counts() -> dict[str, int]:
    return {
        "batches": HarvestBatch.objects.count(),
        "inputs": InputRecord.objects.count(),
        "inspections": Inspection.objects.count(),
        "codes": TraceCode.objects.count(),
        "bound": TraceCode.objects.filter(order_line__isnull=False).count(),
        "line_batches": LineBatch.objects.count(),
    }


def _traced_lines():
    since = timezone.now() - dt.timedelta(days=demo.BIND_DAYS)
    return Line.objects.filter(order__number__startswith="D",
                               order__status__in=("delivered", "completed"),
                               order__date_placed__gte=since)


def test_the_step_runs_after_logistics_and_before_the_search_rebuild():
    steps = demo_services.seed_steps()
    assert steps.index(STEP) > steps.index("logistics.demo.demo_logistics_create")
    assert steps.index(STEP) < steps.index("search.demo.demo_search_index_rebuild")


def test_every_demo_product_has_a_batch_from_its_village_with_inputs_and_a_passed_check(seeded):
    products = Product.objects.filter(stockrecords__partner_sku__in=[p.sku for p in data.PRODUCTS])
    assert products.count() == len(data.PRODUCTS)

    for product in products:
        batch = HarvestBatch.objects.get(product=product)
        assert batch.plot_region_id == batch.cooperative.village_id
        assert batch.plot_region.name[:2] in batch.plot_description
        assert "村委会" not in batch.plot_description
        assert batch.quantity > 0 and batch.unit
        assert batch.planted_on is None or batch.planted_on < batch.harvested_on
        assert batch.harvested_on < timezone.localdate()
        assert batch.inputs.exists()
        inspection = batch.inspections.get()
        assert inspection.result == Inspection.Result.PASS
        assert inspection.issuer.endswith("农产品质量安全检测站")
        assert inspection.inspected_on >= batch.harvested_on
    pesticides = InputRecord.objects.filter(kind=InputRecord.Kind.PESTICIDE)
    assert pesticides.exists()
    assert all(p.registration_number.startswith("PD20") and len(p.registration_number) == 10
               and p.safe_interval_days for p in pesticides)
    assert InputRecord.objects.filter(kind=InputRecord.Kind.FERTILISER,
                                      name__contains="有机肥").exists()
    # the organic rice got no pesticide
    assert not pesticides.filter(batch__product__stockrecords__partner_sku__in=demo.ORGANIC_SKUS
                                 ).exists()


def test_one_batch_was_sprayed_inside_its_safe_interval_and_shows_the_warning(seeded):
    warned = [r for r in InputRecord.objects.select_related("batch") if r.interval_problem]

    assert [r.batch.product.stockrecords.get().partner_sku for r in warned] == [demo.WARNING_SKU]
    assert "少于安全间隔期" in warned[0].interval_problem


def test_recently_delivered_lines_and_the_tour_buyers_order_carry_their_codes(seeded):
    lines = list(_traced_lines().annotate(n=Count("trace_codes")))
    tour = (Line.objects.filter(order__number__startswith="D",
                                order__status__in=("delivered", "completed"),
                                order__user__email="buyer@demo.cn")
            .order_by("-order__date_placed").first())
    assert lines and tour is not None

    assert all(line.n == line.quantity for line in lines)
    assert tour.trace_codes.count() == tour.quantity
    for line in [*lines, tour]:
        link = LineBatch.objects.get(order_line=line)
        assert link.batch.product_id == line.product_id
        assert set(line.trace_codes.values_list("batch_id", flat=True)) == {link.batch_id}
    # nothing else bound: no open or cancelled order, no older order than the window's
    bound_orders = set(TraceCode.objects.filter(order_line__isnull=False)
                       .values_list("order_line__order_id", flat=True))
    assert bound_orders == {line.order_id for line in [*lines, tour]}
    # a few spare codes per batch for labels, no more
    spare = TraceCode.objects.filter(order_line__isnull=True).count()
    assert spare == demo.SPARE_CODES * HarvestBatch.objects.count()
    units = _traced_lines().aggregate(n=Sum("quantity"))["n"]
    assert TraceCode.objects.filter(order_line__isnull=False).count() <= units + tour.quantity


def test_the_log_prints_a_sample_trace_page_that_shows_the_sale(seeded, client):
    ctx, logged = seeded
    line = next(m for m in logged if "/t/" in m)
    url = line[line.index("/t/"):]
    roles = {email: role for role, email, _pw in ctx.credentials}

    assert "溯源码" in roles["buyer@demo.cn"]
    response = client.get(url)
    assert response.status_code == 200
    code = TraceCode.objects.select_related("batch__product", "order_line__order").get(
        code=url.split("/")[2])
    assert code.order_line.order.user.email == "buyer@demo.cn"
    assert code.order_line.order.number in roles["buyer@demo.cn"]
    page = response.content.decode()
    assert code.batch.cooperative.village_id.startswith(data.DEMO_COUNTY)
    assert code.batch.product.title in page
    assert code.batch.batch_number in page
    assert "合格" in page


def test_a_second_run_adds_nothing(seeded):
    before = _counts()
    logged: list[str] = []

    ctx = _seed(logged)

    assert _counts() == before
    assert any(m.startswith("trace: nothing to do") for m in logged)
    # the tour hint is printed again
    assert any("/t/" in m for m in logged)
    assert "溯源码" in {e: r for r, e, _pw in ctx.credentials}["buyer@demo.cn"]


def _order_page_queries(client, order) -> tuple[int, str]:
    client.force_login(order.user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/accounts/orders/{order.number}/")
    assert response.status_code == 200
    return len(queries), response.content.decode()


def test_the_buyer_sees_each_lines_codes_linked_to_their_trace_pages_in_one_query(
        seeded, client):
    traced = (Order.objects.filter(lines__trace_codes__isnull=False)
              .annotate(n=Count("lines__trace_codes", distinct=True),
                        lines_n=Count("lines", distinct=True)))
    small = traced.filter(n=1, lines_n=1).first()
    large = traced.filter(lines_n__gt=1).order_by("-n").first()
    assert small is not None and large is not None and large.n > 2

    small_queries, _small_page = _order_page_queries(client, small)
    large_queries, page = _order_page_queries(client, large)

    assert "溯源码" in page
    for code in TraceCode.objects.filter(order_line__order=large).select_related("order_line"):
        assert f'href="/t/{code.code}/"' in page
        assert code.grouped in page
    assert large_queries == small_queries  # the codes of all lines come in one query
    # an order without codes shows no such section
    untraced = Order.objects.filter(user=large.user, lines__trace_codes__isnull=True).exclude(
        lines__trace_codes__isnull=False).first()
    if untraced is not None:
        _queries, other = _order_page_queries(client, untraced)
        assert "order-trace-codes" not in other
