"""The product search page (/search/): what the configured backend finds, shown as product
cards with facets, active filters, sort and pages; bad query strings answer a 400 that says
why."""

import html
import re

import pytest
from django.apps import apps

from search.backends import get_backend
from tests import factories
from tests.query_budget import Visit, page_queries


def indexed(*products):
    """The products as the search index holds them (the test transaction never commits, so
    the after-commit re-indexing does not run)."""
    get_backend().index_products([p.pk for p in products])
    return products


def links(body: str) -> dict[str, str]:
    """Visible link text → href of a page."""
    found = {}
    for attrs, inner in re.findall(r"<a\b([^>]*)>(.*?)</a>", body, flags=re.S):
        href = re.search(r'href="([^"]*)"', attrs)
        text = " ".join(re.sub(r"<[^>]+>", " ", html.unescape(inner)).split())
        if href:
            found.setdefault(text, html.unescape(href.group(1)))
    return found


def link_starting(body: str, prefix: str) -> str:
    matches = [href for text, href in links(body).items() if text.startswith(prefix)]
    assert matches, f"no link starting with {prefix!r}"
    return matches[0]


def test_search_app_is_ours():
    assert apps.get_app_config("search").name == "search"


def test_search_finds_by_title_cooperative_and_origin(client, coop_a, coop_b):
    indexed(factories.product(coop_a, title="遂昌红米"),
            factories.product(coop_b, title="龙谷丽人茶", category="茶叶"))
    body = client.get("/search/", {"q": "红米"}).content.decode()
    assert "遂昌红米" in body and "龙谷丽人茶" not in body
    body = client.get("/search/", {"q": "湖山茶叶"}).content.decode()  # cooperative name
    assert "龙谷丽人茶" in body and "遂昌红米" not in body


@pytest.mark.parametrize("params", [
    pytest.param({"sort": "price_asc"}, id="sort"),
    pytest.param({"sort_by": "price-asc"}, id="old-links-sort_by"),
])
def test_search_sorts_by_price(client, coop_a, params):
    indexed(factories.product(coop_a, title="贵的笋干", price="99.00"),
            factories.product(coop_a, title="便宜的笋干", price="9.90"))
    body = client.get("/search/", {"q": "笋干", **params}).content.decode()
    assert body.index("便宜的笋干") < body.index("贵的笋干")
    body = client.get("/search/", {"q": "笋干", "sort": "price_desc"}).content.decode()
    assert body.index("贵的笋干") < body.index("便宜的笋干")
    # the sort select shows the chosen order and keeps the query when changed
    assert '<option value="price_desc" selected>' in body
    assert '<input type="hidden" name="q" value="笋干">' in body


def test_relevance_puts_title_matches_before_description_matches(client, coop_a):
    older = factories.product(coop_a, title="遂昌菊米")  # title match, listed first...
    newer = factories.product(coop_a, title="山茶油")
    newer.description = "可搭配菊米泡茶"  # ...a newer product only mentions it
    newer.save()
    indexed(older, newer)
    body = client.get("/search/", {"q": "菊米"}).content.decode()
    assert older.title in body and newer.title in body
    assert body.index(older.title) < body.index(newer.title)


@pytest.mark.parametrize(("params", "message"), [
    pytest.param({"q": "红米", "colour": "red"}, "不支持的筛选条件：colour", id="unknown-facet"),
    pytest.param({"q": "红米", "selected_facets": "x"}, "不支持的筛选条件", id="oscar-facets"),
    pytest.param({"q": "红米", "page": "99999"}, "页码无效", id="page-99999"),
    pytest.param({"q": "红米", "page": "abc"}, "页码无效", id="page-text"),
    pytest.param({"price_min": "-5"}, "价格不能为负数", id="negative-price"),
    pytest.param({"price_min": "50", "price_max": "20"}, "最低价不能高于最高价", id="crossed"),
    pytest.param({"sort": "cheapest"}, "不支持的排序方式", id="unknown-sort"),
    pytest.param({"sort_by": "cheapest"}, "不支持的排序方式", id="unknown-old-sort"),
    pytest.param({"in_stock": "maybe"}, "只能是 1 或 0", id="bad-flag"),
])
def test_bad_query_strings_answer_400_saying_why(client, db, params, message):
    response = client.get("/search/", params)
    assert response.status_code == 400
    assert message in response.content.decode()


@pytest.mark.parametrize("q", [
    "' OR 1=1 --", "<script>alert(1)</script>", "%" * 50, "红" * 5000, "\x00", "😀🍚",
    "title:红米 AND (*", "!!!", "",
], ids=["sql", "html", "percent", "5000-chars", "nul", "emoji", "es-syntax", "punctuation",
        "empty"])
def test_hostile_text_is_searched_as_text(client, coop_a, q):
    indexed(factories.product(coop_a, title="遂昌红米"))
    response = client.get("/search/", {"q": q})
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in response.content.decode()


def test_facets_narrow_the_hits_and_active_filters_come_off(client, coop_a, coop_b):
    # given rice of one cooperative and tea of another
    indexed(factories.product(coop_a, title="高山红米", category="粮油", price="30.00"),
            factories.product(coop_a, title="高山黑米", category="粮油", price="30.00"),
            factories.product(coop_b, title="高山云雾茶", category="茶叶", price="120.00"))
    body = client.get("/search/", {"q": "高山"}).content.decode()
    assert "共 3 件商品" in body
    # when the buyer picks the tea category (its count shown next to it)
    body = client.get("/search/" + link_starting(body, "茶叶 (1)")).content.decode()
    # then only the tea is left, and the filter shows as removable
    assert "高山云雾茶" in body and "高山红米" not in body and "共 1 件商品" in body
    # the category's other values still count what picking them would give
    assert "粮油 (2)" in links(body)
    # when the buyer removes the category filter, all three are back
    remove = link_starting(body, "分类：茶叶")
    body = client.get("/search/" + remove).content.decode()
    assert "高山红米" in body and "高山黑米" in body
    assert "q=%E9%AB%98%E5%B1%B1" in remove  # the query is kept


def test_price_facet_and_stock_flag_filter(client, coop_a):
    cheap, dear = indexed(factories.product(coop_a, title="小米 一斤", price="9.90"),
                          factories.product(coop_a, title="小米 礼盒", price="128.00"))
    body = client.get("/search/", {"q": "小米", "price_min": "100"}).content.decode()
    assert dear.title in body and cheap.title not in body
    remove = link_starting(body, "价格：100 元以上")
    assert "price_min" not in remove
    assert cheap.title in client.get("/search/" + remove).content.decode()
    body = client.get("/search/", {"q": "小米", "in_stock": "1"}).content.decode()
    assert dear.title in body and cheap.title in body
    assert any(t.startswith("有货") for t in links(body))


def test_pagination_keeps_the_query_and_filters(client, coop_a):
    indexed(*[factories.product(coop_a, title=f"笋干{i:02d}", category="粮油", price="10.00")
              for i in range(26)])
    body = client.get("/search/", {"q": "笋干", "sort": "price_asc",
                                   "price_max": "50"}).content.decode()
    assert "共 26 件商品" in body
    following = link_starting(body, "下一页")
    assert "page=2" in following and "sort=price_asc" in following
    assert "price_max=50" in following and "q=" in following
    body = client.get("/search/" + following).content.decode()
    assert body.count('class="col-6 col-md-4 col-lg-3"') == 2
    assert "上一页" in links(body)


def test_page_beyond_the_last_is_an_empty_page_not_an_error(client, coop_a):
    indexed(factories.product(coop_a, title="遂昌红米"))
    response = client.get("/search/", {"q": "红米", "page": "5"})
    assert response.status_code == 200
    assert "这一页没有更多商品了" in response.content.decode()


def test_a_corrected_typo_is_said(client, coop_a):
    indexed(factories.product(coop_a, title="遂昌红米"))
    body = client.get("/search/", {"q": "hongmu"}).content.decode()
    assert "遂昌红米" in body
    assert "已为您搜索“<strong>hongmi</strong>”" in body


def test_header_box_points_at_suggestions_and_keeps_the_query(client, db):
    body = client.get("/search/", {"q": "红米"}).content.decode()
    assert 'data-suggest-url="/search/suggest/"' in body
    assert 'role="listbox"' in body and "search/suggest" in body
    assert re.search(r'<input type="search"[^>]*name="q"[^>]*value="红米"', body)


@pytest.mark.parametrize("filtered", [False, True], ids=["text", "filtered"])
def test_search_page_queries_do_not_grow_with_hits(coop_a, filtered):
    first = indexed(factories.product(coop_a, title="高山红米", image=True))[0]
    url = "/search/?q=红米"
    if filtered:
        url += f"&category={first.categories.first().pk}&price_min=10&in_stock=1&sort=sales"
    with_one = page_queries(Visit(url))[0]
    indexed(*[factories.product(coop_a, title=f"红米{i}", image=True) for i in range(23)])
    body_queries = page_queries(Visit(url))
    assert body_queries[0] == with_one
    assert with_one <= 16  # 15 measured on SQLite (q=红米), 7 of them the DB backend's


def test_search_store_down_is_a_503_saying_so(client, db, settings):
    # given the Elasticsearch backend pointed at a port where nothing listens
    settings.SEARCH_BACKEND = "elasticsearch"
    settings.ELASTICSEARCH_URL = "http://127.0.0.1:9"
    response = client.get("/search/", {"q": "红米"})
    assert response.status_code == 503
    assert "搜索暂时不可用" in response.content.decode()
    assert response["Retry-After"] == "30"


@pytest.mark.parametrize("params", [
    {"category": "abc"}, {"category": "-1"}, {"category": "9" * 40}, {"cooperative": "1.5"},
    {"certification": "<b>"}, {"county": "\x00"}, {"town": "😀"}, {"category": ["1", "x"]},
    {"price_min": "1e309"}, {"price_max": "NaN"}, {"live_now": "1", "in_stock": "0"},
], ids=lambda p: "&".join(f"{k}={v!r}"[:30] for k, v in p.items()))
def test_junk_filter_values_answer_a_page_or_a_400(client, coop_a, params):
    indexed(factories.product(coop_a, title="遂昌红米"))
    response = client.get("/search/", {"q": "红米", **params})
    assert response.status_code in (200, 400)
    assert "：<b>" not in response.content.decode()  # a chip shows typed values escaped
