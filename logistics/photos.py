"""Proof-of-delivery photos: checked to be images, resized for phones, EXIF (GPS, device)
stripped, size-limited. What is stored is a fresh JPEG made from the pixels only."""

from __future__ import annotations

import io
import uuid

from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_UPLOAD_BYTES = 8 * 1024 * 1024
MAX_PIXELS = 40_000_000  # refuse decompression bombs before decoding
MAX_SIDE = 1280
JPEG_QUALITY = 80


class PhotoError(ValueError):
    pass


def proof_photo_clean(upload) -> ContentFile:
    """An uploaded file (or bytes) as a small JPEG without metadata; PhotoError says why not."""
    if isinstance(upload, (bytes, bytearray)):
        data = bytes(upload)
    else:
        size = getattr(upload, "size", None)
        if size is not None and size > MAX_UPLOAD_BYTES:
            raise PhotoError(_("照片太大（最大 8 MB）。"))
        data = upload.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise PhotoError(_("照片太大（最大 8 MB）。"))
    if not data:
        raise PhotoError(_("照片是空的。"))
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.width * probe.height > MAX_PIXELS:
                raise PhotoError(_("照片像素太多。"))
            probe.verify()
        with Image.open(io.BytesIO(data)) as image:
            image = ImageOps.exif_transpose(image)  # keep it upright once EXIF is gone
            image = image.convert("RGB")
            image.thumbnail((MAX_SIDE, MAX_SIDE))
            out = io.BytesIO()
            image.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)
    except PhotoError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise PhotoError(_("上传的文件不是图片。")) from None
    return ContentFile(out.getvalue(), name=f"{uuid.uuid4().hex}.jpg")
