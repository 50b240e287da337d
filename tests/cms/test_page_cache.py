"""Published Wagtail pages come from the anonymous page cache, per language, answered before
the middleware stack; publishing, unpublishing or deleting a page shows at once."""

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from wagtail.models import Site

from marketplace.pagecache import pagecache_bump
from tests import factories
from tests.cms import builders


@pytest.fixture(autouse=True)
def _cache_on(settings):
    settings.PAGE_CACHE_SECONDS = 60
    pagecache_bump()  # entries of earlier tests (another database's rows) are never reused


@pytest.fixture
def home(db):
    return Site.objects.get(is_default_site=True).root_page.specific


def _publish(page, django_capture_on_commit_callbacks, **changes):
    with django_capture_on_commit_callbacks(execute=True):
        for name, value in changes.items():
            setattr(page, name, value)
        page.save_revision().publish()


def test_home_page_second_visit_is_a_hit_without_queries(home, coop_a):
    factories.product(coop_a, title="遂昌菊米")
    assert Client().get("/")["X-Page-Cache"] == "miss"
    with CaptureQueriesContext(connection) as queries:
        again = Client().get("/")
    assert again["X-Page-Cache"] == "hit" and len(queries) == 0
    assert "遂昌菊米" in again.content.decode()


def test_publishing_shows_the_new_content_at_once(home, django_capture_on_commit_callbacks):
    Client().get("/")
    _publish(home, django_capture_on_commit_callbacks, intro="<p>今年春茶开采了</p>")
    page = Client().get("/")
    assert page["X-Page-Cache"] == "miss"
    assert "今年春茶开采了" in page.content.decode()
    # a draft (saved, not published) changes nothing for visitors
    home.intro = "<p>草稿内容</p>"
    with django_capture_on_commit_callbacks(execute=True):
        home.save_revision()
    page = Client().get("/")
    assert page["X-Page-Cache"] == "hit" and "草稿内容" not in page.content.decode()


def test_languages_are_cached_apart(home):
    assert '<html lang="zh-hans"' in Client().get("/").content.decode()
    english = Client()
    english.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    first = english.get("/")
    assert first["X-Page-Cache"] == "miss" and '<html lang="en"' in first.content.decode()
    again = english.get("/")
    assert again["X-Page-Cache"] == "hit" and '<html lang="en"' in again.content.decode()
    assert again["Content-Language"] == "en"
    assert '<html lang="zh-hans"' in Client().get("/").content.decode()


def test_unpublished_or_deleted_page_is_gone_at_once(home, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        page = builders.article(title="春茶开采通知", slug="spring-tea")
    url = page.url
    assert "春茶开采通知" in Client().get(url).content.decode()
    assert Client().get(url)["X-Page-Cache"] == "hit"
    with django_capture_on_commit_callbacks(execute=True):
        page.unpublish()
    assert Client().get(url).status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        page.save_revision().publish()
    assert Client().get(url).status_code == 200
    # the article index lists it, from the cache too
    index_url = page.get_parent().url
    assert "春茶开采通知" in Client().get(index_url).content.decode()
    assert Client().get(index_url)["X-Page-Cache"] == "hit"
    with django_capture_on_commit_callbacks(execute=True):
        page.delete()
    assert Client().get(url).status_code == 404
    assert "春茶开采通知" not in Client().get(index_url).content.decode()


def test_a_festival_page_shows_a_changed_price_at_once(coop_a,
                                                      django_capture_on_commit_callbacks):
    from marketplace.shop.partner.models import StockRecord

    product = factories.product(coop_a, title="开镰节新米", price="25.00")
    with django_capture_on_commit_callbacks(execute=True):
        festival = builders.festival(body=[builders.product_card(product)])
    assert "25.00" in Client().get(festival.url).content.decode()
    record = StockRecord.objects.get(product=product)
    with django_capture_on_commit_callbacks(execute=True):
        record.price = "19.90"
        record.save()
    page = Client().get(festival.url)
    assert page["X-Page-Cache"] == "miss" and "19.90" in page.content.decode()


def test_a_hit_answered_before_the_stack_carries_what_the_stack_would_add(home, coop_a,
                                                                         settings):
    factories.product(coop_a, title="高山茭白", stock=3)  # its card has an add-to-basket form
    Client().get("/")
    fast = Client().get("/")
    # the same hit through the whole stack, without the fast path
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE
                           if m != "marketplace.pagecache.PageCacheFastPath"]
    slow = Client().get("/")
    assert fast["X-Page-Cache"] == slow["X-Page-Cache"] == "hit"
    assert sorted(fast.headers) == sorted(slow.headers)
    for name in ("Content-Type", "X-Frame-Options", "X-Content-Type-Options",
                 "Content-Language", "Referrer-Policy"):
        assert fast[name] == slow[name], name
    assert set(fast["Vary"].replace(" ", "").split(",")) == set(
        slow["Vary"].replace(" ", "").split(","))
    # both issue the new visitor a CSRF cookie matching the form's token
    assert settings.CSRF_COOKIE_NAME in fast.cookies and settings.CSRF_COOKIE_NAME in slow.cookies
