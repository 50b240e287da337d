"""Every storefront, account, checkout and dashboard page runs a number of SQL queries that
does not grow with the number of products, basket lines, orders, addresses or other rows it
shows (catalogue listings and product pages: tests/catalogue/test_query_budgets.py)."""

from __future__ import annotations

import datetime
import itertools
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.db.models import Count
from django.test import Client
from django.utils import timezone
from oscar.core.loading import get_model

from marketplace.cooperatives.models import Certification
from marketplace.regions.models import Region
from search.backends import get_backend
from tests import factories
from tests.catalogue.test_query_budgets import _parent_with_variants
from tests.dashboard.builders import order_with_lines, stockrecord
from tests.query_budget import Visit, growth_message, page_queries

Product = get_model("catalogue", "Product")
ProductImage = get_model("catalogue", "ProductImage")
ProductRecommendation = get_model("catalogue", "ProductRecommendation")
ProductReview = get_model("reviews", "ProductReview")
StockRecord = get_model("partner", "StockRecord")
Range = get_model("offer", "Range")
ConditionalOffer = get_model("offer", "ConditionalOffer")
Condition = get_model("offer", "Condition")
Benefit = get_model("offer", "Benefit")
WishList = get_model("wishlists", "WishList")
Notification = get_model("communication", "Notification")
Email = get_model("communication", "Email")
ProductAlert = get_model("customer", "ProductAlert")
UserAddress = get_model("address", "UserAddress")
Country = get_model("address", "Country")

SMALL, LARGE = 1, 10
_seq = itertools.count(1)


# --- builders: each returns the Visit that shows ``n`` of the rows in question -------------


def saved_address(user):
    return UserAddress.objects.create(
        user=user, first_name="张三", line1=f"村口 {next(_seq)} 号", region_id="331123102209",
        country=Country.objects.get(pk="CN"), phone_number="+8613812345678",
    )


def _products(coop, n, **kwargs):
    return [factories.product(coop, image=True, **kwargs) for _ in range(n)]


def _basket_client(user, products) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    for product in products:
        response = client.post(f"/basket/add/{product.pk}/", {"quantity": 1}, HTTP_REFERER="/")
        assert response.status_code == 302, response.status_code
    return client


def _basket_visit(url, coop, n, *, logged_in, variants=False, status=200, session=None):
    products = _variant_children(coop, n) if variants else _products(coop, n)
    user = factories.user() if logged_in else None
    client = _basket_client(user, products)
    cookies = {} if logged_in else {
        settings.OSCAR_BASKET_COOKIE_OPEN: client.cookies[settings.OSCAR_BASKET_COOKIE_OPEN].value
    }
    return Visit(url, user=user, cookies=cookies, status=status, session=session or {})


def _variant_children(coop, n):
    return list(_parent_with_variants(coop, n).children.all())


def home_with_basket_lines(coop, n):
    # the mini basket in every page's header lists the basket's lines
    return _basket_visit("/", coop, n, logged_in=True)


def basket_anonymous(coop, n):
    return _basket_visit("/basket/", coop, n, logged_in=False)


def basket_logged_in(coop, n):
    return _basket_visit("/basket/", coop, n, logged_in=True)


def basket_variants(coop, n):
    return _basket_visit("/basket/", coop, n, logged_in=True, variants=True)


def _checkout_visit(url, coop, n, *, addresses=1, status=200):
    visit = _basket_visit(url, coop, n, logged_in=True, status=status)
    address = None
    for _ in range(addresses):
        address = saved_address(visit.user)
    visit.session = {
        "checkout_data": {
            "shipping": {"user_address_id": address.pk, "method_code": "free-shipping"},
        }
    }
    return visit


def checkout_index(coop, n):
    # a signed-in buyer is sent on to the address step
    return _checkout_visit("/checkout/", coop, n, status=302)


def checkout_shipping_address(coop, n):
    return _checkout_visit("/checkout/shipping-address/", coop, n, addresses=n)


def checkout_shipping_method(coop, n):
    # one method (free shipping) is chosen for the buyer: a redirect to payment
    return _checkout_visit("/checkout/shipping-method/", coop, n, status=302)


def checkout_payment_method(coop, n):
    return _checkout_visit("/checkout/payment-method/", coop, n, status=302)


def checkout_payment_details(coop, n):
    return _checkout_visit("/checkout/payment-details/", coop, n)


def checkout_preview(coop, n):
    return _checkout_visit("/checkout/preview/", coop, n)


def _order(user, coop, n):
    records = [stockrecord(p) for p in _products(coop, n)]
    return order_with_lines(user=user, stockrecords=records)


def checkout_thank_you(coop, n):
    user = factories.user()
    order = _order(user, coop, n)
    return Visit("/checkout/thank-you/", user=user, session={"checkout_order_id": order.pk})


def account_summary(coop, n):
    return Visit("/accounts/", user=factories.user(), status=302)


def account_profile(coop, n):
    return Visit("/accounts/profile/", user=factories.user())


def account_orders(coop, n):
    user = factories.user()
    for _ in range(n):
        _order(user, coop, 1)
    return Visit("/accounts/orders/", user=user)


def account_order_detail(coop, n):
    user = factories.user()
    order = _order(user, coop, n)
    return Visit(f"/accounts/orders/{order.number}/", user=user)


def account_addresses(coop, n):
    user = factories.user()
    for _ in range(n):
        saved_address(user)
    return Visit("/accounts/addresses/", user=user)


def account_wishlists(coop, n):
    user = factories.user()
    wishlist = WishList.objects.create(owner=user, name="收藏")
    for product in _products(coop, n):
        wishlist.add(product)
    return Visit("/accounts/wishlists/", user=user)


def account_wishlist_detail(coop, n):
    visit = account_wishlists(coop, n)
    key = WishList.objects.get(owner=visit.user).key
    visit.url = f"/accounts/wishlists/{key}/"
    return visit


def account_notifications(coop, n):
    user = factories.user()
    for i in range(n):
        Notification.objects.create(recipient=user, subject=f"订单 {i} 已发货", body="已发货")
    return Visit("/accounts/notifications/inbox/", user=user)


def account_alerts(coop, n):
    user = factories.user()
    for product in _products(coop, n):
        ProductAlert.objects.create(user=user, product=product, status=ProductAlert.ACTIVE)
    return Visit("/accounts/alerts/", user=user)


def account_emails(coop, n):
    user = factories.user()
    for i in range(n):
        Email.objects.create(user=user, email=user.email, subject=f"订单确认 {i}",
                             body_text="谢谢")
    return Visit("/accounts/emails/", user=user)


def region_children(coop, n):
    # the parent with the fewest children for the small case, the most for the large one
    parents = (Region.objects.annotate(k=Count("children")).filter(k__gt=0)
               .order_by("k" if n == SMALL else "-k", "code"))
    return Visit(f"/regions/children/?parent={parents.first().pk}")


def cooperative_page(coop, n):
    other = factories.cooperative()
    today = timezone.localdate()
    for i in range(n):
        Certification.objects.create(
            cooperative=other, kind="green", number=f"LB-{next(_seq)}",
            issuer="中国绿色食品发展中心",
            valid_until=today + datetime.timedelta(days=30 + i),
        )
    _products(other, n)
    return Visit(f"/cooperatives/{other.slug}/")


def _offer(products):
    product_range = Range.objects.create(name=f"丰收节{next(_seq)}")
    for product in products:
        product_range.add_product(product)
    condition = Condition.objects.create(range=product_range, type=Condition.COUNT, value=1)
    benefit = Benefit.objects.create(range=product_range, type=Benefit.PERCENTAGE, value=10)
    return ConditionalOffer.objects.create(
        name=f"丰收节九折{next(_seq)}", offer_type=ConditionalOffer.SITE,
        condition=condition, benefit=benefit,
    )


def offers_list(coop, n):
    # one site offer on the page, whose range holds n products
    ConditionalOffer.objects.all().delete()
    _offer(_products(coop, n))
    return Visit("/offers/")


def offers_list_many_offers(coop, n):
    for _ in range(n):
        _offer(_products(coop, 1))
    return Visit("/offers/")


def offer_detail(coop, n):
    offer = _offer(_products(coop, n))
    return Visit(f"/offers/{offer.slug}/")


def product_with_everything(coop, n):
    """A product page with n more reviews, recommended products, images and stock records
    (reviews are a hidden feature: counted only if they are ever shown)."""
    product = factories.product(coop, image=True)
    for i in range(n):
        ProductReview.objects.create(
            product=product, title=f"好吃{i}", score=5, body="很香", name="买家",
            email="b@example.com", status=ProductReview.APPROVED,
        )
        ProductRecommendation.objects.create(
            primary=product, recommendation=factories.product(coop, image=True), ranking=i
        )
        StockRecord.objects.create(
            product=product, partner=factories.cooperative().partner, partner_sku=f"x-{i}",
            price=Decimal("50"), num_in_stock=3,
        )
        ProductImage.objects.create(
            product=product, display_order=i + 1,
            original=ContentFile(factories.png_bytes(), name=f"extra-{product.pk}-{i}.png"),
        )
    return Visit(product.get_absolute_url())


def search_sorted(coop, n):
    products = _products(coop, n, title=f"高山红米{next(_seq)}")
    # Indexing waits for a commit these tests never reach: index now, so the page has hits.
    get_backend().index_products([p.pk for p in products])
    return Visit("/search/?q=红米&sort=price_asc")


def category_sorted(coop, n):
    products = _products(coop, n)
    return Visit(products[0].categories.first().get_absolute_url() + "?sort_by=newest")


def dashboard_index(coop, n):
    staff = factories.coop_staff(coop)
    buyer = factories.user()
    for _ in range(n):
        _order(buyer, coop, 1)
    return Visit("/dashboard/", user=staff)


# Budgets: the SQLite count (database sessions) measured when the budget was set, plus
# one query of room; PostgreSQL + Redis (cached_db sessions) runs the same or one fewer.
# Pages marked xfail grow today; their budget is what they should cost once flat.
PAGES = {
    # +3 (issue 8): the CMS home page's live and upcoming sessions, its festival banner, and
    # which featured products are on sale in a live session now (one query each, however many).
    "home-mini-basket": (home_with_basket_lines, 31),
    "basket-anonymous": (basket_anonymous, 15),
    "basket-logged-in": (basket_logged_in, 22),
    "basket-variants": (basket_variants, 24),
    "checkout-index": (checkout_index, 13),
    "checkout-shipping-address": (checkout_shipping_address, 21),
    "checkout-shipping-method": (checkout_shipping_method, 19),
    # +1 on the steps after the address: the delivery check asks whether a logistics
    # network exists (logistics.checkout; three more, flat, where one does).
    "checkout-payment-method": (checkout_payment_method, 23),
    "checkout-payment-details": (checkout_payment_details, 28),
    "checkout-preview": (checkout_preview, 26),
    "checkout-thank-you": (checkout_thank_you, 18),
    "account-summary": (account_summary, 3),
    # +1: the cooperatives the buyer follows (one query, however many).
    "account-profile": (account_profile, 13),
    "account-orders": (account_orders, 15),
    # +1: the order's parcels (logistics' tag library); four more, flat, when it has some.
    # +1: the trace codes (溯源码) of all its lines, one query however many.
    "account-order-detail": (account_order_detail, 22),
    "account-addresses": (account_addresses, 15),
    "account-wishlists": (account_wishlists, 14),
    "account-wishlist-detail": (account_wishlist_detail, 18),
    "account-notifications": (account_notifications, 14),
    "account-alerts": (account_alerts, 13),
    "account-emails": (account_emails, 14),
    "region-children": (region_children, 3),
    "cooperative-page": (cooperative_page, 12),
    "offers-list": (offers_list, 17),
    "offers-list-many-offers": (offers_list_many_offers, 17),
    "offer-detail": (offer_detail, 18),
    "product-reviews-recommendations": (product_with_everything, 25),
    "search-sorted": (search_sorted, 12),
    "category-sorted": (category_sorted, 14),
    # +2: the 销售分析 menu's scope (is the user a county's analyst; their cooperatives), read
    # once per request for both of its entries.
    "dashboard-index": (dashboard_index, 35),
}
XFAIL: dict[str, str] = {
    "offers-list-many-offers": "Oscar's OfferListView: each offer loads its condition, range "
                               "and range product queryset (oscar/apps/offer/abstract_models.py"
                               ":513-523, 1128-1206), about 13 queries per offer",
}


class QueryCountGrew(AssertionError):
    """Only this failure is expected of a page marked xfail: a wrong status or a blown
    budget still fails the test."""


def _params():
    for page_id, (build, budget) in PAGES.items():
        marks = [pytest.mark.xfail(strict=True, raises=QueryCountGrew, reason=XFAIL[page_id])
                 ] if page_id in XFAIL else []
        yield pytest.param(build, budget, id=page_id, marks=marks)


@pytest.mark.parametrize(("build", "budget"), _params())
def test_page_queries_do_not_grow_with_rows(coop_a, build, budget):
    # given the page showing one row, then (rows added) the page showing ten more
    small_visit = build(coop_a, SMALL)
    # when each is fetched by a fresh client
    small, small_sql = page_queries(small_visit)
    large_visit = build(coop_a, LARGE)
    large, large_sql = page_queries(large_visit)
    # then the count is the same, and within the page's budget
    if large != small:
        raise QueryCountGrew(growth_message(large_visit.url, small_sql, large_sql))
    assert large <= budget
