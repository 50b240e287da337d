"""Bad input gets a clear answer (a form error or a 4xx), never a 500, and nothing is saved."""

import re
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from oscar.core.loading import get_class, get_model

from marketplace.cooperatives.forms import CooperativeForm
from marketplace.cooperatives.models import Cooperative
from marketplace.shop.catalogue.services import category_by_name, product_create
from marketplace.validators import uscc_check_character
from tests import factories

Partner = get_model("partner", "Partner")
Product = get_model("catalogue", "Product")
StockRecord = get_model("partner", "StockRecord")
UserAddress = get_model("address", "UserAddress")
Line = get_model("basket", "Line")
ShippingAddressForm = get_class("checkout.forms", "ShippingAddressForm")
UserAddressForm = get_class("address.forms", "UserAddressForm")

VALID_USCC = "93331123MA2A00001" + uscc_check_character("93331123MA2A00001")
BAD_USCC = [
    pytest.param(VALID_USCC[:17] + ("0" if VALID_USCC[17] != "0" else "1"), "校验位不正确",
                 id="wrong-check-char"),
    pytest.param(VALID_USCC[:16], "应为18位", id="16-chars"),
    pytest.param(VALID_USCC + "1", "18", id="19-chars"),
    pytest.param("93331123MA2I00001" + "0", "不使用 I、O、Z、S、V", id="letter-I"),
    pytest.param("93331123MA2O00001" + "0", "不使用 I、O、Z、S、V", id="letter-O"),
    pytest.param("93331123MZ2A00001" + "0", "不使用 I、O、Z、S、V", id="letter-Z"),
    pytest.param("93331123MS2A00001" + "0", "不使用 I、O、Z、S、V", id="letter-S"),
    pytest.param("93331123MV2A00001" + "0", "不使用 I、O、Z、S、V", id="letter-V"),
]
BAD_PHONES = [
    pytest.param("1381234567", id="10-digits"),
    pytest.param("23812345678", id="not-1x"),
    pytest.param("138abcd5678", id="letters"),
    pytest.param("+1 415 555 0100", id="foreign"),
]
VILLAGE = "331123102209"
PATH = ["330000000000", "331100000000", "331123000000", "331123102000", VILLAGE]


def picker(codes):
    return {f"region_{i}": code for i, code in enumerate(codes, start=1)}


@pytest.fixture
def superuser(db):
    # conftest's superuser passes is_staff to Oscar's create_user, which sets it itself
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_superuser(email="root@example.com",
                                                     password=factories.PASSWORD)


def coop_data(**overrides):
    data = {
        "legal_name": "遂昌县测试合作社", "credit_code": VALID_USCC, "village": "331123001007",
        "contact_phone": "13812345678", "description": "", "member_households": "10",
    }
    data.update(overrides)
    return data


def errors_text(errors) -> str:
    return " ".join(str(e) for errs in errors.values() for e in errs)


# --- 统一社会信用代码 -------------------------------------------------------------------

def test_cooperative_form_accepts_a_valid_code(db):
    form = CooperativeForm(data=coop_data())
    assert form.is_valid(), form.errors


@pytest.mark.parametrize(("code", "message"), BAD_USCC)
def test_cooperative_form_rejects_invalid_credit_code(db, code, message):
    form = CooperativeForm(data=coop_data(credit_code=code))
    assert not form.is_valid()
    assert message in " ".join(form.errors["credit_code"])


@pytest.mark.parametrize(("code", "message"), BAD_USCC)
def test_admin_cooperative_add_rejects_invalid_credit_code(client, superuser, code, message):
    partner = Partner.objects.create(name="新合作社", code="new-coop")
    client.force_login(superuser)
    data = {
        "partner": partner.pk, "slug": "new-coop", **coop_data(credit_code=code),
        "certifications-TOTAL_FORMS": "0", "certifications-INITIAL_FORMS": "0",
        "certifications-MIN_NUM_FORMS": "0", "certifications-MAX_NUM_FORMS": "1000",
    }

    r = client.post(reverse("admin:cooperatives_cooperative_add"), data)

    assert r.status_code == 200
    assert message in r.content.decode()
    assert not Cooperative.objects.filter(slug="new-coop").exists()


# --- malformed phone numbers ------------------------------------------------------------

@pytest.mark.parametrize("phone", BAD_PHONES)
def test_cooperative_form_rejects_malformed_phone(db, phone):
    form = CooperativeForm(data=coop_data(contact_phone=phone))
    assert not form.is_valid()
    assert "请输入正确的电话号码" in " ".join(form.errors["contact_phone"])


def address_data(**overrides):
    data = {"first_name": "李四", "phone_number": "13812345678", "line1": "远路口 12 号",
            "postcode": "", **picker(PATH)}
    data.update(overrides)
    return data


@pytest.mark.parametrize("phone", BAD_PHONES)
def test_address_forms_reject_malformed_phone(buyer, phone):
    for form in (ShippingAddressForm(data=address_data(phone_number=phone)),
                 UserAddressForm(buyer, data=address_data(phone_number=phone))):
        assert not form.is_valid()
        assert "请输入正确的11位手机号码" in " ".join(form.errors["phone_number"])


def test_address_book_rejects_malformed_phone_and_saves_nothing(client, buyer):
    client.force_login(buyer)

    r = client.post(reverse("customer:address-create"), address_data(phone_number="12345"))

    assert r.status_code == 200
    assert "请输入正确的11位手机号码" in r.content.decode()
    assert not UserAddress.objects.filter(user=buyer).exists()


# --- unknown region codes ---------------------------------------------------------------

@pytest.mark.parametrize(
    "codes",
    [
        pytest.param([*PATH[:4], "331123001007"], id="village-of-another-town"),
        pytest.param([*PATH[:4], "331123102999"], id="village-does-not-exist"),
        pytest.param(["999999999999"], id="unknown-province"),
        pytest.param(["43000000000"], id="11-digits"),
        pytest.param(["4300000000000"], id="13-digits"),
        pytest.param(["33000000000a"], id="letters"),
        pytest.param(["330000000000", "431200000000"], id="city-of-another-province"),
        pytest.param(["330000000000", "331100000000", "331100000000"], id="repeated-code"),
    ],
)
def test_address_form_rejects_unknown_region_code(buyer, codes):
    form = ShippingAddressForm(data={**address_data(), **{f"region_{i}": "" for i in range(1, 6)},
                                     **picker(codes)})
    assert not form.is_valid()
    assert form.errors["region"] == ["未知的地区代码。"]


def test_address_form_rejects_a_plain_unknown_code(buyer):
    data = {k: v for k, v in address_data().items() if not k.startswith("region_")}
    form = UserAddressForm(buyer, data={**data, "region": "999999999999"})
    assert not form.is_valid()
    assert form.errors["region"] == ["未知的地区代码。"]


def test_address_form_requires_a_town(buyer):
    form = ShippingAddressForm(data={**address_data(), "region_4": "", "region_5": ""})
    assert not form.is_valid()
    assert form.errors["region"] == ["请至少选择到乡镇（街道）一级。"]


def test_checkout_address_with_unknown_region_is_a_form_error(client, buyer, coop_a):
    product = factories.product(coop_a)
    client.force_login(buyer)
    client.post(reverse("basket:add", kwargs={"pk": product.pk}), {"quantity": 1})

    r = client.post(reverse("checkout:shipping-address"),
                    {**address_data(), "region_5": "331123001007"})

    assert r.status_code == 200
    assert "未知的地区代码。" in r.content.decode()
    assert not client.session["checkout_data"].get("shipping")


@pytest.mark.parametrize(
    ("parent", "status"),
    [("999999999999", 404), ("abc", 400), ("3300000000001", 400), ("33", 400)],
    ids=["unknown", "letters", "13-digits", "short"],
)
def test_region_children_endpoint_rejects_bad_parent(client, db, parent, status):
    r = client.get("/regions/children/", {"parent": parent})
    assert r.status_code == status
    assert r["Content-Type"] == "application/json"
    assert r.json()["error"]


# --- negative price or stock ------------------------------------------------------------

@pytest.mark.parametrize(
    ("price", "stock", "field", "message"),
    [("-0.01", 10, "price", "价格不能为负数。"), ("10.00", -1, "num_in_stock", "库存不能为负数。")],
    ids=["negative-price", "negative-stock"],
)
def test_product_create_rejects_negative_price_or_stock(coop_a, price, stock, field, message):
    before = Product.objects.count()
    with pytest.raises(ValidationError) as exc:
        product_create(title="负数测试", partner=coop_a.partner, category=category_by_name("粮油"),
                       price=Decimal(price), num_in_stock=stock, spec="1斤")
    assert exc.value.message_dict[field] == [message]
    assert Product.objects.count() == before


class _FormScraper(HTMLParser):
    """The named inputs of a page with their current values (what a browser would send)."""

    def __init__(self):
        super().__init__()
        self.data: dict[str, str] = {}
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        name = a.get("name")
        if tag == "input" and name and a.get("type") not in ("submit", "checkbox", "file"):
            self.data[name] = a.get("value") or ""
        elif tag == "textarea" and name:
            self.data[name] = ""
        elif tag == "select" and name:
            self._select = name
            self.data.setdefault(name, "")
        elif tag == "option" and self._select and "selected" in a:
            self.data[self._select] = a.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None


def dashboard_product_data(client, coop, *, price, stock):
    url = reverse("dashboard:catalogue-product-create",
                  kwargs={"product_class_slug": "farm-produce"})
    page = client.get(url)
    assert page.status_code == 200
    scraper = _FormScraper()
    scraper.feed(page.content.decode())
    data = {k: v for k, v in scraper.data.items() if k != "csrfmiddlewaretoken"}
    storage = re.search(r'<option value="(\d+)">常温</option>', page.content.decode()).group(1)
    data.update({
        "title": "负数价格测试", "upc": "", "attr_spec": "1斤", "attr_storage": storage,
        "stockrecords-0-partner": str(coop.partner.pk), "stockrecords-0-partner_sku": "neg-1",
        "stockrecords-0-price": price, "stockrecords-0-num_in_stock": stock,
        "stockrecords-0-price_currency": "CNY",
        "productcategory_set-0-category": str(category_by_name("粮油").pk),
    })
    return url, data


def test_dashboard_stock_record_rejects_negative_stock(client, superuser, coop_a):
    client.force_login(superuser)
    url, data = dashboard_product_data(client, coop_a, price="10.00", stock="-5")

    r = client.post(url, data)

    assert r.status_code == 200
    assert r.context["stockrecord_formset"].forms[0].errors["num_in_stock"]
    assert not Product.objects.filter(title="负数价格测试").exists()
    assert not StockRecord.objects.filter(partner_sku="neg-1").exists()


def test_dashboard_accepts_the_same_form_with_valid_numbers(client, superuser, coop_a):
    # guards the two tests around it: their data differs from a valid product only in one number
    client.force_login(superuser)
    url, data = dashboard_product_data(client, coop_a, price="10.00", stock="5")

    r = client.post(url, data)

    assert r.status_code == 302, [str(m) for m in r.context["messages"]]
    assert Product.objects.filter(title="负数价格测试").exists()


def test_dashboard_stock_record_rejects_negative_price(client, superuser, coop_a):
    client.force_login(superuser)
    url, data = dashboard_product_data(client, coop_a, price="-10.00", stock="5")

    r = client.post(url, data)

    assert r.status_code < 500
    assert not Product.objects.filter(title="负数价格测试").exists()
    assert r.status_code == 200
    assert r.context["stockrecord_formset"].forms[0].errors["price"]


# --- quantity above stock, and other people's basket lines ------------------------------

def test_basket_add_above_stock_is_a_clear_message(client, buyer, coop_a):
    rice = factories.product(coop_a, title="遂昌红米", stock=3)
    client.force_login(buyer)

    r = client.post(reverse("basket:add", kwargs={"pk": rice.pk}), {"quantity": 5}, follow=True)

    assert r.status_code == 200
    assert "最多可以购买3" in " ".join(str(m) for m in r.context["messages"])
    assert not Line.objects.filter(product=rice).exists()


@pytest.mark.parametrize("quantity", ["-1", "abc", "99999999999999999999"])
def test_basket_add_with_nonsense_quantity_is_not_a_500(client, buyer, coop_a, quantity):
    rice = factories.product(coop_a, stock=3)
    client.force_login(buyer)

    r = client.post(reverse("basket:add", kwargs={"pk": rice.pk}), {"quantity": quantity},
                    follow=True)

    assert r.status_code == 200
    assert not Line.objects.filter(product=rice).exists()


def test_basket_update_above_stock_is_a_clear_message(client, buyer, coop_a):
    rice = factories.product(coop_a, stock=3)
    client.force_login(buyer)
    client.post(reverse("basket:add", kwargs={"pk": rice.pk}), {"quantity": 1})
    line = Line.objects.get(product=rice)

    r = client.post(reverse("basket:summary"), {
        "form-TOTAL_FORMS": "1", "form-INITIAL_FORMS": "1", "form-MIN_NUM_FORMS": "0",
        "form-MAX_NUM_FORMS": "1000", "form-0-id": line.pk, "form-0-quantity": "9",
    }, follow=True)

    assert r.status_code == 200
    assert "3" in " ".join(str(m) for m in r.context["messages"])
    line.refresh_from_db()
    assert line.quantity == 1


@pytest.mark.parametrize("action", ["quantity", "delete", "save_for_later"])
def test_basket_formset_with_another_users_line_changes_nothing(client, buyer, coop_a, action):
    rice = factories.product(coop_a, stock=50)
    other = factories.user()
    other_client = type(client)()
    other_client.force_login(other)
    other_client.post(reverse("basket:add", kwargs={"pk": rice.pk}), {"quantity": 2})
    theirs = Line.objects.get(basket__owner=other)
    client.force_login(buyer)
    client.post(reverse("basket:add", kwargs={"pk": rice.pk}), {"quantity": 1})
    mine = Line.objects.get(basket__owner=buyer)
    form = {"form-0-id": theirs.pk, "form-0-quantity": "7"}
    if action == "delete":
        form["form-0-DELETE"] = "on"
    elif action == "save_for_later":
        form["form-0-save_for_later"] = "on"

    r = client.post(reverse("basket:summary"), {
        "form-TOTAL_FORMS": "1", "form-INITIAL_FORMS": "1", "form-MIN_NUM_FORMS": "0",
        "form-MAX_NUM_FORMS": "1000", **form,
    }, follow=True)

    assert r.status_code == 200
    assert r.redirect_chain == [(reverse("basket:summary"), 302)]
    assert any("购物车中没有这件商品" in str(m) for m in r.context["messages"])
    theirs.refresh_from_db()
    assert theirs.quantity == 2
    assert theirs.basket.owner == other
    assert Line.objects.filter(basket__owner=other).count() == 1
    mine.refresh_from_db()
    assert mine.quantity == 1
    assert not Line.objects.filter(basket__owner=buyer, basket__status="Saved").exists()
