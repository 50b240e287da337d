"""CMS page types: each renders its content; index pages list their live children; a festival
cannot end before it starts (model clean and the Wagtail admin edit form)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from oscar.core.loading import get_model
from wagtail.test.utils.form_data import nested_form_data, streamfield

from cms.models import FestivalPage
from marketplace.cooperatives.models import Certification
from marketplace.livestream import services as live_services
from tests import factories
from tests.cms import builders

pytestmark = pytest.mark.django_db

Voucher = get_model("voucher", "Voucher")


@pytest.fixture
def host(coop_a):
    return factories.coop_staff(coop_a, email="host@example.com")


def new_session(coop, host, *, title="妙高红米丰收直播", starts_in_hours=1):
    start = timezone.now() + dt.timedelta(hours=starts_in_hours)
    return live_services.session_create(
        host=host, cooperatives=[coop], title=title, scheduled_start=start,
        scheduled_end=start + dt.timedelta(hours=2), hls_url="https://live.example.cn/a.m3u8",
    )


def text(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


def test_home_page_shows_hero_live_sessions_festival_and_body(client, coop_a, host):
    live = new_session(coop_a, host, title="红米开镰直播")
    live_services.session_go_live(session_id=live.pk, user=host)
    new_session(coop_a, host, title="白茶预告直播", starts_in_hours=30)
    builders.festival(title="红米开镰节", starts_in_days=2)
    home = builders.home()
    home.hero_title = "遂昌的好山好水好农品"
    home.hero_text = "合作社直供"
    home.body = [builders.rich("欢迎来到遂昌农品"), builders.cooperative_block(coop_a, "百年梯田")]
    home.save_revision().publish()

    html = text(client.get("/"))

    assert "遂昌的好山好水好农品" in html
    assert "合作社直供" in html
    assert "红米开镰直播" in html and "直播中" in html
    assert "白茶预告直播" in html and "预告" in html
    assert "红米开镰节" in html  # the next festival, shown without being chosen
    assert "欢迎来到遂昌农品" in html
    assert coop_a.legal_name in html and "百年梯田" in html


def test_home_page_festival_banner_chosen_by_editor_wins_while_not_over(client):
    builders.festival(title="最早的节", starts_in_days=1)
    chosen = builders.festival(title="编辑选的节", starts_in_days=10)
    home = builders.home()
    home.festival_banner = chosen
    home.save_revision().publish()
    html = text(client.get("/"))
    assert "编辑选的节" in html
    assert "最早的节" not in html


def test_story_page_shows_story_members_live_certifications_and_products(client, coop_a, coop_b):
    Certification.objects.create(cooperative=coop_a, kind="green", number="LB-45-2301234567",
                                 issuer="中国绿色食品发展中心",
                                 valid_until=dt.date(2099, 6, 30))
    Certification.objects.create(cooperative=coop_a, kind="organic", number="OLD-001",
                                 issuer="某认证机构", valid_until=dt.date(2000, 1, 1))
    factories.product(coop_a, title="妙高红米 2.5kg")
    factories.product(coop_b, title="湖山白茶")
    page = builders.story(coop_a, title="梯田上的红米", members=[{"type": "member", "value": {
        "name": "周大伯", "role": "种粮能手", "photo": None, "quote": "米好不好，看水。"}}])

    html = text(client.get(page.url))

    assert "梯田上的红米" in html and "高山梯田里的红米" in html
    assert "梯田种红米，一年一季。" in html
    assert "周大伯" in html and "米好不好，看水。" in html
    assert "LB-45-2301234567" in html and "2099年6月30日" in html
    assert "OLD-001" not in html  # expired: no longer shown as a certification
    assert "妙高红米 2.5kg" in html
    assert "湖山白茶" not in html


def test_story_certifications_are_read_live_from_the_cooperative(client, coop_a):
    page = builders.story(coop_a)
    assert "LB-NEW" not in text(client.get(page.url))
    Certification.objects.create(cooperative=coop_a, kind="gi", number="LB-NEW",
                                 issuer="农业农村部", valid_until=dt.date(2098, 1, 1))
    assert "LB-NEW" in text(client.get(page.url))


def test_festival_page_shows_dates_place_schedule_sessions_products_and_offer(
    client, coop_a, host
):
    rice = factories.product(coop_a, title="新米尝鲜装", price="25.00")
    session = new_session(coop_a, host, title="开镰节现场直播")
    now = timezone.now()
    voucher = Voucher.objects.create(
        name="开镰节满减券", code="KAILIAN10", usage=Voucher.MULTI_USE,
        start_datetime=now - dt.timedelta(days=1), end_datetime=now + dt.timedelta(days=5),
    )
    page = builders.festival(
        title="红米开镰节", voucher=voucher,
        schedule=[{"type": "item", "value": {
            "starts_at": (now + dt.timedelta(days=3)).isoformat(), "title": "开镰仪式",
            "place": "红星村晒谷场", "description": "村支书致辞"}}],
        body=[builders.live_session(session), builders.product_card(rice, "今年第一批新米")],
    )

    html = text(client.get(page.url))

    assert "红米开镰节" in html
    assert "妙高街道红星村" in html and "遂昌县妙高街道红星村文化礼堂" in html
    assert "开镰仪式" in html and "红星村晒谷场" in html and "村支书致辞" in html
    assert "开镰节现场直播" in html
    assert "新米尝鲜装" in html and "今年第一批新米" in html and "25.00" in html
    assert "KAILIAN10" in html and "开镰节满减券" in html and "优惠进行中" in html


def test_festival_offer_shows_when_it_is_no_longer_valid(client):
    now = timezone.now()
    voucher = Voucher.objects.create(
        name="去年的券", code="OLD2025", usage=Voucher.MULTI_USE,
        start_datetime=now - dt.timedelta(days=30), end_datetime=now - dt.timedelta(days=1),
    )
    page = builders.festival(voucher=voucher)
    html = text(client.get(page.url))
    assert "OLD2025" in html and "优惠已失效" in html and "优惠进行中" not in html


def test_festival_offer_without_a_voucher_shows_its_dates_and_validity(client):
    ConditionalOffer, Condition, Benefit, Range = (
        get_model("offer", name) for name in ("ConditionalOffer", "Condition", "Benefit", "Range")
    )
    everything = Range.objects.create(name="节庆商品", includes_all_products=True)
    now = timezone.now()
    offer = ConditionalOffer.objects.create(
        name="开镰节全场九折", offer_type=ConditionalOffer.SITE,
        description="<p>节庆期间全场九折</p>",
        start_datetime=now - dt.timedelta(days=1), end_datetime=now + dt.timedelta(days=3),
        condition=Condition.objects.create(range=everything, type=Condition.COUNT, value=1),
        benefit=Benefit.objects.create(range=everything, type=Benefit.PERCENTAGE, value=10),
    )
    page = builders.festival(offer=offer)
    html = text(client.get(page.url))
    assert "开镰节全场九折" in html and "节庆期间全场九折" in html and "优惠进行中" in html
    assert "<p>节庆期间全场九折</p>" not in html  # shown as text in the offer box

    offer.status = ConditionalOffer.SUSPENDED
    offer.save()
    html = text(client.get(page.url))
    assert "开镰节全场九折" in html and "优惠已失效" in html


def test_article_page_and_index_filtered_by_kind(client):
    builders.article(title="数商兴农补贴政策", kind="policy")
    news = builders.article(title="红米丰收了", kind="news", summary="今年亩产提高")
    assert "今年亩产提高" in text(client.get(news.url))
    index = builders.article_index()
    html = text(client.get(index.url))
    assert "数商兴农补贴政策" in html and "红米丰收了" in html
    html = text(client.get(index.url + "?kind=policy"))
    assert "数商兴农补贴政策" in html and "红米丰收了" not in html
    # an unknown kind shows everything rather than failing
    assert "红米丰收了" in text(client.get(index.url + "?kind=<script>"))


def test_article_index_pages_through_articles_and_survives_bad_page_numbers(client):
    for day in range(13):
        builders.article(title=f"第{day:02d}号通知", kind="news",
                         date=timezone.localdate() - dt.timedelta(days=day))
    index_url = builders.article_index().url
    first = text(client.get(index_url))
    assert "第00号通知" in first and "第11号通知" in first and "第12号通知" not in first
    second = text(client.get(index_url + "?page=2"))
    assert "第12号通知" in second and "第00号通知" not in second
    assert "第00号通知" in text(client.get(index_url + "?page=abc"))
    assert "第12号通知" in text(client.get(index_url + "?page=999"))


def test_home_page_shows_the_four_soonest_upcoming_sessions(client, coop_a, host):
    for hours in (50, 10, 40, 20, 60, 30):
        new_session(coop_a, host, title=f"{hours}小时后的直播", starts_in_hours=hours)
    html = text(client.get("/"))
    for hours in (10, 20, 30, 40):
        assert f"{hours}小时后的直播" in html
    assert "50小时后的直播" not in html and "60小时后的直播" not in html
    positions = [html.index(f"{hours}小时后的直播") for hours in (10, 20, 30, 40)]
    assert positions == sorted(positions)


def test_story_index_lists_live_stories_only(client, coop_a, coop_b):
    builders.story(coop_a, title="红米的故事")
    draft = builders.story(coop_b, title="白茶的故事")
    draft.unpublish()
    html = text(client.get(builders.story_index().url))
    assert "红米的故事" in html
    assert "白茶的故事" not in html


def test_festival_index_lists_upcoming_and_current_before_past(client):
    builders.festival(title="已结束的节", starts_in_days=-10, days=2)
    builders.festival(title="进行中的节", starts_in_days=-1, days=3)
    builders.festival(title="下个月的节", starts_in_days=30)
    html = text(client.get(builders.festival_index().url))
    current, past = html.split("往期节庆")
    assert "进行中的节" in current and "下个月的节" in current
    assert current.index("进行中的节") < current.index("下个月的节")
    assert "已结束的节" in past and "已结束的节" not in current


def test_festival_clean_refuses_end_before_start():
    starts = timezone.now()
    page = FestivalPage(title="节", slug="f", starts_at=starts,
                        ends_at=starts - dt.timedelta(hours=1), place_name="村里", summary="s")
    with pytest.raises(ValidationError) as excinfo:
        page.clean()
    assert excinfo.value.message_dict["ends_at"] == ["结束时间不能早于开始时间"]


def _festival_form(page, **changes):
    data = {
        "title": page.title, "slug": page.slug,
        "starts_at": timezone.localtime(page.starts_at).strftime("%Y-%m-%d %H:%M"),
        "ends_at": timezone.localtime(page.ends_at).strftime("%Y-%m-%d %H:%M"),
        "place_name": page.place_name, "address": page.address, "summary": page.summary,
        "schedule": streamfield([]), "body": streamfield([]),
    }
    data.update(changes)
    return nested_form_data(data)


def test_admin_edit_refuses_festival_ending_before_it_starts(client, admin_user):
    page = builders.festival(title="红米开镰节")
    revisions = page.revisions.count()
    client.force_login(admin_user)
    url = reverse("wagtailadmin_pages:edit", args=[page.pk])
    starts = timezone.localtime(page.starts_at)

    response = client.post(url, _festival_form(
        page, title="改过的标题",
        ends_at=(starts - dt.timedelta(days=1)).strftime("%Y-%m-%d %H:%M"),
    ))

    assert response.status_code == 200
    assert "结束时间不能早于开始时间" in response.content.decode()
    assert page.revisions.count() == revisions
    page.refresh_from_db()
    assert page.title == "红米开镰节"
    assert page.ends_at > page.starts_at


def test_admin_edit_saves_a_valid_festival(client, admin_user):
    page = builders.festival(title="红米开镰节")
    client.force_login(admin_user)
    url = reverse("wagtailadmin_pages:edit", args=[page.pk])
    response = client.post(url, _festival_form(page, title="红米开镰节（改期）"))
    assert response.status_code == 302
    page.refresh_from_db()
    assert page.get_latest_revision_as_object().title == "红米开镰节（改期）"


@pytest.mark.parametrize("model_name", ["storyindexpage", "festivalindexpage", "articleindexpage"])
def test_admin_can_open_the_add_form_of_each_page_type(client, admin_user, model_name):
    client.force_login(admin_user)
    home = builders.home()
    response = client.get(reverse("wagtailadmin_pages:add", args=["cms", model_name, home.pk]))
    # each index page may exist once: the add form opens while none exists yet
    assert response.status_code == 200


def test_admin_add_forms_of_child_pages_open(client, admin_user, coop_a):
    client.force_login(admin_user)
    for model_name, parent in [("cooperativestorypage", builders.story_index()),
                               ("festivalpage", builders.festival_index()),
                               ("articlepage", builders.article_index())]:
        url = reverse("wagtailadmin_pages:add", args=["cms", model_name, parent.pk])
        response = client.get(url)
        assert response.status_code == 200, model_name
