"""Template tags that put live sessions on other apps' pages (the product page's badge)."""

from django import template

from marketplace.livestream.selectors import live_now_for_product

register = template.Library()


@register.simple_tag
def live_session_showing(product):
    """The live session showing ``product`` on camera now, or None."""
    return live_now_for_product(product.pk)
