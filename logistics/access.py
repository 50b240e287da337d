"""Who sees the logistics entries of the dashboard menu (Oscar's access_fn signature); imported
by settings, so it imports no models."""

from __future__ import annotations


def hub_staff_access(user, url_name=None, url_args=None, url_kwargs=None) -> bool:
    """Platform staff and the operators of a county hub (分拨中心)."""
    if not user.is_active:
        return False
    return user.is_staff or user.logistics_nodes.filter(kind="hub").exists()


def cooperative_labels_access(user, url_name=None, url_args=None, url_kwargs=None) -> bool:
    """Staff of a cooperative: they print the labels of their own parcels."""
    return user.is_active and user.partners.exists()
