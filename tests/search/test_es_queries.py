"""Request bodies the Elasticsearch backend sends (built with elasticsearch-dsl), how its
answers become SearchResult and Suggestion, and the index/alias calls of indexing and
rebuilds. No cluster runs here: a small fake client records calls (the only stand-in), and
the one round trip against a real cluster is marked ``es``."""

from __future__ import annotations

import json
import os
from decimal import Decimal

import pytest

from search.backends.elasticsearch import (
    FACET_FIELDS,
    ElasticsearchBackend,
    SearchUnavailable,
    build_search,
    corrected_from,
    facets_from,
    suggest_search,
)
from search.query import FACETS, SearchRequest, Suggestion, parse_request
from tests import factories


def body_of(request: SearchRequest) -> dict:
    return build_search(request).to_dict()


def walk(node, key):
    """Every value stored under ``key`` anywhere in a request body."""
    if isinstance(node, dict):
        for k, v in node.items():
            if k == key:
                yield v
            yield from walk(v, key)
    elif isinstance(node, list):
        for item in node:
            yield from walk(item, key)


def should(body) -> list[dict]:
    return body["query"]["bool"]["should"]


def fields_matched(body) -> set[str]:
    out = set()
    for clause in should(body):
        for kind in ("match", "match_phrase"):
            out |= set(clause.get(kind, {}))
    return out


# --- the text query -----------------------------------------------------------------------

def test_a_chinese_query_needs_every_word_somewhere_title_weighing_most():
    body = body_of(SearchRequest(q="遂昌 红米"))

    multi = should(body)[0]["multi_match"]
    assert multi["query"] == "遂昌 红米"
    # Every word, each in any field (遂昌 in the county, 红米 in the title).
    assert multi["type"] == "cross_fields" and multi["operator"] == "and"
    weights = {f.split("^")[0]: float(f.split("^")[1]) if "^" in f else 1.0
               for f in multi["fields"]}
    assert weights["title"] > weights["category_path"] > weights["description"]
    assert weights["title"] > weights["cooperative"]
    assert {"county", "town", "village"} <= set(weights)
    assert {"match_phrase": {"title": {"query": "遂昌 红米", "boost": 2}}} in should(body)
    # Chinese text is not looked up as pinyin.
    assert not fields_matched(body) & {"pinyin", "initials", "pinyin_words"}
    assert body["query"]["bool"]["minimum_should_match"] == 1


def test_pinyin_is_matched_as_a_title_prefix_and_as_a_word_of_the_title():
    clauses = should(body_of(SearchRequest(q="HongMi")))

    assert {"match": {"pinyin": {"query": "hongmi", "boost": 3}}} in clauses
    assert {"match": {"pinyin_words": {"query": "hongmi", "operator": "and",
                                       "boost": 2}}} in clauses
    assert {"match": {"pinyin_words.prefix": {"query": "hongmi", "operator": "and",
                                              "boost": 1}}} in clauses


def test_pinyin_typed_with_spaces_is_also_one_word():
    clauses = should(body_of(SearchRequest(q="hong mi")))

    assert {"match": {"pinyin": {"query": "hongmi", "boost": 3}}} in clauses
    # Each syllable must be a word of the title ("mi" alone would find 明前 by prefix).
    assert {"match": {"pinyin_words": {"query": "hong mi", "operator": "and",
                                       "boost": 2}}} in clauses


def test_initials_are_matched_on_the_title_and_its_words():
    clauses = should(body_of(SearchRequest(q="lj")))

    assert {"match": {"initials": {"query": "lj", "boost": 1.5}}} in clauses
    assert {"match": {"initials_words": {"query": "lj", "operator": "and",
                                         "boost": 1.5}}} in clauses


def test_a_typod_latin_word_is_matched_fuzzily_and_a_correction_is_asked_for():
    body = body_of(SearchRequest(q="hongmu"))

    fuzzy = [c["match"]["pinyin_words"] for c in should(body)
             if "fuzziness" in c.get("match", {}).get("pinyin_words", {})]
    assert fuzzy == [{"query": "hongmu", "operator": "and", "fuzziness": "AUTO:4,20",
                      "prefix_length": 1, "boost": 0.5}]
    assert body["suggest"]["corrected"]["text"] == "hongmu"
    assert body["suggest"]["corrected"]["term"]["field"] == "pinyin_words"
    assert body["suggest"]["corrected"]["term"]["max_edits"] == 1


def test_chinese_text_has_no_fuzziness_and_no_correction():
    body = body_of(SearchRequest(q="辣椒"))

    assert list(walk(body, "fuzziness")) == [] and "suggest" not in body


@pytest.mark.parametrize("text", [
    "title:红米 AND (*", 'price:[0 TO 10] OR "', "红米) || \\ / ~2 ^5 {!}", "*:*", "<script>",
])
def test_query_syntax_is_searched_as_plain_text(text):
    body = body_of(parse_request({"q": [text]}))
    dumped = json.dumps(body, ensure_ascii=False)

    assert "query_string" not in dumped and "simple_query_string" not in dumped
    assert "regexp" not in dumped and "wildcard" not in dumped
    # The text only reaches match/multi_match "query" values, unchanged.
    assert should(body)[0]["multi_match"]["query"] == text


def test_a_pasted_repetition_searches_the_repeated_words_once():
    body = body_of(parse_request({"q": ["红米" * 2500]}))

    assert should(body)[0]["multi_match"]["query"] == "红米"
    assert should(body_of(SearchRequest(q="1000g 土鸡蛋")))[0]["multi_match"]["query"] == (
        "1000g 土鸡蛋")


def test_an_empty_query_matches_everything_best_sellers_first():
    body = body_of(SearchRequest(q=""))

    assert body["query"] == {"match_all": {}}
    assert body["sort"] == [{"sales": {"order": "desc"}}, {"date_created": {"order": "desc"}},
                            {"id": {"order": "desc"}}]


# --- filters and facets -------------------------------------------------------------------

FILTERED = SearchRequest(
    q="米", filters={"category": ("3", "4"), "certification": ("green",),
                    "county": ("331123000000",), "town": ("331123001000",),
                    "cooperative": ("7",)},
    price_min=Decimal(20), price_max=Decimal(50), in_stock=True, live_now=False)
CLAUSES = {
    "category": {"terms": {"category_ids": ["3", "4"]}},
    "certification": {"terms": {"certifications": ["green"]}},
    "county": {"terms": {"county_code": ["331123000000"]}},
    "town": {"terms": {"town_code": ["331123001000"]}},
    "cooperative": {"terms": {"cooperative_id": ["7"]}},
    "price": {"range": {"price": {"gte": 20.0, "lte": 50.0}}},
    "in_stock": {"term": {"in_stock": True}},
    "live_now": {"term": {"live_now": False}},
}


def test_filters_go_to_the_post_filter_not_the_query():
    body = body_of(FILTERED)

    assert sorted(map(json.dumps, body["post_filter"]["bool"]["filter"])) == sorted(
        map(json.dumps, CLAUSES.values()))
    assert "filter" not in body["query"]["bool"]


@pytest.mark.parametrize("facet", FACETS)
def test_each_facet_counts_under_every_filter_but_its_own(facet):
    aggs = body_of(FILTERED)["aggs"]

    scope = aggs[f"facet_{facet}"]["filter"]["bool"]["filter"]
    assert sorted(map(json.dumps, scope)) == sorted(
        json.dumps(clause) for name, clause in CLAUSES.items() if name != facet)


def test_facet_aggregations_without_filters_count_everything_matched():
    aggs = body_of(SearchRequest(q="米"))["aggs"]

    assert set(aggs) == {f"facet_{name}" for name in FACETS}
    for name in FACETS:
        assert aggs[f"facet_{name}"]["filter"] == {"match_all": {}}
    for name, field in FACET_FIELDS.items():
        assert aggs[f"facet_{name}"]["aggs"]["values"]["terms"]["field"] == field
    assert aggs["facet_price"]["aggs"]["values"]["range"]["ranges"] == [
        {"key": "0-20", "to": 20.0}, {"key": "20-50", "from": 20.0, "to": 50.0},
        {"key": "50-100", "from": 50.0, "to": 100.0},
        {"key": "100-200", "from": 100.0, "to": 200.0}, {"key": "200-", "from": 200.0}]
    assert aggs["facet_in_stock"]["aggs"]["values"] == {
        "filter": {"term": {"in_stock": True}}}


def test_facet_counts_become_facet_values_with_labels():
    request = SearchRequest(filters={"category": ("3", "99")}, price_min=Decimal(20),
                            price_max=Decimal(50), in_stock=True)
    aggregations = {
        "facet_category": {"values": {"buckets": [{"key": "4|茶叶", "doc_count": 2},
                                                  {"key": "3|粮油", "doc_count": 5},
                                                  {"key": "5|干货", "doc_count": 2}]}},
        "facet_certification": {"values": {"buckets": [{"key": "green", "doc_count": 4}]}},
        "facet_county": {"values": {"buckets": [{"key": "331123000000|遂昌县",
                                                 "doc_count": 7}]}},
        "facet_town": {"values": {"buckets": []}},
        "facet_cooperative": {"values": {"buckets": [{"key": "7|妙高红米合作社",
                                                      "doc_count": 3}]}},
        "facet_price": {"values": {"buckets": [{"key": "0-20", "doc_count": 1},
                                               {"key": "20-50", "doc_count": 0},
                                               {"key": "200-", "doc_count": 6}]}},
        "facet_in_stock": {"values": {"doc_count": 8}},
        "facet_live_now": {"values": {"doc_count": 0}},
    }

    facets = facets_from(aggregations, request)

    assert [(v.value, v.label, v.count, v.selected) for v in facets["category"]] == [
        ("3", "粮油", 5, True), ("5", "干货", 2, False), ("4", "茶叶", 2, False),
        ("99", "99", 0, True)]
    assert [(v.value, v.label, v.count) for v in facets["certification"]] == [
        ("green", "绿色食品", 4)]
    assert [(v.value, v.label) for v in facets["county"]] == [("331123000000", "遂昌县")]
    assert facets["town"] == []
    assert [(v.value, v.label) for v in facets["cooperative"]] == [("7", "妙高红米合作社")]
    # Empty ranges are left out unless chosen; the chosen one is marked.
    assert [(v.value, v.label, v.count, v.selected) for v in facets["price"]] == [
        ("0-20", "20 元以下", 1, False), ("20-50", "20–50 元", 0, True),
        ("200-", "200 元以上", 6, False)]
    assert [(v.value, v.label, v.count, v.selected) for v in facets["in_stock"]] == [
        ("1", "有货", 8, True)]
    assert facets["live_now"] == []


# --- sorts and pages ----------------------------------------------------------------------

@pytest.mark.parametrize(("sort", "first", "last"), [
    ("relevance", {"_score": {"order": "desc"}}, {"id": {"order": "desc"}}),
    ("price_asc", {"price": {"order": "asc", "missing": "_last"}}, {"id": {"order": "asc"}}),
    ("price_desc", {"price": {"order": "desc", "missing": "_last"}}, {"id": {"order": "asc"}}),
    ("sales", {"sales": {"order": "desc"}}, {"id": {"order": "desc"}}),
    ("newest", {"date_created": {"order": "desc"}}, {"id": {"order": "desc"}}),
])
def test_sorts_end_on_the_id_so_pages_never_overlap(sort, first, last):
    body = body_of(SearchRequest(q="米", sort=sort))

    assert body["sort"][0] == first and body["sort"][-1] == last


@pytest.mark.parametrize(("page", "per_page", "start"), [(1, 24, 0), (3, 24, 48), (400, 24,
                                                                                  9576)])
def test_pages_are_from_and_size(page, per_page, start):
    body = body_of(SearchRequest(q="米", page=page, per_page=per_page))

    assert (body["from"], body["size"]) == (start, per_page)
    assert body["track_total_hits"] is True and body["_source"] is False
    # The deepest page allowed stays inside Elasticsearch's default result window.
    assert body["from"] + body["size"] <= 10_000


# --- suggest ------------------------------------------------------------------------------

def test_suggest_body_prefixes_title_pinyin_and_initials_best_sellers_next():
    body = suggest_search("Hong", limit=5).to_dict()

    queries = body["query"]["dis_max"]["queries"]
    filters = {json.dumps(q["constant_score"]["filter"]): q["constant_score"]["boost"]
               for q in queries}
    assert filters[json.dumps({"match": {"title.prefix": "Hong"}})] == 4
    assert filters[json.dumps({"match": {"pinyin": "hong"}})] == 3
    assert filters[json.dumps({"match": {"initials": "hong"}})] == 2.5
    assert filters[json.dumps({"match": {"pinyin_words.prefix": "hong"}})] == 1.5
    assert body["sort"] == [{"_score": {"order": "desc"}}, {"sales": {"order": "desc"}},
                            {"id": {"order": "desc"}}]
    assert body["size"] == 5 and body["_source"] == ["id", "title", "url"]
    assert "query_string" not in json.dumps(body)


def test_suggest_for_chinese_uses_the_title_only_and_nothing_for_empty_input():
    body = suggest_search("红", limit=50).to_dict()

    fields = [next(iter(next(iter(q["constant_score"]["filter"].values()))))
              for q in body["query"]["dis_max"]["queries"]]
    assert fields == ["title.prefix", "title", "title.cjk"]
    assert body["size"] == 8  # never more than SUGGEST_LIMIT
    assert suggest_search("  \x00 ") is None


def test_a_correction_keeps_the_rest_of_the_query():
    suggest = {"corrected": [{"text": "hongmu", "options": [{"text": "hongmi", "freq": 3}]},
                             {"text": "lajiao", "options": []}]}

    assert corrected_from(suggest, "遂昌 HongMu lajiao") == "遂昌 hongmi lajiao"
    assert corrected_from({"corrected": [{"text": "hongmi", "options": []}]}, "hongmi") is None
    assert corrected_from(None, "红米") is None


# --- a fake cluster for the write path and the response mapping ---------------------------

class FakeIndices:
    def __init__(self, cluster):
        self.cluster = cluster

    def _log(self, call, /, **kwargs):
        self.cluster.calls.append((f"indices.{call}", kwargs))

    def create(self, **kwargs):
        self._log("create", **kwargs)
        self.cluster.existing.add(kwargs["index"])
        for alias in kwargs.get("aliases") or {}:
            self.cluster.aliases.setdefault(alias, set()).add(kwargs["index"])

    def exists_alias(self, *, name):
        self._log("exists_alias", name=name)
        return bool(self.cluster.aliases.get(name))

    def exists(self, *, index):
        self._log("exists", index=index)
        return index in self.cluster.existing or bool(self.cluster.aliases.get(index))

    def get_alias(self, *, name):
        self._log("get_alias", name=name)
        return {index: {"aliases": {name: {}}} for index in self.cluster.aliases[name]}

    def get(self, *, index, ignore_unavailable=False, allow_no_indices=True):
        self._log("get", index=index)
        assert index.endswith("*")
        return {name: {"aliases": {a: {} for a, members in self.cluster.aliases.items()
                                   if name in members}}
                for name in self.cluster.existing if name.startswith(index[:-1])}

    def put_settings(self, **kwargs):
        self._log("put_settings", **kwargs)

    def refresh(self, **kwargs):
        self._log("refresh", **kwargs)

    def update_aliases(self, *, actions):
        self._log("update_aliases", actions=actions)
        for action in actions:
            (kind, args), = action.items()
            if kind == "add":
                self.cluster.aliases.setdefault(args["alias"], set()).add(args["index"])
            elif kind == "remove":
                self.cluster.aliases[args["alias"]].discard(args["index"])
            elif kind == "remove_index":
                self.cluster.existing.discard(args["index"])

    def delete(self, *, index, ignore_unavailable=False):
        self._log("delete", index=index)
        self.cluster.existing.discard(index)


class FakeCat:
    def __init__(self, cluster):
        self.cluster = cluster

    def plugins(self, *, format):
        self.cluster.calls.append(("cat.plugins", {"format": format}))
        return self.cluster.plugins


class FakeCluster:
    """Records calls; keeps which indices and aliases exist; answers search with a canned
    response; ``fail_bulk_after`` raises on that bulk call (counting from 1)."""

    def __init__(self, *, plugins=(), indices=(), aliases=None, response=None,
                 fail_bulk_after=None, error=None):
        self.calls: list[tuple[str, dict]] = []
        self.plugins = list(plugins)
        self.existing = set(indices)
        self.aliases = {k: set(v) for k, v in (aliases or {}).items()}
        self.response = response
        self.fail_bulk_after = fail_bulk_after
        self.error = error
        self.bulks = 0
        self.cat = FakeCat(self)
        self.indices = FakeIndices(self)

    def bulk(self, *, operations, refresh=None):
        self.calls.append(("bulk", {"operations": operations, "refresh": refresh}))
        self.bulks += 1
        if self.fail_bulk_after and self.bulks >= self.fail_bulk_after:
            raise RuntimeError("bulk failed")
        return {"errors": False, "items": []}

    def search(self, *, index, body):
        self.calls.append(("search", {"index": index, "body": body}))
        if self.error:
            raise self.error
        return self.response

    def names(self):
        return [name for name, _kw in self.calls]


def backend_for(cluster: FakeCluster, alias="shop") -> ElasticsearchBackend:
    return ElasticsearchBackend(client=cluster, alias=alias)


@pytest.fixture
def fresh_aliases(monkeypatch):
    """Each test starts without aliases remembered as existing by earlier tests."""
    from search.backends import elasticsearch as module

    monkeypatch.setattr(module, "_ready_aliases", set())


def test_search_maps_hits_total_facets_and_correction():
    response = {
        "hits": {"total": {"value": 31, "relation": "eq"},
                 "hits": [{"_id": "12", "_score": 3.0}, {"_id": "5", "_score": 2.0}]},
        "aggregations": {"facet_in_stock": {"values": {"doc_count": 30}}},
        "suggest": {"corrected": [{"text": "hongmu", "options": [{"text": "hongmi"}]}]},
    }
    cluster = FakeCluster(response=response)
    request = SearchRequest(q="hongmu", page=2, per_page=2)

    result = backend_for(cluster).search(request)

    assert result.product_ids == [12, 5] and result.total == 31 and result.num_pages == 16
    assert result.corrected == "hongmi"
    assert [(v.value, v.count) for v in result.facets["in_stock"]] == [("1", 30)]
    assert set(result.facets) == set(FACETS)
    ((name, call),) = cluster.calls
    assert name == "search" and call["index"] == "shop"
    assert (call["body"]["from"], call["body"]["size"]) == (2, 2)


def test_suggest_maps_hits_to_suggestions_and_skips_empty_input():
    response = {"hits": {"total": {"value": 1}, "hits": [
        {"_id": "12", "_score": 4.0, "_source": {"id": 12, "title": "妙高红米",
                                                 "url": "/catalogue/x_12/"}}]}}
    cluster = FakeCluster(response=response)
    backend = backend_for(cluster)

    assert backend.suggest("hm") == [
        Suggestion(text="妙高红米", product_id=12, url="/catalogue/x_12/")]
    assert backend.suggest("   ") == [] and backend.suggest("红", limit=0) == []
    assert cluster.names() == ["search"]


def test_an_unreachable_cluster_is_search_unavailable():
    from elasticsearch import ConnectionError as ESConnectionError

    cluster = FakeCluster(error=ESConnectionError("connection refused"))

    with pytest.raises(SearchUnavailable, match="unreachable"):
        backend_for(cluster).search(SearchRequest(q="红米"))


@pytest.mark.parametrize(("status", "unavailable"), [(503, True), (429, True), (404, True),
                                                     (400, False)])
def test_cluster_errors_that_pass_are_search_unavailable(status, unavailable):
    from elastic_transport import ApiResponseMeta, HttpHeaders, NodeConfig
    from elasticsearch import ApiError, NotFoundError

    meta = ApiResponseMeta(status=status, http_version="1.1", headers=HttpHeaders(),
                           duration=0.01, node=NodeConfig("http", "localhost", 9200))
    error_class = NotFoundError if status == 404 else ApiError
    cluster = FakeCluster(error=error_class("error", meta=meta, body={"status": status}))

    if unavailable:  # overloaded, down, or no index yet: a 503 page, a retried task
        with pytest.raises(SearchUnavailable):
            backend_for(cluster).suggest("红米")
    else:  # a request Elasticsearch refuses is a bug to see, not to retry
        with pytest.raises(ApiError):
            backend_for(cluster).suggest("红米")


@pytest.mark.django_db
def test_index_products_creates_the_first_index_then_indexes_and_deletes(coop_a, fresh_aliases):
    rice = factories.product(coop_a, title="妙高红米", price="39.90")
    cluster = FakeCluster(plugins=[{"component": "analysis-smartcn"}])
    backend = backend_for(cluster)

    written = backend.index_products([rice.pk, 999_999, rice.pk])

    assert written == 1
    create = next(kw for name, kw in cluster.calls if name == "indices.create")
    assert create["index"].startswith("shop-") and create["aliases"] == {"shop": {}}
    assert create["mappings"]["properties"]["title"]["analyzer"] == "smartcn"
    (bulk,) = [kw for name, kw in cluster.calls if name == "bulk"]
    operations = bulk["operations"]
    assert bulk["refresh"] == "wait_for"  # searchable once the task is done
    assert operations[0] == {"index": {"_index": "shop", "_id": str(rice.pk)}}
    assert operations[1]["title"] == "妙高红米" and "hongmi" in operations[1]["pinyin_words"]
    assert operations[2:] == [{"delete": {"_index": "shop", "_id": "999999"}}]

    # The alias is known now: the next write asks only whether a rebuild is under way.
    cluster.calls.clear()
    backend_for(cluster).index_products([rice.pk])
    assert cluster.names() == ["indices.get", "bulk"]


@pytest.mark.django_db
def test_changes_during_a_rebuild_reach_the_index_being_built(coop_a, fresh_aliases):
    rice = factories.product(coop_a, title="妙高红米")
    cluster = FakeCluster(indices={"shop-old", "shop-new"}, aliases={"shop": {"shop-old"}})

    backend_for(cluster).index_products([rice.pk])

    bulks = {kw["operations"][0]["index"]["_index"]: kw["refresh"]
             for name, kw in cluster.calls if name == "bulk"}
    # The new index has no refresh until complete: waiting for one would never end.
    assert bulks == {"shop-new": None, "shop": "wait_for"}


@pytest.mark.django_db
def test_index_products_sends_long_lists_in_several_bulk_requests(coop_a, fresh_aliases,
                                                                 monkeypatch):
    from search.backends import elasticsearch as module

    monkeypatch.setattr(module, "BULK_PRODUCTS", 2)
    ids = [factories.product(coop_a, title=f"红米{i}").pk for i in range(3)]
    cluster = FakeCluster(aliases={"shop": {"shop-1"}})

    assert backend_for(cluster).index_products([*ids, 999_999]) == 3

    bulks = [kw["operations"] for name, kw in cluster.calls if name == "bulk"]
    assert [len(ops) for ops in bulks] == [4, 3]  # 2 documents; 1 document and 1 delete


@pytest.mark.django_db
def test_rebuild_fills_a_new_index_then_moves_the_alias_in_one_call(coop_a, fresh_aliases):
    products = [factories.product(coop_a, title=f"红米{i}") for i in range(5)]
    cluster = FakeCluster(indices={"shop-old", "shop-crashed", "other"},
                          aliases={"shop": {"shop-old"}})
    progress = []

    written = backend_for(cluster).rebuild(progress=lambda done, total: progress.append(
        (done, total)), batch_size=2)

    assert written == len(products)
    assert progress == [(0, 5), (2, 5), (4, 5), (5, 5)]
    names = cluster.names()
    create = next(kw for name, kw in cluster.calls if name == "indices.create")
    new = create["index"]
    assert new.startswith("shop-") and new != "shop-old" and "aliases" not in create
    assert create["settings"]["refresh_interval"] == "-1"
    assert create["mappings"]["properties"]["title"]["analyzer"] == "cjk_index"
    bulks = [kw["operations"] for name, kw in cluster.calls if name == "bulk"]
    assert len(bulks) == 3
    assert {kw["refresh"] for name, kw in cluster.calls if name == "bulk"} == {None}
    assert {op["index"]["_index"] for ops in bulks for op in ops if "index" in op} == {new}
    (swap,) = [kw["actions"] for name, kw in cluster.calls if name == "indices.update_aliases"]
    assert swap == [{"remove": {"index": "shop-old", "alias": "shop"}},
                    {"add": {"index": new, "alias": "shop"}}]
    # Refresh is back on before the swap; the old index goes only after it.
    assert names.index("indices.put_settings") < names.index("indices.update_aliases")
    assert ("indices.delete", {"index": "shop-old"}) in cluster.calls
    assert names.index("indices.update_aliases") < names.index("indices.delete")
    # A half-built index left by a rebuild that died is removed too; others are kept.
    assert ("indices.delete", {"index": "shop-crashed"}) in cluster.calls
    assert cluster.aliases["shop"] == {new} and cluster.existing == {new, "other"}


@pytest.mark.django_db
def test_rebuild_replaces_an_index_that_took_the_alias_name(coop_a, fresh_aliases):
    factories.product(coop_a, title="红米")
    cluster = FakeCluster(indices={"shop"})

    backend_for(cluster).rebuild()

    (swap,) = [kw["actions"] for name, kw in cluster.calls if name == "indices.update_aliases"]
    assert swap[0] == {"remove_index": {"index": "shop"}}
    assert list(swap[1]) == ["add"] and swap[1]["add"]["alias"] == "shop"


@pytest.mark.django_db
def test_a_failed_rebuild_leaves_the_alias_and_drops_the_half_built_index(coop_a,
                                                                         fresh_aliases):
    for i in range(3):
        factories.product(coop_a, title=f"红米{i}")
    cluster = FakeCluster(indices={"shop-old"}, aliases={"shop": {"shop-old"}},
                          fail_bulk_after=2)

    with pytest.raises(RuntimeError, match="bulk failed"):
        backend_for(cluster).rebuild(batch_size=2)

    assert "indices.update_aliases" not in cluster.names()
    assert cluster.aliases == {"shop": {"shop-old"}} and cluster.existing == {"shop-old"}


# --- a real cluster -----------------------------------------------------------------------

@pytest.mark.es
@pytest.mark.django_db
def test_round_trip_on_a_real_cluster(coop_a, coop_b):
    if not os.environ.get("ELASTICSEARCH_URL"):
        pytest.skip("ELASTICSEARCH_URL is not set: no Elasticsearch cluster to test against")
    from elasticsearch import Elasticsearch

    client = Elasticsearch(os.environ["ELASTICSEARCH_URL"])
    alias = f"test-products-{os.getpid()}"
    backend = ElasticsearchBackend(client=client, alias=alias)
    rice = factories.product(coop_a, title="妙高红米", price="39.90")
    pepper = factories.product(coop_b, title="朝天辣椒", price="12.00")
    try:
        backend.rebuild()
        client.indices.refresh(index=alias)

        assert backend.search(SearchRequest(q="hongmi")).product_ids == [rice.pk]
        assert backend.search(SearchRequest(q="lj")).product_ids == [pepper.pk]
        typo = backend.search(SearchRequest(q="hongmu"))
        assert typo.product_ids == [rice.pk] and typo.corrected == "hongmi"
        assert [s.product_id for s in backend.suggest("hm")] == [rice.pk]
    finally:
        # Deleting by wildcard is refused by default (action.destructive_requires_name).
        for index in client.indices.get(index=f"{alias}-*"):
            client.indices.delete(index=index)
