"""Dashboard menu access for pages that live outside Oscar's dashboard apps.

Oscar's default access function looks a URL up among its dashboard app configs, which
our /dashboard/cooperative/ pages are not part of. Settings import this module, so it must
not import Django models.
"""


def partner_dashboard_access(user, url_name=None, url_args=None, url_kwargs=None) -> bool:
    """Visible to platform staff and to users holding partner.dashboard_access."""
    if not user.is_active:
        return False
    return user.is_staff or user.has_perm("partner.dashboard_access")
