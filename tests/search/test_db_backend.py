"""The DB backend beyond the shared behaviour suite: a fixed query count, suggest, removal,
rebuild with progress, the search_index command and the seed step."""

from __future__ import annotations

import io
from types import SimpleNamespace

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from oscar.core.loading import get_model

from search.backends.db import DatabaseBackend
from search.demo import demo_search_index_rebuild
from search.models import SearchEntry
from search.query import SUGGEST_LIMIT, SearchRequest
from tests import factories
from tests.dashboard.builders import order_with_lines

pytestmark = pytest.mark.django_db
Product = get_model("catalogue", "Product")


@pytest.fixture
def backend():
    return DatabaseBackend()


def queries_of(func) -> int:
    with CaptureQueriesContext(connection) as ctx:
        func()
    return len(ctx.captured_queries)


@pytest.mark.parametrize("q", ["", "红米", "hongmu", "红米 hongmi"], ids=["empty", "word", "typo",
                                                                      "word-pinyin"])
def test_a_search_costs_the_same_queries_for_1_or_30_hits(backend, coop_a, coop_b, q):
    request = SearchRequest(q=q, filters={"county": ("331123000000",)}, in_stock=True,
                            price_min=1, sort="relevance")
    one = factories.product(coop_a, title="妙高红米")
    backend.index_products([one.pk])
    with_one = queries_of(lambda: backend.search(request))
    more = [factories.product(coop_a if i % 2 else coop_b, title=f"高山红米{i}",
                              category="粮油" if i % 3 else "茶叶") for i in range(29)]
    backend.index_products([p.pk for p in more])

    result = None

    def search():
        nonlocal result
        result = backend.search(request)

    assert queries_of(search) == with_one <= 3  # hits, facets and total, typo vocabulary
    assert result.total == 30 and len(result.product_ids) == 24


def test_suggest_matches_title_pinyin_and_initials_prefixes_best_sellers_first(
        backend, coop_a, buyer):
    rice = factories.product(coop_a, title="妙高红米")
    best = factories.product(coop_a, title="红米礼盒")
    tea = factories.product(coop_a, title="湖山白茶")
    order_with_lines(user=buyer, stockrecords=[best.stockrecords.get()], quantity=4)
    backend.index_products([rice.pk, best.pk, tea.pk])

    def titles(prefix):
        return [s.text for s in backend.suggest(prefix)]

    assert titles("红") == ["红米礼盒", "妙高红米"]
    assert titles("hong") == ["红米礼盒", "妙高红米"]
    assert titles("hm") == ["红米礼盒", "妙高红米"]
    assert titles("妙高") == ["妙高红米"]
    assert titles("baic") == ["湖山白茶"]
    assert titles("HuShan") == ["湖山白茶"]
    assert titles("") == titles("！？") == titles("😀") == titles("%_") == []
    assert backend.suggest("hong")[0].url == best.get_absolute_url()


def test_suggest_returns_at_most_the_limit(backend, coop_a):
    ids = [factories.product(coop_a, title=f"红米{i}").pk for i in range(SUGGEST_LIMIT + 3)]
    backend.index_products(ids)

    assert len(backend.suggest("红米")) == SUGGEST_LIMIT
    assert len(backend.suggest("红米", limit=2)) == 2


def test_an_unpublished_product_leaves_the_index(backend, coop_a):
    rice = factories.product(coop_a, title="妙高红米")
    backend.index_products([rice.pk])
    Product.objects.filter(pk=rice.pk).update(is_public=False)

    assert backend.index_products([rice.pk, 999999]) == 0
    assert backend.search(SearchRequest(q="红米")).total == 0
    assert not SearchEntry.objects.exists()


def test_rebuild_replaces_the_index_and_reports_progress(backend, coop_a):
    products = [factories.product(coop_a, title=f"高山黑米{i}") for i in range(5)]
    backend.index_products([p.pk for p in products])
    # Changed without a signal (as a bulk update would): only a rebuild sees it.
    Product.objects.filter(pk=products[0].pk).update(title="湖山白茶")
    progress = []

    written = backend.rebuild(progress=lambda done, total: progress.append((done, total)),
                              batch_size=2)

    assert written == 5 and progress == [(2, 5), (4, 5), (5, 5)]
    assert backend.search(SearchRequest(q="白茶")).product_ids == [products[0].pk]
    assert backend.search(SearchRequest(q="黑米")).total == 4


def test_search_index_command_rebuilds_with_a_progress_bar(coop_a):
    ids = [factories.product(coop_a, title=f"妙高红米{i}").pk for i in range(3)]
    out, err = io.StringIO(), io.StringIO()

    call_command("search_index", "--rebuild", "--batch-size", "2", stdout=out, stderr=err)

    assert "indexed 2/3" in err.getvalue() and "indexed 3/3" in err.getvalue()
    assert "3 products" in out.getvalue()
    assert set(DatabaseBackend().search(SearchRequest(q="红米")).product_ids) == set(ids)


def test_search_index_command_reindexes_some_products(coop_a):
    rice = factories.product(coop_a, title="妙高红米")
    out = io.StringIO()

    call_command("search_index", "--products", f"{rice.pk}, 999999", stdout=out)

    assert "re-indexed 1 of 2" in out.getvalue()
    assert DatabaseBackend().search(SearchRequest(q="红米")).product_ids == [rice.pk]


@pytest.mark.parametrize("args", [[], ["--rebuild", "--products", "1"], ["--products", "1,x"],
                                  ["--products", ","], ["--rebuild", "--batch-size", "0"],
                                  ["--rebuild", "--backend", "solr"]],
                         ids=["nothing", "both", "not-an-id", "empty", "batch-0", "unknown"])
def test_search_index_command_refuses_bad_arguments(args):
    with pytest.raises(CommandError):
        call_command("search_index", *args, stdout=io.StringIO(), stderr=io.StringIO())


def test_the_seed_step_leaves_the_demo_searchable(coop_a):
    rice = factories.product(coop_a, title="妙高红米")
    lines = []

    demo_search_index_rebuild(ctx=SimpleNamespace(log=lines.append))

    assert DatabaseBackend().search(SearchRequest(q="hongmi")).product_ids == [rice.pk]
    assert lines == ["search: 1 products indexed (db)"]
