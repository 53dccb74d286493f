"""The analyst's side of a wave: create, open, track, remind, export non-respondents, close.

Publishing a closed wave is the observatory's (its page is linked from the wave page by URL name).
"""

from __future__ import annotations

import csv

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from smartregion.core.addresses import absolute_url

from .. import queries, services
from ..forms import WaveForm
from ..models import Wave
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
    _analyst(request)
    wave = get_object_or_404(Wave.objects.select_related("instrument_version", "region"), pk=pk)
    rates = queries.response_rates(wave) if wave.status != Wave.Status.DRAFT else None
    return render(
        request,
        "barometer/wave_detail.html",
        {
            "wave": wave,
            "rates": rates,
            "non_respondents": queries.non_respondents(wave) if rates else [],
        },
    )


@login_required
@require_POST
def wave_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    _analyst(request)
    wave = get_object_or_404(Wave, pk=pk)
    try:
        if action == "open":
            tokens = services.wave_open(wave=wave, link_for=_link_builder(request))
            messages.success(
                request, _("The wave is open: %(count)s communes invited.") % {"count": len(tokens)}
            )
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


@login_required
def non_respondents_csv(request: HttpRequest, pk: int) -> HttpResponse:
    _analyst(request)
    wave = get_object_or_404(Wave, pk=pk)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="non-respondents-wave-{wave.pk}.csv"'
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow(
        ["refnis", "commune", "province", "population_class", "email", "status", "reminders"]
    )
    for member in queries.non_respondents(wave):
        writer.writerow(
            [
                member.municipality.refnis,
                member.municipality.name_fr,
                member.province.refnis if member.province else "",
                member.population_class.code if member.population_class else "",
                member.email,
                _response_status(member),
                member.reminders_sent,
            ]
        )
    return response


def _response_status(member) -> str:
    try:
        return member.response.status
    except member._meta.model.response.RelatedObjectDoesNotExist:
        return "not_started"
