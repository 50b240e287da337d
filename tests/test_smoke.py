"""The storefront's main pages answer."""

from tests import factories


def test_home_page_shows_featured_products(client, coop_a):
    factories.product(coop_a, title="遂昌红米")
    response = client.get("/")
    assert response.status_code == 200
    assert "遂昌红米" in response.content.decode()


def test_catalogue_and_product_detail(client, coop_a):
    p = factories.product(coop_a, title="高山茶叶", category="茶叶", image=True)
    listing = client.get("/catalogue/")
    assert "高山茶叶" in listing.content.decode()
    detail = client.get(p.get_absolute_url())
    assert detail.status_code == 200
    assert "¥39.90" in detail.content.decode()


def test_product_cards_show_webp_thumbnails_made_from_the_upload(client, coop_a, settings):
    import re
    from pathlib import Path

    factories.product(coop_a, title="遂昌菊米", image=True)
    body = client.get("/catalogue/").content.decode()
    src = re.search(r'<img src="([^"]+)" alt="遂昌菊米"', body).group(1)
    assert src.startswith(settings.MEDIA_URL + "cache/")
    assert src.endswith(".webp")
    thumb = Path(settings.MEDIA_ROOT) / src.removeprefix(settings.MEDIA_URL)
    assert thumb.read_bytes()[8:12] == b"WEBP"
