"""Catalogue fork: the product page loads everything it shows in a fixed number of queries."""

from django.views.generic import TemplateView
from oscar.apps.catalogue import views
from oscar.core.loading import get_class, get_model

from marketplace.shop.catalogue.selectors import (
    product_detail_queryset,
    product_origin_path,
    products_prepare_for_cards,
)

Product = get_model("catalogue", "Product")


class ProductDetailView(views.ProductDetailView):
    def get_queryset(self):
        return product_detail_queryset()

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        product = self.object
        ctx["origin_path"] = product_origin_path(product=product)
        records = list(product.stockrecords.all())
        ctx["cooperative"] = getattr(records[0].partner, "cooperative", None) if records else None
        return ctx


class RecentlyViewedView(TemplateView):
    """The "recently viewed" cards of a product page, fetched by the page after it loads.

    They differ for every visitor (Oscar keeps them in a cookie), so they stay out of the
    product page itself, which can then be cached once for all anonymous visitors.
    """

    template_name = "oscar/catalogue/partials/recently_viewed_fragment.html"
    max_products = 6

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        history = get_class("customer.history", "CustomerHistoryManager")
        # Newest first; the newest is the page that asks (the product being looked at).
        # A tampered cookie may hold anything: keep the integers only.
        ids = [i for i in reversed(history.extract(self.request)) if type(i) is int]
        ids = ids[1:self.max_products + 1]
        found = Product.objects.browsable().in_bulk(ids)
        ctx["products"] = products_prepare_for_cards(found[i] for i in ids if i in found)
        return ctx
