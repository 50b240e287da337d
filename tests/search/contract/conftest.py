"""The behaviour suite's fixtures: a ``backend`` per search backend (Elasticsearch only when
ELASTICSEARCH_URL is set) and a small catalogue indexed into it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.utils import timezone
from oscar.core.loading import get_model

from marketplace.cooperatives.models import Certification
from marketplace.livestream import services as live
from search.backends import get_backend
from tests import factories
from tests.dashboard.builders import order_with_lines

MAYANG_VILLAGE = "431226101203"  # 麻阳县 锦和镇 黄家团村
SUICHANG, MAYANG = "331123000000", "431226000000"


@pytest.fixture(params=["db", "elasticsearch"])
def backend(request, db):
    if request.param == "elasticsearch":
        if not settings.ELASTICSEARCH_URL:
            pytest.skip("Elasticsearch backend: ELASTICSEARCH_URL is not set, so this run "
                        "covers the DB backend only")
    return get_backend(request.param)


def _certify(coop, kind):
    Certification.objects.create(cooperative=coop, kind=kind, number=f"N-{coop.pk}-{kind}",
                                 issuer="认证机构",
                                 valid_until=timezone.localdate() + dt.timedelta(days=90))


@pytest.fixture
def catalog(backend, coop_a, coop_b, buyer):
    """Seven products in three cooperatives of two counties, indexed into ``backend``.

    price / stock / sales / category / cooperative (county, certification):
    rice      妙高高山红米 5斤装  39.90   50  sold 3   粮油        coop_a (遂昌, green)
    rice2     高坪有机红米        98.00    0            粮油        coop_a
    mixed     山地杂粮礼盒        60.00   10            粮油        coop_b (遂昌); 红米 in the
                                                                    description only
    tea       湖山白茶           128.00   20  sold 5   茶叶 > 白茶  coop_b, live now
    tea2      龙谷明前绿茶       268.00    5            茶叶        coop_b
    chili     麻阳剁辣椒          15.00   30            加工食品    coop_c (麻阳, organic)
    eggs      土鸡蛋 30枚         45.00   12            禽蛋肉      coop_c
    """
    Category = get_model("catalogue", "Category")
    ProductCategory = get_model("catalogue", "ProductCategory")
    coop_c = factories.cooperative(name="锦和农业合作社", village=MAYANG_VILLAGE)
    _certify(coop_a, "green")
    _certify(coop_c, "organic")
    p = SimpleNamespace(coop_a=coop_a, coop_b=coop_b, coop_c=coop_c)
    p.rice = factories.product(coop_a, title="妙高高山红米 5斤装", price="39.90", stock=50)
    p.rice2 = factories.product(coop_a, title="高坪有机红米", price="98.00", stock=0)
    p.mixed = factories.product(coop_b, title="山地杂粮礼盒", price="60.00", stock=10)
    p.mixed.description = "<p>礼盒内有黑米、红米和小米各一袋。</p>"
    p.mixed.save()
    p.tea = factories.product(coop_b, title="湖山白茶", price="128.00", stock=20, category="茶叶")
    p.tea2 = factories.product(coop_b, title="龙谷明前绿茶", price="268.00", stock=5,
                               category="茶叶")
    p.chili = factories.product(coop_c, title="麻阳剁辣椒", price="15.00", stock=30,
                                category="加工食品")
    p.eggs = factories.product(coop_c, title="土鸡蛋 30枚", price="45.00", stock=12,
                               category="禽蛋肉")
    p.tea_category = Category.objects.get(name="茶叶", depth=1)
    p.white_tea = p.tea_category.add_child(name="白茶")
    ProductCategory.objects.filter(product=p.tea).update(category=p.white_tea)
    order_with_lines(user=buyer, stockrecords=[p.rice.stockrecords.get()], quantity=3)
    order_with_lines(user=buyer, stockrecords=[p.tea.stockrecords.get()], quantity=5)
    order_with_lines(user=buyer, stockrecords=[p.tea2.stockrecords.get()], quantity=9,
                     status="cancelled")  # not a sale
    host = factories.coop_staff(coop_b)
    start = timezone.now() + dt.timedelta(hours=1)
    session = live.session_create(host=host, cooperatives=[coop_b], title="白茶直播",
                                  scheduled_start=start,
                                  scheduled_end=start + dt.timedelta(hours=1),
                                  hls_url="https://live.example.cn/a.m3u8")
    live.item_add(session=session, product=p.tea, live_price=Decimal("99.00"),
                  flash_quantity=5)
    live.session_go_live(session_id=session.pk, user=host)
    Product = get_model("catalogue", "Product")
    # Newest: eggs, then chili, … then rice (an hour apart, whatever the clock's resolution).
    order = ["rice", "rice2", "mixed", "tea", "tea2", "chili", "eggs"]
    base = timezone.now() - dt.timedelta(days=1)
    for i, name in enumerate(order):
        Product.objects.filter(pk=getattr(p, name).pk).update(
            date_created=base + dt.timedelta(hours=i))
    p.all = [getattr(p, name) for name in order]
    p.ids = {name: getattr(p, name).pk for name in order}
    p.names = {pk: name for name, pk in p.ids.items()}
    backend.index_products([x.pk for x in p.all])
    return p
