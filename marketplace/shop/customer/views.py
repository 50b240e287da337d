"""Customer account views: an order line's URL and the guest order status link never fail
with a server error nor answer a wrong link with anything but 404.

Oscar's OrderLineView only serves POST (re-order one line): a GET looks for a template that
does not exist and an unknown line id raises DoesNotExist, both 500s. Here a GET goes back to
the order page and a line that is not in the buyer's order is a 404, like the order itself.

Oscar answers a guest order status link with a wrong hash by asking for an e-mail address
that can never match; here a link whose hash does not sign a guest order's number is a 404.
"""

from django.http import Http404
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


class SignedGuestOrderMixin:
    def dispatch(self, request, *args, **kwargs):
        order = Order.objects.filter(user=None, number=kwargs.get("order_number")).first()
        if order is None or not order.check_verification_hash(kwargs.get("hash")):
            raise Http404
        return super().dispatch(request, *args, **kwargs)


class AnonymousOrderFormView(SignedGuestOrderMixin, views.AnonymousOrderFormView):
    pass


class AnonymousOrderDetailView(SignedGuestOrderMixin, views.AnonymousOrderDetailView):
    pass
