"""Reference data every test database needs: regions of the demo provinces, Wagtail's
root page and site, Oscar's country and the 农产品 catalogue setup. Idempotent."""

from django.contrib.contenttypes.models import ContentType
from django.contrib.sites.models import Site as DjangoSite
from oscar.core.loading import get_model

from marketplace.regions.models import Region
from marketplace.regions.services import regions_load
from marketplace.shop.catalogue.services import catalogue_setup

Country = get_model("address", "Country")

DEMO_PROVINCES = ["33", "43"]  # Zhejiang (遂昌县), Hunan (麻阳县)


def ensure_base_data() -> None:
    if not Region.objects.filter(pk="331123102209").exists():
        regions_load(provinces=DEMO_PROVINCES)
    Country.objects.get_or_create(
        iso_3166_1_a2="CN",
        defaults={"iso_3166_1_a3": "CHN", "iso_3166_1_numeric": "156", "printable_name": "中国",
                  "name": "People's Republic of China", "is_shipping_country": True},
    )
    DjangoSite.objects.update_or_create(pk=1, defaults={"domain": "testserver", "name": "test"})
    _ensure_wagtail_root()
    catalogue_setup()


def _ensure_wagtail_root() -> None:
    from wagtail.models import Collection, Locale, Page, Site

    from cms.models import HomePage

    locale, _ = Locale.objects.get_or_create(language_code="zh-hans")
    if not Collection.objects.exists():
        Collection.add_root(name="Root")
    root = Page.get_first_root_node()
    if root is None:
        ct = ContentType.objects.get_for_model(Page)
        root = Page.add_root(instance=Page(title="Root", slug="root", content_type=ct,
                                           locale=locale))
    if not Site.objects.exists():
        home = root.add_child(instance=HomePage(title="遂昌农品", slug="home", locale=locale))
        Site.objects.create(hostname="testserver", port=80, root_page=home,
                            is_default_site=True, site_name="遂昌农品")
