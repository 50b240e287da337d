"""Search behaviour every backend keeps: the same queries and expected hits on the DB backend
and (when ELASTICSEARCH_URL is set) on Elasticsearch. The catalogue is in conftest.py."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from django.http import QueryDict

from search.query import SearchInputError, parse_request

pytestmark = pytest.mark.django_db


def run(backend, per_page=24, **params):
    query = QueryDict(urlencode(params, doseq=True))
    return backend.search(parse_request(query, per_page=per_page))


def names(catalog, result):
    return [catalog.names[pk] for pk in result.product_ids]


def counts(result, facet):
    return {v.value: v.count for v in result.facets[facet]}


# --- words, pinyin, initials, typos ---------------------------------------------------------

@pytest.mark.parametrize(("q", "expected"), [
    ("红米", {"rice", "rice2", "mixed"}),
    ("绿茶", {"tea2"}),
    ("白茶", {"tea"}),
    ("辣椒", {"chili"}),
    ("遂昌", {"rice", "rice2", "mixed", "tea", "tea2"}),  # the origin county
    ("湖山茶叶合作社", {"mixed", "tea", "tea2"}),  # the cooperative
    ("粮油", {"rice", "rice2", "mixed"}),  # the category
], ids=["word-hongmi", "word-lvcha", "word-baicha", "word-lajiao", "county",
        "cooperative", "category"])
def test_chinese_words_find_products(backend, catalog, q, expected):
    result = run(backend, q=q)

    assert set(names(catalog, result)) == expected
    assert result.total == len(expected) and result.corrected is None


def test_one_character_finds_the_titles_holding_it_first(backend, catalog):
    hits = names(catalog, run(backend, q="茶"))

    # mixed (its cooperative is 湖山茶叶合作社) may follow, never lead.
    assert set(hits[:2]) == {"tea", "tea2"} and set(hits) <= {"tea", "tea2", "mixed"}


def test_title_hits_rank_above_description_hits(backend, catalog):
    result = run(backend, q="红米")

    assert names(catalog, result)[-1] == "mixed"  # 红米 only in its description


@pytest.mark.parametrize(("q", "expected"), [
    ("hongmi", {"rice", "rice2"}),
    ("HongMi", {"rice", "rice2"}),
    ("hong mi", {"rice", "rice2"}),
    ("ｈｏｎｇｍｉ", {"rice", "rice2"}),
    ("lajiao", {"chili"}),
    ("lj", {"chili"}),
    ("hm", {"rice", "rice2"}),
    ("baicha", {"tea"}),
    ("cha", {"tea", "tea2"}),
], ids=["pinyin", "pinyin-case", "pinyin-syllables", "pinyin-full-width", "pinyin-lajiao",
        "initials-lj", "initials-hm", "pinyin-baicha", "pinyin-syllable-cha"])
def test_pinyin_and_initials_find_titles(backend, catalog, q, expected):
    result = run(backend, q=q)

    assert set(names(catalog, result)) == expected


def test_a_latin_typo_is_corrected(backend, catalog):
    result = run(backend, q="hongmu")

    assert result.corrected == "hongmi"
    assert set(names(catalog, result)) == {"rice", "rice2"}


def test_a_known_word_is_not_corrected(backend, catalog):
    assert run(backend, q="lajiao").corrected is None


def test_words_must_all_match(backend, catalog):
    assert set(names(catalog, run(backend, q="有机 红米"))) == {"rice2"}
    assert run(backend, q="红米 绿茶").total == 0


# --- facets --------------------------------------------------------------------------------

def test_facets_count_every_dimension(backend, catalog):
    result = run(backend)
    cat = {c: str(getattr(catalog, c).pk) for c in ("tea_category", "white_tea")}

    assert result.total == 7
    category = counts(result, "category")
    assert category[cat["tea_category"]] == 2 and category[cat["white_tea"]] == 1
    assert sorted(category.values(), reverse=True)[:1] == [3]  # 粮油
    assert counts(result, "certification") == {"green": 2, "organic": 2}
    assert counts(result, "county") == {"331123000000": 5, "431226000000": 2}
    assert counts(result, "town") == {"331123001000": 2, "331123102000": 3,
                                      "431226101000": 2}
    assert counts(result, "cooperative") == {str(catalog.coop_a.pk): 2,
                                             str(catalog.coop_b.pk): 3,
                                             str(catalog.coop_c.pk): 2}
    assert counts(result, "price") == {"0-20": 1, "20-50": 2, "50-100": 2, "100-200": 1,
                                       "200-": 1}
    assert counts(result, "in_stock") == {"1": 6}
    assert counts(result, "live_now") == {"1": 1}
    labels = {v.value: v.label for v in result.facets["county"]}
    assert labels == {"331123000000": "遂昌县", "431226000000": "麻阳苗族自治县"}
    assert {v.label for v in result.facets["certification"]} == {"绿色食品", "有机产品"}


def test_a_category_filter_takes_its_subcategories(backend, catalog):
    result = run(backend, category=catalog.tea_category.pk)

    assert set(names(catalog, result)) == {"tea", "tea2"}
    # The category facet ignores its own filter: the buyer sees what other categories hold.
    assert counts(result, "category")[str(catalog.tea_category.pk)] == 2
    assert sum(1 for v in result.facets["category"] if v.selected) == 1
    # Other facets count within the chosen category.
    assert counts(result, "cooperative") == {str(catalog.coop_b.pk): 2}
    assert counts(result, "live_now") == {"1": 1}


def test_filters_combine_and_facets_leave_out_their_own_filter(backend, catalog):
    result = run(backend, county="331123000000", in_stock="1")

    assert set(names(catalog, result)) == {"rice", "mixed", "tea", "tea2"}
    assert counts(result, "in_stock") == {"1": 4}
    assert counts(result, "county") == {"331123000000": 4, "431226000000": 2}
    assert [v.value for v in result.facets["county"] if v.selected] == ["331123000000"]


@pytest.mark.parametrize(("params", "expected"), [
    ({"certification": "organic"}, {"chili", "eggs"}),
    ({"certification": ["organic", "green"]}, {"chili", "eggs", "rice", "rice2"}),
    ({"town": "331123001000"}, {"rice", "rice2"}),
    ({"price_min": "20", "price_max": "50"}, {"rice", "eggs"}),
    ({"price_min": "100"}, {"tea", "tea2"}),
    ({"live_now": "1"}, {"tea"}),
    ({"in_stock": "0"}, {"rice2"}),
    ({"q": "红米", "in_stock": "1"}, {"rice", "mixed"}),
    ({"q": "cha", "price_max": "200"}, {"tea"}),
], ids=["certification", "certification-or", "town", "price-range", "price-min", "live-now",
        "out-of-stock", "word-and-stock", "pinyin-and-price"])
def test_filters(backend, catalog, params, expected):
    result = run(backend, **params)

    assert set(names(catalog, result)) == expected and result.total == len(expected)


def test_price_facet_counts_leave_out_the_price_filter(backend, catalog):
    result = run(backend, price_min="20", price_max="50")

    assert counts(result, "price")["200-"] == 1
    assert [v.value for v in result.facets["price"] if v.selected] == ["20-50"]


def test_an_unknown_filter_value_finds_nothing(backend, catalog):
    assert run(backend, cooperative="999999").total == 0
    assert run(backend, category="not-a-category").total == 0


# --- sorts and pages -----------------------------------------------------------------------

@pytest.mark.parametrize(("sort", "expected"), [
    ("price_asc", ["chili", "rice", "eggs", "mixed", "rice2", "tea", "tea2"]),
    ("price_desc", ["tea2", "tea", "rice2", "mixed", "eggs", "rice", "chili"]),
    ("newest", ["eggs", "chili", "tea2", "tea", "mixed", "rice2", "rice"]),
])
def test_sorts(backend, catalog, sort, expected):
    assert names(catalog, run(backend, sort=sort)) == expected


def test_sort_by_sales_puts_best_sellers_first(backend, catalog):
    assert names(catalog, run(backend, sort="sales"))[:2] == ["tea", "rice"]


def test_an_empty_query_lists_every_product_best_sellers_first(backend, catalog):
    result = run(backend, q="")

    assert result.total == 7 and names(catalog, result)[:2] == ["tea", "rice"]


def test_pages_split_the_hits_and_a_page_past_the_end_is_empty(backend, catalog):
    pages = [run(backend, per_page=3, sort="price_asc", page=n) for n in (1, 2, 3, 4)]

    assert [len(p.product_ids) for p in pages] == [3, 3, 1, 0]
    assert [n for p in pages for n in names(catalog, p)] == [
        "chili", "rice", "eggs", "mixed", "rice2", "tea", "tea2"]
    assert {p.total for p in pages} == {7} and pages[0].num_pages == 3


# --- bad input -----------------------------------------------------------------------------

@pytest.mark.parametrize("params", [
    {"colour": "red"}, {"page": "99999"}, {"page": "0"}, {"page": "x"},
    {"price_min": "-1"}, {"price_max": "-0.01"}, {"price_min": "50", "price_max": "20"},
    {"sort": "cheapest"}, {"in_stock": "maybe"},
], ids=["unknown-facet", "page-99999", "page-0", "page-text", "negative-min",
        "negative-max", "crossed-prices", "unknown-sort", "bad-flag"])
def test_bad_parameters_are_a_clear_input_error(params):
    with pytest.raises(SearchInputError) as excinfo:
        parse_request(QueryDict(urlencode(params)))

    assert str(excinfo.value)  # a message for the buyer


def test_a_5000_character_query_still_searches(backend, catalog):
    result = run(backend, q="红米 " * 1700)

    assert set(names(catalog, result)) == {"rice", "rice2", "mixed"}


@pytest.mark.parametrize("q", ["!!!", "？？。，", "😀🍚", "*", "\\\"'"],
                         ids=["ascii-punct", "cjk-punct", "emoji", "star", "quotes"])
def test_punctuation_or_emoji_only_finds_nothing(backend, catalog, q):
    result = run(backend, q=q)

    assert result.product_ids == [] and result.total == 0


@pytest.mark.parametrize("q", ['title:红米 AND (*', 'hongmi OR "', "NOT 红米", "红米~2^3",
                               "{红米}[]/\\"])
def test_query_syntax_characters_are_words_not_syntax(backend, catalog, q):
    result = run(backend, q=q)

    assert result.total == len(result.product_ids)
    assert set(names(catalog, result)) <= {"rice", "rice2", "mixed"}


def test_query_syntax_around_a_word_still_finds_it(backend, catalog):
    assert set(names(catalog, run(backend, q="(红米)*"))) == {"rice", "rice2", "mixed"}
