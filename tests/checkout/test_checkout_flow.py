"""The whole checkout through the real views: basket of two cooperatives → one paid order."""

import pytest
from django.urls import reverse
from oscar.apps.checkout.signals import pre_payment
from oscar.core.loading import get_model

from tests import factories

Order = get_model("order", "Order")
ShippingAddress = get_model("order", "ShippingAddress")
UserAddress = get_model("address", "UserAddress")
StockRecord = get_model("partner", "StockRecord")
Country = get_model("address", "Country")

VILLAGE = "331123102209"  # 浙江省丽水市遂昌县新路湾镇远路口村委会
PATH = ["330000000000", "331100000000", "331123000000", "331123102000", VILLAGE]
SANDBOX = "沙箱支付（测试环境，不会真实扣款）"


def picker(codes):
    return {f"region_{i}": code for i, code in enumerate(codes, start=1)}


def new_address(**overrides):
    data = {"first_name": "李四", "phone_number": "+86 138 1234 5678", "line1": "远路口 12 号",
            "postcode": "", "notes": "", **picker(PATH)}
    data.update(overrides)
    return data


def saved_address(user, village=VILLAGE):
    return UserAddress.objects.create(
        user=user, first_name="张三", line1="村口 1 号", region_id=village,
        country=Country.objects.get(pk="CN"), phone_number="+8613812345678",
    )


@pytest.fixture
def two_coop_basket(client, buyer, coop_a, coop_b):
    rice = factories.product(coop_a, title="遂昌红米", price="39.90", stock=10)
    tea = factories.product(coop_b, title="高山云雾茶", price="88.00", stock=5, category="茶叶")
    client.force_login(buyer)
    for product, qty in ((rice, 2), (tea, 1)):
        r = client.post(reverse("basket:add", kwargs={"pk": product.pk}), {"quantity": qty})
        assert r.status_code == 302
    return client, rice, tea


def test_buyer_checks_out_a_two_cooperative_basket_with_a_new_address(
    two_coop_basket, buyer, coop_a, coop_b, mailoutbox, django_capture_on_commit_callbacks
):
    client, rice, tea = two_coop_basket

    # given the basket, the checkout starts at the shipping address
    r = client.get(reverse("checkout:index"))
    assert r.status_code == 302
    assert r.url == reverse("checkout:shipping-address")
    page = client.get(r.url).content.decode()
    assert 'name="region_1"' in page and "浙江省" in page and "湖南省" in page
    assert 'name="region_refresh"' in page

    # when the buyer, without JavaScript, picks a province and refreshes
    r = client.post(reverse("checkout:shipping-address"),
                    {**new_address(), **picker(PATH[:1]), "region_refresh": "1"})
    # then the form comes back with the cities, nothing saved and no errors shown
    assert r.status_code == 200
    html = r.content.decode()
    assert "丽水市" in html and 'value="331100000000"' in html
    assert "error-block" not in html
    assert "李四" in html
    assert not client.session.get("checkout_data", {}).get("shipping")

    # when the buyer submits the whole address, shipping method and payment method pass
    r = client.post(reverse("checkout:shipping-address"), new_address(), follow=True)
    assert r.redirect_chain[-1][0] == reverse("checkout:payment-details")
    # then the payment page is labelled as a sandbox
    html = r.content.decode()
    assert SANDBOX in html and "sandbox-badge" in html

    # the preview shows the address in Chinese order and the sandbox label
    r = client.get(reverse("checkout:preview"))
    html = r.content.decode()
    assert r.status_code == 200
    assert "浙江省丽水市遂昌县" in html and "新路湾镇远路口村委会" in html
    assert SANDBOX in html
    assert ShippingAddress.objects.count() == 0

    # when the order is placed
    with django_capture_on_commit_callbacks(execute=True):  # the mail task
        r = client.post(reverse("checkout:preview"), {"action": "place_order"})
    assert r.status_code == 302
    assert r.url == reverse("checkout:thank-you")

    # then one paid order holds the lines of both cooperatives
    order = Order.objects.get(user=buyer)
    assert order.status == "paid"
    assert {line.partner_id for line in order.lines.all()} == {coop_a.partner_id,
                                                               coop_b.partner_id}
    assert order.shipping_address.region_id == VILLAGE
    assert order.shipping_address.state == "浙江省丽水市遂昌县"
    assert str(order.shipping_address.phone_number) == "+8613812345678"
    assert order.sources.get().source_type.code == "sandbox"
    # stock is allocated for each line
    assert StockRecord.objects.get(product=rice).num_allocated == 2
    assert StockRecord.objects.get(product=tea).num_allocated == 1
    # the new address went into the address book
    assert buyer.addresses.get().region_id == VILLAGE

    # the thank-you page shows the order number
    thanks = client.get(reverse("checkout:thank-you"))
    assert thanks.status_code == 200
    assert order.number in thanks.content.decode()

    # a confirmation email was sent to the buyer
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [buyer.email]
    assert order.number in mailoutbox[0].body

    # and the order is in the buyer's history
    history = client.get(reverse("customer:order-list"))
    assert order.number in history.content.decode()
    detail = client.get(reverse("customer:order", kwargs={"order_number": order.number}))
    assert detail.status_code == 200
    assert "遂昌红米" in detail.content.decode()


def test_buyer_ships_to_a_saved_address(two_coop_basket, buyer, mailoutbox,
                                       django_capture_on_commit_callbacks):
    client, _rice, _tea = two_coop_basket
    address = saved_address(buyer)

    page = client.get(reverse("checkout:shipping-address")).content.decode()
    assert "浙江省丽水市遂昌县" in page and "张三" in page

    r = client.post(reverse("checkout:shipping-address"),
                    {"action": "ship_to", "address_id": address.pk}, follow=True)
    assert r.redirect_chain[-1][0] == reverse("checkout:payment-details")
    with django_capture_on_commit_callbacks(execute=True):  # the mail task
        r = client.post(reverse("checkout:preview"), {"action": "place_order"})
    assert r.status_code == 302

    order = Order.objects.get(user=buyer)
    assert order.status == "paid"
    assert order.shipping_address.line4 == "新路湾镇远路口村委会"
    assert len(mailoutbox) == 1


def test_another_users_saved_address_cannot_be_shipped_to(two_coop_basket, buyer):
    client, _rice, _tea = two_coop_basket
    other = saved_address(factories.user())

    for bad_id in (other.pk, "abc", "999999"):
        r = client.post(reverse("checkout:shipping-address"),
                        {"action": "ship_to", "address_id": bad_id}, follow=True)
        assert r.status_code == 200
        assert "找不到这个收货地址" in r.content.decode()
    assert not client.session["checkout_data"].get("shipping")


def test_stock_gone_before_the_preview_sends_buyer_back_to_basket(two_coop_basket, buyer):
    client, rice, _tea = two_coop_basket
    client.post(reverse("checkout:shipping-address"), new_address(), follow=True)
    # another buyer took the last units of the rice while this one filled in the address
    StockRecord.objects.filter(product=rice).update(num_allocated=9)

    r = client.post(reverse("checkout:preview"), {"action": "place_order"}, follow=True)

    assert r.redirect_chain[-1][0] == reverse("basket:summary")
    assert "遂昌红米" in r.content.decode()
    assert Order.objects.count() == 0
    assert ShippingAddress.objects.count() == 0


def test_stock_gone_during_submit_shows_sold_out_and_saves_nothing(two_coop_basket, buyer):
    client, rice, tea = two_coop_basket
    client.post(reverse("checkout:shipping-address"), new_address(), follow=True)

    def other_buyer_takes_the_rice(sender, **kwargs):
        StockRecord.objects.filter(product=rice).update(num_allocated=9)

    # after the basket checks passed, right before the order is written
    pre_payment.connect(other_buyer_takes_the_rice)
    try:
        r = client.post(reverse("checkout:preview"), {"action": "place_order"})
    finally:
        pre_payment.disconnect(other_buyer_takes_the_rice)

    assert r.status_code == 200
    html = r.content.decode()
    assert "“遂昌红米”库存不足" in html
    assert Order.objects.count() == 0
    assert ShippingAddress.objects.count() == 0
    assert UserAddress.objects.filter(user=buyer).count() == 0
    assert StockRecord.objects.get(product=rice).num_allocated == 9
    assert not StockRecord.objects.get(product=tea).num_allocated
    # the basket is usable again
    assert client.get(reverse("basket:summary")).status_code == 200


def test_quantity_above_stock_in_basket_add_is_a_clear_message(client, buyer, coop_a):
    rice = factories.product(coop_a, title="遂昌红米", stock=3)
    client.force_login(buyer)

    r = client.post(reverse("basket:add", kwargs={"pk": rice.pk}), {"quantity": 5}, follow=True)

    assert r.status_code == 200
    html = r.content.decode()
    assert "3" in html
    assert buyer.baskets.first() is None or buyer.baskets.first().num_items == 0
