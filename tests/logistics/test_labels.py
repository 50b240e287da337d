"""Printed paper: a parcel's label (QR of its tracking page, code, route, destination, storage
class) and a run's manifest (codes by village point, counts), read back from the PDF."""
# ruff: noqa: F811  (fixtures imported from hub_helpers are test parameters here)

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from logistics import dispatch, labels
from tests import factories
from tests.logistics.conftest import paid_order, scan
from tests.logistics.hub_helpers import (  # noqa: F401  (fixtures)
    at_hub,
    coop_c,
    damabu,
    order_to,
    parcels,
)

pytestmark = pytest.mark.django_db


def zbar():
    """pyzbar's decoder, or a skip saying why (it needs Debian's libzbar0)."""
    try:
        from pyzbar import pyzbar
    except (ImportError, OSError) as exc:
        pytest.skip(f"cannot decode QR codes: pyzbar/libzbar0 missing ({exc}); "
                    "apt-get install libzbar0 (make test does)")
    return pyzbar


def pdf_text(content: bytes) -> list[str]:
    assert content.startswith(b"%PDF-")
    return [page.extract_text() for page in PdfReader(io.BytesIO(content)).pages]


def qr_payloads(content: bytes) -> list[str]:
    decode = zbar().decode
    found = []
    for page in PdfReader(io.BytesIO(content)).pages:
        for image in page.images:
            found += [r.data.decode() for r in decode(image.image) if r.type == "QRCODE"]
    return found


def destination(text: str) -> str:
    return text.split("送达", 1)[1].split("收件人", 1)[0].replace("\n", "").strip()


@pytest.fixture
def parcel(network, buyer, product_a):
    """A's parcel: 叶坦 → 妙高 → hub → 新路湾 → 远路口."""
    return paid_order(buyer, product_a).shipments.get()


def test_the_qr_payload_decodes_to_the_tracking_url():
    png = labels.qr_png(labels.track_url("https://shop.example.cn/", "ABCDE23456"))

    from PIL import Image

    decoded = zbar().decode(Image.open(io.BytesIO(png)))
    assert [d.data.decode() for d in decoded] == ["https://shop.example.cn/track/ABCDE23456/"]


def test_the_cooperative_prints_its_label_with_code_route_destination_and_qr(
        client, network, parcel, staff_a):
    client.force_login(staff_a)

    response = client.get(reverse("logistics-hub:label", kwargs={"code": parcel.code}))

    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    (text,) = pdf_text(response.content)
    assert parcel.code in text and "常温" in text
    assert destination(text) == "远路口村服务点"
    flat = text.replace("\n", "")
    assert "叶坦社区服务点 → 妙高街道服务站 → 遂昌县农村物流分拨中心" in flat
    assert "138****5678" in text and "13812345678" not in text
    assert qr_payloads(response.content) == [f"http://testserver/track/{parcel.code}/"]


def test_the_qr_uses_site_url_when_it_is_set(client, network, parcel, staff_a, settings):
    settings.SITE_URL = "https://nong.suichang.example.cn"
    client.force_login(staff_a)

    response = client.get(reverse("logistics-hub:label", kwargs={"code": parcel.code}))

    assert qr_payloads(response.content) == [
        f"https://nong.suichang.example.cn/track/{parcel.code}/"]


def test_a_cold_parcel_prints_its_storage_class(client, network, parcels):
    client.force_login(network.op["hub"])
    chilled = parcels["sanjing_c"]

    response = client.get(reverse("logistics-hub:label", kwargs={"code": chilled.code}))

    (text,) = pdf_text(response.content)
    assert "冷藏" in text and chilled.code in text
    # 三井村 has no point: the parcel is handed over at the station
    assert destination(text) == "新路湾镇服务站"


def test_the_manifest_lists_the_codes_by_village_point_with_counts(client, network, parcels):
    run = dispatch.runs_plan(hub=network.hub, user=network.op["hub"])[0]
    client.force_login(network.op["hub"])

    response = client.get(reverse("logistics-hub:manifest",
                                  kwargs={"hub_id": network.hub.pk, "run_id": run.pk}))

    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = "\n".join(pdf_text(response.content))
    for name in ("yuanlukou_a", "yuanlukou_c", "damabu_a", "damabu_c", "sanjing_c"):
        assert parcels[name].code in text
    assert parcels["not_yet"].code not in text
    assert "远路口村服务点（2 件）" in text and "大马埠村服务点（2 件）" in text
    assert "新路湾镇服务站（1 件）" in text and "合计：5 件" in text
    # grouped: each point's codes come right after its heading
    after = text.split("大马埠村服务点（2 件）")[1].split("件）")[0]
    assert parcels["damabu_a"].code in after and parcels["damabu_c"].code in after


def test_a_long_manifest_lists_every_code_across_its_pages(network, damabu, buyer, product_a):
    codes = [at_hub(network, order_to(buyer, "331123102216", product_a).shipments.get()).code
             for _i in range(150)]
    run = dispatch.runs_plan(hub=network.hub, user=network.op["hub"])[0]

    pages = pdf_text(labels.manifest_pdf(run, dispatch.run_groups(run)))

    assert len(pages) >= 2
    assert all(any(code in page for page in pages) for code in codes)
    assert "大马埠村服务点（150 件）" in pages[0] and "合计：150 件" in pages[-1]


def test_a_label_sheet_has_one_page_per_parcel_awaiting_pickup(client, network, buyer,
                                                               product_a, staff_a):
    waiting = [paid_order(buyer, product_a).shipments.get() for _i in range(3)]
    scan(network, "yetan", waiting[0], "received")  # already taken in: no label needed
    client.force_login(staff_a)

    index = client.get(reverse("logistics-hub:labels"))
    sheet = client.get(reverse("logistics-hub:label-sheet",
                               kwargs={"partner_id": product_a.stockrecords.get().partner_id}))

    assert waiting[1].code in index.text and waiting[0].code not in index.text
    pages = pdf_text(sheet.content)
    assert len(pages) == 2
    assert {waiting[1].code, waiting[2].code} == {
        code for page in pages for code in (waiting[1].code, waiting[2].code) if code in page}
    assert len(qr_payloads(sheet.content)) == 2


def test_an_empty_label_sheet_says_so(client, network, staff_a, coop_a):
    client.force_login(staff_a)

    response = client.get(reverse("logistics-hub:label-sheet",
                                  kwargs={"partner_id": coop_a.partner_id}), follow=True)

    assert response.status_code == 200 and "没有待揽收的包裹" in response.text


@pytest.mark.parametrize("path", ["/nonexistent/font.ttf",
                                  "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"],
                         ids=["missing", "cff-outlines"])
def test_an_unusable_font_falls_back_to_stsong(path):
    assert labels.cjk_font(path) == labels.FALLBACK_FONT


def test_labels_embed_the_installed_truetype_cjk_font(settings):
    from pathlib import Path

    if not Path(settings.LOGISTICS_PDF_FONT).is_file():
        pytest.skip(f"no CJK TrueType font at {settings.LOGISTICS_PDF_FONT} "
                    "(apt-get install fonts-wqy-microhei); labels use STSong-Light")
    # a printer without Chinese fonts still prints the labels: the glyphs travel in the PDF
    assert labels.cjk_font() != labels.FALLBACK_FONT


def test_a_label_for_an_unknown_code_is_a_404(client, network, staff_a):
    client.force_login(staff_a)
    assert client.get(reverse("logistics-hub:label", kwargs={"code": "NOSUCHCODE"})
                      ).status_code == 404


def test_another_cooperative_cannot_print_the_label(client, network, parcel, coop_b):
    client.force_login(factories.coop_staff(coop_b, email="staff-b@example.com"))
    assert client.get(reverse("logistics-hub:label", kwargs={"code": parcel.code})
                      ).status_code == 404


def test_cooperative_staff_find_their_labels_in_the_dashboard_menu(client, network, staff_a):
    client.force_login(staff_a)

    page = client.get(reverse("dashboard:index"))

    assert page.status_code == 200
    assert f'href="{reverse("logistics-hub:labels")}"' in page.text
    assert f'href="{reverse("logistics-hub:index")}"' not in page.text
