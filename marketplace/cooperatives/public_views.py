"""Public cooperative profile page: who grows the produce, their badges and products."""

from django.shortcuts import get_object_or_404, render

from marketplace.cooperatives.selectors import cooperatives_with_valid_certifications
from marketplace.regions.selectors import region_full_name
from marketplace.shop.catalogue.selectors import product_listing


def cooperative_detail(request, slug):
    coop = get_object_or_404(cooperatives_with_valid_certifications(), slug=slug)
    products = product_listing().filter(stockrecords__partner=coop.partner).distinct()[:48]
    return render(request, "cooperatives/detail.html", {
        "cooperative": coop,
        "village_path": region_full_name(code=coop.village_id),
        "products": products,
    })
