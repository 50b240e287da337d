"""The Elasticsearch product index: analyzers chosen from the cluster's plugins, field types,
and the stored form of a document (no cluster needed)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from marketplace.cooperatives.models import Certification
from search.documents import product_documents
from search.es_mapping import (
    analysis_kind,
    index_body,
    pinyin_words,
    split_label,
    stored_document,
)
from tests import factories

IK_ROW = {"name": "node-1", "component": "analysis-ik", "version": "8.15.0"}
SMARTCN_ROW = {"name": "node-1", "component": "analysis-smartcn", "version": "8.15.0"}
ICU_ROW = {"name": "node-1", "component": "analysis-icu", "version": "8.15.0"}


@pytest.mark.parametrize(("plugins", "kind"), [
    pytest.param([], "cjk", id="no-plugins"),
    pytest.param(None, "cjk", id="unknown"),
    pytest.param([ICU_ROW], "cjk", id="icu-only"),
    pytest.param([SMARTCN_ROW], "smartcn", id="smartcn"),
    pytest.param([IK_ROW], "ik", id="ik"),
    pytest.param([SMARTCN_ROW, IK_ROW], "ik", id="both-ik-wins"),
])
def test_chinese_analysis_follows_the_clusters_plugins(plugins, kind):
    assert analysis_kind(plugins) == kind


def _props(kind):
    return index_body(kind)["mappings"]["properties"]


@pytest.mark.parametrize(("kind", "index_analyzer", "search_analyzer"), [
    pytest.param("ik", "ik_max_word", "ik_smart", id="ik"),
    pytest.param("smartcn", "smartcn", None, id="smartcn"),
    pytest.param("cjk", "cjk", None, id="cjk"),
])
def test_chinese_text_fields_use_the_chosen_analyzer(kind, index_analyzer, search_analyzer):
    props = _props(kind)

    for name in ("description", "cooperative", "county", "town", "village"):
        assert props[name]["type"] == "text"
        assert props[name]["analyzer"] == index_analyzer, name
        assert props[name].get("search_analyzer") == search_analyzer, name
        assert "cjk" not in props[name].get("fields", {}), name


@pytest.mark.parametrize("kind", ["ik", "smartcn", "cjk"])
def test_titles_and_categories_are_also_found_by_one_character(kind):
    props = _props(kind)

    for name in ("title", "category_path"):
        # With a plugin, a plugin-free sub-field with single characters (茶 finds 茶叶);
        # without one the field itself has them.
        field = props[name]["fields"]["cjk"] if kind != "cjk" else props[name]
        assert (field["analyzer"], field["search_analyzer"]) == ("cjk_index", "cjk")
    assert props["title"]["analyzer"] == {"ik": "ik_max_word", "smartcn": "smartcn",
                                          "cjk": "cjk_index"}[kind]
    # Cooperative names are not: 茶 must not find every product of 湖山茶叶合作社.
    assert props["cooperative"]["analyzer"] != "cjk_index"


def test_cjk_fallback_indexes_bigrams_and_single_characters():
    analysis = index_body("cjk")["settings"]["analysis"]

    cjk_index = analysis["analyzer"]["cjk_index"]
    assert cjk_index["tokenizer"] == "standard"
    bigram = analysis["filter"][cjk_index["filter"][-1]]
    assert bigram == {"type": "cjk_bigram", "output_unigrams": True}
    # No plugin analyzer is referenced anywhere: the index is creatable on a bare cluster.
    assert "ik_" not in str(index_body("cjk")) and "smartcn" not in str(index_body("cjk"))


def test_pinyin_and_initials_are_indexed_as_prefixes_and_searched_whole():
    body = index_body("cjk")
    analysis, props = body["settings"]["analysis"], body["mappings"]["properties"]

    for name in ("pinyin", "initials"):
        assert props[name]["analyzer"] == "prefix_index"
        assert props[name]["search_analyzer"] == "prefix_search"
        assert props[name]["fields"]["raw"] == {"type": "keyword"}
    assert analysis["analyzer"]["prefix_index"]["tokenizer"] == "keyword"
    edge = analysis["filter"][analysis["analyzer"]["prefix_index"]["filter"][-1]]
    assert edge["type"] == "edge_ngram" and edge["min_gram"] == 1
    assert analysis["analyzer"]["prefix_search"]["filter"] == ["lowercase"]
    for name in ("pinyin_words", "initials_words"):
        assert props[name]["analyzer"] == "word"
        assert props[name]["fields"]["prefix"]["analyzer"] == "word_prefix_index"
    assert props["title"]["fields"]["raw"]["type"] == "keyword"
    assert props["title"]["fields"]["prefix"]["analyzer"] == "prefix_index"


def test_facet_and_sort_fields_have_exact_types():
    props = _props("cjk")

    for name in ("category_ids", "category_facet", "cooperative_id", "cooperative_facet",
                 "certifications", "county_code", "town_code", "county_facet", "town_facet",
                 "storage"):
        assert props[name] == {"type": "keyword"}, name
    assert props["price"] == {"type": "scaled_float", "scaling_factor": 100}
    assert props["sales"] == {"type": "integer"} and props["id"] == {"type": "integer"}
    assert props["in_stock"] == {"type": "boolean"} and props["live_now"] == {"type": "boolean"}
    assert props["date_created"] == {"type": "date"}
    assert index_body("cjk")["mappings"]["dynamic"] == "strict"


def test_a_rebuild_index_starts_without_refresh():
    assert index_body("cjk", building=True)["settings"]["refresh_interval"] == "-1"
    assert "refresh_interval" not in index_body("cjk")["settings"]


def test_pinyin_words_find_a_word_inside_a_title_whatever_the_segmentation():
    full, initials = pinyin_words("妙高红米 2KG 朝天辣椒")

    assert {"hongmi", "miaogao", "miaogaohongmi", "lajiao", "2kg", "chao"} <= set(full)
    assert {"hm", "mg", "lj", "ctlj"} <= set(initials)
    # One letter alone is not an initials word (every title would match "h").
    assert all(len(word) >= 2 for word in initials)
    assert pinyin_words("") == ([], [])


@pytest.mark.django_db
def test_a_stored_document_fits_the_strict_mapping(coop_a):
    Certification.objects.create(cooperative=coop_a, kind="green", number="GF-1",
                                 issuer="中国绿色食品发展中心",
                                 valid_until=timezone.localdate() + dt.timedelta(days=30))
    rice = factories.product(coop_a, title="妙高红米 5斤装", price="39.90", stock=5)
    doc = product_documents([rice.pk])[0]

    stored = stored_document(doc)

    # "dynamic": "strict": a field the mapping lacks would make Elasticsearch refuse the
    # document, so every stored key must be mapped.
    assert set(stored) <= set(_props("ik"))
    assert stored["price"] == 39.9 and stored["category_ids"] == [str(doc["category_ids"][0])]
    assert stored["cooperative_id"] == str(coop_a.pk)
    assert split_label(stored["cooperative_facet"]) == (str(coop_a.pk), coop_a.partner.name)
    assert split_label(stored["category_facet"][0]) == (str(doc["category_ids"][0]), "粮油")
    assert split_label(stored["county_facet"]) == ("331123000000", "遂昌县")
    assert split_label(stored["town_facet"]) == ("331123001000", "妙高街道")
    assert "hongmi" in stored["pinyin_words"].split()
    assert "hm" in stored["initials_words"].split()
    assert dt.datetime.fromisoformat(stored["date_created"]) == doc["date_created"]
