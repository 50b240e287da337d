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
