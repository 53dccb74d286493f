"""Uploaded pictures are stored without any comment or metadata block, whatever they carried."""

from __future__ import annotations

import io
import struct

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageCms
from PIL.PngImagePlugin import PngInfo

from smartregion.projects.models import Project, ProjectImage
from tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db

SECRET = b"SECRET-MARK"
# JPEG segments that carry metadata: APP1 (EXIF, XMP), APP2 (ICC), APP13 (IPTC), COM.
JPEG_METADATA = {0xE1: "APP1", 0xE2: "APP2", 0xED: "APP13", 0xFE: "COM"}
PNG_METADATA = {b"tEXt", b"zTXt", b"iTXt", b"eXIf", b"iCCP", b"tIME"}


def _icc() -> bytes:
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def _hostile_jpeg() -> bytes:
    exif = Image.Exif()
    exif[0x010E] = SECRET.decode()  # ImageDescription
    exif[0x8298] = SECRET.decode()  # Copyright
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (10, 120, 90)).save(
        out,
        format="JPEG",
        comment=SECRET,
        exif=exif,
        icc_profile=_icc(),
        xmp=b"<x:xmpmeta xmlns:x='adobe:ns:meta/'>" + SECRET + b"</x:xmpmeta>",
    )
    content = out.getvalue()
    assert _jpeg_segments(content) & {"APP1", "APP2", "COM"} == {"APP1", "APP2", "COM"}
    return content


def _hostile_png(mode: str) -> bytes:
    info = PngInfo()
    info.add_text("Comment", SECRET.decode())
    info.add_text("Author", SECRET.decode(), zip=True)
    info.add_itxt("Description", SECRET.decode(), lang="fr")
    out = io.BytesIO()
    Image.new(mode, (40, 30), (10, 120, 90, 128)[: len(mode)]).save(
        out, format="PNG", pnginfo=info, icc_profile=_icc()
    )
    content = out.getvalue()
    assert {b"tEXt", b"zTXt", b"iTXt", b"iCCP"} <= _png_chunks(content)
    return content


def _jpeg_segments(content: bytes) -> set[str]:
    """Names of the metadata segments before the image data (start of scan)."""
    found, position = set(), 2
    while position < len(content) and content[position] == 0xFF:
        marker = content[position + 1]
        if marker == 0xDA:  # start of scan: entropy-coded data follows
            break
        (length,) = struct.unpack(">H", content[position + 2 : position + 4])
        if marker in JPEG_METADATA:
            found.add(JPEG_METADATA[marker])
        position += 2 + length
    return found


def _png_chunks(content: bytes) -> set[bytes]:
    chunks, position = set(), 8
    while position < len(content):
        (length,) = struct.unpack(">I", content[position : position + 4])
        chunks.add(content[position + 4 : position + 8])
        position += 12 + length
    return chunks


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    return tmp_path


def _upload(client, member, namur, name: str, content: bytes) -> bytes:
    project = ProjectFactory(owner_municipality=namur, state=Project.State.DRAFT)
    client.force_login(member)
    response = client.post(
        f"/fr/projects/{project.slug}/images/",
        {"file": SimpleUploadedFile(name, content, "image/jpeg"), "alt_fr": "Une place"},
    )
    assert response.status_code == 302
    image = ProjectImage.objects.get()
    with image.file.open("rb") as stored:
        return stored.read()


def test_jpeg_upload_is_stored_without_exif_xmp_icc_or_comment(client, member, namur, media):
    stored = _upload(client, member, namur, "photo.jpg", _hostile_jpeg())

    assert stored[:2] == b"\xff\xd8"
    assert _jpeg_segments(stored) == set()
    assert SECRET not in stored


@pytest.mark.parametrize(("mode", "kept_as"), [("RGB", b"\xff\xd8"), ("RGBA", b"\x89PNG")])
def test_png_upload_is_stored_without_text_chunks_or_profile(
    client, member, namur, media, mode, kept_as
):
    stored = _upload(client, member, namur, "plan.png", _hostile_png(mode))

    assert stored.startswith(kept_as)
    if kept_as == b"\x89PNG":
        assert _png_chunks(stored) & PNG_METADATA == set()
    else:
        assert _jpeg_segments(stored) == set()
    assert SECRET not in stored


def test_colours_survive_dropping_the_profile(client, member, namur, media):
    stored = _upload(client, member, namur, "photo.jpg", _hostile_jpeg())

    pixel = Image.open(io.BytesIO(stored)).getpixel((20, 15))

    assert all(abs(a - b) <= 6 for a, b in zip(pixel, (10, 120, 90), strict=True))
