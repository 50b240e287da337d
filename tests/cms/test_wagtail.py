"""Wagtail serves the site root; Oscar keeps its own paths; the CMS admin is at /cms/."""

from wagtail.models import Site

from cms.models import HomePage
from tests import factories


def test_site_root_is_a_home_page_with_featured_products(client, coop_a):
    factories.product(coop_a, title="遂昌长粽")
    assert isinstance(Site.objects.get(is_default_site=True).root_page.specific, HomePage)
    response = client.get("/")
    assert response.status_code == 200
    assert "遂昌长粽" in response.content.decode()


def test_oscar_paths_are_not_swallowed_by_wagtail(client, db):
    for path in ["/catalogue/", "/basket/", "/search/", "/accounts/login/"]:
        assert client.get(path).status_code == 200, path
    assert client.get("/dashboard/").status_code == 302  # login first
    assert client.get("/no-such-page/").status_code == 404


def test_cms_admin_for_admin_only(client, admin_user, buyer):
    assert client.get("/cms/").status_code == 302
    client.force_login(buyer)
    assert client.get("/cms/").status_code == 302  # Wagtail sends non-editors to its login
    client.force_login(admin_user)
    assert client.get("/cms/").status_code == 200
    assert client.get("/django-admin/").status_code == 200
