"""Read queries of the search page: the hits of one page as product cards, in the hits' order."""

from __future__ import annotations

from collections.abc import Sequence

from marketplace.shop.catalogue.selectors import product_listing


def products_for_hits(product_ids: Sequence[int]) -> list:
    """The browsable products among ``product_ids``, in that order, with what their cards
    show prefetched (the same queries as a listing page, whatever the number of hits). An id
    the index still holds for a product that is no longer browsable is left out."""
    if not product_ids:
        return []
    by_id = {p.pk: p for p in product_listing().filter(pk__in=list(product_ids))}
    return [by_id[pk] for pk in product_ids if pk in by_id]
