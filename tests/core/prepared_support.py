"""A builder and a download route for the prepared-file tests (a URLconf: the site + one route)."""

from __future__ import annotations

from django.conf.urls.i18n import i18n_patterns
from django.urls import path

from config.urls import urlpatterns as site_urlpatterns
from smartregion.core.models import PreparedFile
from smartregion.core.prepared import BuiltFile, prepared_file_request
from smartregion.core.prepared_response import prepared_file_response

BUILT: list[str] = []


def build_text(*, progress, name: str, state: str = "1", fail: bool = False) -> BuiltFile:
    """Found by its dotted path, like an app's builder."""
    progress(50)
    BUILT.append(name)
    if fail:
        raise RuntimeError(f"the builder of {name} broke")
    return BuiltFile(
        content=f"hello {name} {state}".encode(), content_type="text/plain", filename=name
    )


def text_request(name: str = "a.txt", *, state: str = "1", fail: bool = False) -> PreparedFile:
    return prepared_file_request(
        key=f"tests.text:{name}:{state}",
        family=f"tests.text:{name}",
        builder="tests.core.prepared_support.build_text",
        params={"name": name, "state": state, "fail": fail},
    )


def text_file(request, name: str):
    prepared = text_request(name, fail=request.GET.get("fail") == "1")
    return prepared_file_response(request, prepared, title=name, as_attachment=True)


urlpatterns = [
    path("file/<str:name>", text_file),
    *i18n_patterns(path("file/<str:name>", text_file)),
    *site_urlpatterns,
]
