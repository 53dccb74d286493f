from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from http import HTTPStatus
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.signals import got_request_exception
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext as _

from .text import Path, dotted, storable, unstorable_paths


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


class RefuseUnstorableTextMiddleware:
    """Refuse, with 422, any request whose query, form fields or JSON body holds text the
    databases cannot store (a NUL character, a lone surrogate): see `core.text`.

    One gate for every input (pages, autosaves, the API, the admin, sign-in) rather than a check
    in each form, so nothing is acknowledged and later breaks a page. API and JSON requests get
    JSON errors with the path of each value (`loc`, like the API's validation errors); a form
    gets a page that names the fields.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        paths = list(_unstorable_inputs(request))
        if paths:
            return _unstorable_response(request, paths)
        return self.get_response(request)


def _is_json(request: HttpRequest) -> bool:
    content_type = request.content_type or ""
    return content_type == "application/json" or content_type.endswith("+json")


def _unstorable_inputs(request: HttpRequest) -> Iterator[Path]:
    if not storable(request.path_info):
        yield ("path",)
    yield from _in_querydict("query", request.GET)
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    if _is_json(request) or (
        request.path_info.startswith("/api/")
        and request.content_type != "multipart/form-data"
        and request.content_type != "application/x-www-form-urlencoded"
    ):
        try:
            data = json.loads(request.body or b"null")
        except ValueError:  # not JSON (or not UTF-8): the view's own parser answers
            return
        yield from (("body", *path) for path in unstorable_paths(data))
    elif request.content_type in ("multipart/form-data", "application/x-www-form-urlencoded"):
        yield from _in_querydict("form", request.POST)
        yield from (("form", name) for name in request.FILES if not storable(name))


def _in_querydict(where: str, data: Any) -> Iterator[Path]:
    for key, values in data.lists():
        if not storable(key):
            yield (where, key.encode("utf-8", "backslashreplace").decode())
        elif not all(storable(value) for value in values if isinstance(value, str)):
            yield (where, key)


def _unstorable_response(request: HttpRequest, paths: list[Path]) -> HttpResponse:
    message = _(
        "This text holds a character that cannot be stored (a NUL character or an unpaired "
        "surrogate): remove it and try again."
    )
    if request.path_info.startswith("/api/"):
        detail = [{"loc": list(path), "msg": message, "type": "unstorable_text"} for path in paths]
        return JsonResponse({"detail": detail}, status=422)
    if _is_json(request) or "application/json" in request.headers.get("Accept", ""):
        return JsonResponse(
            {"errors": [message] * len(paths), "paths": [dotted(path[1:]) for path in paths]},
            status=422,
        )
    fields = [str(path[-1]) for path in paths]
    return render(
        request, "core/unstorable_text.html", {"message": message, "fields": fields}, status=422
    )


class ApiJsonErrorsMiddleware:
    """Under `/api/`, every error is JSON: `{"detail": "..."}` for an unknown address (404), a
    method the route does not take (405, with `Allow`), a refused CSRF check (403) and a server
    error (500, logged as Django logs it), where Django would answer with an HTML page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not _is_api(request) or response.status_code < 400:
            return response
        if response.get("Content-Type", "").startswith("application/json"):
            return response
        return _json_error(response.status_code, response.get("Allow"))

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not _is_api(request) or isinstance(exception, Http404 | PermissionDenied):
            return None  # Django's own handlers give 404/403, which __call__ turns into JSON
        got_request_exception.send(sender=type(self), request=request)
        logging.getLogger("django.request").error(
            "Internal Server Error: %s",
            request.path,
            exc_info=exception,
            extra={"status_code": 500, "request": request},
        )
        return _json_error(500)


def _is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith("/api/")


def _json_error(status: int, allow: str | None = None) -> JsonResponse:
    messages = {
        404: _("No such address in this API."),
        405: _("This address does not take this method."),
        500: _("Server error: the centre's staff has been told."),
    }
    detail = messages.get(status) or HTTPStatus(status).phrase
    response = JsonResponse({"detail": str(detail)}, status=status)
    if allow:
        response["Allow"] = allow
    return response
