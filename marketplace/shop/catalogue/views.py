"""Catalogue fork: the product page loads everything it shows in a fixed number of queries."""

from oscar.apps.catalogue import views

from marketplace.shop.catalogue.selectors import product_detail_queryset, product_origin_path


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
