"""Sales figures are memoized until the facts are rebuilt: a cached figure shows the new
sales after the build of a day of its period, and caching never changes a figure."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache
from django.utils import timezone

from marketplace.reporting import selectors, services, tasks
from marketplace.reporting.cache import VERSION_KEY, facts_changed, facts_version
from marketplace.reporting.selectors import Filters, Scope
from tests.reporting.test_facts import DAY, _make, _wipe

pytestmark = pytest.mark.django_db

SALE = {"day": 0, "minute": 600, "status": "paid", "buyer": 0, "region": 0,
        "lines": [{"product": 0, "quantity": 2, "live": True, "refund": None}]}
F = Filters(first=DAY - dt.timedelta(days=2), last=DAY + dt.timedelta(days=2))
SCOPES = [Scope(staff=True), Scope(county="331123000000")]


def _everything(scope: Scope, f: Filters) -> dict:
    return {
        "kpis": selectors.kpis(scope, f),
        "before": selectors.kpis(scope, selectors.previous_period(f)),
        "series": selectors.series(scope, f),
        "top_products": selectors.top_products(scope, f),
        "top_cooperatives": selectors.top_cooperatives(scope, f),
        "poverty": selectors.top_cooperatives(scope, f, None, poverty_only=True),
        "by_category": selectors.by_category(scope, f),
        "by_town": selectors.by_town(scope, f),
        "live_league": selectors.live_league(scope, f),
        "live_summary": selectors.live_summary(scope, f),
        "order_counts": selectors.order_counts(scope, f),
    }


@pytest.fixture
def figure_cache(settings):
    settings.REPORTING_CACHE_SECONDS = 300
    facts_changed()  # nothing cached by an earlier test (or run) is served
    return settings


def test_a_cached_figure_shows_new_sales_after_the_hourly_build(world, figure_cache,
                                                                 django_assert_num_queries):
    # given a sale, built, and the KPIs read once (now cached)
    _wipe()
    _make(world, SALE)
    services.facts_build(DAY)
    scope = Scope(staff=True)
    assert selectors.kpis(scope, F)["gmv_fen"] == 7980
    with django_assert_num_queries(0):
        assert selectors.kpis(scope, F)["gmv_fen"] == 7980
    # when another sale of that day comes and the day is rebuilt (as the hourly task does)
    _make(world, SALE)
    assert selectors.kpis(scope, F)["gmv_fen"] == 7980  # not rebuilt yet: still the cache
    services.facts_build(DAY)
    # then the figure is read afresh and shows it
    fresh = selectors.kpis(scope, F)
    assert (fresh["gmv_fen"], fresh["orders"]) == (2 * 7980, 2)


def test_the_version_is_bumped_again_after_commit(db, figure_cache,
                                                  django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        before = facts_version()
        services.facts_build(DAY)
        inside = facts_version()
    assert before < inside < facts_version()


def test_a_lost_version_key_starts_from_the_clock(db, figure_cache):
    old = facts_version()
    cache.delete(VERSION_KEY)
    assert facts_version() > old


def test_figures_are_the_same_with_and_without_the_cache(world, figure_cache):
    _wipe()
    for day, minute, live in [(0, 600, True), (1, 1, False), (2, 1439, True)]:
        _make(world, {**SALE, "day": day, "minute": minute,
                      "lines": [{"product": day, "quantity": 1 + day, "live": live,
                                 "refund": "part" if day == 1 else None}]})
    services.facts_build_range(DAY, DAY + dt.timedelta(days=2))
    for scope in SCOPES:
        figure_cache.REPORTING_CACHE_SECONDS = 0
        plain = _everything(scope, F)
        figure_cache.REPORTING_CACHE_SECONDS = 300
        first, cached = _everything(scope, F), _everything(scope, F)
        assert first == plain
        assert cached == plain
        assert plain["kpis"]["gmv_fen"] > 0


def test_the_hourly_build_leaves_the_first_views_of_the_hour_cached(
        client, world, figure_cache, django_capture_on_commit_callbacks):
    # given sales today, and an analyst of 遂昌
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from tests.reporting.test_reports import _analyst

    _wipe()
    today = services.local_day(timezone.now())
    _make(world, {**SALE, "day": (today - DAY).days})
    client.force_login(_analyst())
    url = reverse("sales-dashboard:data")

    def read():
        with CaptureQueriesContext(connection) as queries:
            body = client.get(url).json()
        return body, len(queries)

    # when the hourly task runs (it builds, then warms)
    with django_capture_on_commit_callbacks(execute=True):
        tasks.facts_build_recent()
    warm, warm_queries = read()
    # then the default view is served from the cache: only the user's scope and the page's
    # lists are read, not a figure; and its figures are those computed afresh
    facts_changed()
    cold, cold_queries = read()
    assert warm["kpis"] == cold["kpis"] and warm["kpis"][0]["value"] == 7980
    assert warm_queries < cold_queries - 10
