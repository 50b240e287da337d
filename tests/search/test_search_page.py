"""The DB-backed product search page (our fork of Oscar's search app, label ``search``)."""

from django.apps import apps

from tests import factories


def test_search_app_is_ours():
    assert apps.get_app_config("search").name == "search"


def test_search_finds_by_title_cooperative_and_origin(client, coop_a, coop_b):
    factories.product(coop_a, title="遂昌红米")
    factories.product(coop_b, title="龙谷丽人茶", category="茶叶")
    body = client.get("/search/", {"q": "红米"}).content.decode()
    assert "遂昌红米" in body and "龙谷丽人茶" not in body
    body = client.get("/search/", {"q": "湖山茶叶"}).content.decode()  # cooperative name
    assert "龙谷丽人茶" in body and "遂昌红米" not in body


def test_search_sorts_by_price(client, coop_a):
    factories.product(coop_a, title="贵的笋干", price="99.00")
    factories.product(coop_a, title="便宜的笋干", price="9.90")
    body = client.get("/search/", {"q": "笋干", "sort_by": "price-asc"}).content.decode()
    assert body.index("便宜的笋干") < body.index("贵的笋干")
    body = client.get("/search/", {"q": "笋干", "sort_by": "price-desc"}).content.decode()
    assert body.index("贵的笋干") < body.index("便宜的笋干")


def test_hostile_search_input_is_not_an_error(client, db):
    for q in ["' OR 1=1 --", "<script>alert(1)</script>", "%" * 50, "红" * 500, "\x00"]:
        response = client.get("/search/", {"q": q, "page": "abc"})
        assert response.status_code in (200, 302, 404)
        assert "<script>alert(1)</script>" not in response.content.decode()


def test_relevance_puts_title_matches_before_description_matches(client, coop_a):
    older = factories.product(coop_a, title="遂昌菊米")  # title match, listed first...
    newer = factories.product(coop_a, title="山茶油")
    newer.description = "可搭配菊米泡茶"  # ...a newer product only mentions it
    newer.save()
    body = client.get("/search/", {"q": "菊米"}).content.decode()
    assert older.title in body and newer.title in body
    assert body.index(older.title) < body.index(newer.title)
