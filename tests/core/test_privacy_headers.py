"""Private answers are never kept by a cache, no page may use devices, and /media/ is not served."""

from __future__ import annotations

import importlib
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import Resolver404, clear_url_caches, resolve, reverse
from django.utils import timezone, translation
from PIL import Image

from smartregion.core.middleware import DEFAULT_PERMISSIONS_POLICY
from smartregion.projects.services import project_image_add
from tests.factories import ProjectFactory, submitted

pytestmark = pytest.mark.django_db


def test_every_response_sends_the_permissions_policy(client, territory):
    urls = (
        "/fr/",
        "/fr/communes/",
        "/api/v1/municipalities/?limit=1",
        "/fr/no-such-page/",
        "/api/v1/no-such-route/",
        "/static/core/prepared.js",
    )
    for url in urls:
        response = client.get(url)
        assert (url, response["Permissions-Policy"]) == (url, DEFAULT_PERMISSIONS_POLICY)
    assert "camera=()" in DEFAULT_PERMISSIONS_POLICY
    assert "microphone=()" in DEFAULT_PERMISSIONS_POLICY
    assert "geolocation=()" in DEFAULT_PERMISSIONS_POLICY


def test_anonymous_public_page_is_not_marked_private(client, territory):
    response = client.get("/fr/communes/")

    assert "private" not in response.get("Cache-Control", "")


@pytest.mark.parametrize("url", ["/fr/", "/fr/communes/", "/en/accounts/api-tokens/"])
def test_any_page_for_a_signed_in_person_is_private_and_not_stored(client, member, url):
    client.force_login(member)

    response = client.get(url)

    assert (response.status_code, response["Cache-Control"]) == (200, "private, no-store")


def test_a_private_download_is_private_and_not_stored(client, member, namur, instrument_version):
    diagnostic = submitted(
        namur, instrument_version, 0.0, targets={}, horizon_year=timezone.localdate().year + 2
    )
    client.force_login(member)
    with translation.override("en"):
        url = reverse("diagnostic:export", kwargs={"pk": diagnostic.pk, "fmt": "csv"})

    response = client.get(url)

    assert (response.status_code, response["Cache-Control"]) == (200, "private, no-store")


def test_a_page_marked_private_is_not_stored_even_for_anonymous_visitors(client):
    # never_cache (the barometer's respondent pages, reached by a secret link) says "private".
    response = client.get("/healthz")

    assert response["Cache-Control"] == "private, no-store"
    assert "Expires" not in response


def test_media_is_not_routed_even_with_debug(settings):
    import config.urls

    settings.DEBUG = True
    try:
        importlib.reload(config.urls)
        clear_url_caches()
        with pytest.raises(Resolver404):
            resolve("/media/projects/1/secret.pdf")
    finally:
        settings.DEBUG = False
        importlib.reload(config.urls)
        clear_url_caches()


def test_the_showcase_shows_its_picture_through_the_permission_checked_view(
    client, namur, member, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    project = ProjectFactory(owner_municipality=namur, showcase=True, title_en="Public Wi-Fi")
    picture = io.BytesIO()
    Image.new("RGB", (30, 20), (0, 90, 80)).save(picture, format="PNG")
    image = project_image_add(
        project=project,
        user=member,
        upload=SimpleUploadedFile("p.png", picture.getvalue()),
        alt_fr="Vue",
    )

    html = client.get("/en/projects/showcase/wifi-public/").content.decode()
    served = client.get(f"/en/projects/files/image/{image.pk}/")

    assert f'<img src="/en/projects/files/image/{image.pk}/"' in html
    assert "/media/" not in html
    assert (served.status_code, served["Content-Type"]) == (200, "image/jpeg")
