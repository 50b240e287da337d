"""manage.py seed_demo builds the demo county and changes nothing when run again."""

import io
import re

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.sites.models import Site as DjangoSite
from django.core.cache import cache
from django.core.management import call_command
from oscar.core.loading import get_model
from PIL import Image

from marketplace.cooperatives.models import Cooperative
from marketplace.demo import data, services
from marketplace.shop.catalogue.services import CATEGORIES

Product = get_model("catalogue", "Product")
StockRecord = get_model("partner", "StockRecord")
Order = get_model("order", "Order")
UserAddress = get_model("address", "UserAddress")

ORDERS = 30


def _seed() -> str:
    out = io.StringIO()
    call_command("seed_demo", "--orders", str(ORDERS), "--skip-regions", stdout=out)
    return out.getvalue()


@pytest.fixture
def seeded(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    yield _seed()
    # The command points the sites at 127.0.0.1:8000; don't let caches outlive the rollback.
    DjangoSite.objects.clear_cache()
    cache.clear()


def _counts() -> dict[str, int]:
    return {
        m._meta.label: m.objects.count()
        for m in apps.get_models()
        if m._meta.managed and not m._meta.proxy
    }


def test_seed_builds_cooperatives_products_and_site(seeded):
    from wagtail.models import Site

    from cms.models import HomePage

    county = Cooperative.objects.filter(village__code__startswith=data.DEMO_COUNTY)
    assert county.count() >= 6
    assert county.values("village").distinct().count() == county.count()
    poor = Cooperative.objects.get(poverty_area=True)
    assert poor.village_id.startswith(data.POVERTY_COUNTY)
    assert any(not c.is_valid() for c in Cooperative.objects.get(slug="dazhe-fruit")
               .certifications.all())

    demo = Product.objects.filter(stockrecords__partner_sku__in=[p.sku for p in data.PRODUCTS])
    assert demo.count() >= 40
    for product in demo.prefetch_related("images", "stockrecords", "categories"):
        assert product.images.count() == 1
        assert product.stockrecords.count() == 1
        assert product.attribute_value("spec")
    categories = set(demo.values_list("categories__name", flat=True))
    assert categories == set(CATEGORIES)

    site = Site.objects.get(is_default_site=True)
    assert isinstance(site.root_page.specific, HomePage)
    assert (site.hostname, site.port) == ("127.0.0.1", 8000)
    assert DjangoSite.objects.get(pk=1).domain == "127.0.0.1:8000"


def test_every_printed_login_works(seeded, client, rf):
    rows = re.findall(r"^.*?(\S+@demo\.cn)\s+(\S+)\s*$", seeded, flags=re.MULTILINE)
    emails = {email for email, _pw in rows}
    assert {"buyer@demo.cn", "coop1@demo.cn", "coop2@demo.cn", "host@demo.cn", "hub@demo.cn",
            "town@demo.cn", "village@demo.cn", "analyst@demo.cn", "admin@demo.cn"} <= emails

    for email, password in rows:
        # django-axes wants the request that carries the attempt.
        request = rf.post("/accounts/login/")
        assert client.login(request=request, username=email, password=password), email
        client.logout()

    User = get_user_model()
    admin = User.objects.get(email="admin@demo.cn")
    assert admin.is_staff
    assert admin.is_superuser
    coop1 = User.objects.get(email="coop1@demo.cn")
    assert coop1.partners.get().cooperative.slug == data.STAFF_COOPERATIVES[0]
    assert coop1.has_perm("partner.dashboard_access")
    address = UserAddress.objects.get(user__email="buyer@demo.cn")
    assert address.region_id.startswith(data.DEMO_COUNTY)
    assert address.country_id == "CN"


def test_past_orders_spread_over_months_without_touching_stock(seeded):
    orders = Order.objects.filter(number__startswith="D")
    assert orders.count() == ORDERS
    months = {o.date_placed.strftime("%Y-%m") for o in orders}
    assert len(months) >= 6
    assert set(orders.values_list("status", flat=True)) <= {"paid", "completed", "cancelled"}
    for order in orders.prefetch_related("lines"):
        lines = list(order.lines.all())
        assert 1 <= len({line.partner_id for line in lines}) <= 3
        assert order.total_incl_tax == (
            sum(line.line_price_incl_tax for line in lines) + order.shipping_incl_tax
        )
        assert order.shipping_address.region_id.startswith(data.DEMO_COUNTY)
    stock = dict(StockRecord.objects.values_list("partner_sku", "num_in_stock"))
    assert all(stock[p.sku] == p.stock for p in data.PRODUCTS)
    assert not StockRecord.objects.filter(num_allocated__gt=0).exists()


def test_second_run_changes_nothing(seeded):
    before = _counts()
    numbers = list(Order.objects.order_by("number").values_list("number", "total_incl_tax"))

    again = _seed()

    assert _counts() == before
    assert list(Order.objects.order_by("number").values_list("number", "total_incl_tax")) == numbers
    assert "0 created" in again


def record_step(*, ctx):
    ctx.credential_add(role="extra", email="extra@demo.cn", password="x")


def test_extra_steps_run_after_the_default_ones(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.DEMO_SEED_EXTRA_STEPS = ["tests.demo.test_seed_demo.record_step"]

    ctx = services.demo_seed(orders=0, skip_regions=True, log=lambda m: None)

    assert ctx.credentials[-1] == ("extra", "extra@demo.cn", "x")
    assert services.seed_steps()[: len(services.DEFAULT_STEPS)] == services.DEFAULT_STEPS
    DjangoSite.objects.clear_cache()
    cache.clear()


def test_product_image_without_a_cjk_font(monkeypatch):
    monkeypatch.setattr(services, "_font", lambda size: None)

    jpeg = services.product_image_render(title="遂昌红米", category="粮油", spec="5斤装")

    assert Image.open(io.BytesIO(jpeg)).size == (600, 600)


def test_credit_codes_are_valid():
    from marketplace.validators import validate_uscc

    for seq, spec in enumerate(data.COOPERATIVES, start=1):
        validate_uscc(services.demo_credit_code(county=spec.village[:6], seq=seq))
