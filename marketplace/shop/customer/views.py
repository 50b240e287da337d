"""Customer account views: an order line's URL never fails with a server error.

Oscar's OrderLineView only serves POST (re-order one line): a GET looks for a template that
does not exist and an unknown line id raises DoesNotExist, both 500s. Here a GET goes back to
the order page and a line that is not in the buyer's order is a 404, like the order itself.
"""

from django.shortcuts import get_object_or_404, redirect
from oscar.apps.customer import views
from oscar.core.loading import get_model

Order = get_model("order", "Order")


class OrderLineView(views.OrderLineView):
    def get_object(self, queryset=None):
        order = get_object_or_404(
            Order, user=self.request.user, number=self.kwargs["order_number"]
        )
        return get_object_or_404(order.lines, id=self.kwargs["line_id"])

    def get(self, request, *args, **kwargs):
        line = self.get_object()
        return redirect("customer:order", order_number=line.order.number)
