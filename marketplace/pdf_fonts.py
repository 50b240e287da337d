"""The Chinese font of the PDFs the platform prints (shipping labels, run manifests, trace
stickers), drawn with reportlab."""

from __future__ import annotations

import functools
import logging

from django.conf import settings
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFError, TTFont

log = logging.getLogger(__name__)

FALLBACK_FONT = "STSong-Light"
CODE_FONT = "Helvetica-Bold"  # codes are ASCII: a font every reader has


@functools.cache
def cjk_font(path: str | None = None) -> str:
    """The name of a registered font with Chinese glyphs: the TrueType file of
    LOGISTICS_PDF_FONT (embedded, subset), else reportlab's built-in CID font STSong-Light
    (not embedded; PDF readers supply it). reportlab reads TrueType outlines only, so
    Debian's Noto CJK (.ttc with CFF outlines) falls back too."""
    path = getattr(settings, "LOGISTICS_PDF_FONT", "") if path is None else path
    if path:
        try:
            font = TTFont("PlatformCJK", path, subfontIndex=0)
        except (TTFError, OSError) as exc:
            log.info("PDF font %s not usable (%s); using %s", path, exc, FALLBACK_FONT)
        else:
            pdfmetrics.registerFont(font)
            return "PlatformCJK"
    pdfmetrics.registerFont(UnicodeCIDFont(FALLBACK_FONT))
    return FALLBACK_FONT
