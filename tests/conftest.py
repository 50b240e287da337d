"""Shared fixtures: base data in every test database, users per role, cooperatives."""

import uuid

import pytest

from tests import factories
from tests.base_data import ensure_base_data


@pytest.fixture(scope="session", autouse=True)
def _media_root(tmp_path_factory):
    """Uploaded images and thumbnails of tests go to a temporary folder, not var/media."""
    from django.conf import settings

    media = tmp_path_factory.mktemp("media")
    settings.MEDIA_ROOT = str(media)
    # Thumbnail keys live in the cache (Redis in CI), which outlives each test database.
    settings.THUMBNAIL_KEY_PREFIX = f"sorl-test-{uuid.uuid4().hex[:12]}"


@pytest.fixture(scope="session", autouse=True)
def _page_cache_off():
    """Tests see freshly rendered pages (query budgets, content after a change made inside
    the test's transaction, whose commit never comes); tests/test_pagecache.py turns the
    anonymous page cache on for itself."""
    from django.conf import settings

    settings.PAGE_CACHE_SECONDS = 0
    # Each worker's short copy of cached pages (tests/test_pagecache.py turns it on).
    settings.PAGE_CACHE_LOCAL_SECONDS = 0
    # Likewise the live state's per-worker copy (tests/livestream/test_viewer.py turns it on).
    settings.LIVE_STATE_LOCAL_SECONDS = 0
    # And the search box's cached suggestions (tests/search/test_suggest.py turns them on).
    settings.SEARCH_SUGGEST_CACHE_SECONDS = 0
    # And the sales figures (tests/reporting/test_cache.py turns them on).
    settings.REPORTING_CACHE_SECONDS = 0


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the default language: a request through LocaleMiddleware leaves
    its language (e.g. English from a cookie) active in the thread for whatever runs next."""
    from django.utils import translation

    yield
    translation.deactivate()


@pytest.fixture(scope="session")
def django_db_setup(_media_root, django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        ensure_base_data()


@pytest.fixture
def base_data_tx(transactional_db):
    """For transaction=True tests: the flush after each one empties every table."""
    ensure_base_data()


@pytest.fixture
def coop_a(db):
    return factories.cooperative(name="妙高红米合作社", village="331123001007")


@pytest.fixture
def coop_b(db):
    return factories.cooperative(name="湖山茶叶合作社", village="331123102209")


# One product each for cooperatives A and B (dashboard scoping, refunds).
TITLE_A = "妙高红米"
TITLE_B = "湖山白茶"


@pytest.fixture
def product_a(coop_a):
    return factories.product(coop_a, title=TITLE_A, price="39.90", stock=50)


@pytest.fixture
def product_b(coop_b):
    return factories.product(coop_b, title=TITLE_B, price="128.00", stock=20)


@pytest.fixture
def buyer(db):
    return factories.user(email="buyer@example.com")


@pytest.fixture
def staff_a(coop_a):
    return factories.coop_staff(coop_a, email="staff-a@example.com")


@pytest.fixture
def staff_b(coop_b):
    return factories.coop_staff(coop_b, email="staff-b@example.com")


@pytest.fixture
def admin_user(db):
    return factories.user(email="admin@example.com", is_staff=True, is_superuser=True)
