"""The site's own address, for the links that must be absolute: feeds, API `url` fields, CSV and
GeoJSON files, PDF footers, the DCAT catalogue, invitation and respondent links, emails.

`SMARTREGION_BASE_URL` wins when it is set (a deployment behind a proxy that rewrites the host,
and every link built outside a request: scheduled emails). Otherwise a request's own scheme and
host, port included, so a demo served on port 8080 links to port 8080. A file built by a
background task never guesses: the view that asks for it passes `site_base_url(request)` with the
build request, and the prepared file's key and family hold it, so a file built for one address
is never served for another.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def configured_base_url() -> str:
    """`SMARTREGION_BASE_URL` without its trailing slash; "" when the deployment sets none."""
    return str(getattr(settings, "SMARTREGION_BASE_URL", "") or "").rstrip("/")


def site_base_url(request: HttpRequest | None = None) -> str:
    """The address links start with: the configured one, else this request's scheme and host.

    Without either (a task with no configured address) it is "", and links stay relative.
    """
    configured = configured_base_url()
    if configured or request is None:
        return configured
    return f"{request.scheme}://{request.get_host()}"


def absolute_url(path: str, request: HttpRequest | None = None) -> str:
    """`path` (starting with "/") on the site's address, as `site_base_url` chooses it."""
    return site_base_url(request) + path
