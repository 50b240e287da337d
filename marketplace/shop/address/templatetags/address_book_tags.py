"""Template tag for the address book: which countries can be shipped to, asked once."""

from django import template
from oscar.core.loading import get_model

register = template.Library()


@register.simple_tag
def shipping_country_codes() -> frozenset:
    """Codes of shipping countries, so ``address.country_id in codes`` needs no query per
    address (``address.country.is_shipping_country`` loads each address's country)."""
    Country = get_model("address", "Country")
    return frozenset(
        Country.objects.filter(is_shipping_country=True).values_list("pk", flat=True)
    )
