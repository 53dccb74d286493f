"""Checking uploaded files by their content, never by their name or the browser's word.

Images (JPEG, PNG, WebP) are opened with Pillow behind a pixel-count guard, turned upright by
their EXIF orientation, shrunk to at most `IMAGE_MAX_SIDE` pixels and re-encoded from its pixels
alone, which drops every metadata block (EXIF with GPS position and camera, XMP, JPEG COM
comments, PNG text chunks, the ICC profile once the colours are converted to sRGB) and anything
hidden after the picture.
Documents are kept as sent once their content is recognised: PDF, or an OpenDocument / Office
Open XML package whose inner structure matches its type. Stored names are random.
Raises Django's ValidationError with a message naming the file and the limit; no database.
"""

from __future__ import annotations

import io
import secrets
import warnings
import zipfile
from dataclasses import dataclass
from typing import Any

import filetype
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

IMAGE_MAX_BYTES = 8 * 1024 * 1024
DOCUMENT_MAX_BYTES = 15 * 1024 * 1024
IMAGE_MAX_SIDE = 2000
IMAGE_MAX_PIXELS = 40_000_000  # a 40-megapixel photo; beyond, decoding could exhaust memory
ZIP_MAX_UNCOMPRESSED = 200 * 1024 * 1024  # refuse archives that inflate absurdly
JPEG_QUALITY = 85

IMAGE_FORMATS = {"JPEG", "PNG", "WEBP"}
OFFICE_TYPES = {
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
# The part an Office Open XML package must hold to be that kind of document.
_OOXML_MAIN_PART = {"docx": "word/document.xml", "xlsx": "xl/workbook.xml"}


@dataclass(frozen=True)
class PreparedFile:
    name: str  # ours: random, with the extension of the detected type
    content: bytes
    content_type: str
    width: int = 0
    height: int = 0


def _display_name(upload: Any) -> str:
    return str(getattr(upload, "name", "") or _("the file")).rsplit("/", 1)[-1][:120]


def _read_bounded(upload: Any, limit: int, kind: str) -> bytes:
    """The upload's bytes, refusing it as soon as it exceeds `limit` (sizes can lie)."""
    name = _display_name(upload)
    message = _("“%(name)s” is too large: %(kind)s may be at most %(limit)s.") % {
        "name": name,
        "kind": kind,
        "limit": _("%(megabytes)s MB") % {"megabytes": limit // (1024 * 1024)},
    }
    size = getattr(upload, "size", None)
    if size is not None and size > limit:
        raise ValidationError(message, code="too_large")
    if hasattr(upload, "seek"):
        upload.seek(0)
    content = upload.read(limit + 1)
    if len(content) > limit:
        raise ValidationError(message, code="too_large")
    if not content:
        raise ValidationError(_("“%(name)s” is empty.") % {"name": name}, code="empty")
    return content


def _random_name(extension: str) -> str:
    return f"{secrets.token_hex(16)}.{extension}"


def _open_image(content: bytes, name: str) -> Image.Image:
    not_image = ValidationError(
        _("“%(name)s” is not a JPEG, PNG or WebP picture.") % {"name": name}, code="image_type"
    )
    too_many = ValidationError(
        _("“%(name)s” has too many pixels: at most %(limit)s million.")
        % {"name": name, "limit": IMAGE_MAX_PIXELS // 1_000_000},
        code="image_pixels",
    )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(content), formats=sorted(IMAGE_FORMATS))
            if image.width * image.height > IMAGE_MAX_PIXELS:
                raise too_many
            image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise too_many from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise not_image from None
    if image.format not in IMAGE_FORMATS:
        raise not_image
    return image


def _has_alpha(image: Image.Image) -> bool:
    return image.mode in ("RGBA", "LA", "PA") or (
        image.mode == "P" and "transparency" in image.info
    )


def _to_srgb(image: Image.Image) -> Image.Image:
    """Pixels of a picture with an embedded colour profile, converted to sRGB, so dropping the
    profile does not shift its colours; unchanged when there is none or it cannot be read."""
    profile = image.info.get("icc_profile")
    if not profile:
        return image
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(profile))
        mode = "RGBA" if "A" in image.mode else "RGB"
        converted = ImageCms.profileToProfile(
            image.convert(mode), source, ImageCms.createProfile("sRGB"), outputMode=mode
        )
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        return image
    return converted or image


def _pixels_only(image: Image.Image) -> Image.Image:
    clean = Image.new(image.mode, image.size)
    clean.paste(image)
    clean.info = {}
    return clean


def image_prepare(upload: Any) -> PreparedFile:
    """A clean re-encoding of an uploaded picture: upright, ≤ 2000 px, no metadata."""
    name = _display_name(upload)
    content = _read_bounded(upload, IMAGE_MAX_BYTES, _("pictures"))
    image = _open_image(content, name)
    image = ImageOps.exif_transpose(image) or image  # first frame only for animations
    alpha = _has_alpha(image)
    image = _to_srgb(image).convert("RGBA" if alpha else "RGB")
    image.thumbnail((IMAGE_MAX_SIDE, IMAGE_MAX_SIDE), Image.Resampling.LANCZOS)
    # Pillow copies `info` through convert/thumbnail and writes some of it back when saving (a
    # JPEG's COM comment, a PNG's ICC profile): the re-encoded picture starts from pixels only.
    image = _pixels_only(image)
    out = io.BytesIO()
    if alpha:
        image.save(out, format="PNG", optimize=True)
        extension, content_type = "png", "image/png"
    else:
        image.save(out, format="JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
        extension, content_type = "jpg", "image/jpeg"
    return PreparedFile(
        _random_name(extension), out.getvalue(), content_type, image.width, image.height
    )


def _office_kind(content: bytes) -> str | None:
    """odt/ods/docx/xlsx when the zip package's structure says so, else None."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    if sum(info.file_size for info in infos) > ZIP_MAX_UNCOMPRESSED:
        return None
    names = {info.filename for info in infos}
    with archive:
        if infos and infos[0].filename == "mimetype" and infos[0].file_size < 200:
            declared = archive.read("mimetype").decode("ascii", "replace").strip()
            return next((k for k, v in OFFICE_TYPES.items() if v == declared), None)
        if "[Content_Types].xml" in names:
            return next((k for k, part in _OOXML_MAIN_PART.items() if part in names), None)
    return None


def document_prepare(upload: Any) -> PreparedFile:
    """An uploaded document, accepted only when its content is a PDF or an office file."""
    name = _display_name(upload)
    content = _read_bounded(upload, DOCUMENT_MAX_BYTES, _("documents"))
    if content.startswith(b"%PDF-"):
        return PreparedFile(_random_name("pdf"), content, "application/pdf")
    guess = filetype.guess(content)
    if guess is not None and guess.extension in ("zip", *OFFICE_TYPES):
        kind = _office_kind(content)
        if kind is not None:
            return PreparedFile(_random_name(kind), content, OFFICE_TYPES[kind])
    raise ValidationError(
        _("“%(name)s” is not a PDF, OpenDocument (ODT, ODS) or Office (DOCX, XLSX) document.")
        % {"name": name},
        code="document_type",
    )
