"""Catalogue dashboard views: low stock alerts scoped to the user's cooperative.

Products are already scoped by Oscar (PartnerProductFilterMixin: another partner's product
is a 404 on its update and delete URLs); only the stock alert list needed it.
"""

from oscar.apps.dashboard.catalogue import views


class StockAlertListView(views.StockAlertListView):
    def get_queryset(self):
        queryset = super().get_queryset().select_related(
            "stockrecord", "stockrecord__product", "stockrecord__partner"
        )
        user = self.request.user
        if user.is_staff:
            return queryset
        return queryset.filter(stockrecord__partner__users=user)
