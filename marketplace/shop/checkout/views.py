"""Checkout fork: one order per basket, stock taken atomically, then the payment starts."""

import logging
from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.db.models import prefetch_related_objects
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from oscar.apps.checkout import views
from oscar.apps.checkout.exceptions import FailedPreCondition
from oscar.apps.order.exceptions import UnableToPlaceOrder
from oscar.core.loading import get_model

from marketplace.livestream.services import FlashUnavailable
from marketplace.payments.providers import get_provider
from marketplace.payments.services import payment_start
from marketplace.regions.forms import region_refresh_initial, region_refresh_requested
from marketplace.shop.order.services import STATUS_PENDING_PAYMENT
from marketplace.shop.order.tasks import order_confirmation_send
from marketplace.shop.partner.models import InsufficientStock

logger = logging.getLogger(__name__)

Basket = get_model("basket", "Basket")
Order = get_model("order", "Order")

# A "place order" post that finds the basket already gone is a resubmit of an order this
# buyer placed moments ago (double click, back button, second tab) if it is this recent.
RESUBMIT_WINDOW = timedelta(minutes=10)


class RegionRefreshMixin:
    """Treat the picker's no-JavaScript "更新地区选项" button as re-render, don't save.

    The form comes back unbound, holding what was typed, with the next level's options
    filled and no error messages for fields the buyer has not reached yet.
    """

    def post(self, request, *args, **kwargs):
        if getattr(self, "object", None) is None and hasattr(self, "get_object"):
            self.object = self.get_object()
        form = self.get_form()
        if not region_refresh_requested(form):
            return super().post(request, *args, **kwargs)
        form_kwargs = self.get_form_kwargs()
        form_kwargs.pop("data", None)
        form_kwargs.pop("files", None)
        form_kwargs["initial"] = {**form_kwargs.get("initial", {}), **region_refresh_initial(form)}
        return self.render_to_response(
            self.get_context_data(form=self.get_form_class()(**form_kwargs))
        )


class ShippingAddressView(RegionRefreshMixin, views.ShippingAddressView):
    """New address through the region picker, or one from the address book."""

    def get_initial(self):
        initial = super().get_initial() or {}
        if initial.get("region_id"):
            initial["region"] = initial["region_id"]
        return initial

    def post(self, request, *args, **kwargs):
        if request.user.is_authenticated and "address_id" in request.POST:
            raw_id = request.POST["address_id"]
            address = (
                request.user.addresses.filter(pk=raw_id).first() if raw_id.isdigit() else None
            )
            if address is None or request.POST.get("action") != "ship_to":
                messages.error(request, _("找不到这个收货地址，请重新选择。"))
                return redirect("checkout:shipping-address")
            self.checkout_session.ship_to_user_address(address)
            return redirect(self.get_success_url())
        return super().post(request, *args, **kwargs)


class UserAddressUpdateView(RegionRefreshMixin, views.UserAddressUpdateView):
    pass


class PaymentDetailsView(views.PaymentDetailsView):
    """The sandbox or Stripe is paid after the order exists, never before.

    Oscar's default takes payment and then places the order, which can take money for an
    order that then fails (sold out). Here placing the order and taking the stock happen in
    one transaction; the provider is started for an order that exists.
    """

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["payment_provider"] = get_provider()
        ctx["payment_deadline_minutes"] = settings.PAYMENT_DEADLINE_MINUTES
        return ctx

    def handle_payment(self, order_number, total, **kwargs):
        # Nothing is taken before the order exists; see handle_successful_order.
        return None

    def check_basket_is_not_empty(self, request):
        if request.method == "POST" and request.POST.get("action") == "place_order" \
                and request.basket.is_empty:
            order = self.recently_placed_order(request)
            if order is not None:
                request.session["checkout_order_id"] = order.pk
                raise FailedPreCondition(
                    url=reverse("checkout:thank-you"), message=already_placed_message()
                )
        super().check_basket_is_not_empty(request)

    def recently_placed_order(self, request):
        """The order this buyer just placed: named by the session, else their latest one.

        The session may not name it yet when the first submit is still finishing its
        response (it saves the session last) while the second one starts.
        """
        if not request.user.is_authenticated:  # OSCAR_ALLOW_ANON_CHECKOUT is off
            return None
        orders = Order.objects.filter(user=request.user)
        order_id = request.session.get("checkout_order_id")
        if order_id is not None:
            return orders.filter(pk=order_id).first()
        recent = orders.filter(date_placed__gte=timezone.now() - RESUBMIT_WINDOW)
        return recent.order_by("-date_placed").first()

    def freeze_basket(self, basket):
        # Oscar's freeze saves the whole row: a second submit would write an old "open" or
        # "frozen" over the first submit's "submitted". Only an open basket is frozen.
        Basket.objects.filter(pk=basket.pk, status=Basket.OPEN).update(status=Basket.FROZEN)
        basket.status = Basket.FROZEN

    def restore_frozen_basket(self):
        # Never reopen a basket that became an order (e.g. the provider failed after it).
        basket_id = self.checkout_session.get_submitted_basket_id()
        if not Basket.objects.filter(pk=basket_id, status=Basket.SUBMITTED).exists():
            super().restore_frozen_basket()

    def handle_order_placement(self, order_number, user, basket, shipping_address,
                               shipping_method, shipping_charge, billing_address, order_total,
                               surcharges=None, **kwargs):
        """Place the order unless a simultaneous submit of this basket already has.

        The order number comes from the basket, so two submits of one basket (double
        click, two tabs) both try to create it, and Oscar answers the loser with a generic
        error page and reopens the basket that just became an order. Locking the basket
        row makes the second submit wait for the first and then show the first one's order.
        """
        with transaction.atomic():
            Basket.objects.select_for_update().filter(pk=basket.pk).first()
            placed = Order.objects.filter(number=order_number).first()
            if placed is None:
                order = self.place_order(
                    order_number=order_number, user=user, basket=basket,
                    shipping_address=shipping_address, shipping_method=shipping_method,
                    shipping_charge=shipping_charge, order_total=order_total,
                    billing_address=billing_address, surcharges=surcharges, **kwargs,
                )
                basket.submit()
        if placed is not None:
            return self.show_placed_order(placed)
        return self.handle_successful_order(order)

    def show_placed_order(self, order):
        self.checkout_session.flush()
        self.request.session["checkout_order_id"] = order.pk
        messages.warning(self.request, already_placed_message())
        if order.status == STATUS_PENDING_PAYMENT and not get_provider().pays_at_once:
            return redirect("payments:pay", number=order.number)
        return redirect("checkout:thank-you")

    def place_order(self, *args, **kwargs):
        try:
            with transaction.atomic():
                return super().place_order(*args, **kwargs)
        except (InsufficientStock, FlashUnavailable) as exc:
            raise UnableToPlaceOrder(str(exc)) from exc

    def send_order_placed_email(self, order):
        # After the commit, from a worker: a slow or failing mail server can neither delay
        # the buyer's thank-you page nor make a placed order look failed (it is retried).
        order_id = order.pk
        transaction.on_commit(lambda: order_confirmation_send.delay(order_id))

    def handle_successful_order(self, order):
        provider = get_provider()
        if not provider.pays_at_once:
            # Stripe: the buyer pays on the payment page; the webhook marks the order paid.
            # The order and its stock are kept for PAYMENT_DEADLINE_MINUTES until then.
            super().handle_successful_order(order)
            return redirect("payments:pay", number=order.number)
        payment_start(order_id=order.pk)
        order.refresh_from_db()
        return super().handle_successful_order(order)

    def render_preview(self, request, **kwargs):
        if "error" in kwargs and not kwargs["error"]:
            kwargs["error"] = _("下单失败，请稍后重试。")
        return super().render_preview(request, **kwargs)


class ThankYouView(views.ThankYouView):
    def get_object(self, queryset=None):
        order = super().get_object(queryset)
        if order is None:
            return None
        # Oscar shows whatever order id the session holds; a session that somehow carries
        # another buyer's id (a shared phone, a copied cookie) must not reveal that order.
        user = self.request.user
        if order.user_id is not None and not user.is_superuser and order.user_id != user.pk:
            return None
        # The page lists every line with its product, image and options: load them at once.
        prefetch_related_objects(
            [order], "lines__product__parent", "lines__product__images", "lines__attributes"
        )
        return order


def already_placed_message():
    return _("这笔订单已经提交过了，请勿重复下单。")
