"""seed_demo's CMS step: a story per cooperative, an upcoming and a past festival, three
articles and the home page's content, all rendering in Chinese; nothing more on a second run."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.contrib.sites.models import Site as DjangoSite
from django.core.cache import cache
from django.utils import timezone
from oscar.core.loading import get_model
from wagtail.images import get_image_model
from wagtail.models import Page

from cms import demo
from cms.models import (
    ArticleIndexPage,
    ArticlePage,
    CooperativeStoryPage,
    FestivalIndexPage,
    FestivalPage,
    HomePage,
    StoryIndexPage,
)
from marketplace.demo import data
from marketplace.demo import services as demo_services

Product = get_model("catalogue", "Product")
Voucher = get_model("voucher", "Voucher")
ConditionalOffer = get_model("offer", "ConditionalOffer")

HAN = re.compile(r"[\u4e00-\u9fff]")
STEP = "cms.demo.demo_cms_pages_create"
STEPS = [
    *demo_services.DEFAULT_STEPS,
    "marketplace.livestream.demo.demo_live_sessions_create",
    STEP,
]


def _seed(logged: list[str]):
    return demo_services.demo_seed(orders=0, skip_regions=True, log=logged.append, steps=STEPS)


@pytest.fixture
def seeded(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    logged: list[str] = []
    _seed(logged)
    yield logged
    DjangoSite.objects.clear_cache()
    cache.clear()


def _counts() -> dict[str, int]:
    return {
        "pages": Page.objects.count(),
        "revisions": Page.objects.filter(latest_revision__isnull=False).count(),
        "images": get_image_model().objects.count(),
        "vouchers": Voucher.objects.count(),
        "offers": ConditionalOffer.objects.count(),
    }


def test_the_step_runs_after_products_and_live_sessions():
    steps = demo_services.seed_steps()
    assert STEP in steps
    assert steps.index(STEP) > steps.index("marketplace.demo.services.demo_products_create")
    assert steps.index(STEP) > steps.index(
        "marketplace.livestream.demo.demo_live_sessions_create")


@pytest.mark.parametrize("model", [
    HomePage, StoryIndexPage, CooperativeStoryPage, FestivalIndexPage, FestivalPage,
    ArticleIndexPage, ArticlePage,
], ids=lambda m: m.__name__)
def test_every_page_type_is_published_and_renders_in_chinese(seeded, client, model):
    pages = model.objects.live()
    assert pages.exists()
    for page in pages:
        response = client.get(page.url)
        assert response.status_code == 200, page.url
        html = response.content.decode()
        assert page.title in html
        for text in (getattr(page, "summary", ""), getattr(page, "hero_title", "")):
            assert text in html
        assert HAN.search(page.title), page.title


def test_a_story_per_cooperative_with_its_products_read_live(seeded, client):
    stories = CooperativeStoryPage.objects.live().select_related("cooperative")
    assert sorted(s.cooperative.slug for s in stories) == sorted(c.slug for c in data.COOPERATIVES)
    index = StoryIndexPage.objects.get()
    assert all(s.get_parent().pk == index.pk for s in stories)

    story = stories.get(cooperative__slug="gaoping-hongmi")
    assert story.cover_image.description  # alt text
    assert [m.value["name"] for m in story.members] == ["叶建华", "吴秀英"]
    html = client.get(story.url).content.decode()
    assert "梯田" in html
    assert "遂昌红米" in html  # a product card of the story
    assert "叶建华" in html
    assert all(s.title in client.get(index.url).content.decode() for s in stories)


def test_one_upcoming_and_one_past_festival(seeded, client):
    now = timezone.now()
    upcoming = FestivalPage.objects.live().filter(starts_at__gt=now)
    past = FestivalPage.objects.live().filter(ends_at__lt=now)
    assert upcoming.count() == 1
    assert past.count() == 1
    festival = upcoming.get()

    # the voucher is valid now and until the festival ends
    assert festival.voucher.code == demo.FESTIVAL_VOUCHER_CODE
    assert festival.voucher.is_active(now)
    assert festival.voucher.end_datetime == festival.ends_at
    assert len(festival.schedule) >= 3
    assert all(festival.starts_at <= item.value["starts_at"] <= festival.ends_at
               for item in festival.schedule)
    kinds = [block.block_type for block in festival.body]
    assert {"product_rail", "live_session"} <= set(kinds)

    html = client.get(festival.url).content.decode()
    for text in ("大柘红心猕猴桃", "大柘红心猕猴桃采摘直播", demo.FESTIVAL_VOUCHER_CODE, "开园仪式",
                 "永安村"):
        assert text in html, text

    listing = client.get(FestivalIndexPage.objects.get().url).content.decode()
    assert listing.index(festival.title) < listing.index(past.get().title)


def test_three_articles_with_a_shushang_xingnong_policy(seeded, client):
    articles = ArticlePage.objects.live()
    assert articles.count() == 3
    policy = articles.get(kind="policy")
    assert "数商兴农" in policy.title
    assert {a.kind for a in articles} == {"news", "policy"}
    listing = client.get(ArticleIndexPage.objects.get().url).content.decode()
    assert all(a.title in listing for a in articles)
    assert "合作社" in client.get(policy.url).content.decode()


def test_home_page_has_hero_rails_cooperatives_and_the_festival_banner(seeded, client):
    home = HomePage.objects.get()
    assert home.hero_image.description
    assert home.festival_banner.slug == "dazhe-mihoutao-caizhaijie"
    assert {"product_rail", "cooperative"} <= {b.block_type for b in home.body}

    html = client.get("/").content.decode()
    for text in (home.hero_title, "当季推荐", "高坪红米合作社", "大柘猕猴桃采摘节", "麻阳冰糖橙"):
        assert text in html, text


def test_second_run_adds_nothing_and_keeps_editors_changes(seeded):
    assert any(line.startswith("cms: ") and "pages created" in line for line in seeded)
    story = CooperativeStoryPage.objects.get(cooperative__slug="longgu-tea")
    story.summary = "编辑改过的摘要"
    story.save_revision().publish()
    before = _counts()

    logged: list[str] = []
    _seed(logged)

    assert _counts() == before
    assert "cms: 0 pages created" in logged
    story.refresh_from_db()
    assert story.summary == "编辑改过的摘要"


def test_the_festival_voucher_takes_15_off_a_basket_of_festival_products(seeded, client):
    from django.urls import reverse

    kiwi = Product.objects.get(stockrecords__partner_sku="dazhe-mihoutao")  # 59.90
    client.post(reverse("basket:add", kwargs={"pk": kiwi.pk}), {"quantity": 2})

    response = client.post(reverse("basket:vouchers-add"),
                           {"code": demo.FESTIVAL_VOUCHER_CODE}, follow=True)

    basket = response.context["basket"]
    assert basket.vouchers.get().code == demo.FESTIVAL_VOUCHER_CODE
    assert basket.total_excl_tax_excl_discounts == Decimal("119.80")
    assert basket.total_incl_tax == Decimal("104.80")


def test_editors_and_the_story_review_workflow(seeded):
    from django.contrib.auth import get_user_model
    from wagtail.models import PagePermissionTester

    from cms.workflow import COOPERATIVE_EDITORS, PLATFORM_EDITORS, STORY_WORKFLOW

    User = get_user_model()
    editor = User.objects.get(email=demo.EDITOR_EMAIL)
    coop1 = User.objects.get(email="coop1@demo.cn")
    assert editor.check_password(data.DEMO_PASSWORD)
    assert list(editor.groups.values_list("name", flat=True)) == [PLATFORM_EDITORS]
    assert list(coop1.groups.values_list("name", flat=True)) == [COOPERATIVE_EDITORS]

    own = CooperativeStoryPage.objects.get(cooperative__slug=data.STAFF_COOPERATIVES[0])
    other = CooperativeStoryPage.objects.get(cooperative__slug=data.STAFF_COOPERATIVES[1])
    assert own.get_workflow().name == STORY_WORKFLOW
    assert own.permissions_for_user(coop1).can_edit()
    assert not own.permissions_for_user(coop1).can_publish()
    assert not other.permissions_for_user(coop1).can_edit()
    assert PagePermissionTester(editor, other).can_publish()
