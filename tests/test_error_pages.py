"""Error pages speak Chinese and keep the site's navigation."""

import pytest


@pytest.mark.django_db
def test_404_page_is_chinese_and_links_home(client):
    response = client.get("/catalogue/no-such-product_999999/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "页面不存在" in body
    assert 'href="/"' in body
