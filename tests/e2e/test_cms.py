"""CMS in a real browser on the seeded demo: a buyer goes from the home page's festival banner
to the festival and on to a product; a cooperative's staff member edits their story in the
Wagtail admin and submits it, and a platform editor approves and publishes it."""

from __future__ import annotations

import re

import pytest
from django.contrib.sites.models import Site as DjangoSite
from django.core.cache import cache
from playwright.sync_api import expect

from cms import demo
from cms.models import CooperativeStoryPage, FestivalPage
from marketplace.demo import data
from marketplace.demo import services as demo_services
from tests.e2e.conftest import TIMEOUT_MS

pytestmark = [pytest.mark.e2e]

STEPS = [
    *demo_services.DEFAULT_STEPS,
    "marketplace.livestream.demo.demo_live_sessions_create",
    "cms.demo.demo_cms_pages_create",
]
DESKTOP = {"viewport": {"width": 1280, "height": 900}, "locale": "zh-CN"}


@pytest.fixture
def seeded(base_data_tx, media_root):
    demo_services.demo_seed(orders=0, skip_regions=True, log=lambda message: None, steps=STEPS)
    yield
    DjangoSite.objects.clear_cache()
    cache.clear()


@pytest.fixture
def desktop(browser, live_server):
    """Factory of fresh desktop-sized browser contexts (one per user) for the Wagtail admin;
    fails the test on a server error or a JS error it saw."""
    contexts = []
    problems: list[str] = []

    def new_page():
        context = browser.new_context(base_url=live_server.url, **DESKTOP)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        page.on("response",
                lambda r: r.status >= 500 and problems.append(f"{r.status} {r.url}"))
        page.on("pageerror", lambda exc: problems.append(f"JS error on {page.url}: {exc}"))
        return page

    yield new_page
    for context in contexts:
        context.close()
    if problems:
        pytest.fail("the browser saw errors:\n" + "\n".join(problems))


def test_buyer_follows_a_festival_product_to_its_page(seeded, live_server, phone, shot):
    # given the seeded upcoming festival, whose rail holds the red-heart kiwi
    festival = FestivalPage.objects.get(slug="dazhe-mihoutao-caizhaijie")

    # when a buyer on a phone taps the festival's banner on the home page
    page = phone()
    page.goto("/")
    expect(page.get_by_role("heading", name="山里的好东西，合作社直供")).to_be_visible()
    banner = page.get_by_role("link", name=re.compile(festival.title)).first
    banner.scroll_into_view_if_needed()
    shot(page, "home")
    banner.tap()
    expect(page).to_have_url(re.compile(re.escape(festival.url) + "$"))

    # then they see the festival, its programme and the online voucher
    expect(page.get_by_role("heading", name=festival.title, level=1)).to_be_visible()
    expect(page.get_by_text("开园仪式")).to_be_visible()
    expect(page.get_by_text("MIHOUTAO15")).to_be_visible()
    shot(page, "festival")

    # when they tap the kiwi in the festival's product rail
    rail = page.locator(".cms-rail").filter(has_text="采摘节好物")
    link = rail.get_by_role("link", name=re.compile("大柘红心猕猴桃")).first
    link.scroll_into_view_if_needed()
    link.tap()

    # then the product's page opens with its title
    expect(page).to_have_url(re.compile(r"/catalogue/"))
    expect(page.get_by_role("heading", name=re.compile("大柘红心猕猴桃"))).to_be_visible()
    shot(page, "product")


def _admin_login(page, *, email: str, password: str) -> None:
    page.goto("/cms/login/")
    page.locator("#id_username").fill(email)
    page.locator("#id_password").fill(password)
    page.get_by_role("button", name="登录").click()
    expect(page).not_to_have_url(re.compile(r"/cms/login/"))


def test_staff_submit_their_story_and_a_platform_editor_publishes_it(
    seeded, live_server, desktop, shot
):
    # given coop1@demo.cn, staff of 高坪红米合作社, and the seeded story of their cooperative
    story = CooperativeStoryPage.objects.get(cooperative__slug=data.STAFF_COOPERATIVES[0])
    other = CooperativeStoryPage.objects.get(cooperative__slug=data.STAFF_COOPERATIVES[1])
    published_summary = story.summary
    new_summary = "茶树坪村的梯田红米开镰了：一年一季，山泉水灌溉，新米已经开仓。"
    page = desktop()

    # when they log into the Wagtail admin and open their story
    _admin_login(page, email="coop1@demo.cn", password=data.DEMO_PASSWORD)
    page.goto(f"/cms/pages/{story.pk}/edit/")
    summary = page.locator("#id_summary")
    expect(summary).to_have_value(published_summary)

    # and change the summary and save a draft
    summary.fill(new_summary)
    page.get_by_role("button", name="保存草稿").click()

    # then the admin says so, the draft holds the change and the public page does not yet
    expect(page.locator(".messages")).to_contain_text(story.title)
    expect(page.locator("#id_summary")).to_have_value(new_summary)
    story.refresh_from_db()
    assert story.summary == published_summary
    assert story.get_latest_revision().as_object().summary == new_summary
    shot(page, "draft-saved")

    # when they submit it for moderation from the footer's action menu
    page.get_by_role("button", name="更多动作").click()
    page.get_by_role("button", name=re.compile(r"^提交")).first.click()

    # then the page is in moderation and the admin shows it
    expect(page.locator(".messages")).to_contain_text("审核")
    story.refresh_from_db()
    state = story.current_workflow_state
    assert state is not None
    assert state.status == state.STATUS_IN_PROGRESS
    page.goto(f"/cms/pages/{story.pk}/edit/")
    page.get_by_role("button", name="状态开关").click()
    expect(page.get_by_role("heading", name="审核中")).to_be_visible()
    expect(page.locator("#id_summary")).to_have_value(new_summary)
    shot(page, "in-moderation")

    # and the other cooperative's story is not theirs to edit
    page.goto(f"/cms/pages/{other.pk}/edit/")
    expect(page).to_have_url(re.compile(r"/cms/$"))
    expect(page.locator(".messages")).to_contain_text("没有权限")
    expect(page.locator("#id_summary")).to_have_count(0)

    # when the platform editor logs in, finds the story awaiting review and approves it
    editor = desktop()
    _admin_login(editor, email=demo.EDITOR_EMAIL, password=data.DEMO_PASSWORD)
    expect(editor.get_by_text("等待你的审查")).to_be_visible()
    editor.get_by_role("link", name=story.title).first.click()
    expect(editor.locator("#id_summary")).to_have_value(new_summary)
    editor.get_by_role("button", name="更多动作").click()
    editor.get_by_role("button", name=re.compile(r"^批准\s*和发布")).click()

    # then the story is published with the new summary, for buyers to read
    expect(editor.locator(".messages")).to_contain_text(story.title)
    story.refresh_from_db()
    assert story.summary == new_summary
    assert story.current_workflow_state is None
    shot(editor, "approved")
    buyer = desktop()
    buyer.goto(story.url)
    expect(buyer.get_by_text(new_summary)).to_be_visible()
