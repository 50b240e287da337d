"""What is indexed per product, built in a fixed number of queries for any batch."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from marketplace.cooperatives.models import Certification
from marketplace.livestream import services as live
from search.documents import pinyin_of, product_documents
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("text", "full", "initials"), [
    ("辣椒", "lajiao", "lj"),
    ("遂昌红米 5斤装", "suichanghongmi5jinzhuang", "schmjz"),
    ("Abc红茶", "abchongcha", "hc"),
    ("", "", ""),
])
def test_pinyin_full_and_initials(text, full, initials):
    assert pinyin_of(text) == (full, initials)


def test_a_product_document_holds_what_buyers_search_and_filter_by(coop_a):
    Certification.objects.create(cooperative=coop_a, kind="green", number="GF-1",
                                 issuer="中国绿色食品发展中心",
                                 valid_until=timezone.localdate() + dt.timedelta(days=30))
    rice = factories.product(coop_a, title="妙高高山红米 5斤装", price="39.90", stock=5,
                             storage="常温")

    doc = product_documents([rice.pk])[0]

    assert doc["id"] == rice.pk and doc["title"] == "妙高高山红米 5斤装"
    assert doc["price"] == Decimal("39.90") and doc["in_stock"] is True
    assert doc["cooperative_id"] == coop_a.pk and doc["cooperative"] == coop_a.partner.name
    assert doc["certifications"] == ["green"]
    assert doc["category_names"] == ["粮油"]
    assert (doc["county"], doc["town"], doc["village"]) == ("遂昌县", "妙高街道", "叶坦社区")
    assert (doc["county_code"], doc["town_code"]) == ("331123000000", "331123001000")
    assert doc["pinyin"].startswith("miaogaogaoshanhongmi") and doc["initials"] == "mggshmjz"
    assert doc["storage"] == "常温" and doc["sales"] == 0 and doc["live_now"] is False
    assert doc["url"] == rice.get_absolute_url()


def test_live_now_and_out_of_stock(coop_a):
    host = factories.coop_staff(coop_a)
    tea = factories.product(coop_a, title="高山绿茶", price="88.00", stock=0)
    rice = factories.product(coop_a, title="红米", price="39.90", stock=20)
    start = timezone.now() + dt.timedelta(hours=1)
    session = live.session_create(host=host, cooperatives=[coop_a], title="直播",
                                  scheduled_start=start,
                                  scheduled_end=start + dt.timedelta(hours=1),
                                  hls_url="https://live.example.cn/a.m3u8")
    live.item_add(session=session, product=rice, live_price=Decimal("29.90"), flash_quantity=5)
    live.session_go_live(session_id=session.pk, user=host)

    docs = {d["id"]: d for d in product_documents([tea.pk, rice.pk])}

    assert docs[tea.pk]["in_stock"] is False and docs[tea.pk]["live_now"] is False
    assert docs[rice.pk]["live_now"] is True


@pytest.mark.parametrize("n", [1, 15])
def test_documents_cost_the_same_queries_for_1_and_15_products(coop_a, coop_b, n,
                                                               django_assert_max_num_queries):
    ids = [factories.product(coop_a if i % 2 else coop_b).pk for i in range(n)]

    with django_assert_max_num_queries(14):
        docs = product_documents(ids)

    assert len(docs) == n


def test_unknown_and_unpublished_products_have_no_document(coop_a):
    hidden = factories.product(coop_a)
    hidden.is_public = False
    hidden.save()

    assert product_documents([hidden.pk, 999999]) == []
