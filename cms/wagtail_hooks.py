"""Wagtail admin hooks: the choosers that commerce blocks use (products, live sessions,
cooperatives, categories)."""

from wagtail import hooks

from cms.choosers import (
    category_chooser_viewset,
    cooperative_chooser_viewset,
    live_session_chooser_viewset,
    product_chooser_viewset,
)


@hooks.register("register_admin_viewset")
def register_commerce_choosers():
    return [
        product_chooser_viewset,
        live_session_chooser_viewset,
        cooperative_chooser_viewset,
        category_chooser_viewset,
    ]


# --- Editing permissions (helper B; the rules live in cms/permissions.py) -----------------

from cms.permissions import explorer_hide_other_cooperatives  # noqa: E402

hooks.register("construct_explorer_page_queryset", explorer_hide_other_cooperatives)
