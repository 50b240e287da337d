"""/search/suggest/: what the search box lists as the buyer types (汉字, pinyin, initials),
as JSON the same for every visitor; input that cannot be a prefix answers an empty list."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from search.backends import get_backend
from tests import factories


@pytest.fixture
def red_rice(coop_a, coop_b):
    rice = factories.product(coop_a, title="遂昌红米")
    tea = factories.product(coop_b, title="龙谷丽人茶", category="茶叶")
    get_backend().index_products([rice.pk, tea.pk])
    return rice


def suggestions(client, q):
    response = client.get("/search/suggest/", {"q": q})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    return response.json()["suggestions"]


@pytest.mark.parametrize("q", ["遂昌", "红", "hongmi", "hong", "hm", "HongMi"])
def test_typed_prefix_pinyin_or_initials_suggest_the_product(client, red_rice, q):
    found = suggestions(client, q)
    assert {"text": "遂昌红米", "url": red_rice.get_absolute_url()} in found
    assert all(s["text"] != "龙谷丽人茶" for s in found)


@pytest.mark.parametrize("q", [
    "", "   ", "h", "!!!", "😀😀", "\x00", "红" * 51, "hongmi" * 1000, "title:红 AND (*",
], ids=["empty", "spaces", "one-letter", "punctuation", "emoji", "nul", "too-long",
        "5000-chars", "es-syntax"])
def test_input_that_cannot_be_a_prefix_lists_nothing(client, red_rice, q):
    assert suggestions(client, q) == []


def test_answer_is_shareable_and_cheap(red_rice):
    client = Client()
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/search/suggest/", {"q": "hm"})
    assert response.json()["suggestions"]
    assert "public" in response["Cache-Control"] and "max-age=60" in response["Cache-Control"]
    assert "Vary" not in response and not response.cookies  # one copy for everyone
    assert len(queries) <= 3, [q["sql"] for q in queries]


def test_only_get(client, db):
    assert client.post("/search/suggest/", {"q": "红"}).status_code == 405


@settings(max_examples=40, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(q=st.text(st.characters(blacklist_categories=["Cs"]), max_size=120))
def test_any_text_answers_a_list(client, red_rice, q):
    found = suggestions(client, q)
    assert isinstance(found, list) and len(found) <= 8


def test_store_down_answers_an_empty_list_not_cached(client, db, settings):
    # given the Elasticsearch backend pointed at a port where nothing listens
    settings.SEARCH_BACKEND = "elasticsearch"
    settings.ELASTICSEARCH_URL = "http://127.0.0.1:9"
    response = client.get("/search/suggest/", {"q": "hongmi"})
    assert response.status_code == 503
    assert response.json() == {"suggestions": []}
    assert "public" not in response.get("Cache-Control", "")


# --- answers kept per typed text (search.suggestcache) ----------------------------------

@pytest.fixture
def suggest_cache_on(settings):
    from search.suggestcache import _bump

    settings.SEARCH_SUGGEST_CACHE_SECONDS = 60
    _bump()  # answers cached by earlier tests (another database's rows) are never reused


def test_a_repeated_prefix_is_answered_from_the_cache_before_the_stack(
        red_rice, suggest_cache_on):
    client = Client()
    first = client.get("/search/suggest/", {"q": "hm"})
    with CaptureQueriesContext(connection) as queries:
        again = client.get("/search/suggest/", {"q": "hm"})
    assert again.content == first.content and again.json()["suggestions"]
    assert len(queries) == 0
    # answered by the fast path: the locale middleware (which marks the first answer's
    # language) never ran, nor sessions or CSRF, yet the headers every response carries
    # are there
    assert "Content-Language" in first and "Content-Language" not in again
    assert "Vary" not in again and not again.cookies
    assert again["X-Content-Type-Options"] == "nosniff" and again["X-Frame-Options"]
    assert "public" in again["Cache-Control"] and "max-age=60" in again["Cache-Control"]
    # another text is another answer
    assert client.get("/search/suggest/", {"q": "lgl"}).json()["suggestions"][0]["text"] \
        == "龙谷丽人茶"


def test_a_product_indexed_after_an_answer_was_cached_is_suggested_next_time(
        client, red_rice, coop_a, suggest_cache_on, django_capture_on_commit_callbacks):
    assert [s["text"] for s in suggestions(client, "遂昌")] == ["遂昌红米"]
    tea = factories.product(coop_a, title="遂昌高山云雾茶")
    with django_capture_on_commit_callbacks(execute=True):
        get_backend().index_products([tea.pk])
    assert {s["text"] for s in suggestions(client, "遂昌")} == {"遂昌红米", "遂昌高山云雾茶"}


def test_a_failed_lookup_is_not_kept(client, red_rice, settings, suggest_cache_on):
    settings.SEARCH_BACKEND = "elasticsearch"
    settings.ELASTICSEARCH_URL = "http://127.0.0.1:9"
    assert client.get("/search/suggest/", {"q": "hm"}).status_code == 503
    settings.SEARCH_BACKEND = "db"
    assert [s["text"] for s in suggestions(client, "hm")] == ["遂昌红米"]
