"""Commerce blocks show live prices, stock and 直播中 when the page renders, in a number of
queries that does not grow with the number of products, sessions or cooperatives; a block
whose object is gone or no longer for sale hides itself."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from oscar.core.loading import get_model

from marketplace.cooperatives.models import Certification
from marketplace.livestream import services as live_services
from marketplace.livestream.models import LiveSession
from tests import factories
from tests.cms import builders
from tests.query_budget import Visit, growth_message, page_queries

pytestmark = pytest.mark.django_db

Category = get_model("catalogue", "Category")
StockRecord = get_model("partner", "StockRecord")


@pytest.fixture
def host(coop_a):
    return factories.coop_staff(coop_a, email="host@example.com")


def new_session(coop, host, *, title="妙高红米丰收直播", starts_in_hours=1):
    start = timezone.now() + dt.timedelta(hours=starts_in_hours)
    return live_services.session_create(
        host=host, cooperatives=[coop], title=title, scheduled_start=start,
        scheduled_end=start + dt.timedelta(hours=2), hls_url="https://live.example.cn/a.m3u8",
    )


def publish_home(*blocks):
    home = builders.home()
    home.featured_count = 0  # only the blocks under test show products
    home.body = list(blocks)
    home.save_revision().publish()
    return home


def html_of(client, url="/") -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


# --- live data -------------------------------------------------------------------------------

def test_product_card_shows_the_price_of_now_not_of_publishing(client, coop_a):
    rice = factories.product(coop_a, title="妙高红米 5kg", price="39.90", stock=50)
    publish_home(builders.product_card(rice, "当季新米"))
    html = html_of(client)
    assert "妙高红米 5kg" in html and "当季新米" in html and "39.90" in html

    StockRecord.objects.filter(product=rice).update(price=Decimal("45.50"))

    html = html_of(client)
    assert "45.50" in html
    assert "39.90" not in html


def test_consecutive_product_cards_share_one_grid_with_their_notes(client, coop_a):
    rice, tea, honey = (factories.product(coop_a, title=t) for t in ("红米", "白茶", "土蜂蜜"))
    page = builders.article(body=[
        builders.product_card(rice, "新米"), builders.product_card(tea, "明前茶"),
        builders.rich("分隔的正文"), builders.product_card(honey, "百花蜜"),
    ])
    html = html_of(client, page.url)
    first, second = html.split("分隔的正文")
    assert first.count('class="row list-unstyled ml-0 pl-0 cms-cards"') == 1
    assert "红米" in first and "新米" in first and "白茶" in first and "明前茶" in first
    assert second.count('class="row list-unstyled ml-0 pl-0 cms-cards"') == 1
    assert "土蜂蜜" in second and "百花蜜" in second


def test_rail_shows_stock_as_it_is_now(client, coop_a):
    rice = factories.product(coop_a, title="妙高红米 5kg", stock=50)
    publish_home(builders.product_rail("本周推荐", products=[rice]))
    html = html_of(client)
    add_to_basket = f'action="{reverse("basket:add", kwargs={"pk": rice.pk})}"'
    assert "本周推荐" in html and "库存充足" in html and add_to_basket in html

    StockRecord.objects.filter(product=rice).update(num_in_stock=0)

    html = html_of(client)
    assert "妙高红米 5kg" in html
    assert "库存充足" not in html
    assert add_to_basket not in html  # sold out: the card no longer offers to buy it


def test_product_sold_in_a_live_session_gets_the_live_badge_while_live(client, coop_a, host):
    rice = factories.product(coop_a, title="妙高红米 5kg")
    tea = factories.product(coop_a, title="高山白茶")
    session = new_session(coop_a, host, title="红米丰收直播")
    live_services.item_add(session=session, product=rice, live_price=Decimal("29.90"),
                           flash_quantity=50, per_buyer_limit=2)
    # an article: the home page lists upcoming sessions by itself
    url = builders.article(body=[builders.product_rail("直播好物", products=[rice, tea])]).url
    live_url = reverse("livestream:detail", kwargs={"slug": session.slug})
    assert live_url not in html_of(client, url)  # scheduled, not live yet

    live_services.session_go_live(session_id=session.pk, user=host)

    html = html_of(client, url)
    assert html.count(f'href="{live_url}"') == 1  # on rice's card, not on the tea's
    badge = html.index(f'href="{live_url}"')
    assert html.index("妙高红米 5kg") > badge > html.index("直播好物")
    assert "直播中" in html[badge:badge + 200]

    live_services.session_end(session_id=session.pk, user=host)
    assert live_url not in html_of(client, url)


def test_live_session_block_follows_the_session_status(client, coop_a, host):
    session = new_session(coop_a, host, title="白茶开采直播", starts_in_hours=48)
    publish_home(builders.live_session(session, "明前茶开采"))
    html = html_of(client)
    assert "白茶开采直播" in html and "明前茶开采" in html and "预告" in html

    live_services.session_go_live(session_id=session.pk, user=host)
    assert "直播中" in html_of(client)

    live_services.session_end(session_id=session.pk, user=host)
    assert "回放" in html_of(client)


def test_cooperative_block_shows_its_valid_certifications_live(client, coop_a):
    publish_home(builders.cooperative_block(coop_a, "百年梯田"))
    html = html_of(client)
    assert coop_a.legal_name in html and "百年梯田" in html and "绿色食品" not in html

    Certification.objects.create(cooperative=coop_a, kind="green", number="LB-1",
                                 issuer="中国绿色食品发展中心", valid_until=dt.date(2099, 1, 1))
    assert "绿色食品" in html_of(client)


def test_category_and_cooperative_rails_show_newest_products_of_their_source(
    client, coop_a, coop_b
):
    factories.product(coop_a, title="红米一号", category="粮油")
    factories.product(coop_b, title="白茶一号", category="茶叶")
    factories.product(coop_b, title="白茶二号", category="茶叶")
    publish_home(
        builders.product_rail("好茶", category=Category.objects.get(name="茶叶", depth=1)),
        builders.product_rail("妙高合作社", cooperative=coop_a),
    )
    html = html_of(client)
    tea_rail, coop_rail = html.split("好茶")[1].split("妙高合作社")
    assert "白茶二号" in tea_rail and "白茶一号" in tea_rail and "红米一号" not in tea_rail
    assert tea_rail.index("白茶二号") < tea_rail.index("白茶一号")  # newest first
    assert "红米一号" in coop_rail and "白茶" not in coop_rail


def test_rail_shows_at_most_its_limit(client, coop_a):
    for i in range(6):
        factories.product(coop_a, title=f"红米{i}号")
    publish_home(builders.product_rail("红米", cooperative=coop_a, limit=4))
    html = html_of(client)
    assert sum(f"红米{i}号" in html for i in range(6)) == 4


# --- gone or not for sale ----------------------------------------------------------------

def test_blocks_of_deleted_or_hidden_objects_hide_themselves(client, admin_user, coop_a, host):
    gone = factories.product(coop_a, title="已删除的米")
    hidden = factories.product(coop_a, title="已下架的米")
    kept = factories.product(coop_a, title="还在卖的米")
    cancelled = new_session(coop_a, host, title="取消的直播")
    deleted = new_session(coop_a, host, title="删掉的直播")
    home = publish_home(
        builders.product_card(gone, "删除的推荐语"),
        builders.product_card(hidden, "下架的推荐语"),
        builders.product_rail("只剩一个", products=[gone, hidden, kept]),
        builders.product_rail("全没了", products=[gone, hidden]),
        builders.live_session(cancelled), builders.live_session(deleted),
    )
    gone.delete()
    hidden.is_public = False
    hidden.save()
    live_services.session_cancel(session_id=cancelled.pk, user=host)
    LiveSession.objects.filter(pk=deleted.pk).delete()

    html = html_of(client)

    for text in ["已删除的米", "删除的推荐语", "已下架的米", "下架的推荐语", "全没了",
                 "取消的直播", "删掉的直播"]:
        assert text not in html, text
    assert "只剩一个" in html and "还在卖的米" in html
    # the editor can still open the page and replace what is gone
    client.force_login(admin_user)
    edit = client.get(reverse("wagtailadmin_pages:edit", args=[home.pk]))
    assert edit.status_code == 200


def test_deleted_product_in_a_festival_and_an_article_is_hidden(client, coop_a):
    rice = factories.product(coop_a, title="已删除的米")
    festival = builders.festival(body=[builders.product_card(rice)])
    article = builders.article(body=[builders.rich("正文"), builders.product_card(rice)])
    rice.delete()
    assert "已删除的米" not in html_of(client, festival.url)
    assert "已删除的米" not in html_of(client, article.url)


# --- query budgets -------------------------------------------------------------------------

def _budget(few_blocks, many_blocks) -> tuple[int, int, str]:
    publish_home(*few_blocks())
    few, few_sql = page_queries(Visit("/"))
    publish_home(*many_blocks())
    many, many_sql = page_queries(Visit("/"))
    return few, many, growth_message("/", few_sql, many_sql)


def _products(coop, n, start=0, category="粮油"):
    return [factories.product(coop, title=f"商品{start + i}", category=category)
            for i in range(n)]


# Queries of the home page (SQLite, measured): 10 without blocks (site, page, view
# restrictions, live sessions and their cooperatives, festival, menu categories...), then per
# block type whatever the number of blocks: products +8 (Wagtail's chooser lookup, the
# product listing with its 5 prefetches, 直播中), live sessions +3, cooperatives +3, and
# one small id query per category or cooperative rail.
HOME = 10
PRODUCTS = 8


def test_product_cards_cost_the_same_queries_for_1_or_12_products(coop_a):
    products = _products(coop_a, 12)
    few, many, msg = _budget(lambda: [builders.product_card(products[0])],
                             lambda: [builders.product_card(p) for p in products])
    assert few == many, msg
    assert many <= HOME + PRODUCTS
    assert many <= HOME + PRODUCTS


def test_hand_picked_rail_costs_the_same_queries_for_1_or_12_products(coop_a):
    products = _products(coop_a, 12)
    few, many, msg = _budget(lambda: [builders.product_rail("r", products=products[:1])],
                             lambda: [builders.product_rail("r", products=products, limit=12)])
    assert few == many, msg
    assert many <= HOME + PRODUCTS


def test_category_and_cooperative_rails_cost_the_same_for_1_or_12_products(coop_a):
    tea = Category.objects.get(name="茶叶", depth=1)
    _products(coop_a, 1, category="茶叶")
    rails = [builders.product_rail("茶", category=tea, limit=12),
             builders.product_rail("社", cooperative=coop_a, limit=12)]
    publish_home(*rails)
    few, few_sql = page_queries(Visit("/"))
    _products(coop_a, 11, start=1, category="茶叶")
    many, many_sql = page_queries(Visit("/"))
    assert few == many, growth_message("/", few_sql, many_sql)
    # + the rails' category and cooperative (chooser lookups) and one id query per rail
    assert many <= HOME + PRODUCTS + 2 + 2


def test_live_session_blocks_cost_the_same_for_1_or_12_sessions(coop_a, coop_b, host):
    sessions = [new_session(coop_a if i % 2 else coop_b, host, title=f"直播{i}",
                            starts_in_hours=100 + i) for i in range(12)]
    few, many, msg = _budget(lambda: [builders.live_session(sessions[0])],
                             lambda: [builders.live_session(s) for s in sessions])
    assert few == many, msg
    assert many <= HOME + 3


def test_cooperative_blocks_cost_the_same_for_1_or_12_cooperatives(coop_a):
    coops = [coop_a] + [factories.cooperative(name=f"第{i}合作社") for i in range(11)]
    for coop in coops:
        Certification.objects.create(cooperative=coop, kind="green", number=f"LB-{coop.pk}",
                                     issuer="中国绿色食品发展中心",
                                     valid_until=dt.date(2099, 1, 1))
    few, many, msg = _budget(lambda: [builders.cooperative_block(coops[0])],
                             lambda: [builders.cooperative_block(c) for c in coops])
    assert few == many, msg
    assert many <= HOME + 3


def test_products_live_in_a_session_cost_no_query_each(coop_a, host):
    products = _products(coop_a, 12)
    session = new_session(coop_a, host)
    for product in products:
        live_services.item_add(session=session, product=product, live_price=Decimal("9.90"),
                               flash_quantity=10, per_buyer_limit=1)
    live_services.session_go_live(session_id=session.pk, user=host)
    few, many, msg = _budget(lambda: [builders.product_card(products[0])],
                             lambda: [builders.product_card(p) for p in products])
    assert few == many, msg
    assert many <= HOME + PRODUCTS


# --- choosers and editing ------------------------------------------------------------------

def test_product_chooser_offers_browsable_products_and_searches_them(client, admin_user, coop_a):
    factories.product(coop_a, title="妙高红米 5kg")
    factories.product(coop_a, title="高山白茶")
    hidden = factories.product(coop_a, title="下架的笋干")
    hidden.is_public = False
    hidden.save()
    client.force_login(admin_user)

    response = client.get(reverse("product_chooser:choose"))
    assert response.status_code == 200
    html = response.json()["html"]
    assert "妙高红米 5kg" in html and "高山白茶" in html
    assert "下架的笋干" not in html

    assert coop_a.partner.name in html and "39.90" in html  # whose, and its price now

    html = client.get(reverse("product_chooser:choose_results"), {"q": "白茶"}).content.decode()
    assert "高山白茶" in html and "妙高红米 5kg" not in html


@pytest.mark.parametrize(("url_name", "query", "expected"), [
    ("cooperative_chooser:choose_results", "湖山", "湖山茶叶合作社"),
    ("category_chooser:choose_results", "茶", "茶叶"),
    ("live_session_chooser:choose_results", "开采", "白茶开采直播"),
])
def test_session_cooperative_and_category_choosers_search(
    client, admin_user, coop_a, coop_b, host, url_name, query, expected
):
    new_session(coop_b, host, title="白茶开采直播")
    new_session(coop_a, host, title="红米收割直播")
    client.force_login(admin_user)
    response = client.get(reverse(url_name), {"q": query})
    assert response.status_code == 200
    html = response.content.decode()
    assert expected in html
    assert "妙高红米合作社" not in html and "红米收割直播" not in html


def test_choosers_are_for_editors_only(client, buyer):
    client.force_login(buyer)
    assert client.get(reverse("product_chooser:choose")).status_code == 302


def _list_block(values) -> dict:
    """ListBlock form data (Wagtail's form_data helpers cover StreamField, not ListBlock)."""
    return {"count": str(len(values)), **{
        str(i): {"value": v, "deleted": "", "order": str(i), "id": ""}
        for i, v in enumerate(values)
    }}


def _home_form(home, body):
    from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield

    return nested_form_data({
        "title": home.title, "slug": home.slug, "hero_title": "", "hero_text": "",
        "intro": rich_text(""), "featured_count": 8, "body": streamfield(body),
        "action-publish": "action-publish",
    })


def test_admin_publishes_a_rail_of_chosen_products(client, admin_user, coop_a):
    rice = factories.product(coop_a, title="妙高红米 5kg")
    home = builders.home()
    client.force_login(admin_user)
    response = client.post(reverse("wagtailadmin_pages:edit", args=[home.pk]), _home_form(
        home, [("product_rail", {"title": "本周推荐", "source": "products",
                                 "products": _list_block([rice.pk]), "category": "",
                                 "cooperative": "", "limit": 8})],
    ))
    assert response.status_code == 302
    html = html_of(client)
    assert "本周推荐" in html and "妙高红米 5kg" in html


@pytest.mark.parametrize(("rail", "field"), [
    ({"source": "products", "products": [], "limit": 8}, "products"),
    ({"source": "category", "products": [], "limit": 8}, "category"),
    ({"source": "cooperative", "products": [], "limit": 8}, "cooperative"),
    ({"source": "products", "products": [], "limit": 100}, "limit"),
])
def test_admin_refuses_a_rail_without_its_source_or_with_a_wrong_limit(
    client, admin_user, rail, field
):
    home = builders.home()
    revisions = home.revisions.count()
    client.force_login(admin_user)
    value = {"title": "本周推荐", "category": "", "cooperative": "", **rail,
             "products": _list_block(rail["products"])}
    response = client.post(reverse("wagtailadmin_pages:edit", args=[home.pk]),
                           _home_form(home, [("product_rail", value)]))
    assert response.status_code == 200
    errors = response.context["form"].errors.as_data()["body"][0]
    assert field in errors.block_errors[0].block_errors
    assert home.revisions.count() == revisions


# --- content blocks --------------------------------------------------------------------------

def test_video_and_gallery_blocks_render_light_markup(client):
    image = builders.image(description="开镰仪式现场")
    page = builders.article(body=[
        {"type": "video", "value": {"url": "https://media.example.cn/kailian.m3u8",
                                    "poster": image.pk, "caption": "开镰节回顾"}},
        {"type": "gallery", "value": {"title": "现场照片", "images": [
            {"image": image.pk, "alt": "割稻的村民", "caption": ""}]}},
    ])
    html = html_of(client, page.url)
    assert 'preload="none"' in html
    hls = 'src="https://media.example.cn/kailian.m3u8" type="application/vnd.apple.mpegurl"'
    assert hls in html
    assert "开镰节回顾" in html and "现场照片" in html and 'alt="割稻的村民"' in html


def test_video_block_refuses_a_page_url():
    from wagtail.blocks.struct_block import StructBlockValidationError

    from cms.blocks import VideoBlock

    block = VideoBlock()
    with pytest.raises(StructBlockValidationError):
        block.clean(block.to_python({"url": "https://v.example.cn/watch?v=1", "poster": None,
                                     "caption": ""}))
    assert block.clean(block.to_python({"url": "https://v.example.cn/a.mp4", "poster": None,
                                        "caption": ""}))


def test_story_page_costs_the_same_for_1_or_12_products_and_certifications(coop_a):
    _products(coop_a, 1)
    Certification.objects.create(cooperative=coop_a, kind="green", number="LB-0",
                                 issuer="中国绿色食品发展中心", valid_until=dt.date(2099, 1, 1))
    url = builders.story(coop_a).url
    few, few_sql = page_queries(Visit(url))
    _products(coop_a, 11, start=1)
    for i, kind in enumerate(["organic", "gi", "compliance"], start=1):
        Certification.objects.create(cooperative=coop_a, kind=kind, number=f"LB-{i}",
                                     issuer="认证机构", valid_until=dt.date(2099, 1, 1))
    many, many_sql = page_queries(Visit(url))
    assert few == many, growth_message(url, few_sql, many_sql)


def test_festival_page_costs_the_same_for_1_or_12_products_and_sessions(coop_a, host):
    products = _products(coop_a, 12)
    sessions = [new_session(coop_a, host, title=f"直播{i}", starts_in_hours=10 + i)
                for i in range(12)]
    page = builders.festival(body=[builders.product_rail("好物", products=products[:1]),
                                   builders.live_session(sessions[0])])
    few, few_sql = page_queries(Visit(page.url))
    page.body = [builders.product_rail("好物", products=products, limit=12),
                 *(builders.live_session(s) for s in sessions)]
    page.save_revision().publish()
    many, many_sql = page_queries(Visit(page.url))
    assert few == many, growth_message(page.url, few_sql, many_sql)
