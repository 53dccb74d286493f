from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation


class ApiLanguageMiddleware:
    """The API speaks the client's Accept-Language, and English when the client names none.

    Pages take their language from the URL prefix; API clients are programs, for which English is
    the least surprising default.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith("/api/") and not request.headers.get("Accept-Language"):
            translation.activate("en")
            request.LANGUAGE_CODE = "en"
        return self.get_response(request)


PRIVATE_CACHE_CONTROL = "private, no-store"
DEFAULT_PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=()"
)


class PrivacyHeadersMiddleware:
    """No shared cache or browser history keeps a private answer, and no page asks for devices.

    Any response to a signed-in request, and any response its view marked `private`, is sent
    `Cache-Control: private, no-store`, unless the view declared it `public` (a published
    project's picture is the same for everyone). Every response carries a `Permissions-Policy`
    that turns off camera, microphone, geolocation and the like (`SMARTREGION_PERMISSIONS_POLICY`).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.permissions_policy = getattr(
            settings, "SMARTREGION_PERMISSIONS_POLICY", DEFAULT_PERMISSIONS_POLICY
        )

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if self.permissions_policy and "Permissions-Policy" not in response:
            response["Permissions-Policy"] = self.permissions_policy
        directives = _directives(response.get("Cache-Control", ""))
        if "public" in directives:
            return response
        user = getattr(request, "user", None)
        if "private" in directives or (user is not None and user.is_authenticated):
            response["Cache-Control"] = PRIVATE_CACHE_CONTROL
            if "Expires" in response:
                del response["Expires"]
        return response


def _directives(header: str) -> set[str]:
    return {part.split("=", 1)[0].strip().lower() for part in header.split(",") if part.strip()}
