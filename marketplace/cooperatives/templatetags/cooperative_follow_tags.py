"""Template tags for following cooperatives: the list on a buyer's account page."""

from django import template

from marketplace.cooperatives.selectors import cooperatives_followed_by

register = template.Library()


@register.simple_tag
def followed_cooperatives(user) -> list:
    """The cooperatives ``user`` follows (one query), empty for anonymous visitors."""
    if user is None or not user.is_authenticated:
        return []
    return list(cooperatives_followed_by(user=user))
