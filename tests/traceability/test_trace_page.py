"""The public trace page /t/<code>/ a label's QR leads to: production, checks, the sale and
the delivery (town/village only), every view counted, copied codes flagged."""
# ruff: noqa: F811  (the logistics network fixture is imported and used as a parameter)

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from urllib.parse import quote

import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hyp_settings
from hypothesis import strategies as st

from marketplace.cooperatives.models import Certification
from marketplace.traceability import services
from marketplace.traceability.models import (
    CodeScan,
    HarvestBatch,
    InputRecord,
    Inspection,
    TraceCode,
)
from tests.livestream.conftest import new_session
from tests.logistics.conftest import network, paid_order, scan  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db

# What tests.dashboard.builders.order_with_lines puts on the order (the buyer's address).
RECIPIENT, PHONE, ADDRESS_LINE = "李四", "13812345678", "新路湾镇 12 号"
HARVESTED = dt.date(2026, 4, 20)


@pytest.fixture
def batch(coop_a, product_a, staff_a):
    batch = HarvestBatch.objects.create(
        cooperative=coop_a, product=product_a, batch_number="JZ-2026-03",
        plot_region_id="331123001007", plot_description="金竹村后山茶园3号地块",
        planted_on=dt.date(2025, 11, 2), harvested_on=HARVESTED, quantity=Decimal("500"),
        unit="斤", created_by=staff_a)
    InputRecord.objects.create(
        batch=batch, kind="fertiliser", name="腐熟羊粪有机肥", registration_number="",
        amount="每亩 200 公斤", applied_on=dt.date(2026, 3, 1))
    InputRecord.objects.create(
        batch=batch, kind="pesticide", name="苦参碱水剂", registration_number="PD20080001",
        amount="每亩 50 毫升", applied_on=HARVESTED - dt.timedelta(days=3),
        safe_interval_days=7)
    Inspection.objects.create(
        batch=batch, kind="report", number="ZJ2026-0412", issuer="遂昌县农产品质量检测站",
        inspected_on=HARVESTED, result="pass", document="trace/inspections/report.pdf")
    Certification.objects.create(
        cooperative=coop_a, kind="green", number="LB-15-2101234567", issuer="中国绿色食品发展中心",
        valid_until=timezone.localdate() + dt.timedelta(days=200))
    Certification.objects.create(
        cooperative=coop_a, kind="organic", number="ORG-2019-0042", issuer="某认证机构",
        valid_until=timezone.localdate() - dt.timedelta(days=1))
    return batch


@pytest.fixture
def codes(batch, staff_a):
    return [c.code for c in services.codes_issue(batch=batch, count=3, user=staff_a)]


def codes_product_url(code: str) -> str:
    return TraceCode.objects.get(code=code).batch.product.get_absolute_url()


def page(client, code, **extra):
    return client.get(reverse("trace:code", args=[code]), **extra)


def _deliver(network, shipment):
    for node, event, minutes in (
            ("yetan", "received", 0), ("yetan", "dispatched", 10),
            ("miaogao", "received", 30), ("miaogao", "dispatched", 40),
            ("hub", "received", 60), ("hub", "dispatched", 70),
            ("xinluwan", "received", 90), ("xinluwan", "dispatched", 100),
            ("yuanlukou", "received", 120), ("yuanlukou", "out_for_delivery", 125)):
        scan(network, node, shipment, event, minutes=minutes)
    scan(network, "yuanlukou", shipment, "delivered", minutes=130, recipient_name=RECIPIENT,
         signature=RECIPIENT, note="放在村委会门口")


@pytest.fixture
def sold(network, buyer, product_a, coop_a, staff_a, codes):
    """Code 0 bound to a line bought in a live session, carried to 远路口村 and delivered."""
    session = new_session(coop_a, staff_a, title="金竹村春茶开采直播")
    order = paid_order(buyer, product_a)
    line = order.lines.get()
    line.live_session = session
    line.save()
    services.codes_bind(order_line=line, codes=[codes[0]], user=staff_a)
    _deliver(network, order.shipments.get())
    buyer.first_name, buyer.last_name = "王", "小明"
    buyer.save()
    return order


def test_an_unsold_code_shows_production_checks_and_certifications(client, codes):
    response = page(client, codes[0])

    assert response.status_code == 200
    text = response.content.decode()
    for shown in ("妙高红米", "妙高红米合作社", "JZ-2026-03", "金竹村后山茶园3号地块", "妙高街道",
                  "叶坦社区", "2026-04-20", "腐熟羊粪有机肥", "苦参碱水剂", "PD20080001",
                  "ZJ2026-0412", "遂昌县农产品质量检测站", "LB-15-2101234567", "ORG-2019-0042"):
        assert shown in text, shown
    # the pesticide was applied 3 days before harvest; its safe interval is 7
    assert "少于安全间隔期 7 天" in text
    # the expired certificate is marked, the valid one is not
    organic = text.split("ORG-2019-0042", 1)[1].split("</li>", 1)[0]
    green = text.split("LB-15-2101234567", 1)[1].split("</li>", 1)[0]
    assert "已过期" in organic and "已过期" not in green
    assert "尚未随订单售出" in text and 'id="delivery"' not in text
    assert f'href="{codes_product_url(codes[0])}"' in text  # the product in the shop


def test_a_sold_code_shows_the_live_sale_and_the_delivery_without_personal_data(
        client, sold, codes):
    text = page(client, codes[0]).content.decode()

    assert "直播" in text and "金竹村春茶开采直播" in text
    assert reverse("livestream:detail", args=[sold.lines.get().live_session.slug]) in text
    delivery = text.split('id="delivery"', 1)[1]
    assert "已签收" in delivery and "新路湾镇 · 远路口村委会" in delivery
    assert "妙高街道 · 叶坦社区" in delivery
    user = sold.user
    leaked = [x for x in (RECIPIENT, PHONE, ADDRESS_LINE, "+8613812345678", sold.number,
                          user.email, "小明", "放在村委会门口", "服务点")
              if x in text]
    assert not leaked, leaked
    # the other codes of the batch were not sold
    assert "尚未随订单售出" in page(client, codes[1]).content.decode()


def test_each_view_is_counted_and_never_cached(client, codes):
    page(client, codes[0])
    page(client, codes[0])
    response = page(client, codes[0])

    assert CodeScan.objects.filter(code__code=codes[0]).count() == 3
    assert "已被查询 3 次" in response.content.decode()
    assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]
    assert CodeScan.objects.filter(code__code=codes[1]).count() == 0
    client.head(reverse("trace:code", args=[codes[1]]))
    assert CodeScan.objects.filter(code__code=codes[1]).count() == 0


def test_scans_keep_no_ip_address(client, codes):
    page(client, codes[0], REMOTE_ADDR="203.0.113.77")

    place = CodeScan.objects.get().place
    assert place and "203.0.113" not in place


def test_five_networks_reading_one_code_warn_that_it_may_be_copied(client, codes):
    for n in range(1, 5):
        text = page(client, codes[0], REMOTE_ADDR=f"10.0.{n}.9").content.decode()
    assert "请注意" not in text

    text = page(client, codes[0], REMOTE_ADDR="10.0.5.9").content.decode()

    assert "请注意" in text
    first = timezone.localtime(CodeScan.objects.earliest("scanned_at").scanned_at)
    assert f"此码首次被查询于 {first:%Y-%m-%d %H:%M}；如果您刚买到这件商品，它可能是仿冒品" in text
    # another code of the same batch is not affected
    assert "请注意" not in page(client, codes[1], REMOTE_ADDR="10.0.6.9").content.decode()


def test_many_phones_on_one_network_are_one_place(client, codes):
    for host in range(1, 8):
        text = page(client, codes[0], REMOTE_ADDR=f"192.168.1.{host}").content.decode()

    assert "请注意" not in text


def old_delivery(order_line):
    """A TRACE_DELIVERY_TIMELINE stand-in: delivered 40 days ago."""
    at = timezone.now() - dt.timedelta(days=40)
    return {"events": [{"at": at, "place": "新路湾镇 · 远路口村", "status": "已签收"}],
            "delivered_at": at}


def test_a_first_scan_long_after_delivery_warns(client, sold, codes, settings):
    settings.TRACE_DELIVERY_TIMELINE = f"{__name__}.old_delivery"

    text = page(client, codes[0]).content.decode()

    assert "请注意" in text and "新路湾镇 · 远路口村" in text


def test_the_page_works_without_the_delivery_hook(client, sold, codes, settings):
    settings.TRACE_DELIVERY_TIMELINE = ""

    response = page(client, codes[0])

    assert response.status_code == 200 and "金竹村春茶开采直播" in response.content.decode()


def test_an_unknown_code_is_a_404_that_says_so(client, codes, batch, staff_a):
    services.codes_issue(batch=batch, count=1, user=staff_a)
    gone = batch.codes.order_by("-serial").first()
    code = gone.code
    gone.delete()

    response = page(client, code)

    assert response.status_code == 404 and "查无此码" in response.content.decode()


def _mistype(code: str, i: int) -> str:
    alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
    return code[:i] + alphabet[(alphabet.index(code[i]) + 1) % 32] + code[i + 1:]


@pytest.mark.parametrize("where", [0, 5, 10], ids=["first", "middle", "check"])
def test_a_mistyped_code_gets_a_clear_message_not_a_500(client, codes, where):
    response = page(client, _mistype(codes[0], where))

    assert response.status_code == 400
    assert "校验位不对" in response.content.decode()
    assert CodeScan.objects.count() == 0


@pytest.mark.parametrize("text", ["ABC", "A" * 80, "%3Cscript%3E", "-"],
                         ids=["short", "long", "markup", "dash"])
def test_malformed_codes_are_a_400_with_a_message(client, db, text):
    response = client.get(f"/t/{text}/")

    assert response.status_code == 400
    body = response.content.decode()
    assert "码的长度不对" in body or "含有无效字符" in body
    assert "<script>" not in body


def test_a_code_typed_in_groups_and_lower_case_leads_to_its_page(client, codes):
    typed = f"{codes[0][:4].lower()}-{codes[0][4:8]} {codes[0][8:]}"

    response = client.get(reverse("trace:index"), {"code": typed})

    assert (response.status_code, response["Location"]) == (
        302, reverse("trace:code", args=[codes[0]]))
    assert client.get(reverse("trace:index")).status_code == 200
    assert client.get(reverse("trace:index"), {"code": _mistype(codes[0], 3)}).status_code == 400


def test_the_page_is_small_and_costs_a_fixed_number_of_queries(
        client, sold, codes, batch, django_assert_max_num_queries):
    # lookup, scan, code + batch + sale, certifications, inputs, inspections, plot region,
    # scan figures; the delivery hook: shipment, hops, events, regions
    with django_assert_max_num_queries(12):
        response = page(client, codes[0])
    assert response.status_code == 200
    for n in range(30):
        InputRecord.objects.create(batch=batch, kind="other", name=f"防虫网 {n}",
                                   amount="每亩 1 张", applied_on=dt.date(2026, 3, 2))
        Inspection.objects.create(batch=batch, kind="certificate", number=f"HG-{n}",
                                  issuer="金竹村合作社", inspected_on=HARVESTED, result="pass")

    with django_assert_max_num_queries(12):
        response = page(client, codes[0])

    assert "防虫网 29" in response.content.decode() and "HG-29" in response.content.decode()
    assert len(response.content) < 100_000


def test_the_qr_of_a_code_decodes_to_its_page_and_is_not_a_scan(client, codes):
    from PIL import Image

    from tests.traceability.test_labels import zbar

    png = client.get(reverse("trace:qr-png", args=[codes[0]]))
    svg = client.get(reverse("trace:qr-svg", args=[codes[0]]))

    decoded = zbar().decode(Image.open(io.BytesIO(png.content)))
    assert [d.data.decode() for d in decoded] == [
        f"http://testserver{reverse('trace:code', args=[codes[0]])}"]
    assert svg["Content-Type"] == "image/svg+xml" and svg.content.startswith(b"<svg")
    assert CodeScan.objects.count() == 0
    assert client.get(reverse("trace:qr-png", args=["ZZZZZZZZZZZ"])).status_code == 404


@hyp_settings(max_examples=60, deadline=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(typed=st.text(min_size=1, max_size=60))
def test_whatever_is_typed_answers_a_clear_page_never_a_500(client, typed):
    for url in (f"/t/{quote(typed, safe='')}/", f"/t/?code={quote(typed, safe='')}"):
        response = client.get(url, follow=True)

        assert response.status_code in (200, 400, 404), url
        if response.status_code == 200:  # only the box itself (typed was blank)
            assert response.redirect_chain == [] or response.redirect_chain[-1][0] == "/t/"
