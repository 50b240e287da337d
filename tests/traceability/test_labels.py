"""Printed trace labels: an A4 sheet of stickers whose QR codes read back as the codes' public
trace pages; one code's QR as PNG and SVG; ranges too large for one PDF refused."""

from __future__ import annotations

import io
from types import SimpleNamespace

import pytest
from pypdf import PdfReader

from marketplace.traceability import labels

BASE = "https://nong.suichang.example.cn/"
CODES = [f"{n:02d}ABCDEFGH{n % 10}" for n in range(1, 25)]  # shape only: the PDF reads them


def zbar():
    """pyzbar's decoder, or a skip saying why (it needs Debian's libzbar0)."""
    try:
        from pyzbar import pyzbar
    except (ImportError, OSError) as exc:
        pytest.skip(f"cannot decode QR codes: pyzbar/libzbar0 missing ({exc}); "
                    "apt-get install libzbar0 (make test does)")
    return pyzbar


def qr_payloads(content: bytes) -> list[str]:
    decode = zbar().decode
    found = []
    for page in PdfReader(io.BytesIO(content)).pages:
        for image in page.images:
            found += [r.data.decode() for r in decode(image.image) if r.type == "QRCODE"]
    return found


def sheet(codes: list[str]) -> bytes:
    items = [SimpleNamespace(code=c, serial=i) for i, c in enumerate(codes, start=1)]
    return labels.label_sheet_pdf(items, product="金竹高山云雾茶", batch_number="JZ-2026-03",
                                  base=BASE)


def test_a_sheet_of_24_labels_is_one_page_whose_qr_codes_lead_to_each_trace_page():
    content = sheet(CODES)

    reader = PdfReader(io.BytesIO(content))
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text()
    assert "金竹高山云雾茶" in text and "JZ-2026-03" in text
    assert labels.grouped(CODES[0]) in text  # the code as people type it: XXXX-XXXX-XXX
    assert sorted(qr_payloads(content)) == sorted(f"{BASE}t/{c}/" for c in CODES)


def test_the_25th_label_starts_a_second_page():
    content = sheet([*CODES, "25ABCDEFGH5"])

    pages = PdfReader(io.BytesIO(content)).pages
    assert len(pages) == 2 and len(pages[1].images) == 1


def test_one_code_as_png_and_svg():
    url = labels.trace_url(BASE, CODES[0])
    from PIL import Image

    png = labels.qr_png(url)
    svg = labels.qr_svg(url).decode()

    assert [d.data.decode() for d in zbar().decode(Image.open(io.BytesIO(png)))] == [url]
    assert url == "https://nong.suichang.example.cn/t/01ABCDEFGH1/"
    assert svg.startswith("<svg") and "<path" in svg


@pytest.mark.parametrize(("first", "last"), [(1, 100_000), (5, 2_005)], ids=["100000", "2001"])
def test_a_range_larger_than_one_pdf_is_refused_with_a_clear_message(first, last):
    with pytest.raises(ValueError, match="一次最多打印 2,000 张标签") as refused:
        labels.range_check(first, last)
    assert f"例如 {first}–{first + 1999}" in str(refused.value)


@pytest.mark.parametrize(("first", "last"), [(0, 10), (10, 9)], ids=["zero", "backwards"])
def test_a_backwards_or_zero_range_is_refused(first, last):
    with pytest.raises(ValueError, match="序号范围不对"):
        labels.range_check(first, last)


def test_exactly_2000_labels_are_allowed():
    labels.range_check(1, 2000)
