"""Template tags for lists of product cards: load them at once, and reuse rendered cards."""

from django import template
from oscar.templatetags.product_tags import render_product

from marketplace.pagecache import cached_fragments
from marketplace.shop.catalogue.selectors import products_prepare_for_cards

register = template.Library()


@register.filter
def product_cards(products):
    """``{% for product in products|product_cards %}{% render_product product %}``: a fixed
    number of queries for the whole list instead of about five per card."""
    return products_prepare_for_cards(products or [])


@register.simple_tag(takes_context=True)
def cached_product_cards(context, products):
    """``{% cached_product_cards products as cards %}{% for product, card in cards %}``: each
    card as Oscar's ``render_product`` makes it, taken from the cache when another visitor's
    request already rendered it (a card shows nothing of the visitor's own)."""
    products = list(products or [])
    cards = cached_fragments(
        context["request"], [f"card:{p.pk}" for p in products],
        lambda i: render_product(context, products[i]),
    )
    return list(zip(products, cards, strict=True))
