"""Uploads are recognised by content, bounded in size and pixels, and images are re-encoded."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from PIL import Image

from smartregion.projects.uploads import (
    DOCUMENT_MAX_BYTES,
    IMAGE_MAX_BYTES,
    document_prepare,
    image_prepare,
)


@pytest.fixture(autouse=True)
def _english():
    """Messages are asserted in the source language, whatever the catalogues hold."""
    with translation.override("en"):
        yield


def _image_bytes(fmt: str, size=(40, 20), mode="RGB", exif=None) -> bytes:
    out = io.BytesIO()
    colour = {"RGBA": (200, 10, 10, 128), "1": 1}.get(mode, (200, 10, 10))
    image = Image.new(mode, size, colour)
    kwargs = {"exif": exif} if exif is not None else {}
    image.save(out, format=fmt, **kwargs)
    return out.getvalue()


def _upload(name: str, content: bytes, content_type: str = "application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def _message(exc: pytest.ExceptionInfo) -> str:
    return exc.value.messages[0]


def test_image_prepare_reencodes_jpeg_upright_without_metadata():
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: rotate 90° clockwise to display
    exif[0x010F] = "CameraMaker"
    content = _image_bytes("JPEG", size=(40, 20), exif=exif.tobytes())

    prepared = image_prepare(_upload("holiday.JPG", content, "image/jpeg"))

    assert prepared.name.endswith(".jpg") and "holiday" not in prepared.name
    assert (prepared.width, prepared.height) == (20, 40)
    assert prepared.content_type == "image/jpeg"
    result = Image.open(io.BytesIO(prepared.content))
    assert result.format == "JPEG"
    assert dict(result.getexif()) == {}
    assert b"CameraMaker" not in prepared.content


def test_image_prepare_keeps_transparency_as_png():
    prepared = image_prepare(_upload("logo.webp", _image_bytes("PNG", mode="RGBA")))

    assert prepared.name.endswith(".png")
    assert Image.open(io.BytesIO(prepared.content)).mode == "RGBA"


def test_image_prepare_accepts_webp_and_bounds_the_longest_side():
    prepared = image_prepare(_upload("wide.webp", _image_bytes("WEBP", size=(4000, 1000))))

    assert (prepared.width, prepared.height) == (2000, 500)


def test_image_prepare_ignores_the_name_and_refuses_other_formats():
    with pytest.raises(ValidationError) as caught:
        image_prepare(_upload("photo.jpg", _image_bytes("GIF"), "image/jpeg"))
    assert _message(caught) == "“photo.jpg” is not a JPEG, PNG or WebP picture."

    with pytest.raises(ValidationError):
        image_prepare(_upload("photo.png", b"<svg onload=alert(1)></svg>", "image/png"))


def test_image_prepare_refuses_too_many_pixels():
    content = _image_bytes("PNG", size=(8000, 6000), mode="1")  # small file, 48 megapixels

    with pytest.raises(ValidationError) as caught:
        image_prepare(_upload("bomb.png", content))

    assert _message(caught) == "“bomb.png” has too many pixels: at most 40 million."


def test_image_prepare_refuses_a_file_over_the_limit_even_if_its_size_lies():
    content = _image_bytes("PNG") + b"\0" * IMAGE_MAX_BYTES
    upload = _upload("big.png", content)
    upload.size = 10  # a client cannot shrink the limit by lying

    with pytest.raises(ValidationError) as caught:
        image_prepare(upload)

    assert _message(caught) == "“big.png” is too large: pictures may be at most 8 MB."


def test_image_prepare_refuses_truncated_image():
    with pytest.raises(ValidationError) as caught:
        image_prepare(_upload("cut.jpg", _image_bytes("JPEG", size=(400, 400))[:300]))
    assert caught.value.code == "image_type"


def test_image_prepare_refuses_empty_file():
    with pytest.raises(ValidationError) as caught:
        image_prepare(_upload("empty.png", b""))
    assert _message(caught) == "“empty.png” is empty."


def _zip(entries: list[tuple[str, bytes]], first_stored: bool = False) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for index, (name, data) in enumerate(entries):
            method = zipfile.ZIP_STORED if first_stored and index == 0 else zipfile.ZIP_DEFLATED
            archive.writestr(name, data, compress_type=method)
    return out.getvalue()


DOCX = [
    ("[Content_Types].xml", b"<Types/>"),
    ("_rels/.rels", b"<Relationships/>"),
    ("word/document.xml", b"<w:document/>"),
]
XLSX = [("[Content_Types].xml", b"<Types/>"), ("xl/workbook.xml", b"<workbook/>")]
ODT = [("mimetype", b"application/vnd.oasis.opendocument.text"), ("content.xml", b"<x/>")]
ODS = [("mimetype", b"application/vnd.oasis.opendocument.spreadsheet"), ("content.xml", b"<x/>")]


@pytest.mark.parametrize(
    ("content", "extension", "content_type"),
    [
        (b"%PDF-1.7\n%\xe2\xe3\n1 0 obj<<>>endobj\n%%EOF", "pdf", "application/pdf"),
        (
            _zip(DOCX),
            "docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        (_zip(XLSX), "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (_zip(ODT, first_stored=True), "odt", "application/vnd.oasis.opendocument.text"),
        (_zip(ODS, first_stored=True), "ods", "application/vnd.oasis.opendocument.spreadsheet"),
    ],
    ids=["pdf", "docx", "xlsx", "odt", "ods"],
)
def test_document_prepare_recognises_content_whatever_the_name(content, extension, content_type):
    prepared = document_prepare(_upload("rapport.exe", content, "text/html"))

    assert prepared.name.endswith(f".{extension}") and "rapport" not in prepared.name
    assert prepared.content_type == content_type
    assert prepared.content == content


@pytest.mark.parametrize(
    "content",
    [
        b"<html><script>alert(1)</script></html>",
        b"MZ\x90\x00\x03",  # a Windows program
        _zip([("readme.txt", b"hello")]),  # a plain zip
        _zip([("mimetype", b"application/x-evil"), ("x", b"")], first_stored=True),
        _image_bytes("PNG"),
        b" %PDF-1.7 not at the start",
    ],
    ids=["html", "exe", "zip", "odf-wrong-mimetype", "png", "pdf-late-marker"],
)
def test_document_prepare_refuses_other_content(content):
    with pytest.raises(ValidationError) as caught:
        document_prepare(_upload("rapport.pdf", content, "application/pdf"))

    assert _message(caught) == (
        "“rapport.pdf” is not a PDF, OpenDocument (ODT, ODS) or Office (DOCX, XLSX) document."
    )


def test_document_prepare_refuses_over_15_mb():
    upload = _upload("huge.pdf", b"%PDF-1.7\n" + b"0" * DOCUMENT_MAX_BYTES)

    with pytest.raises(ValidationError) as caught:
        document_prepare(upload)

    assert _message(caught) == "“huge.pdf” is too large: documents may be at most 15 MB."
