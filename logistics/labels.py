"""Printed paper of the hub: shipping labels (面单) with a QR code, and run manifests
(共同配送交接单), as PDF bytes drawn with reportlab."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence

import segno
from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen import canvas
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from marketplace.pdf_fonts import CODE_FONT, FALLBACK_FONT, cjk_font  # noqa: F401  (FALLBACK_FONT: tests)
from marketplace.shop.catalogue.storage import AMBIENT

LABEL_SIZE = (100 * mm, 150 * mm)  # the usual 100 × 150 mm thermal label


def track_url(base: str, code: str) -> str:
    """What a label's QR code says: the public tracking page of the parcel."""
    return f"{base.rstrip('/')}/track/{code}/"


def qr_png(payload: str, *, scale: int = 8) -> bytes:
    out = io.BytesIO()
    segno.make_qr(payload, error="m").save(out, kind="png", scale=scale, border=2)
    return out.getvalue()


def _masked_phone(phone) -> str:
    # a PhoneNumber's national part: "+86 138…" must not print as "861****"
    national = getattr(phone, "national_number", None)
    digits = "".join(ch for ch in str(national or phone or "") if ch.isdigit())
    return f"{digits[:3]}****{digits[-4:]}" if len(digits) >= 7 else ""


def destination_name(shipment) -> str:
    """Where the parcel is handed to the buyer: its last node (a village point, or the town
    station when the village has none), or the express carrier outside the county."""
    nodes = shipment.route_nodes
    if not nodes:
        return _("无法配送")
    if nodes[-1] is None:
        return _("县外快递")
    return nodes[-1].name


def route_text(shipment) -> str:
    return " → ".join(n.name if n is not None else _("快递") for n in shipment.route_nodes)


def _wrap(text: str, font: str, size: float, width: float) -> list[str]:
    """Lines of ``text`` that fit ``width``, broken anywhere (Chinese has no spaces)."""
    lines, line = [], ""
    for ch in text:
        if pdfmetrics.stringWidth(line + ch, font, size) > width and line:
            lines.append(line)
            line = ch
        else:
            line += ch
    return [*lines, line] if line else lines


def _draw_label(c: canvas.Canvas, shipment, base: str) -> None:
    font = cjk_font()
    w, h = LABEL_SIZE
    margin = 5 * mm
    code = shipment.code
    # storage class, printed big: 冷藏 / 冷冻 white on black so they cannot be missed
    box_h = 22 * mm
    cold = shipment.storage != AMBIENT
    c.setFillColor(colors.black if cold else colors.white)
    c.rect(margin, h - margin - box_h, w - 2 * margin, box_h, stroke=1, fill=1)
    c.setFillColor(colors.white if cold else colors.black)
    c.setFont(font, 44)
    c.drawCentredString(w / 2, h - margin - box_h + 5 * mm, shipment.storage)
    c.setFillColor(colors.black)
    # QR code of the tracking URL, left; destination to its right
    qr = 48 * mm
    top = h - margin - box_h - 3 * mm
    c.drawImage(ImageReader(io.BytesIO(qr_png(track_url(base, code)))), margin, top - qr,
                width=qr, height=qr)
    x = margin + qr + 3 * mm
    c.setFont(font, 10)
    c.drawString(x, top - 6 * mm, _("送达"))
    # as big as lets the name fit on two lines
    name, width = destination_name(shipment), w - x - margin
    size = next((s for s in (18, 16, 14, 12) if len(_wrap(name, font, s, width)) <= 2), 11)
    y = top - 14 * mm
    for line in _wrap(name, font, size, width)[:3]:
        c.setFont(font, size)
        c.drawString(x, y, line)
        y -= 7 * mm
    address = getattr(shipment.order, "shipping_address", None)
    if address is not None:
        name = f"{address.last_name or ''}{address.first_name or ''}".strip()
        who = " ".join(p for p in (name, _masked_phone(address.phone_number)) if p)
        if who:
            c.setFont(font, 9)
            c.drawString(x, max(y, top - qr + 2 * mm), _("收件人：%(who)s") % {"who": who})
    # the code, large, under the QR
    y = top - qr - 12 * mm
    c.setFont(CODE_FONT, 30)
    c.drawCentredString(w / 2, y, code)
    # route and sender
    y -= 9 * mm
    c.setFont(font, 9)
    c.drawString(margin, y, _("路线："))
    y -= 5 * mm
    for line in _wrap(route_text(shipment), font, 9, w - 2 * margin)[:4]:
        c.drawString(margin, y, line)
        y -= 4.5 * mm
    y -= 2 * mm
    partner = shipment.partner.name
    c.drawString(margin, y, _("发货：%(coop)s") % {"coop": partner})
    y -= 4.5 * mm
    c.drawString(margin, y, _("订单：%(number)s") % {"number": shipment.order.number})
    c.setFont(font, 7)
    c.drawString(margin, margin, track_url(base, code))


def label_pdf(shipments: Iterable, *, base: str) -> bytes:
    """One 100 × 150 mm page per parcel (``route_nodes`` set, see selectors.with_state)."""
    out = io.BytesIO()
    c = canvas.Canvas(out, pagesize=LABEL_SIZE, invariant=True)
    c.setTitle(_("物流面单"))
    for shipment in shipments:
        _draw_label(c, shipment, base)
        c.showPage()
    c.save()
    return out.getvalue()


def manifest_pdf(run, groups: Sequence[tuple[str, Sequence]]) -> bytes:
    """The run's hand-over list (交接单): parcel codes grouped by village point with counts,
    the total, and lines for both sides to sign."""
    font = cjk_font()
    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm,
                            topMargin=15 * mm, bottomMargin=15 * mm,
                            title=_("共同配送交接单"), invariant=True)
    title = ParagraphStyle("t", fontName=font, fontSize=18, leading=24, wordWrap="CJK")
    text = ParagraphStyle("p", fontName=font, fontSize=10, leading=15, wordWrap="CJK")
    head = ParagraphStyle("h", fontName=font, fontSize=12, leading=18, wordWrap="CJK",
                          spaceBefore=8)
    total = sum(len(parcels) for _name, parcels in groups)
    story = [
        Paragraph(_("共同配送交接单"), title),
        Paragraph(_("%(hub)s → %(station)s") % {"hub": run.hub.name,
                                                  "station": run.station.name}, text),
        Paragraph(_("日期：%(date)s　车次：%(n)s　共 %(total)s 件") % {
            "date": run.date.isoformat(), "n": run.number, "total": total}, text),
        Paragraph(_("打印时间：%(t)s") % {
            "t": timezone.localtime().strftime("%Y-%m-%d %H:%M")}, text),
        Spacer(1, 4 * mm),
    ]
    columns = 4
    for name, parcels in groups:
        story.append(Paragraph(_("%(point)s（%(n)s 件）") % {"point": name, "n": len(parcels)},
                               head))
        cells = [_code_cell(p.shipment) for p in parcels]
        rows = [cells[i:i + columns] for i in range(0, len(cells), columns)]
        rows[-1] += [""] * (columns - len(rows[-1]))
        table = Table(rows, colWidths=[45 * mm] * columns)
        table.setStyle(TableStyle([
            ("FONT", (0, 0), (-1, -1), CODE_FONT, 11),
            ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ]))
        story.append(table)
    story += [
        Spacer(1, 10 * mm),
        Paragraph(_("合计：%(total)s 件") % {"total": total}, head),
        Spacer(1, 10 * mm),
        Paragraph(_("发车人签字：________________　　收货人签字：________________"), text),
    ]
    doc.build(story)
    return out.getvalue()


def _code_cell(shipment):
    if shipment.storage == AMBIENT:
        return shipment.code
    style = ParagraphStyle("c", fontName=cjk_font(), fontSize=10, leading=13)
    return Paragraph(f'<font name="{CODE_FONT}" size="11">{shipment.code}</font> '
                     f"[{shipment.storage}]", style)
