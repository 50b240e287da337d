"""The anonymous page cache: browsing pages come from the cache for visitors without a
session or basket, their forms still work, and nobody sees what belongs to someone else."""

import json

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from oscar.core.loading import get_model

from marketplace.pagecache import pagecache_bump, token_placeholder
from tests import factories

Basket = get_model("basket", "Basket")


@pytest.fixture(autouse=True)
def _cache_on(settings):
    settings.PAGE_CACHE_SECONDS = 60
    pagecache_bump()  # entries of earlier tests (another database's rows) are never reused


def test_second_anonymous_visit_is_served_from_cache_without_queries(coop_a):
    factories.product(coop_a, title="高山红米")
    client = Client()
    first = client.get("/catalogue/")
    assert first["X-Page-Cache"] == "miss"
    with CaptureQueriesContext(connection) as ctx:
        second = Client().get("/catalogue/")
    assert second["X-Page-Cache"] == "hit"
    assert len(ctx.captured_queries) == 0
    assert "高山红米" in second.content.decode()
    # security headers are replayed too
    assert second["X-Frame-Options"] == "DENY"


def test_add_to_basket_form_of_a_cached_page_works(coop_a):
    # given a product listing already in the cache
    product = factories.product(coop_a, title="冰糖橙", stock=5)
    Client().get("/catalogue/")
    # when a new visitor (who must pass the CSRF check) takes the cached page
    visitor = Client(enforce_csrf_checks=True)
    page = visitor.get("/catalogue/")
    assert page["X-Page-Cache"] == "hit"
    body = page.content.decode()
    assert token_placeholder() not in body
    token = body.split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]
    response = visitor.post(f"/basket/add/{product.pk}/",
                            {"quantity": 1, "csrfmiddlewaretoken": token})
    # then the item is in their basket
    assert response.status_code == 302
    basket = Basket.objects.get(pk=int(visitor.cookies[settings.OSCAR_BASKET_COOKIE_OPEN]
                                       .value.split(":")[0]))
    assert basket.num_items == 1


def test_visitor_with_a_basket_or_logged_in_gets_a_fresh_page(coop_a, buyer):
    product = factories.product(coop_a, title="土蜂蜜", stock=5)
    Client().get("/catalogue/")  # cached for anonymous visitors
    shopper = Client()
    shopper.post(f"/basket/add/{product.pk}/", {"quantity": 1})
    page = shopper.get("/catalogue/")
    assert "X-Page-Cache" not in page
    logged_in = Client()
    logged_in.force_login(buyer)
    page = logged_in.get("/catalogue/")
    assert "X-Page-Cache" not in page
    assert buyer.email in page.content.decode() or "退出" in page.content.decode()


def test_a_changed_product_is_shown_at_once(coop_a, django_capture_on_commit_callbacks):
    product = factories.product(coop_a, title="旧名字大米")
    Client().get(product.get_absolute_url())
    with django_capture_on_commit_callbacks(execute=True):
        product.title = "新名字大米"
        product.save()
    page = Client().get(product.get_absolute_url())
    assert page["X-Page-Cache"] == "miss"
    assert "新名字大米" in page.content.decode()


def test_languages_are_cached_apart(coop_a):
    factories.product(coop_a)
    Client().get("/catalogue/")
    english = Client()
    english.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = english.get("/catalogue/")
    assert page["X-Page-Cache"] == "miss"
    assert '<html lang="en"' in page.content.decode()


def test_not_found_pages_are_not_cached(db):
    Client().get("/catalogue/no-such-thing_999999/")
    again = Client().get("/catalogue/no-such-thing_999999/")
    assert again.status_code == 404
    assert again.get("X-Page-Cache") != "hit"


def test_cached_product_page_still_records_recently_viewed(coop_a):
    first = factories.product(coop_a, title="第一件商品")
    second = factories.product(coop_a, title="第二件商品")
    Client().get(second.get_absolute_url())  # someone else cached the second page
    visitor = Client()
    visitor.get(first.get_absolute_url())
    page = visitor.get(second.get_absolute_url())
    assert page["X-Page-Cache"] == "hit"
    cookie = visitor.cookies[settings.OSCAR_RECENTLY_VIEWED_COOKIE_NAME].value
    assert json.loads(cookie) == [first.pk, second.pk]
    # the page's recently-viewed block lists the first product, not the one on screen
    fragment = visitor.get("/catalogue/recently-viewed/").content.decode()
    assert "第一件商品" in fragment
    assert "第二件商品" not in fragment


@pytest.mark.parametrize("cookie", ['"junk', '["1", {"a": 2}, null]', "[1e400]", "{}"])
def test_recently_viewed_survives_a_tampered_cookie(db, cookie):
    client = Client()
    client.cookies[settings.OSCAR_RECENTLY_VIEWED_COOKIE_NAME] = cookie
    assert client.get("/catalogue/recently-viewed/").status_code == 200


def test_an_order_invalidates_pages_only_when_it_sells_out(
    coop_a, django_capture_on_commit_callbacks
):
    from marketplace.shop.partner.models import StockRecord

    product = factories.product(coop_a, title="限量腊肉", stock=3)
    record = StockRecord.objects.get(product=product)
    Client().get(product.get_absolute_url())
    with django_capture_on_commit_callbacks(execute=True):
        record.allocate(2)  # one left: the cached page may stay
    assert Client().get(product.get_absolute_url())["X-Page-Cache"] == "hit"
    with django_capture_on_commit_callbacks(execute=True):
        record.allocate(1)  # sold out: every page showing it is rendered anew
    assert Client().get(product.get_absolute_url())["X-Page-Cache"] == "miss"


def test_logged_in_buyers_get_cached_product_cards_that_work(coop_a, buyer, staff_a,
                                                           django_capture_on_commit_callbacks):
    # given one buyer's listing rendered the cards
    product = factories.product(coop_a, title="缙云麻鸭", stock=5)
    first = Client()
    first.force_login(staff_a)
    first.get("/catalogue/")
    # (a write that sends no signal does not reach the cached card: proof it is cached)
    type(product).objects.filter(pk=product.pk).update(title="未通知的改名")
    # when another buyer, who must pass the CSRF check, opens the listing
    visitor = Client(enforce_csrf_checks=True)
    visitor.force_login(buyer)
    page = visitor.get("/catalogue/")
    body = page.content.decode()
    assert "X-Page-Cache" not in page  # the page itself is theirs
    assert "缙云麻鸭" in body and "未通知的改名" not in body
    assert token_placeholder() not in body
    token = body.split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]
    response = visitor.post(f"/basket/add/{product.pk}/",
                            {"quantity": 1, "csrfmiddlewaretoken": token})
    # then the card's add-to-basket works with their own token
    assert response.status_code == 302
    assert Basket.objects.get(owner=buyer).num_items == 1
    # and a changed product shows on the next page
    with django_capture_on_commit_callbacks(execute=True):
        product.title = "缙云麻鸭（改）"
        product.save()
    assert "缙云麻鸭（改）" in visitor.get("/catalogue/").content.decode()


def test_views_served_from_the_cache_are_still_counted(coop_a):
    ProductRecord = get_model("analytics", "ProductRecord")
    product = factories.product(coop_a)
    for _ in range(3):
        Client().get(product.get_absolute_url())  # one render, then two cache hits
    assert ProductRecord.objects.get(product=product).num_views == 3


def test_forms_of_cached_pages_work_for_a_returning_visitor(coop_a):
    # given a visitor who already holds a CSRF cookie from an earlier cached page
    product = factories.product(coop_a, title="黄泥笋", stock=5)
    Client().get("/catalogue/")
    visitor = Client(enforce_csrf_checks=True)
    visitor.get("/catalogue/")
    secret = visitor.cookies[settings.CSRF_COOKIE_NAME].value
    pages = [visitor.get("/catalogue/").content.decode() for _ in range(2)]
    tokens = [b.split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]
              for b in pages]
    # each answer masks the same secret anew (no token repeats across responses)
    assert visitor.cookies[settings.CSRF_COOKIE_NAME].value == secret
    assert tokens[0] != tokens[1] and all(len(t) == 64 for t in tokens)
    response = visitor.post(f"/basket/add/{product.pk}/",
                            {"quantity": 1, "csrfmiddlewaretoken": tokens[0]})
    assert response.status_code == 302
    # a token not made from this visitor's secret is refused
    other = Client(enforce_csrf_checks=True)
    other.cookies[settings.CSRF_COOKIE_NAME] = "a" * 32
    assert other.post(f"/basket/add/{product.pk}/",
                      {"quantity": 1, "csrfmiddlewaretoken": tokens[1]}).status_code == 403


def test_each_worker_keeps_a_short_copy_of_the_pages_it_served(coop_a, settings, monkeypatch):
    from django.core.cache import cache

    from marketplace import pagecache

    settings.PAGE_CACHE_LOCAL_SECONDS = 0.5
    pagecache.local_entries_forget()
    factories.product(coop_a, title="龙谷茶")
    Client().get("/catalogue/")  # rendered and stored
    Client().get("/catalogue/")  # read from the shared cache, kept by this worker
    reads = []
    real = cache.get_many
    monkeypatch.setattr(cache, "get_many", lambda keys: reads.append(keys) or real(keys))
    assert Client().get("/catalogue/")["X-Page-Cache"] == "hit"
    assert reads == []
    # after the short copy expires, a change made meanwhile shows
    clock = pagecache.time.monotonic() + 1
    monkeypatch.setattr(pagecache.time, "monotonic", lambda: clock)
    pagecache_bump()
    assert Client().get("/catalogue/")["X-Page-Cache"] == "miss"
    pagecache.local_entries_forget()
