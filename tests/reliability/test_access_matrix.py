"""Access-control matrix: every URL that shows or changes one object, for every role.

Roles: anonymous, buyer A (owns the storefront objects), buyer B, staff of cooperative A,
staff of cooperative B (owns the cooperative objects), platform admin. A role that is not
allowed never gets the object: storefront account pages answer 404 (anonymous: the login
page), dashboard pages answer the dashboard login (anonymous), 403 (signed in without
dashboard access, or a cooperative in a platform-level section: Oscar's own rule, which
tests/dashboard/test_cooperative_scoping.py already asserts for buyers) or 404 (another
cooperative's object), Django admin and Wagtail admin answer their login page. A POST by a
role that is not allowed leaves the object as it was; the same POST by the owner changes it,
so the "unchanged" check could fail.

Cooperative A's staff against B's products, stock and orders is covered by
tests/dashboard/test_cooperative_scoping.py (FOREIGN_URLS); this module runs the same URLs for
the other roles. test_every_object_url_is_in_the_matrix walks the URLconf so that a new URL
with an id, number, slug or key cannot skip the matrix.
"""

from __future__ import annotations

import sre_parse
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from functools import cached_property

import pytest
from django.contrib.auth import get_user_model
from django.contrib.flatpages.models import FlatPage
from django.contrib.sites.models import Site
from django.core import mail
from django.test import Client
from django.urls import URLResolver, get_resolver, resolve, reverse
from django.utils import timezone
from oscar.core.loading import get_class, get_model

from marketplace.payments.models import Payment, Refund
from marketplace.payments.services import payment_start
from tests import factories
from tests.dashboard.builders import order_with_lines, stockrecord
from tests.dashboard.test_cooperative_scoping import FOREIGN_URLS
from tests.payments import stripe_helpers
from tests.payments.stripe_helpers import stripe_client
from tests.reliability.helpers import saved_address

Basket = get_model("basket", "Basket")
BasketLine = get_model("basket", "Line")
Category = get_model("catalogue", "Category")
AttributeOptionGroup = get_model("catalogue", "AttributeOptionGroup")
Option = get_model("catalogue", "Option")
ProductClass = get_model("catalogue", "ProductClass")
ProductReview = get_model("reviews", "ProductReview")
CommunicationEventType = get_model("communication", "CommunicationEventType")
Email = get_model("communication", "Email")
Notification = get_model("communication", "Notification")
ProductAlert = get_model("customer", "ProductAlert")
ConditionalOffer = get_model("offer", "ConditionalOffer")
Condition = get_model("offer", "Condition")
Benefit = get_model("offer", "Benefit")
Range = get_model("offer", "Range")
OrderNote = get_model("order", "OrderNote")
UserAddress = get_model("address", "UserAddress")
Voucher = get_model("voucher", "Voucher")
VoucherSet = get_model("voucher", "VoucherSet")
WeightBased = get_model("shipping", "WeightBased")
WeightBand = get_model("shipping", "WeightBand")
WishList = get_model("wishlists", "WishList")
Selector = get_class("partner.strategy", "Selector")

pytestmark = [pytest.mark.reliability]

ROLES = ("anonymous", "buyer_a", "buyer_b", "staff_a", "staff_b", "admin")


class World:
    """Every object of the matrix, built on first use so each case pays only for its own."""

    @cached_property
    def users(self) -> dict:
        User = get_user_model()
        # No password: hashing six passwords per case would dominate the run; force_login.
        buyer_a = User.objects.create_user(email="matrix-buyer-a@example.com", password=None)
        buyer_b = User.objects.create_user(email="matrix-buyer-b@example.com", password=None)
        staff_a = User.objects.create_user(email="matrix-staff-a@example.com", password=None)
        staff_b = User.objects.create_user(email="matrix-staff-b@example.com", password=None)
        admin = User.objects.create_superuser(email="matrix-admin@example.com", password=None)
        from marketplace.cooperatives.services import cooperative_staff_add

        cooperative_staff_add(cooperative=self.coop_a, user=staff_a)
        cooperative_staff_add(cooperative=self.coop_b, user=staff_b)
        return {"buyer_a": buyer_a, "buyer_b": buyer_b, "staff_a": staff_a,
                "staff_b": staff_b, "admin": admin}

    @property
    def buyer_a(self):
        return self.users["buyer_a"]

    @cached_property
    def coop_a(self):
        # conftest's names: test_cooperative_scoping's FOREIGN_URLS find B's line by name
        return factories.cooperative(name="妙高红米合作社", village="331123001007")

    @cached_property
    def coop_b(self):
        return factories.cooperative(name="湖山茶叶合作社", village="331123102209")

    @cached_property
    def product_a(self):
        return factories.product(self.coop_a, title="矩阵红米", price="39.90", stock=50)

    @cached_property
    def product_b(self):
        return factories.product(self.coop_b, title="矩阵白茶", price="128.00", stock=20)

    # --- buyer A's storefront objects ---------------------------------------------------
    @cached_property
    def order(self):
        """Buyer A's order with a line from each cooperative."""
        return order_with_lines(user=self.buyer_a, stockrecords=[
            stockrecord(self.product_a), stockrecord(self.product_b)])

    @cached_property
    def order_b(self):
        return order_with_lines(user=self.buyer_a, stockrecords=[stockrecord(self.product_b)])

    @cached_property
    def pending_order(self):
        """Buyer A's order awaiting payment: opening its pay page (sandbox) pays it."""
        return order_with_lines(user=self.buyer_a, stockrecords=[stockrecord(self.product_a)],
                                status="pending_payment")

    @cached_property
    def paid_order_b(self):
        """Buyer A's order of cooperative B's goods, paid through the sandbox provider, so a
        refund has a Payment to go back through."""
        order = order_with_lines(user=self.buyer_a, stockrecords=[stockrecord(self.product_b)],
                                 quantity=2, status="pending_payment")
        payment_start(order_id=order.pk)
        order.refresh_from_db()
        assert order.status == "paid", order.status
        return order

    @cached_property
    def paid_mixed_order(self):
        """Buyer A's paid order (sandbox) with a line from each cooperative."""
        order = order_with_lines(user=self.buyer_a, status="pending_payment", stockrecords=[
            stockrecord(self.product_a), stockrecord(self.product_b)])
        payment_start(order_id=order.pk)
        order.refresh_from_db()
        return order

    @cached_property
    def guest_order(self):
        """An order placed without an account (Oscar's guest checkout, off in this project)."""
        order = order_with_lines(user=None, stockrecords=[stockrecord(self.product_a)])
        order.guest_email = "guest@example.com"
        order.save(update_fields=["guest_email"])
        return order

    @cached_property
    def address(self):
        return saved_address(self.buyer_a)

    @cached_property
    def email(self):
        return Email.objects.create(user=self.buyer_a, email=self.buyer_a.email,
                                    subject="矩阵邮件", body_text="订单已发货")

    @cached_property
    def notification(self):
        return Notification.objects.create(recipient=self.buyer_a, subject="矩阵通知")

    @cached_property
    def alert(self):
        return ProductAlert.objects.create(user=self.buyer_a, product=self.product_a,
                                           status=ProductAlert.ACTIVE)

    @cached_property
    def wishlist(self):
        wishlist = WishList.objects.create(owner=self.buyer_a, name="矩阵收藏",
                                           visibility=WishList.PRIVATE)
        wishlist.add(self.product_a)
        return wishlist

    @cached_property
    def wishlist_2(self):
        return WishList.objects.create(owner=self.buyer_a, name="矩阵收藏二")

    @cached_property
    def basket(self):
        basket = Basket.objects.create(owner=self.buyer_a)
        basket.strategy = Selector().strategy()
        basket.add_product(self.product_a, 2)
        basket.vouchers.add(self.voucher)
        return basket

    # --- platform objects ---------------------------------------------------------------
    @cached_property
    def range(self):
        return Range.objects.create(name="矩阵商品范围", includes_all_products=True)

    @cached_property
    def offer(self):
        return ConditionalOffer.objects.create(
            name="矩阵优惠", offer_type=ConditionalOffer.SITE,
            condition=Condition.objects.create(range=self.range, type=Condition.COUNT, value=1),
            benefit=Benefit.objects.create(range=self.range, type=Benefit.PERCENTAGE, value=10),
        )

    @cached_property
    def voucher(self):
        now = timezone.now()
        return Voucher.objects.create(name="矩阵券", code="MATRIX1", start_datetime=now,
                                      end_datetime=now + timedelta(days=30),
                                      num_basket_additions=1)  # buyer A's basket below

    @cached_property
    def voucher_set(self):
        now = timezone.now()
        return VoucherSet.objects.create(name="矩阵券组", count=1, description="测试",
                                         start_datetime=now, end_datetime=now + timedelta(days=3))

    @cached_property
    def flatpage(self):
        page = FlatPage.objects.create(url="/matrix/", title="矩阵页面", content="内容")
        page.sites.add(Site.objects.get_current())
        return page

    @cached_property
    def review(self):
        return ProductReview.objects.create(product=self.product_b, user=self.buyer_a, score=5,
                                            title="好茶", body="很好喝")

    @cached_property
    def comms_type(self):
        return CommunicationEventType.objects.create(code="MATRIX_EVENT", name="矩阵通知类型")

    @cached_property
    def shipping_method(self):
        method = WeightBased.objects.create(name="矩阵运费", code="matrix-weight")
        WeightBand.objects.create(method=method, upper_limit=Decimal("5"), charge=Decimal("8"))
        return method

    @property
    def shipping_band(self):
        return self.shipping_method.bands.get()

    @cached_property
    def category(self):
        return Category.objects.get(name="粮油")

    @cached_property
    def product_class(self):
        return ProductClass.objects.get(slug="farm-produce")

    @cached_property
    def option_group(self):
        return AttributeOptionGroup.objects.first()

    @cached_property
    def option(self):
        return Option.objects.create(name="矩阵选项", code="matrix-option")

    # --- cooperative B's live sessions, hosted by B's staff --------------------------------
    def _live_session_b(self, *, live: bool):
        from marketplace.livestream import services as live_services

        start = timezone.now() - timedelta(minutes=5)
        session = live_services.session_create(
            host=self.users["staff_b"], cooperatives=[self.coop_b], title="矩阵直播",
            scheduled_start=start, scheduled_end=start + timedelta(hours=1),
            hls_url="https://live.example.cn/matrix.m3u8")
        live_services.item_add(session=session, product=self.product_b,
                               live_price=Decimal("100.00"), flash_quantity=5)
        if live:
            live_services.session_go_live(session_id=session.pk, user=self.users["staff_b"])
        return session

    @cached_property
    def live_session_b(self):
        return self._live_session_b(live=True)

    @cached_property
    def scheduled_session_b(self):
        return self._live_session_b(live=False)

    @cached_property
    def live_product_b(self):
        return factories.product(self.coop_b, title="矩阵直播茶", price="50.00", stock=20)

    @cached_property
    def live_item_b(self):
        return self.live_session_b.items.get()

    @cached_property
    def live_comment_b(self):
        from marketplace.livestream.models import Comment

        return Comment.objects.create(session=self.live_session_b, user=self.users["buyer_b"],
                                      text="矩阵评论")

    @cached_property
    def note(self):
        return OrderNote.objects.create(order=self.order_b, message="平台备注：乙社缺货")

    # --- cooperative B's harvest batch and trace codes (一品一码) -------------------------
    @cached_property
    def batch_b(self):
        from marketplace.traceability import services as trace_services

        batch = trace_services.batch_create(
            user=self.users["staff_b"], cooperative=self.coop_b, product=self.product_b,
            batch_number="矩阵-2026-01", harvested_on=timezone.localdate(),
            quantity=Decimal("100"), unit="斤")
        trace_services.codes_issue(batch=batch, count=2, user=self.users["staff_b"])
        return batch

    @property
    def line_b(self):
        """Cooperative B's line of buyer A's order_b (B packs it)."""
        return self.order_b.lines.get()

    # --- the 数商兴农 report of 遂昌 (both cooperatives' county), generated --------------------
    @cached_property
    def sales_report(self):
        from marketplace.regions.models import Region
        from marketplace.reporting.models import SalesReport
        from marketplace.reporting.reports import previous_month, report_generate

        self.coop_a  # noqa: B018 - the county has cooperatives
        period = previous_month()
        report = SalesReport.objects.create(
            county=Region.objects.get(code="331123000000"), period=period.kind,
            first_day=period.first, last_day=period.last)
        return report_generate(report)


# --- cases -------------------------------------------------------------------------------
# kind decides what every role must get:
#   account   buyer A's object: A ok; anonymous -> /accounts/login/; everyone else 404
#   partner   cooperative B's object: B's staff and admin ok; anonymous -> /dashboard/login/;
#             buyers 403 (no dashboard access); cooperative A's staff 404
#   platform  platform-level dashboard object: admin ok; anonymous -> /dashboard/login/;
#             buyers and cooperative staff 403 (Oscar's permission rule; the project uses
#             403 for "signed in but not allowed", 404 only to hide another tenant's object)
#   django-admin / cms: admin ok; everyone else -> that admin's login page
#   bad-key   a wrong capability (hash, key) in the URL: 404 for every role, even with the
#             right e-mail or for the owner
LOGIN = {"account": "/accounts/login/", "partner": "/dashboard/login/",
         "platform": "/dashboard/login/", "django-admin": "/django-admin/login/",
         "cms": "/cms/login/"}
OK = (200, 201, 302)


@dataclass(frozen=True)
class Case:
    kind: str
    build: Callable[[World], tuple[str, str, dict | None]]
    # State a refused request must leave alone; with changes=True the allowed roles' request
    # must change it (proving the request was a real one).
    state: Callable[[World], object] | None = None
    changes: bool = False
    # Per-role overrides of the kind's expectation: a status, or "login".
    expect: dict[str, object] = field(default_factory=dict)
    skip_roles: tuple[str, ...] = ()


def _get(name, **kwargs):
    return lambda w: ("get", reverse(name, kwargs={k: v(w) for k, v in kwargs.items()}), None)


def _post(name, data=None, **kwargs):
    def build(w):
        payload = data(w) if callable(data) else (data or {})
        return "post", reverse(name, kwargs={k: v(w) for k, v in kwargs.items()}), payload
    return build


def _exists(model, attr):
    return lambda w: model.objects.filter(pk=getattr(w, attr).pk).exists()


def _field(attr, *names):
    def state(w):
        obj = getattr(w, attr)
        fresh = type(obj).objects.get(pk=obj.pk)
        return tuple(getattr(fresh, n) for n in names)
    return state


def _basket_lines_of_others(w):
    """Order lines re-ordered into anybody's basket but buyer A's own."""
    return BasketLine.objects.exclude(basket__owner=w.buyer_a).count()


# Bulk actions pick the ids among the requester's own rows: others' ids are skipped with a
# message and a redirect back to the requester's own list.
_OWN_ONLY_BULK = {"buyer_b": 302, "staff_a": 302, "staff_b": 302, "admin": 302}
# Order-level notes stay with platform staff (dashboard orders fork): 404 for cooperatives.
_NOTES_STAFF_ONLY = {"staff_b": 404}

number = lambda w: w.order.number  # noqa: E731
pending_number = lambda w: w.pending_order.number  # noqa: E731
address_pk = lambda w: w.address.pk  # noqa: E731
wishlist_key = lambda w: w.wishlist.key  # noqa: E731


def _payment_state(w):
    order = type(w.pending_order).objects.get(pk=w.pending_order.pk)
    return order.status, Payment.objects.filter(order=order).count()


def _refund_state(w):
    order = type(w.paid_order_b).objects.get(pk=w.paid_order_b.pk)
    return order.status, Refund.objects.filter(order=order).count()


def _refund_form(w):
    """A full refund of the order's one line, as the refund page's form posts it."""
    line = w.paid_order_b.lines.get()
    return {"reason": "矩阵退款", f"qty_{line.pk}": str(line.quantity),
            f"amount_{line.pk}": str(line.line_price_incl_tax)}



# --- live sessions: B's host (staff_b) and platform staff manage them ------------------------
# Buyers are no hosts: the console and the API answer them 404, like a missing session. The
# API answers an anonymous write 403 (DRF's session authentication), not the login page.
_LIVE_BUYERS = {"buyer_a": 404, "buyer_b": 404}
_LIVE_API = {"anonymous": 403, "buyer_a": 404, "buyer_b": 404}


def _live_state(w):
    from marketplace.livestream.models import LiveSession, PinEvent

    fresh = LiveSession.objects.get(pk=w.live_session_b.pk)
    return (fresh.status, fresh.items.count(),
            PinEvent.objects.filter(session=fresh, unpinned_at__isnull=True).count())


def _scheduled_state(w):
    from marketplace.livestream.models import LiveSession

    fresh = LiveSession.objects.get(pk=w.scheduled_session_b.pk)
    return fresh.status, fresh.items.count()


def _pinned_first(build):
    """Build a request that needs B's item on camera before it is sent (unpin)."""
    def first(w):
        from marketplace.livestream import services as live_services

        live_services.item_pin(session_id=w.live_session_b.pk, item_id=w.live_item_b.pk,
                               user=w.users["staff_b"])
        return build(w)
    return first


def _live_item_form(w):
    return {"product": w.live_product_b.pk, "live_price": "40.00", "flash_quantity": "1",
            "per_buyer_limit": "0", "display_order": "1"}


def _api(path):
    return lambda w: f"/api/live/sessions/{w.live_session_b.slug}/{path}"


def _api_post(path, data):
    return lambda w: ("post", _api(path)(w), data(w) if callable(data) else data)


def _api_post_scheduled(path, data):
    return lambda w: ("post", f"/api/live/sessions/{w.scheduled_session_b.slug}/{path}",
                      data(w) if callable(data) else data)


# Buyers never reach the refund page (no dashboard access): 404, like a missing order.
_REFUND_BUYERS = {"buyer_a": 404, "buyer_b": 404}


def _batch_state(w):
    from marketplace.traceability.models import HarvestBatch

    batch = HarvestBatch.objects.get(pk=w.batch_b.pk)
    return (batch.batch_number, batch.inputs.count(), batch.inspections.count(),
            batch.codes.count())


def _line_trace_state(w):
    from marketplace.traceability.models import LineBatch, TraceCode

    line = w.line_b
    return (sorted(TraceCode.objects.filter(order_line=line).values_list("code", flat=True)),
            LineBatch.objects.filter(order_line=line).count())


def _batch_pk(w):
    return w.batch_b.pk


def _batch_form(w):
    return {"batch_number": "矩阵-改", "plot_region": "", "plot_description": "",
            "planted_on": "", "harvested_on": w.batch_b.harvested_on.isoformat(),
            "quantity": "120", "unit": "斤"}


def _trace_labels(w):
    return ("get", reverse("trace-dashboard:batch-labels", kwargs={"pk": w.batch_b.pk}),
            {"first": 1, "last": 2})


def _sales_report_pk(w):
    return w.sales_report.pk


def _trace_bind_form(w):
    return {"action": "codes", "codes-codes": w.batch_b.codes.order_by("serial").first().code}

CASES: dict[str, Case] = {
    # customer account (Oscar's customer app)
    "order-detail": Case("account", _get("customer:order", order_number=number)),
    "order-reorder": Case("account", _post("customer:order", {"action": "reorder"},
                                           order_number=number),
                          state=_basket_lines_of_others),
    "order-line": Case("account", _get("customer:order-line", order_number=number,
                                       line_id=lambda w: w.order.lines.first().pk)),
    "order-line-reorder": Case("account", _post(
        "customer:order-line", {"action": "reorder"}, order_number=number,
        line_id=lambda w: w.order.lines.first().pk), state=_basket_lines_of_others),
    "address-get": Case("account", _get("customer:address-detail", pk=address_pk)),
    "address-post": Case("account", _post("customer:address-detail", {
        "first_name": "改名", "phone_number": "13812345678", "line1": "改地址",
        "region": "331123102209"}, pk=address_pk),
        state=_field("address", "first_name", "line1"), changes=True),
    "address-delete-get": Case("account", _get("customer:address-delete", pk=address_pk)),
    "address-delete-post": Case("account", _post("customer:address-delete", pk=address_pk),
                                state=_exists(UserAddress, "address"), changes=True),
    "address-default-shipping": Case("account", lambda w: ("get", reverse(
        "customer:address-change-status",
        kwargs={"pk": w.address.pk, "action": "default_for_shipping"}), None),
        state=_field("address", "is_default_for_shipping"), changes=True),
    "address-default-billing": Case("account", lambda w: ("get", reverse(
        "customer:address-change-status",
        kwargs={"pk": w.address.pk, "action": "default_for_billing"}), None),
        state=_field("address", "is_default_for_billing"), changes=True),
    "email-detail": Case("account", _get("customer:email-detail",
                                         email_id=lambda w: w.email.pk)),
    "notification-detail": Case("account", _get("customer:notifications-detail",
                                                pk=lambda w: w.notification.pk)),
    "notification-archive": Case("account", lambda w: (
        "post", reverse("customer:notifications-update"),
        {"action": "archive", "selected_notification": [w.notification.pk]}),
        state=_field("notification", "location"), changes=True, expect=_OWN_ONLY_BULK),
    "notification-delete": Case("account", lambda w: (
        "post", reverse("customer:notifications-update"),
        {"action": "delete", "selected_notification": [w.notification.pk]}),
        state=_exists(Notification, "notification"), changes=True, expect=_OWN_ONLY_BULK),
    "alert-cancel-by-pk": Case("account", _get("customer:alerts-cancel-by-pk",
                                               pk=lambda w: w.alert.pk),
                               state=_field("alert", "status"), changes=True),
    "alert-confirm-wrong-key": Case("bad-key", _get("customer:alerts-confirm",
                                                    key=lambda w: w.alert.key[::-1] + "x"),
                                    state=_field("alert", "status")),
    "alert-cancel-wrong-key": Case("bad-key", _get("customer:alerts-cancel-by-key",
                                                   key=lambda w: w.alert.key[::-1] + "x"),
                                   state=_field("alert", "status")),
    # wish lists (templates hide the feature, but Oscar still mounts the URLs)
    # Oscar answers anonymous visitors of a wish list's edit page with 404, not the login page.
    "wishlist-detail": Case("account", _get("customer:wishlists-detail", key=wishlist_key),
                            expect={"anonymous": 404}),
    "wishlist-detail-post": Case("account", lambda w: (
        "post", reverse("customer:wishlists-detail", kwargs={"key": w.wishlist.key}), {
            "lines-TOTAL_FORMS": "1", "lines-INITIAL_FORMS": "1", "lines-MIN_NUM_FORMS": "0",
            "lines-MAX_NUM_FORMS": "1000", "lines-0-id": w.wishlist.lines.get().pk,
            "lines-0-quantity": "7"}),
        state=lambda w: w.wishlist.lines.get().quantity, changes=True,
        expect={"anonymous": 404}),
    "wishlist-update": Case("account", _post("customer:wishlists-update", {
        "name": "改名", "visibility": "Public",
        "shared_emails-TOTAL_FORMS": "0", "shared_emails-INITIAL_FORMS": "0",
        "shared_emails-MIN_NUM_FORMS": "0", "shared_emails-MAX_NUM_FORMS": "1000"},
        key=wishlist_key), state=_field("wishlist", "name", "visibility"), changes=True),
    "wishlist-delete": Case("account", _post("customer:wishlists-delete", key=wishlist_key),
                            state=_exists(WishList, "wishlist"), changes=True),
    "wishlist-add-to-key": Case("account", _post(
        "customer:wishlists-add-product", key=wishlist_key,
        product_pk=lambda w: w.product_b.pk),
        state=lambda w: w.wishlist.lines.count(), changes=True),
    "wishlist-remove-line": Case("account", _post(
        "customer:wishlists-remove-product", key=wishlist_key,
        line_pk=lambda w: w.wishlist.lines.get().pk),
        state=lambda w: w.wishlist.lines.count(), changes=True),
    "wishlist-remove-product": Case("account", _post(
        "customer:wishlists-remove-product", key=wishlist_key,
        product_pk=lambda w: w.product_a.pk),
        state=lambda w: w.wishlist.lines.count(), changes=True),
    "wishlist-move-line": Case("account", _get(
        "customer:wishlists-move-product-to-another", key=wishlist_key,
        line_pk=lambda w: w.wishlist.lines.get().pk, to_key=lambda w: w.wishlist_2.key),
        state=lambda w: w.wishlist.lines.count(), changes=True),
    # The shared-by-key page: a private list is refused with Oscar's 403 (PermissionDenied),
    # to anonymous visitors too; only public and shared lists are meant to be read by key.
    "wishlist-shared-page-private": Case("account", _get("wishlists:detail", key=wishlist_key),
                                         expect={r: 403 for r in ROLES if r != "buyer_a"}),
    # guest order status link (customer fork): a hash that does not sign the number is a 404
    "order-status-wrong-hash": Case("bad-key", lambda w: ("get", reverse(
        "customer:anon-order", kwargs={"order_number": w.guest_order.number,
                                       "hash": w.order.verification_hash()}), None)),
    "order-status-form-wrong-hash": Case("bad-key", lambda w: ("post", reverse(
        "customer:anon-order-form",
        kwargs={"order_number": w.guest_order.number, "hash": "0-wrong"}),
        {"email": w.guest_order.guest_email})),
    # basket (the basket fork answers a foreign line with a message, on the requester's basket)
    "basket-line-formset": Case("account", lambda w: ("post", reverse("basket:summary"), {
        "form-TOTAL_FORMS": "1", "form-INITIAL_FORMS": "1", "form-MIN_NUM_FORMS": "0",
        "form-MAX_NUM_FORMS": "1000", "form-0-id": w.basket.lines.get().pk,
        "form-0-quantity": "5"}),
        state=lambda w: w.basket.lines.get().quantity, changes=True,
        expect={r: 302 for r in ROLES if r != "buyer_a"}),
    "basket-voucher-remove": Case("account", lambda w: ("post", reverse(
        "basket:vouchers-remove", kwargs={"pk": w.basket.vouchers.get().pk}), {}),
        state=lambda w: w.basket.vouchers.count(), changes=True,
        expect={r: 302 for r in ROLES if r != "buyer_a"}),
    # checkout (fork): the address book inside checkout
    "checkout-address-update-get": Case("account", _get(
        "checkout:user-address-update", pk=address_pk)),
    "checkout-address-update-post": Case("account", _post("checkout:user-address-update", {
        "first_name": "改名", "phone_number": "13812345678", "line1": "改地址",
        "region": "331123102209"}, pk=address_pk),
        state=_field("address", "first_name", "line1")),
    "checkout-address-delete-get": Case("account", _get(
        "checkout:user-address-delete", pk=address_pk)),
    "checkout-address-delete-post": Case("account", _post(
        "checkout:user-address-delete", pk=address_pk), state=_exists(UserAddress, "address")),
    # payments (sandbox provider): only the buyer's own order; another buyer's, a
    # cooperative's or even an admin's request for it is a 404, and refusing it must not
    # start a payment (the owner's GET pays the sandbox order at once)
    "payment-pay": Case("account", _get("payments:pay", number=pending_number),
                        state=_payment_state, changes=True),
    "payment-return": Case("account", _get("payments:return", number=pending_number),
                           state=_payment_state),
    "payment-status": Case("account", _get("payments:status", number=pending_number),
                           state=_payment_state),

    # --- dashboard: cooperative-level objects of cooperative B ---------------------------
    "order-note-get": Case("partner", _get("dashboard:order-detail-note",
                                           number=lambda w: w.order_b.number,
                                           note_id=lambda w: w.note.pk),
                           expect=_NOTES_STAFF_ONLY),
    "order-note-post": Case("partner", _post(
        "dashboard:order-detail-note", {"order_action": "save_note", "message": "改了"},
        number=lambda w: w.order_b.number, note_id=lambda w: w.note.pk),
        # B's staff get the fork's "only platform staff" message and a redirect
        state=_field("note", "message"), expect={"staff_b": 302}),
    # Refunds of cooperative B's order: B's staff and platform staff; A's staff have no line
    # in it (404). Refused: no Refund row, order status as it was.
    "refund-get": Case("partner", _get("payments-dashboard:refund",
                                       order_number=lambda w: w.paid_order_b.number),
                       expect=_REFUND_BUYERS),
    "refund-post": Case("partner", _post("payments-dashboard:refund", _refund_form,
                                         order_number=lambda w: w.paid_order_b.number),
                        state=_refund_state, changes=True, expect=_REFUND_BUYERS),
    # Live sessions of cooperative B (host: B's staff): the host console and the API.
    "live-console": Case("partner", _get("livestream-dashboard:console",
                                         pk=lambda w: w.live_session_b.pk), expect=_LIVE_BUYERS),
    "live-figures": Case("partner", _get("livestream-dashboard:figures",
                                         pk=lambda w: w.live_session_b.pk), expect=_LIVE_BUYERS),
    "live-item-add": Case("partner", _post("livestream-dashboard:item-add", _live_item_form,
                                           pk=lambda w: w.scheduled_session_b.pk),
                          state=_scheduled_state, changes=True, expect=_LIVE_BUYERS),
    "live-transition": Case("partner", _post("livestream-dashboard:transition",
                                             {"action": "go_live"},
                                             pk=lambda w: w.scheduled_session_b.pk),
                            state=_scheduled_state, changes=True, expect=_LIVE_BUYERS),
    "live-pin": Case("partner", _post("livestream-dashboard:pin",
                                      pk=lambda w: w.live_session_b.pk,
                                      item_pk=lambda w: w.live_item_b.pk),
                     state=_live_state, changes=True, expect=_LIVE_BUYERS),
    "live-unpin": Case("partner", _pinned_first(_post("livestream-dashboard:unpin",
                                                      pk=lambda w: w.live_session_b.pk)),
                       state=_live_state, changes=True, expect=_LIVE_BUYERS),
    "live-comment-hide": Case("partner", _post("livestream-dashboard:comment-hide",
                                               pk=lambda w: w.live_session_b.pk,
                                               comment_pk=lambda w: w.live_comment_b.pk),
                              state=_field("live_comment_b", "hidden"), changes=True,
                              expect=_LIVE_BUYERS),
    "api-live-items": Case("partner", _api_post_scheduled("items/", _live_item_form),
                           state=_scheduled_state, changes=True, expect=_LIVE_API),
    "api-live-transition": Case("partner", _api_post_scheduled("transition/",
                                                               {"action": "go_live"}),
                                state=_scheduled_state, changes=True, expect=_LIVE_API),
    "api-live-pin": Case("partner", _api_post("pin/", lambda w: {"item": w.live_item_b.pk}),
                         state=_live_state, changes=True, expect=_LIVE_API),
    "api-live-unpin": Case("partner", _pinned_first(_api_post("unpin/", {})),
                           state=_live_state, changes=True, expect=_LIVE_API),
    # Harvest batches, codes and packing of cooperative B (一品一码): another cooperative's
    # batch or order line is a 404 as if it did not exist; nothing it posts is saved.
    "trace-batch-detail": Case("partner", _get("trace-dashboard:batch-detail", pk=_batch_pk)),
    "trace-batch-edit-get": Case("partner", _get("trace-dashboard:batch-edit", pk=_batch_pk)),
    "trace-batch-edit-post": Case("partner", _post("trace-dashboard:batch-edit", _batch_form,
                                                   pk=_batch_pk),
                                  state=_batch_state, changes=True),
    "trace-input-add": Case("partner", _post("trace-dashboard:input-add", {
        "input-kind": "fertiliser", "input-name": "有机肥", "input-amount": "每亩 100 公斤",
        "input-applied_on": "2026-01-05"}, pk=_batch_pk), state=_batch_state, changes=True),
    "trace-inspection-add": Case("partner", _post("trace-dashboard:inspection-add", {
        "inspection-kind": "certificate", "inspection-issuer": "遂昌县农业农村局",
        "inspection-inspected_on": "2026-01-06", "inspection-result": "pass"}, pk=_batch_pk),
        state=_batch_state, changes=True),
    "trace-codes-issue": Case("partner", _post("trace-dashboard:codes-issue", {"count": 3},
                                               pk=_batch_pk),
                              state=_batch_state, changes=True),
    "trace-batch-labels": Case("partner", _trace_labels),
    "trace-order-pack": Case("partner", _get("trace-dashboard:order-pack",
                                             number=lambda w: w.order_b.number)),
    "trace-line-pack-get": Case("partner", _get("trace-dashboard:line-pack",
                                                pk=lambda w: w.line_b.pk)),
    "trace-line-pack-post": Case("partner", _post("trace-dashboard:line-pack", _trace_bind_form,
                                                  pk=lambda w: w.line_b.pk),
                                 state=_line_trace_state, changes=True),
    # the same through the API: anonymous 403 (no session), buyers manage no batch (404)
    "api-trace-batch": Case("partner", lambda w: ("get", f"/api/trace/batches/{w.batch_b.pk}/",
                                                  None), expect=_LIVE_API),
    "api-trace-codes": Case("partner", lambda w: (
        "post", f"/api/trace/batches/{w.batch_b.pk}/codes/", {"count": 2}),
        state=_batch_state, changes=True, expect=_LIVE_API),
    "api-trace-inputs": Case("partner", lambda w: (
        "post", f"/api/trace/batches/{w.batch_b.pk}/inputs/", {
            "kind": "fertiliser", "name": "有机肥", "amount": "100 公斤",
            "applied_on": "2026-01-05"}),
        state=_batch_state, changes=True, expect=_LIVE_API),
    "api-trace-bind": Case("partner", lambda w: (
        "post", f"/api/trace/lines/{w.line_b.pk}/bind/", {"batch": w.batch_b.pk}),
        state=_line_trace_state, changes=True, expect=_LIVE_API),
    # The county's 数商兴农 report: county-level, so platform staff (and the county's
    # analysts, tests/reporting/test_reports.py) only; cooperatives and buyers 403.
    "sales-report-detail": Case("platform", _get("sales-reports:detail", pk=_sales_report_pk)),
    "sales-report-status": Case("platform", _get("sales-reports:status", pk=_sales_report_pk)),
    "sales-report-xlsx": Case("platform", _get("sales-reports:xlsx", pk=_sales_report_pk)),
    "sales-report-pdf": Case("platform", _get("sales-reports:pdf", pk=_sales_report_pk)),
    # The sales dashboard's downloads: platform staff read every county; cooperative staff
    # get their own cooperative's figures (tests/reporting/test_exports.py checks the rows);
    # buyers 403, anonymous the dashboard login.
    "sales-dashboard-export": Case("platform", _get(
        "sales-dashboard:export", table=lambda w: "products", fmt=lambda w: "csv"),
        expect={"staff_a": "ok", "staff_b": "ok"}),
    # the same as JSON for the province: anonymous 403 (DRF session authentication)
    "api-sales-report": Case("platform", lambda w: (
        "get", f"/api/reports/{w.sales_report.county_id}/"
               f"{w.sales_report.data['period_key']}/", None), expect={"anonymous": 403}),
    "product-create-child": Case("platform", _get("dashboard:catalogue-product-create-child",
                                                  parent_pk=lambda w: w.product_b.pk)),

    # --- dashboard: platform-level objects ----------------------------------------------
    "user-detail": Case("platform", _get("dashboard:user-detail", pk=lambda w: w.buyer_a.pk)),
    "user-password-reset": Case("platform", _post("dashboard:user-password-reset",
                                                  pk=lambda w: w.buyer_a.pk),
                                state=lambda w: len(mail.outbox)),
    "user-alert-update": Case("platform", _post("dashboard:user-alert-update",
                                                {"status": "Cancelled"},
                                                pk=lambda w: w.alert.pk),
                              state=_field("alert", "status"), changes=True),
    "user-alert-delete": Case("platform", _post("dashboard:user-alert-delete",
                                                pk=lambda w: w.alert.pk),
                              state=_exists(ProductAlert, "alert"), changes=True),
    "page-update": Case("platform", _get("dashboard:page-update", pk=lambda w: w.flatpage.pk)),
    "page-delete": Case("platform", _post("dashboard:page-delete", pk=lambda w: w.flatpage.pk),
                        state=_exists(FlatPage, "flatpage"), changes=True),
    "partner-manage": Case("platform", _post("dashboard:partner-manage", {"name": "改名"},
                                             pk=lambda w: w.coop_b.partner.pk),
                           state=lambda w: type(w.coop_b.partner).objects.get(
                               pk=w.coop_b.partner.pk).name),
    "partner-delete": Case("platform", _get("dashboard:partner-delete",
                                            pk=lambda w: w.coop_b.partner.pk)),
    "partner-user-create": Case("platform", _get("dashboard:partner-user-create",
                                                 partner_pk=lambda w: w.coop_b.partner.pk)),
    "partner-user-select": Case("platform", _get("dashboard:partner-user-select",
                                                 partner_pk=lambda w: w.coop_b.partner.pk)),
    "partner-user-link": Case("platform", _post(
        "dashboard:partner-user-link", partner_pk=lambda w: w.coop_b.partner.pk,
        user_pk=lambda w: w.buyer_a.pk),
        state=lambda w: w.coop_b.partner.users.filter(pk=w.buyer_a.pk).exists(), changes=True),
    "partner-user-unlink": Case("platform", _post(
        "dashboard:partner-user-unlink", partner_pk=lambda w: w.coop_b.partner.pk,
        user_pk=lambda w: w.users["staff_b"].pk),
        state=lambda w: w.coop_b.partner.users.filter(pk=w.users["staff_b"].pk).exists(),
        changes=True,
        # unlinking staff_b first would change who "staff_b" is; admin alone does it
        skip_roles=("staff_b",)),
    "partner-user-update": Case("platform", _get(
        "dashboard:partner-user-update", partner_pk=lambda w: w.coop_b.partner.pk,
        user_pk=lambda w: w.users["staff_b"].pk)),
    "offer-metadata": Case("platform", _get("dashboard:offer-metadata",
                                            pk=lambda w: w.offer.pk)),
    "offer-condition": Case("platform", _get("dashboard:offer-condition",
                                             pk=lambda w: w.offer.pk)),
    "offer-benefit": Case("platform", _get("dashboard:offer-benefit", pk=lambda w: w.offer.pk)),
    "offer-restrictions": Case("platform", _get("dashboard:offer-restrictions",
                                                pk=lambda w: w.offer.pk)),
    "offer-detail": Case("platform", _get("dashboard:offer-detail", pk=lambda w: w.offer.pk)),
    "offer-delete": Case("platform", _post("dashboard:offer-delete", pk=lambda w: w.offer.pk),
                         state=_exists(ConditionalOffer, "offer"), changes=True),
    "range-update": Case("platform", _get("dashboard:range-update", pk=lambda w: w.range.pk)),
    "range-products": Case("platform", _get("dashboard:range-products",
                                            pk=lambda w: w.range.pk)),
    "range-reorder": Case("platform", _post("dashboard:range-reorder", {"product": []},
                                            pk=lambda w: w.range.pk)),
    "range-delete": Case("platform", _post("dashboard:range-delete", pk=lambda w: w.range.pk),
                         state=_exists(Range, "range"), changes=True),
    "review-update": Case("platform", _get("dashboard:reviews-update",
                                           pk=lambda w: w.review.pk)),
    "review-delete": Case("platform", _post("dashboard:reviews-delete",
                                            pk=lambda w: w.review.pk),
                          state=_exists(ProductReview, "review"), changes=True),
    "voucher-update": Case("platform", _get("dashboard:voucher-update",
                                            pk=lambda w: w.voucher.pk)),
    "voucher-stats": Case("platform", _get("dashboard:voucher-stats",
                                           pk=lambda w: w.voucher.pk)),
    "voucher-delete": Case("platform", _post("dashboard:voucher-delete",
                                             pk=lambda w: w.voucher.pk),
                           state=_exists(Voucher, "voucher"), changes=True),
    "voucher-set-update": Case("platform", _get("dashboard:voucher-set-update",
                                                pk=lambda w: w.voucher_set.pk)),
    "voucher-set-detail": Case("platform", _get("dashboard:voucher-set-detail",
                                                pk=lambda w: w.voucher_set.pk)),
    "voucher-set-download": Case("platform", _get("dashboard:voucher-set-download",
                                                  pk=lambda w: w.voucher_set.pk)),
    "voucher-set-delete": Case("platform", _post("dashboard:voucher-set-delete",
                                                 pk=lambda w: w.voucher_set.pk),
                               state=_exists(VoucherSet, "voucher_set"), changes=True),
    "comms-update": Case("platform", _get("dashboard:comms-update",
                                          slug=lambda w: w.comms_type.code)),
    "shipping-detail": Case("platform", _get("dashboard:shipping-method-detail",
                                             pk=lambda w: w.shipping_method.pk)),
    "shipping-edit": Case("platform", _get("dashboard:shipping-method-edit",
                                           pk=lambda w: w.shipping_method.pk)),
    "shipping-delete": Case("platform", _post("dashboard:shipping-method-delete",
                                              pk=lambda w: w.shipping_method.pk),
                            state=_exists(WeightBased, "shipping_method"), changes=True),
    "shipping-band-edit": Case("platform", _get(
        "dashboard:shipping-method-band-edit", method_pk=lambda w: w.shipping_method.pk,
        pk=lambda w: w.shipping_band.pk)),
    "shipping-band-delete": Case("platform", _post(
        "dashboard:shipping-method-band-delete", method_pk=lambda w: w.shipping_method.pk,
        pk=lambda w: w.shipping_band.pk),
        state=lambda w: w.shipping_method.bands.count(), changes=True),
    "category-detail-list": Case("platform", _get("dashboard:catalogue-category-detail-list",
                                                  pk=lambda w: w.category.pk)),
    "category-create-child": Case("platform", _get("dashboard:catalogue-category-create-child",
                                                   parent=lambda w: w.category.pk)),
    "category-update": Case("platform", _get("dashboard:catalogue-category-update",
                                             pk=lambda w: w.category.pk)),
    "category-delete": Case("platform", _post("dashboard:catalogue-category-delete",
                                              pk=lambda w: w.category.pk),
                            state=_exists(Category, "category"), changes=True),
    "product-class-update": Case("platform", _get("dashboard:catalogue-class-update",
                                                  pk=lambda w: w.product_class.pk)),
    "product-class-delete": Case("platform", _post("dashboard:catalogue-class-delete",
                                                   pk=lambda w: w.product_class.pk),
                                 state=_exists(ProductClass, "product_class")),
    "option-group-update": Case("platform", _get(
        "dashboard:catalogue-attribute-option-group-update", pk=lambda w: w.option_group.pk)),
    "option-group-delete": Case("platform", _post(
        "dashboard:catalogue-attribute-option-group-delete", pk=lambda w: w.option_group.pk),
        state=_exists(AttributeOptionGroup, "option_group")),
    "option-update": Case("platform", _get("dashboard:catalogue-option-update",
                                           pk=lambda w: w.option.pk)),
    "option-delete": Case("platform", _post("dashboard:catalogue-option-delete",
                                            pk=lambda w: w.option.pk),
                          state=_exists(Option, "option"), changes=True),

    # --- Django admin and Wagtail admin (every other admin URL: the sweep below) ---------
    "django-admin-user-change": Case("django-admin", lambda w: ("post", reverse(
        "admin:accounts_user_change", args=[w.buyer_a.pk]), {"email": "stolen@example.com"}),
        state=_field("buyer_a", "email")),
    "django-admin-user-delete": Case("django-admin", lambda w: ("post", reverse(
        "admin:accounts_user_delete", args=[w.buyer_a.pk]), {"post": "yes"}),
        state=lambda w: get_user_model().objects.filter(pk=w.buyer_a.pk).exists(),
        changes=True),
    "cms-page-edit": Case("cms", lambda w: ("get", reverse(
        "wagtailadmin_pages:edit", args=[_home_page().pk]), None)),
    "cms-page-unpublish": Case("cms", lambda w: ("post", reverse(
        "wagtailadmin_pages:unpublish", args=[_home_page().pk]), {}),
        state=lambda w: _home_page().live, changes=True),
}


def _home_page():
    from wagtail.models import Site as WagtailSite

    return WagtailSite.objects.get(is_default_site=True).root_page.specific


def _world_ctx(w: World) -> dict:
    return {"product_a": w.product_a, "product_b": w.product_b,
            "order_b": w.order_b, "mixed_order": w.order}


# Cooperative A's staff against these is tested in tests/dashboard/test_cooperative_scoping.py;
# here: anonymous, buyers and admin. Cooperative B's own staff is tested there as well.
for _name, _build in FOREIGN_URLS.items():
    CASES[f"coop-scoping:{_name}"] = Case(
        "partner", lambda w, _b=_build: _b(_world_ctx(w)), skip_roles=("staff_a", "staff_b"))


def expected(case: Case, role: str):
    if role in case.expect:
        return case.expect[role]
    allowed = {
        "account": {"buyer_a"},
        "partner": {"staff_b", "admin"},
        "platform": {"admin"},
        "django-admin": {"admin"},
        "cms": {"admin"},
        "bad-key": set(),
    }[case.kind]
    if role in allowed:
        return "ok"
    if role == "anonymous" and case.kind in LOGIN:
        return "login"
    if case.kind in ("django-admin", "cms"):
        return "login"
    if case.kind == "partner":
        return 404 if role == "staff_a" else 403
    if case.kind == "platform":
        return 403
    return 404


def _check(case: Case, response, want) -> str | None:
    status = response.status_code
    if want == "ok":
        return None if status in OK else f"expected 200/302, got {status}"
    if want == "login":
        login = LOGIN[case.kind]
        location = response.get("Location", "")
        if status == 302 and location.startswith(login):
            return None
        return f"expected a redirect to {login}, got {status} {location}"
    if want == "order-status-form":
        location = response.get("Location", "")
        if status == 302 and "/order-status-form/" in location:
            return None
        return f"expected the order status e-mail form, got {status} {location}"
    return None if status == want else f"expected {want}, got {status}"


def _client_for(world: World, role: str) -> Client:
    client = Client()
    if role != "anonymous":
        client.force_login(world.users[role])
    return client


@pytest.mark.parametrize("case_name", CASES.keys())
def test_matrix(db, case_name):
    """One URL, every role: refused roles get no object and change nothing."""
    # given
    case = CASES[case_name]
    world = World()
    world.users  # noqa: B018 - everyone exists before the first request
    method, url, data = case.build(world)
    before = case.state(world) if case.state else None
    roles = [r for r in ROLES if r not in case.skip_roles]
    # refused roles first, so an allowed POST cannot hide their effect
    roles.sort(key=lambda r: expected(case, r) == "ok")
    failures = []
    # when every role sends the same request
    for role in roles:
        want = expected(case, role)
        response = getattr(_client_for(world, role), method)(url, data or {})
        # then
        problem = _check(case, response, want)
        if problem:
            failures.append(f"{role}: {method.upper()} {url}: {problem}")
        if want != "ok" and response.status_code == 200 and case.kind == "account":
            # a refused role that got a page must not see buyer A's data in it
            assert world.buyer_a.email.encode() not in response.content, role
        if case.state and want != "ok":
            after = case.state(world)
            if after != before:
                failures.append(f"{role}: {method.upper()} {url} changed {before!r} -> {after!r}")
        elif case.state and case.changes and want == "ok":
            after = case.state(world)
            if after == before:
                failures.append(f"{role} (allowed): {method.upper()} {url} changed nothing, so "
                                f"the refusal check proves nothing")
            break  # the object is changed or gone now; later allowed roles would see that
    assert not failures, "\n".join(failures)


# --- payments through Stripe ------------------------------------------------------------
# localstripe's fixtures (tests/payments/conftest.py offers them to tests/payments/ only)
localstripe = stripe_helpers.localstripe
stripe_on = stripe_helpers.stripe_on


def test_refused_pay_page_creates_no_stripe_intent(db, stripe_on):
    """With Stripe the pay page creates a PaymentIntent: a refused role must not make one
    for someone else's order (it would also bind the order's attempt to the wrong session)."""
    # given buyer A's order awaiting payment, Stripe on (localstripe)
    world = World()
    order = world.pending_order
    url = reverse("payments:pay", kwargs={"number": order.number})
    # when every other role opens its pay page
    answers = {role: _client_for(world, role).get(url) for role in ROLES if role != "buyer_a"}
    # then each is refused, and neither our records nor Stripe hold a payment for it
    assert {r: a.status_code for r, a in answers.items()} == {
        "anonymous": 302, "buyer_b": 404, "staff_a": 404, "staff_b": 404, "admin": 404}
    assert answers["anonymous"]["Location"].startswith("/accounts/login/")
    assert not Payment.objects.filter(order=order).exists()
    intents = stripe_client(stripe_on).v1.payment_intents.list(params={"limit": 100})
    assert not [i for i in intents.data if i.metadata.get("order_number") == order.number]
    # while buyer A gets the Stripe page with a client secret for the order
    page = _client_for(world, "buyer_a").get(url)
    assert page.status_code == 200
    intent = stripe_client(stripe_on).v1.payment_intents.retrieve(
        Payment.objects.get(order=order).reference)
    assert intent.metadata["order_number"] == order.number
    assert f'data-client-secret="{intent.client_secret}"' in page.content.decode()


# --- refunds of an order shared by two cooperatives -------------------------------------

def test_cooperative_refunds_only_its_own_line_of_a_shared_order(db):
    # given a paid order with a line of cooperative A and one of B; A's staff signed in
    world = World()
    order = world.paid_mixed_order
    line_a = order.lines.get(partner=world.coop_a.partner)
    line_b = order.lines.get(partner=world.coop_b.partner)
    client = _client_for(world, "staff_a")
    url = reverse("payments-dashboard:refund", kwargs={"order_number": order.number})
    # when A's staff open the refund page, then only A's line is offered
    page = client.get(url)
    assert page.status_code == 200
    assert line_a.title in page.content.decode()
    assert line_b.title not in page.content.decode()
    # when they post a refund of B's line (a tampered form), then it is refused with a
    # reason, and no money moves
    refused = client.post(url, {"reason": "越权", f"qty_{line_b.pk}": "1",
                                f"amount_{line_b.pk}": "1.00"})
    assert refused.status_code in (200, 400)
    assert refused.context["form"].errors
    assert not Refund.objects.filter(order=order).exists()
    order.refresh_from_db()
    assert order.status == "paid"
    # when they refund their own line, then only that line is refunded
    done = client.post(url, {"reason": "坏了", f"qty_{line_a.pk}": "1",
                             f"amount_{line_a.pk}": str(line_a.line_price_incl_tax)})
    assert done.status_code == 302
    refund = Refund.objects.get(order=order)
    assert list(refund.lines.values_list("line_id", flat=True)) == [line_a.pk]
    order.refresh_from_db()
    assert order.status == "partially_refunded"


# --- checkout thank-you ------------------------------------------------------------------

def test_thank_you_ignores_order_number_in_the_query_for_non_superusers(db):
    # given buyer A's order and buyer B, who guesses its number
    world = World()
    order = world.order
    client = _client_for(world, "buyer_b")
    # when
    response = client.get(reverse("checkout:thank-you"),
                          {"order_number": order.number, "order_id": order.pk})
    # then: no order of B's session, so the page sends B home
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_thank_you_refuses_another_buyers_order_id_in_the_session(db):
    # given buyer B's session somehow holds buyer A's order id (e.g. a shared browser)
    world = World()
    order = world.order
    client = _client_for(world, "buyer_b")
    session = client.session
    session["checkout_order_id"] = order.pk
    session.save()
    # when
    response = client.get(reverse("checkout:thank-you"))
    # then
    assert order.number.encode() not in response.content
    assert response.status_code in (302, 404)


# --- Django admin and Wagtail admin: every URL is gated ----------------------------------
# Both admins check access before they look an object up, so a sample id is enough; the
# explicit cases above show the same with real objects and the admin's own success.

def _walk(patterns=None, prefix=()):
    for p in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(p, URLResolver):
            yield from _walk(p.url_patterns, (*prefix, p))
        else:
            yield (*prefix, p)


def _sample(tokens) -> str:
    """A short string that matches a parsed regex (digits as 1, words as x)."""
    out = []
    for op, arg in tokens:
        name = str(op)
        if name == "LITERAL":
            out.append(chr(arg))
        elif name in ("ANY", "NOT_LITERAL"):
            out.append("x")
        elif name == "IN":
            out.append(_sample_in(arg))
        elif name in ("MAX_REPEAT", "MIN_REPEAT"):
            low, high, sub = arg
            count = low if high == 1 else max(low, 1)
            out.append(_sample(sub) * count)
        elif name == "SUBPATTERN":
            out.append(_sample(arg[-1]))
        elif name == "BRANCH":
            out.append(_sample(arg[1][-1]))
        elif name == "AT":
            continue
        else:
            raise ValueError(f"no sample for regex op {name}")
    return "".join(out)


def _sample_in(items) -> str:
    candidates = []
    for op, arg in items:
        name = str(op)
        if name == "NEGATE":
            return "x"
        if name == "LITERAL":
            candidates.append(chr(arg))
        elif name == "RANGE":
            candidates.append("1" if arg[0] <= ord("1") <= arg[1] else chr(arg[0]))
        elif name == "CATEGORY":
            candidates.append("1" if "DIGIT" in str(arg) else "x")
    return next((c for c in candidates if c.isalnum()), candidates[0])


def _has_parameters(chain) -> bool:
    return any(p.pattern.regex.groups for p in chain)


def sample_path(chain) -> str:
    path = "/" + "".join(_sample(sre_parse.parse(p.pattern.regex.pattern)) for p in chain)
    match = resolve(path)
    assert match.func is chain[-1].callback, f"{path} resolves elsewhere: {match.route}"
    return path


def _route(chain) -> str:
    return resolve(sample_path(chain)).route


def _object_routes():
    return [chain for chain in _walk() if _has_parameters(chain)]


GATED_ADMINS = {"django-admin/": "/django-admin/login/", "cms/": "/cms/login/"}


# Routes that anyone may open, and why (the admins' doors, and public objects by id/slug).
PUBLIC_BY_DESIGN = {
    "documents/(\\d+)/(.*)$": "Wagtail serves documents; private collections are checked by "
                              "Wagtail's own privacy rules before serving",
    "documents/authenticate_with_password/<int:restriction_id>/":
        "the password form of a restricted document, shows no document",
    "live/<slug:slug>/": "public live session page (cancelled ones say so)",
    "live/<slug:slug>/state.json": "public state of a public session (what its page shows)",
    "live/<slug:slug>/heartbeat": "counts the requester as a viewer of a public session",
    "live/<slug:slug>/buy/<int:item_id>/":
        "puts a public live item into the requester's own basket (an item of another "
        "session is refused)",
    "live/<slug:slug>/comments/": "posts the requester's own comment on a public session",
    "live/<slug:slug>/remind/": "the requester's own start reminder for a public session",
    "api/live/sessions/(?P<slug>[^/.]+)/$": "public session read (cancelled ones are 404)",
    "api/live/sessions/(?P<slug>[^/.]+)/state/$": "public state of a public session",
    "api/live/sessions/(?P<slug>[^/.]+)/comments/$":
        "public comments of a public session; POST adds the requester's own comment",
    "cooperatives/<slug:slug>/": "public cooperative profile page",
    "t/<str:code>/": "public trace page of a code (一品一码): production, sale and town/village "
                     "delivery, no personal data; tests/traceability/test_trace_page.py",
    "api/trace/codes/<str:code>/events/": "a code's public history for other platforms (what "
                                          "its trace page shows, no personal data); "
                                          "tests/traceability/test_api.py",
    "t/<str:code>/qr.png": "the QR of a code's public page (its URL only)",
    "t/<str:code>/qr.svg": "the QR of a code's public page (its URL only)",
    "cooperatives/<slug:slug>/follow/":
        "the requester's own follow of a public cooperative (anonymous: the login page); "
        "tests/cooperatives/test_follow.py",
    "cooperatives/<slug:slug>/unfollow/":
        "removes only the requester's own follow of a public cooperative",
    "catalogue/(?P<product_slug>[\\w-]*)_(?P<pk>\\d+)/$": "public product page",
    "catalogue/category/(?P<category_slug>[\\w-]+(/[\\w-]+)*)_(?P<pk>\\d+)/$":
        "public category page",
    "catalogue/ranges/(?P<slug>[\\w-]+)/$": "public range page (Oscar hides non-public ones)",
    "basket/add/<int:pk>/": "puts a public product into the requester's own basket",
    "accounts/alerts/create/<int:pk>/": "creates the requester's own alert on a public product",
    "accounts/wishlists/add/<int:product_pk>/":
        "adds a public product to the requester's own default wish list",
    "accounts/wishlists/create/with-product/<int:product_pk>/":
        "creates the requester's own wish list with a public product",
    "offers/(?P<slug>[\\w-]+)/$": "public offer page",
    "dashboard/catalogue/products/create/(?P<product_class_slug>[\\w-]+)/$":
        "product types are shared by every cooperative; the product created is the "
        "requester's own",
    "password-reset/confirm/<str:uidb64>/<str:token>/":
        "Django's reset link: the signed token is the capability",
    "cms/password_reset/confirm/<uidb64>/<token>/":
        "Wagtail's reset link: the signed token is the capability",
    "_util/authenticate_with_password/<int:page_view_restriction_id>/<int:page_id>/":
        "Wagtail's password form for a restricted page, shows no page",
    "^((?:[\\w\\-]+/)*)$": "Wagtail's public pages; Wagtail checks page privacy itself",
    # the admins' own doors, open by necessity and showing no object
    "django-admin/login/": "the login page",
    "django-admin/logout/": "logging out",
    "django-admin/catalogue/category/jsi18n/": "treebeard's JavaScript translation catalogue",
    "cms/login/": "the login page",
    "cms/sprite/": "Wagtail's icon sprite",
    "cms/jsi18n/": "Wagtail's JavaScript translation catalogue",
    "cms/password_reset/": "asking for a reset e-mail",
    "cms/password_reset/done/": "the reset e-mail was sent",
    "cms/password_reset/complete/": "the password was reset",
}


# Routes whose tenants are not this matrix's roles (station operators, hubs): their own
# matrices check them, and their own completeness test (tests/logistics/test_access_complete.py)
# makes sure every route under these prefixes is in one of them.
COVERED_ELSEWHERE = {
    "logistics/": "tests/logistics/test_access_*.py (node operators, hub staff)",
    "track/": "tests/logistics/test_access_*.py (public tracking by parcel code)",
    "api/logistics/": "tests/logistics/test_access_*.py (station apps)",
}


def _gated_chains():
    for chain in _walk():
        route = _route(chain)
        for prefix, login in GATED_ADMINS.items():
            if route.startswith(prefix) and route not in PUBLIC_BY_DESIGN:
                yield route, chain, login


@pytest.mark.parametrize("role", ["anonymous", "buyer_a", "staff_a"])
def test_admin_sites_send_everyone_but_platform_staff_to_their_login(db, role):
    # given
    world = World()
    client = _client_for(world, role)
    failures = []
    checked = 0
    # when every admin URL is opened (with a sample id where it takes one)
    for route, chain, login in _gated_chains():
        path = sample_path(chain)
        response = client.get(path)
        checked += 1
        # then
        location = response.get("Location", "")
        if not (response.status_code == 302 and location.startswith(login)):
            failures.append(f"{route} ({path}): {response.status_code} {location}")
    assert checked > 500  # both admins were walked
    assert not failures, "\n".join(failures)


def test_every_object_url_is_in_the_matrix(db):
    """A new URL with an id, number, slug or key must join CASES or PUBLIC_BY_DESIGN."""
    # given the routes the matrix really requests (resolved from its URLs, not declared)
    world = World()
    world.users  # noqa: B018
    covered = {resolve(CASES[name].build(world)[1]).route for name in CASES}
    gated = {route for route, _chain, _login in _gated_chains()}
    # when
    missing = sorted(
        route for route in (_route(chain) for chain in _object_routes())
        if route not in covered and route not in gated and route not in PUBLIC_BY_DESIGN
        and not route.startswith(tuple(COVERED_ELSEWHERE))
    )
    # then
    assert not missing, "object URLs outside the access matrix:\n" + "\n".join(missing)
    stale = sorted(set(PUBLIC_BY_DESIGN) - {_route(chain) for chain in _walk()})
    assert not stale, f"PUBLIC_BY_DESIGN lists routes that no longer exist: {stale}"


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_line_of_another_order_is_a_404_not_a_500(db, method):
    # given buyer A's two orders; the URL pairs one order's number with the other's line
    world = World()
    other_line = world.order_b.lines.get()
    client = _client_for(world, "buyer_a")
    url = reverse("customer:order-line",
                  kwargs={"order_number": world.order.number, "line_id": other_line.pk})
    # when
    response = getattr(client, method)(url, {"action": "reorder"})
    # then
    assert response.status_code == 404
    assert not BasketLine.objects.filter(basket__owner=world.buyer_a).exists()


def test_guest_order_link_with_its_hash_asks_for_the_email_then_shows_the_order(db):
    # given a guest order and the link of its confirmation e-mail
    world = World()
    order = world.guest_order
    kwargs = {"order_number": order.number, "hash": order.verification_hash()}
    client = Client()
    # when the link is opened, then the e-mail form comes first
    response = client.get(reverse("customer:anon-order", kwargs=kwargs))
    assert response.status_code == 302
    assert response["Location"] == reverse("customer:anon-order-form", kwargs=kwargs)
    # a wrong e-mail does not open it
    wrong = client.post(reverse("customer:anon-order-form", kwargs=kwargs),
                        {"email": "someone@example.com"})
    assert wrong.status_code == 200
    assert order.lines.get().title.encode() not in wrong.content
    # the guest's own e-mail does
    right = client.post(reverse("customer:anon-order-form", kwargs=kwargs),
                        {"email": order.guest_email}, follow=True)
    assert right.status_code == 200
    assert order.lines.get().title.encode() in right.content


# --- dashboard sections without an object ------------------------------------------------
# What a cooperative's staff may open in /dashboard/; every other dashboard page is
# platform-level (users, partners, ranges, offers, vouchers, pages, reviews, reports,
# communications, shipping, categories, product types, options): 403 for them.
COOPERATIVE_SECTIONS = {
    "dashboard:index", "dashboard:catalogue-product-list", "dashboard:catalogue-product-create",
    "dashboard:catalogue-product-lookup", "dashboard:catalogue-product-bulk-action",
    "dashboard:stock-alert-list", "dashboard:order-list", "dashboard:order-stats",
    "cooperative-dashboard:stock-list", "trace-dashboard:batch-list",
    "trace-dashboard:batch-create",
    # their own cooperative's sales figures (tests/reporting/test_dashboard.py)
    "sales-dashboard:index", "sales-dashboard:data",
}
# The host console answers a buyer 404 (nothing to host), not Oscar's 403.
HOST_CONSOLE_SECTIONS = {"livestream-dashboard:list", "livestream-dashboard:create"}
COOPERATIVE_SECTIONS |= HOST_CONSOLE_SECTIONS
DASHBOARD_DOORS = {"dashboard:login", "dashboard:logout"}


def _dashboard_sections():
    for chain in _walk():
        if _has_parameters(chain):
            continue
        match = resolve(sample_path(chain))
        if match.route.startswith("dashboard/") and match.view_name not in DASHBOARD_DOORS:
            yield match.view_name, sample_path(chain)


@pytest.mark.parametrize("role", ROLES)
def test_dashboard_sections_by_role(db, role):
    # given
    world = World()
    client = _client_for(world, role)
    failures = []
    sections = dict(_dashboard_sections())
    assert COOPERATIVE_SECTIONS <= set(sections)  # the list above names real pages
    assert len(sections) > 30
    # when every dashboard page without an object is opened
    for name, path in sorted(sections.items()):
        response = client.get(path)
        status, location = response.status_code, response.get("Location", "")
        # then
        if role == "anonymous":
            ok = status == 302 and location.startswith("/dashboard/login/")
        elif role == "admin" or (role.startswith("staff") and name in COOPERATIVE_SECTIONS):
            ok = status in OK and not location.startswith("/dashboard/login/")
        else:
            ok = status == (404 if name in HOST_CONSOLE_SECTIONS else 403)
        if not ok:
            failures.append(f"{name} {path}: {status} {location}")
    assert not failures, "\n".join(failures)
