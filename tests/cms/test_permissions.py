"""Who may edit what in the CMS admin (/cms/): cooperative staff write their own cooperatives'
stories and submit them for review; 平台编辑 edit everything and approve."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from wagtail.models import GroupPagePermission, WorkflowPage, WorkflowState
from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield

from cms.models import CooperativeStoryPage
from cms.workflow import (
    COOPERATIVE_EDITORS,
    PLATFORM_EDITORS,
    STORY_WORKFLOW,
    editorial_setup,
)
from marketplace.cooperatives.services import cooperative_staff_add
from tests import factories
from tests.cms import builders


@pytest.fixture
def editorial(db):
    builders.story_index()
    builders.festival_index()
    builders.article_index()
    return editorial_setup()


@pytest.fixture
def editor(editorial):
    user = factories.user(email="editor@example.com")
    user.groups.add(editorial.platform_editors)
    return user


def refused(response) -> bool:
    """Wagtail's admin answers a permission it refuses with a redirect to its dashboard (and
    the message "you do not have permission"); a plain 403/404 counts as refused as well."""
    if response.status_code == 302:
        return response["Location"] == reverse("wagtailadmin_home")
    return response.status_code in (403, 404)


def edit_url(page):
    return reverse("wagtailadmin_pages:edit", args=[page.pk])


def add_story_url():
    return reverse("wagtailadmin_pages:add",
                   args=["cms", "cooperativestorypage", builders.story_index().pk])


def story_form(*, coop, title="妙高红米的故事", slug="miaogao-story", action=None):
    data = nested_form_data({
        "title": title, "slug": slug, "cooperative": coop.pk if coop else "",
        "summary": "高山梯田里的红米",
        "body": streamfield([("rich_text", rich_text("<p>梯田种红米，一年一季。</p>"))]),
        "members": streamfield([]),
    })
    if action:
        data[f"action-{action}"] = "1"
    return data


def test_staff_edit_their_own_cooperatives_story_but_not_another_ones(
        client, editorial, coop_a, coop_b, staff_a):
    own = builders.story(coop_a, title="妙高红米的故事")
    other = builders.story(coop_b, title="湖山白茶的故事")
    client.force_login(staff_a)

    assert client.get("/cms/").status_code == 200
    editor_html = client.get(edit_url(own)).content.decode()
    assert 'name="action-submit"' in editor_html  # 提交审核
    assert 'name="action-publish"' not in editor_html
    assert refused(client.get(edit_url(other)))
    response = client.post(edit_url(other), story_form(coop=coop_b, title="改掉别人的故事",
                                                       slug=other.slug))
    assert refused(response)
    other.refresh_from_db()
    assert other.title == "湖山白茶的故事"
    assert other.get_latest_revision() is None

    listing = client.get(reverse("wagtailadmin_explore", args=[builders.story_index().pk]))
    html = listing.content.decode()
    assert listing.status_code == 200
    assert edit_url(own) in html
    assert edit_url(other) not in html
    assert "湖山白茶的故事" not in html


def test_staff_save_a_story_but_publishing_is_refused_until_an_editor_approves(
        client, editorial, editor, coop_a, staff_a):
    client.force_login(staff_a)

    response = client.post(add_story_url(), story_form(coop=coop_a, action="publish"))

    assert response.status_code == 302
    page = CooperativeStoryPage.objects.get(slug="miaogao-story")
    assert page.cooperative == coop_a
    assert page.owner == staff_a
    assert not page.live
    assert client.get(page.url or "/stories/miaogao-story/").status_code == 404

    response = client.post(edit_url(page), story_form(
        coop=coop_a, title="妙高红米的故事（送审）", action="submit"))
    assert response.status_code == 302
    page.refresh_from_db()
    state = WorkflowState.objects.get(object_id=str(page.pk))
    assert state.status == WorkflowState.STATUS_IN_PROGRESS
    assert state.workflow.name == STORY_WORKFLOW
    assert not page.live

    # The staff member cannot approve their own story either.
    task_state = state.current_task_state
    approve = reverse("wagtailadmin_pages:workflow_action",
                      args=[page.pk, "approve", task_state.pk])
    client.post(approve)
    page.refresh_from_db()
    assert not page.live

    client.force_login(editor)
    response = client.post(approve)
    assert response.status_code == 302
    page.refresh_from_db()
    state.refresh_from_db()
    assert page.live
    assert page.title == "妙高红米的故事（送审）"
    assert state.status == WorkflowState.STATUS_APPROVED
    assert "妙高红米的故事（送审）" in client.get(page.url).content.decode()


def test_staff_cannot_write_a_story_for_another_cooperative(
        client, editorial, coop_a, coop_b, staff_a):
    client.force_login(staff_a)

    form = client.get(add_story_url())
    assert form.status_code == 200
    assert coop_a.partner.name in form.content.decode()
    assert coop_b.partner.name not in form.content.decode()

    response = client.post(add_story_url(), story_form(coop=coop_b, action="submit"))

    assert response.status_code == 200
    assert "只能为您所在的合作社撰写故事" in response.content.decode()
    assert not CooperativeStoryPage.objects.filter(slug="miaogao-story").exists()

    own = builders.story(coop_a)
    response = client.post(edit_url(own), story_form(coop=coop_b, slug=own.slug))
    assert response.status_code == 200
    assert "只能为您所在的合作社撰写故事" in response.content.decode()
    assert own.get_latest_revision() is None


def test_staff_cannot_edit_the_home_page_festivals_or_articles(client, editorial, staff_a):
    festival = builders.festival()
    article = builders.article()
    client.force_login(staff_a)

    for page in (builders.home(), builders.story_index(), festival, article):
        assert refused(client.get(edit_url(page))), page.title
    add_festival = reverse("wagtailadmin_pages:add",
                           args=["cms", "festivalpage", builders.festival_index().pk])
    assert refused(client.get(add_festival))
    assert refused(client.get(reverse("wagtailadmin_pages:delete", args=[festival.pk])))


def test_platform_editor_edits_and_publishes_any_page(client, editor, coop_a):
    festival = builders.festival(title="红米开镰节")
    story = builders.story(coop_a)
    client.force_login(editor)

    assert client.get(edit_url(festival)).status_code == 200
    assert 'name="action-publish"' in client.get(edit_url(story)).content.decode()
    response = client.post(edit_url(story), story_form(
        coop=coop_a, title="编辑改过的故事", slug=story.slug, action="publish"))

    assert response.status_code == 302
    story.refresh_from_db()
    assert story.live
    assert story.title == "编辑改过的故事"


def test_staff_may_upload_and_choose_images(client, editorial, staff_a):
    client.force_login(staff_a)
    assert client.get(reverse("wagtailimages:add")).status_code == 200
    assert client.get(reverse("wagtailimages_chooser:choose")).status_code == 200


def test_buyer_and_anonymous_cannot_reach_the_editor(client, editorial, buyer, coop_a):
    story = builders.story(coop_a)

    response = client.get(edit_url(story))
    assert response.status_code == 302
    assert "/cms/login/" in response["Location"]

    client.force_login(buyer)
    response = client.get(edit_url(story))
    assert response.status_code == 302
    assert "/cms/login/" in response["Location"]


def test_cooperative_staff_join_and_leave_the_editors_group_with_their_partner(
        editorial, coop_a):
    group = Group.objects.get(name=COOPERATIVE_EDITORS)
    user = factories.user()
    assert not group.user_set.filter(pk=user.pk).exists()

    cooperative_staff_add(cooperative=coop_a, user=user)
    assert group.user_set.filter(pk=user.pk).exists()

    coop_a.partner.users.remove(user)
    assert not group.user_set.filter(pk=user.pk).exists()


def test_editorial_setup_runs_twice_without_duplicates(editorial, staff_a):
    counts = (Group.objects.count(), GroupPagePermission.objects.count(),
              WorkflowPage.objects.count())

    again = editorial_setup()

    assert (Group.objects.count(), GroupPagePermission.objects.count(),
            WorkflowPage.objects.count()) == counts
    assert again.workflow == editorial.workflow
    assert WorkflowPage.objects.get(page=builders.story_index()).workflow.name == STORY_WORKFLOW
    assert list(again.workflow.tasks.values_list("name", flat=True)) == ["平台编辑审核"]
    assert set(Group.objects.get(name=PLATFORM_EDITORS).permissions
               .values_list("codename", flat=True)) >= {"access_admin"}
    assert staff_a.groups.filter(name=COOPERATIVE_EDITORS).exists()
