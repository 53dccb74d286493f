"""The analyst's side of a wave: create, open, track, remind, invite late, export, close.

Publishing a closed wave is the observatory's (its page is linked from the wave page by URL name).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from smartregion.core.addresses import absolute_url

from .. import exports, queries, services
from ..forms import WaveForm
from ..models import Wave, WaveMember
from ..permissions import can_run_waves


def _analyst(request: HttpRequest) -> None:
    if not can_run_waves(request.user):
        raise PermissionDenied


def _link_builder(request: HttpRequest):
    return lambda token: absolute_url(reverse("barometer:respond", args=[token]), request)


@login_required
def wave_list(request: HttpRequest) -> HttpResponse:
    _analyst(request)
    waves = Wave.objects.select_related("instrument_version", "region").order_by("-year")
    return render(request, "barometer/wave_list.html", {"waves": waves})


@login_required
def wave_create(request: HttpRequest) -> HttpResponse:
    _analyst(request)
    form = WaveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        form.instance.created_by = request.user
        wave = form.save()
        messages.success(request, _("The wave is created. Check it, then open it."))
        return redirect("barometer:wave", pk=wave.pk)
    return render(request, "barometer/wave_form.html", {"form": form})


@login_required
def wave_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Tracking: who submitted, who is answering, who has not started, who has no address."""
    _analyst(request)
    wave = get_object_or_404(Wave.objects.select_related("instrument_version", "region"), pk=pk)
    context: dict[str, Any] = {"wave": wave, "progress_choices": queries.Progress.choices}
    if wave.status != Wave.Status.DRAFT:
        tracking = queries.wave_tracking(wave)
        shown = request.GET.get("progress", "")
        if shown not in queries.Progress.values:
            shown = ""
        context |= {
            "rates": queries.response_rates(wave),
            "tracking": tracking,
            "shown": shown,
            "rows": tracking.only(shown) if shown else tracking.members,
        }
    return render(request, "barometer/wave_detail.html", context)


@login_required
@require_POST
def wave_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    _analyst(request)
    wave = get_object_or_404(Wave, pk=pk)
    try:
        if action == "open":
            _report(request, services.wave_open(wave=wave, link_for=_link_builder(request)))
        elif action == "invite":
            report = services.wave_invite_missing(wave=wave, link_for=_link_builder(request))
            _report(request, report)
        elif action == "remind":
            sent = services.reminders_send(wave=wave, link_for=_link_builder(request), force=True)
            messages.success(request, _("%(count)s reminders sent.") % {"count": sent})
        elif action == "close":
            services.wave_close(wave=wave)
            messages.success(request, _("The wave is closed: its responses are frozen."))
        else:
            raise PermissionDenied
    except services.BarometerError as error:
        messages.error(request, str(error))
    return redirect("barometer:wave", pk=wave.pk)


def _names(names: list[str]) -> str:
    shown = ", ".join(names[:NAMES_SHOWN])
    more = len(names) - NAMES_SHOWN
    return shown + (" " + _("and %(count)d more") % {"count": more} if more > 0 else "")


NAMES_SHOWN = 10


def _report(request: HttpRequest, report: services.Invitations) -> None:
    """Say exactly who was invited and who could not be, by count and by name."""
    invited, missing = len(report.invited), len(report.without_address)
    if invited:
        messages.success(
            request,
            ngettext(
                "%(count)d commune invited: %(names)s.",
                "%(count)d communes invited: %(names)s.",
                invited,
            )
            % {"count": invited, "names": _names(report.invited)},
        )
    else:
        messages.warning(request, _("No commune was invited."))
    if missing:
        messages.warning(
            request,
            ngettext(
                "%(count)d commune could not be invited because it has no contact address: "
                "%(names)s. Add its address, then invite it from this page.",
                "%(count)d communes could not be invited because they have no contact address: "
                "%(names)s. Add their addresses, then invite them from this page.",
                missing,
            )
            % {"count": missing, "names": _names(report.without_address)},
        )


def _open_wave(request: HttpRequest, pk: int) -> Wave:
    _analyst(request)
    wave = get_object_or_404(Wave.objects.select_related("region"), pk=pk)
    if wave.status == Wave.Status.DRAFT:
        raise Http404
    return wave


def _links(request: HttpRequest, wave: Wave) -> tuple[queries.Tracking, dict[int, str]]:
    tracking = queries.wave_tracking(wave)
    return tracking, services.member_links([member for member, _p in tracking.members])


@never_cache  # the links open the communes' questionnaires: never kept by a cache
@login_required
def wave_links(request: HttpRequest, pk: int) -> HttpResponse:
    """Each commune's respondent link, to copy into a message of one's own."""
    wave = _open_wave(request, pk)
    tracking, tokens = _links(request, wave)
    build = _link_builder(request)
    rows = [(member, progress, build(tokens[member.pk])) for member, progress in tracking.members]
    return render(request, "barometer/wave_links.html", {"wave": wave, "rows": rows})


@login_required
def wave_links_csv(request: HttpRequest, pk: int) -> HttpResponse:
    wave = _open_wave(request, pk)
    tracking, tokens = _links(request, wave)
    body = exports.links_csv(wave, tracking.members, tokens, _link_builder(request))
    return _csv(body, f"links-wave-{wave.pk}.csv")


def _csv(body: str, filename: str) -> HttpResponse:
    response = HttpResponse(body.encode(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def non_respondents_csv(request: HttpRequest, pk: int) -> HttpResponse:
    _analyst(request)
    wave = get_object_or_404(Wave, pk=pk)
    header = ["refnis", "commune", "province", "population_class", "email", "status", "reminders"]
    rows = (
        [
            member.municipality.refnis,
            member.municipality.name_fr,
            member.province.refnis if member.province else "",
            member.population_class.code if member.population_class else "",
            member.email,
            _response_status(member),
            member.reminders_sent,
        ]
        for member in queries.non_respondents(wave)
    )
    return _csv(exports.csv_text(header, rows), f"non-respondents-wave-{wave.pk}.csv")


def _response_status(member: WaveMember) -> str:
    try:
        return member.response.status
    except WaveMember.response.RelatedObjectDoesNotExist:
        return "not_started"
