"""Per-page editing rules of the CMS: cooperative staff write their own cooperatives' stories
(合作社故事) and nothing else; the Wagtail hooks and signal receivers that apply them."""

from __future__ import annotations

from django import forms
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.models import PagePermissionTester

_COOP_IDS_CACHE = "_cms_cooperative_ids"


def user_cooperative_ids(user) -> frozenset[int]:
    """The cooperatives whose Oscar partner lists this user as staff (cached on the user for
    the request, as Wagtail caches its page permissions)."""
    if not (user.is_authenticated and user.is_active):
        return frozenset()
    cached = getattr(user, _COOP_IDS_CACHE, None)
    if cached is None:
        from marketplace.cooperatives.models import Cooperative

        cached = frozenset(Cooperative.objects.filter(partner__users=user)
                           .values_list("pk", flat=True))
        setattr(user, _COOP_IDS_CACHE, cached)
    return cached


def is_scoped_to_cooperatives(user, page) -> bool:
    """True for users who may add stories here but hold no general right to edit the pages
    under ``page`` (cooperative staff): what they may touch depends on the cooperative."""
    if user.is_superuser:
        return False
    return "change" not in PagePermissionTester(user, page).permissions


class CooperativeStoryPermissionTester(PagePermissionTester):
    """Wagtail's tester, with the story's cooperative taken into account for cooperative staff.

    Their group holds only ``add`` on the story index (never ``change`` or ``publish``): on a
    story of one of their cooperatives that becomes ``change`` (edit, save drafts, submit for
    review), whoever created it; on any other cooperative's story they have nothing, not even
    on a page they created themselves (they may since have left that cooperative).
    Users with ``change`` (平台编辑) or superusers are judged by Wagtail's rules unchanged."""

    def __init__(self, user, page):
        super().__init__(user, page)
        if user.is_active and not user.is_superuser and "change" not in self.permissions:
            if "add" in self.permissions and page.cooperative_id in user_cooperative_ids(user):
                self.permissions.add("change")
            else:
                self.permissions.discard("add")


def story_permissions_for_user(page, user):
    """CooperativeStoryPage.permissions_for_user."""
    return CooperativeStoryPermissionTester(user, page)


class CooperativeStoryPageForm(WagtailAdminPageForm):
    """The story editor: cooperative staff can only pick their own cooperatives (a story for
    another one is refused with an error on the field)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields.get("cooperative")
        user = self.for_user
        parent = self.parent_page or (self.instance.get_parent() if self.instance.pk else None)
        if field is None or user is None or parent is None:
            return
        if is_scoped_to_cooperatives(user, parent):
            own = user_cooperative_ids(user)
            # A plain select of their own cooperatives instead of the chooser of all of them.
            field.widget = forms.Select()
            field.queryset = field.queryset.filter(pk__in=own)  # also sets the select's choices
            field.error_messages["invalid_choice"] = _("只能为您所在的合作社撰写故事。")
            if len(own) == 1 and not self.instance.pk and not self.is_bound:
                self.initial["cooperative"] = next(iter(own))


# --- Wagtail hooks (registered from cms/wagtail_hooks.py) ---------------------------------


def explorer_hide_other_cooperatives(parent_page, pages, request):
    """construct_explorer_page_queryset: cooperative staff browsing the story index see their
    own cooperatives' stories only."""
    from cms.models import CooperativeStoryPage, StoryIndexPage

    if parent_page.specific_class is not StoryIndexPage:
        return pages
    user = request.user
    if not is_scoped_to_cooperatives(user, parent_page):
        return pages
    own = CooperativeStoryPage.objects.filter(cooperative_id__in=user_cooperative_ids(user))
    story_type = ContentType.objects.get_for_model(CooperativeStoryPage)  # cached by Django
    return pages.filter(~Q(content_type=story_type) | Q(pk__in=own.values("pk")))


# --- Signal receivers (connected in CmsConfig.ready) ---------------------------------------


def _partner_users_changed(sender, instance, action, reverse, pk_set, **kwargs):
    """A partner's staff changed: bring 合作社编辑 membership in step for those users."""
    from cms.workflow import cooperative_editors_sync

    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if reverse:  # user.partners.add(partner): instance is the user
        user_ids = [instance.pk]
    elif action == "post_clear":
        user_ids = None  # the cleared users are gone from pk_set: check everyone
    else:
        user_ids = pk_set or ()
    cooperative_editors_sync(user_ids=user_ids)


def connect_receivers() -> None:
    from django.db.models.signals import m2m_changed
    from oscar.core.loading import get_model

    Partner = get_model("partner", "Partner")
    m2m_changed.connect(_partner_users_changed, sender=Partner.users.through,
                        dispatch_uid="cms-cooperative-editors-sync")
