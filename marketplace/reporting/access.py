"""Who reads sales figures: the dashboard menu's access function (settings import it, so it
imports models only inside functions) and the views' gate."""

from __future__ import annotations

from functools import wraps


def sales_menu_access(user, url_name=None, url_args=None, url_kwargs=None) -> bool:
    """Platform staff, analysts with a county, and cooperative staff (their own figures)."""
    if not user.is_active or not user.is_authenticated:
        return False
    cached = getattr(user, "_sales_scope", None)
    if cached is None:
        from marketplace.reporting.selectors import scope_for_user

        cached = user._sales_scope = scope_for_user(user) or False
    return bool(cached)


def sales_scope_required(view):
    """Sets ``request.sales_scope``. Anonymous users go to the dashboard login; signed-in users
    who may read no figures (buyers, hosts) get a 403."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        from django.contrib.auth.views import redirect_to_login
        from django.core.exceptions import PermissionDenied
        from django.urls import reverse

        from marketplace.reporting.selectors import scope_for_user

        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), reverse("dashboard:login"))
        scope = scope_for_user(request.user)
        if scope is None:
            raise PermissionDenied
        request.sales_scope = scope
        return view(request, *args, **kwargs)

    return wrapper


def sales_reports_menu_access(user, url_name=None, url_args=None, url_kwargs=None) -> bool:
    """The 数商兴农 reports are county-level: platform staff and analysts, not cooperatives."""
    if not sales_menu_access(user, url_name, url_args, url_kwargs):
        return False
    return not user._sales_scope.is_cooperative
