"""Template tags for CMS blocks: look up the live rows that cms.selectors loaded for the page."""

from django import template

register = template.Library()


def _live(context):
    return context.get("cms_live")


@register.simple_tag(takes_context=True)
def live_product(context, product):
    """The product as it is now (price, stock), or None when it is gone or not browsable."""
    live = _live(context)
    return live.product(product) if live else None


@register.simple_tag(takes_context=True)
def live_session(context, session):
    live = _live(context)
    return live.session(session) if live else None


@register.simple_tag(takes_context=True)
def live_cooperative(context, cooperative):
    live = _live(context)
    return live.cooperative(cooperative) if live else None


@register.simple_tag(takes_context=True)
def rail_products(context, rail):
    live = _live(context)
    return live.rail_products(rail) if live else []


@register.simple_tag(takes_context=True)
def selling_live(context, product):
    """The live session selling this product right now (直播中), or None."""
    live = _live(context)
    return live.live_products.get(product.pk) if live and product else None


@register.filter
def as_list(obj):
    """``product|as_list``: one object as a list for the card partial (empty when None)."""
    return [obj] if obj else []


@register.simple_tag(takes_context=True)
def stream_groups(context, stream):
    """A stream's blocks for rendering: runs of product cards side by side as one grid.

    Yields ("cards", (products, notes by product id)) for each run of consecutive product card
    blocks (those whose product can no longer be shown left out) and ("block", block) for
    every other block.
    """
    live = _live(context)
    groups = []
    for block in stream or []:
        if block.block_type != "product_card":
            groups.append(("block", block))
            continue
        product = live.product(block.value.get("product")) if live else None
        if product is None:
            continue
        if not groups or groups[-1][0] != "cards":
            groups.append(("cards", ([], {})))
        products, notes = groups[-1][1]
        if product not in products:
            products.append(product)
            notes[product.pk] = block.value.get("note") or ""
    return groups


@register.filter
def lookup(mapping, key):
    """``notes|lookup:product.pk``"""
    return (mapping or {}).get(key, "")
