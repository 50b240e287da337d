"""Reference data every test database needs: regions of the demo provinces, Oscar's country,
the sites with a Wagtail HomePage root, and the 农产品 catalogue setup. Idempotent.

The same steps as ``seed_demo`` (on a smaller region set): tests run on what users get.
"""

from marketplace.demo.services import SeedContext, demo_catalogue_setup, demo_site_setup
from marketplace.regions.models import Region
from marketplace.regions.services import regions_load

DEMO_PROVINCES = ["33", "43"]  # Zhejiang (遂昌县), Hunan (麻阳县)


def ensure_base_data() -> None:
    if not Region.objects.filter(pk="331123102209").exists():
        regions_load(provinces=DEMO_PROVINCES)
    ctx = SeedContext(domain="testserver", log=lambda message: None)
    demo_site_setup(ctx=ctx)
    _ensure_collection_root()
    demo_catalogue_setup(ctx=ctx)


def _ensure_collection_root() -> None:
    # Wagtail's migrations make the root collection; tests build tables without migrations.
    from wagtail.models import Collection

    if not Collection.objects.exists():
        Collection.add_root(name="Root")
