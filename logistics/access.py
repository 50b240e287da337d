"""Who sees the logistics entries of the dashboard menu (Oscar's access_fn signature); imported
by settings, so it imports models only inside the functions."""

from __future__ import annotations


def _roles(user) -> tuple[bool, bool]:
    """(operates a hub, is a cooperative's staff): one query per request, remembered on the
    request's user object (the menu asks for each of its entries)."""
    cached = getattr(user, "_logistics_menu_roles", None)
    if cached is None:
        from django.contrib.auth import get_user_model
        from django.db.models import Exists, OuterRef

        from logistics.models import Node

        User = get_user_model()
        partners = User.partners.through
        row = (User.objects.filter(pk=user.pk).annotate(
            hub=Exists(Node.objects.filter(kind=Node.HUB, operators=OuterRef("pk"))),
            coop=Exists(partners.objects.filter(user_id=OuterRef("pk"))))
            .values_list("hub", "coop").first())
        cached = user._logistics_menu_roles = tuple(row or (False, False))
    return cached


def hub_staff_access(user, url_name=None, url_args=None, url_kwargs=None) -> bool:
    """Platform staff and the operators of a county hub (分拨中心)."""
    if not user.is_active:
        return False
    return user.is_staff or _roles(user)[0]


def cooperative_labels_access(user, url_name=None, url_args=None, url_kwargs=None) -> bool:
    """Staff of a cooperative: they print the labels of their own parcels (platform staff
    reach every label through the hub pages)."""
    if not user.is_active or user.is_staff:
        return False
    return _roles(user)[1]
