"""The centre staff's overview of every commune's diagnostics."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from smartregion.core.i18n import active_language

from ..permissions import can_see_overview
from ..results import LEVELS, build_overview


@login_required
def overview(request: HttpRequest) -> HttpResponse:
    if not can_see_overview(request.user):
        raise PermissionDenied(_("The overview of all diagnostics is for the centre's staff."))
    data = build_overview(settings.SMARTREGION["DEFAULT_REGION"], active_language())
    return render(request, "diagnostic/overview.html", {"overview": data, "levels": LEVELS})
