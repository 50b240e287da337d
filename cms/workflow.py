"""Who edits the CMS: the editors' groups, their page and image permissions, and the review
workflow for cooperative stories (合作社故事审核). Set up by ``editorial_setup`` (seed_demo and
tests call it; safe to run again), kept in step with cooperative staff by
``cooperative_editors_sync``."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from wagtail.models import (
    Collection,
    GroupApprovalTask,
    GroupCollectionPermission,
    GroupPagePermission,
    Page,
    Workflow,
    WorkflowPage,
    WorkflowTask,
)

PLATFORM_EDITORS = "平台编辑"
COOPERATIVE_EDITORS = "合作社编辑"
STORY_WORKFLOW = "合作社故事审核"
STORY_TASK = "平台编辑审核"

# Page permissions (on the site's home page, so every page below it).
PLATFORM_PAGE_ACTIONS = ("add", "change", "publish", "bulk_delete", "lock", "unlock")
# Cooperative staff may only add stories under the story index; which stories they may then
# edit is decided per page by cms.permissions (their own cooperatives' stories), never publish.
COOPERATIVE_PAGE_ACTIONS = ("add",)
PLATFORM_IMAGE_ACTIONS = ("add", "change", "delete", "choose")
COOPERATIVE_IMAGE_ACTIONS = ("add", "choose")  # they edit the images they uploaded
PLATFORM_DOCUMENT_ACTIONS = ("add", "change", "delete", "choose")


@dataclass(frozen=True)
class EditorialSetup:
    platform_editors: Group
    cooperative_editors: Group
    workflow: Workflow | None  # None while there is no story index to assign it to


def _perm(app_label: str, codename: str) -> Permission:
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


def _group_page_perms(group: Group, page: Page, actions: Iterable[str]) -> None:
    for action in actions:
        GroupPagePermission.objects.get_or_create(
            group=group, page=page, permission=_perm("wagtailcore", f"{action}_page"))


def _group_collection_perms(group: Group, app_label: str, model: str,
                            actions: Iterable[str]) -> None:
    root = Collection.get_first_root_node()
    for action in actions:
        GroupCollectionPermission.objects.get_or_create(
            group=group, collection=root, permission=_perm(app_label, f"{action}_{model}"))


@transaction.atomic
def editorial_setup() -> EditorialSetup:
    """Create or bring up to date the groups 平台编辑 (edit and publish every page) and 合作社编辑
    (cooperative staff: write their cooperative's stories and submit them for review), and the
    workflow 合作社故事审核 (one GroupApprovalTask for 平台编辑) on the story index. Every
    cooperative's staff is put in 合作社编辑. Idempotent."""
    from cms.models import HomePage, StoryIndexPage

    access_admin = _perm("wagtailadmin", "access_admin")
    platform, _created = Group.objects.get_or_create(name=PLATFORM_EDITORS)
    cooperative, _created = Group.objects.get_or_create(name=COOPERATIVE_EDITORS)
    for group in (platform, cooperative):
        group.permissions.add(access_admin)

    home = HomePage.objects.order_by("depth", "path").first()
    if home is not None:
        _group_page_perms(platform, home, PLATFORM_PAGE_ACTIONS)
    _group_collection_perms(platform, "wagtailimages", "image", PLATFORM_IMAGE_ACTIONS)
    _group_collection_perms(platform, "wagtaildocs", "document", PLATFORM_DOCUMENT_ACTIONS)
    _group_collection_perms(cooperative, "wagtailimages", "image", COOPERATIVE_IMAGE_ACTIONS)

    workflow = None
    story_index = StoryIndexPage.objects.order_by("path").first()
    if story_index is not None:
        _group_page_perms(cooperative, story_index, COOPERATIVE_PAGE_ACTIONS)
        workflow = _story_workflow(platform)
        WorkflowPage.objects.update_or_create(page=story_index, defaults={"workflow": workflow})

    cooperative_editors_sync()
    return EditorialSetup(platform_editors=platform, cooperative_editors=cooperative,
                          workflow=workflow)


def _story_workflow(reviewers: Group) -> Workflow:
    task = GroupApprovalTask.objects.filter(name=STORY_TASK).first()
    if task is None:
        task = GroupApprovalTask.objects.create(name=STORY_TASK)
    if not task.active:
        task.active = True
        task.save(update_fields=["active"])
    task.groups.add(reviewers)
    workflow = Workflow.objects.filter(name=STORY_WORKFLOW).first()
    if workflow is None:
        workflow = Workflow.objects.create(name=STORY_WORKFLOW)
    if not workflow.active:
        workflow.active = True
        workflow.save(update_fields=["active"])
    WorkflowTask.objects.get_or_create(workflow=workflow, task=task,
                                       defaults={"sort_order": 0})
    return workflow


def cooperative_editors_sync(*, user_ids: Iterable[int] | None = None) -> None:
    """Put the staff of every cooperative (the users of its Oscar partner) in 合作社编辑, and
    take out those who no longer belong to any. ``user_ids`` limits the check to these users
    (a change of one partner's users); nothing happens before editorial_setup made the group."""
    from marketplace.cooperatives.models import Cooperative

    group = Group.objects.filter(name=COOPERATIVE_EDITORS).first()
    if group is None:
        return
    User = get_user_model()
    staff_ids = set(Cooperative.objects.filter(partner__users__isnull=False)
                    .values_list("partner__users", flat=True))
    current = group.user_set.all()
    if user_ids is not None:
        user_ids = set(user_ids)
        staff_ids &= user_ids
        current = current.filter(pk__in=user_ids)
    current_ids = set(current.values_list("pk", flat=True))
    if staff_ids - current_ids:
        group.user_set.add(*User.objects.filter(pk__in=staff_ids - current_ids))
    if current_ids - staff_ids:
        group.user_set.remove(*User.objects.filter(pk__in=current_ids - staff_ids))
