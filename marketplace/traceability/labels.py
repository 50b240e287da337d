"""Printed trace labels (一品一码): A4 sheets of stickers, each with the QR code of its code's
public trace page, the code in groups, the product and the batch; and one code's QR as PNG
or SVG for packaging artwork."""

from __future__ import annotations

import io
from collections.abc import Sequence

import segno
from django.urls import reverse
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen import canvas

from marketplace.pdf_fonts import CODE_FONT, cjk_font
from marketplace.traceability.codes import code_group

# One PDF holds at most this many labels: a print shop's job, a few MB, made within a
# request. Larger runs are printed as several ranges.
MAX_LABELS = 2000
COLUMNS, ROWS = 4, 6  # 24 stickers of 50 × 47 mm on an A4 sheet
PER_PAGE = COLUMNS * ROWS
PAGE = A4
MARGIN = 5 * mm


def grouped(code: str) -> str:
    """How people read a code: XXXX-XXXX-XXX."""
    return code_group(code)


def trace_url(base: str, code: str) -> str:
    """What a code's QR says: the absolute address of its public trace page."""
    return base.rstrip("/") + reverse("trace:code", args=[code])


def qr_png(payload: str, *, scale: int = 8) -> bytes:
    out = io.BytesIO()
    segno.make_qr(payload, error="m").save(out, kind="png", scale=scale, border=2)
    return out.getvalue()


def _qr_image(payload: str, *, scale: int = 4):
    """A 1-bit PIL image of the QR (no PNG round trip: a sheet draws up to 2,000)."""
    from PIL import Image

    rows = list(segno.make_qr(payload, error="m").matrix_iter(scale=1, border=2))
    image = Image.new("1", (len(rows[0]), len(rows)))
    image.putdata([0 if dark else 1 for row in rows for dark in row])
    return image.resize((image.width * scale, image.height * scale), Image.Resampling.NEAREST)


def qr_svg(payload: str, *, scale: int = 8) -> bytes:
    out = io.BytesIO()
    segno.make_qr(payload, error="m").save(out, kind="svg", scale=scale, border=2,
                                           xmldecl=False)
    return out.getvalue()


def range_check(first: int, last: int) -> None:
    """Raises ValueError (a Chinese message for the form) unless first..last is a range of
    serials one PDF may hold."""
    if first < 1 or last < first:
        raise ValueError(_("序号范围不对：起始序号须不小于 1，且不大于结束序号。"))
    count = last - first + 1
    if count > MAX_LABELS:
        raise ValueError(
            _("一次最多打印 %(max)s 张标签（所选 %(count)s 张），请分段打印，"
              "例如 %(first)s–%(end)s。") % {
                "max": f"{MAX_LABELS:,}", "count": f"{count:,}", "first": first,
                "end": first + MAX_LABELS - 1})


def _fit(text: str, font: str, size: float, width: float) -> str:
    if pdfmetrics.stringWidth(text, font, size) <= width:
        return text
    while text and pdfmetrics.stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text + "…"


def _draw(c: canvas.Canvas, x: float, y: float, w: float, h: float, *, code: str,
          serial: int, product: str, batch_number: str, base: str, font: str) -> None:
    """One sticker with its lower left corner at (x, y)."""
    pad = 2 * mm
    c.setLineWidth(0.2)
    c.setDash(1, 2)
    c.rect(x, y, w, h)  # cutting guide
    c.setDash()
    qr = 30 * mm
    c.drawImage(ImageReader(_qr_image(trace_url(base, code))),
                x + (w - qr) / 2, y + h - pad - qr, width=qr, height=qr)
    inner = w - 2 * pad
    c.setFont(CODE_FONT, 10)
    c.drawCentredString(x + w / 2, y + h - pad - qr - 4 * mm, grouped(code))
    c.setFont(font, 7)
    c.drawCentredString(x + w / 2, y + h - pad - qr - 8 * mm, _fit(product, font, 7, inner))
    c.drawCentredString(
        x + w / 2, y + h - pad - qr - 11.5 * mm,
        _fit(_("批次 %(batch)s · 第 %(serial)s 枚") % {"batch": batch_number,
                                                     "serial": serial}, font, 7, inner))
    c.setFont(font, 6)
    c.drawCentredString(x + w / 2, y + pad, _fit(_("扫码查看产地、检测和物流"), font, 6, inner))


def label_sheet_pdf(codes: Sequence, *, product: str, batch_number: str, base: str) -> bytes:
    """A4 sheets of ``codes`` (objects with ``code`` and ``serial``), 24 stickers a page."""
    if len(codes) > MAX_LABELS:
        raise ValueError(_("一次最多打印 %(max)s 张标签。") % {"max": f"{MAX_LABELS:,}"})
    font = cjk_font()
    out = io.BytesIO()
    c = canvas.Canvas(out, pagesize=PAGE, invariant=True)
    c.setTitle(_("溯源码标签"))
    page_w, page_h = PAGE
    w = (page_w - 2 * MARGIN) / COLUMNS
    h = (page_h - 2 * MARGIN) / ROWS
    for i, item in enumerate(codes):
        slot = i % PER_PAGE
        if i and slot == 0:
            c.showPage()
        col, row = slot % COLUMNS, slot // COLUMNS
        _draw(c, MARGIN + col * w, page_h - MARGIN - (row + 1) * h, w, h, code=item.code,
              serial=item.serial, product=product, batch_number=batch_number, base=base,
              font=font)
    c.showPage()
    c.save()
    return out.getvalue()


def batch_labels_pdf(batch, first: int, last: int, *, base: str) -> bytes:
    """The stickers of ``batch``'s codes with serials first..last (ValueError when the range
    is not one PDF's worth, or holds no issued code)."""
    range_check(first, last)
    codes = list(batch.codes.filter(serial__gte=first, serial__lte=last)
                 .only("code", "serial").order_by("serial"))
    if not codes:
        raise ValueError(_("这个范围内还没有发放溯源码。"))
    product = batch.product
    title = product.get_title() if hasattr(product, "get_title") else str(product)
    return label_sheet_pdf(codes, product=title, batch_number=batch.batch_number, base=base)
