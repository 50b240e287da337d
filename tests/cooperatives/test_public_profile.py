"""A cooperative's public page and product page show valid certification badges only."""

import datetime

from django.utils import timezone

from marketplace.cooperatives.models import Certification
from tests import factories


def _certs(coop):
    today = timezone.localdate()
    Certification.objects.create(cooperative=coop, kind="green", number="LB-11-2301",
                                 issuer="中国绿色食品发展中心",
                                 valid_until=today + datetime.timedelta(days=300))
    Certification.objects.create(cooperative=coop, kind="organic", number="ORG-EXPIRED-1",
                                 issuer="南京国环有机产品认证中心",
                                 valid_until=today - datetime.timedelta(days=1))


def test_expired_certification_loses_its_badge_on_the_profile(client, coop_a):
    _certs(coop_a)
    factories.product(coop_a, title="遂昌红米")
    body = client.get(f"/cooperatives/{coop_a.slug}/").content.decode()
    assert "绿色食品" in body
    assert "LB-11-2301" in body
    assert "ORG-EXPIRED-1" not in body
    assert "有机产品" not in body
    assert "遂昌红米" in body
    assert "浙江省丽水市遂昌县" in body


def test_product_page_shows_cooperative_origin_and_attributes(client, coop_a):
    _certs(coop_a)
    product = factories.product(coop_a, title="高山冬笋", storage="冷藏")
    body = client.get(product.get_absolute_url()).content.decode()
    assert coop_a.legal_name in body
    assert "绿色食品" in body
    assert "有机产品" not in body
    assert "5斤装" in body
    assert "冷藏" in body
    assert "180" in body
    assert "需冷链配送" in body
    assert "遂昌县妙高街道" in body


def test_unknown_cooperative_is_404(client, db):
    assert client.get("/cooperatives/no-such-coop/").status_code == 404


def test_ambient_produce_needs_no_cold_chain(client, coop_a):
    product = factories.product(coop_a, title="遂昌红米", storage="常温")
    assert not product.requires_cold_chain
    assert "需冷链配送" not in client.get(product.get_absolute_url()).content.decode()
