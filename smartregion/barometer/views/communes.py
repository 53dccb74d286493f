"""Communes' side of the barometer outside the link: open the wave from the commune's space, and
keep the commune's contact addresses (centre staff for every commune, managers for their own)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from smartregion.territory.contacts import CONTACT_FIELDS, municipality_contacts_set
from smartregion.territory.importers.common import ImportFailed
from smartregion.territory.importers.contacts import contacts_import
from smartregion.territory.models import Municipality

from ..forms import ContactsForm, ContactsImportForm
from ..models import Wave, WaveMember
from ..permissions import can_answer_for, can_edit_contacts, can_run_waves
from ..services import member_links

CONTACTS_PER_PAGE = 50


@login_required
def answer(request: HttpRequest, pk: int, refnis: str) -> HttpResponse:
    """A member of the commune follows its link to the open wave (the same link as emailed)."""
    member = get_object_or_404(
        WaveMember.objects.select_related("municipality", "wave"),
        wave_id=pk,
        municipality__refnis=refnis,
    )
    if not can_answer_for(request.user, member.municipality):
        raise PermissionDenied
    if member.wave.status != Wave.Status.OPEN:
        raise Http404
    token = member_links([member])[member.pk]
    return redirect("barometer:respond", token=token)


def _staff(request: HttpRequest) -> None:
    if not can_run_waves(request.user):
        raise PermissionDenied


@login_required
def contacts(request: HttpRequest) -> HttpResponse:
    """Every commune's addresses (staff), filtered by name or code, with the CSV import."""
    _staff(request)
    query = request.GET.get("q", "").strip()
    communes = Municipality.objects.current().select_related("province").order_by("sort_fr")
    if query:
        communes = communes.filter(search_text__icontains=query.lower())
    if request.GET.get("missing"):
        communes = communes.filter(contact_email="", smartcity_contact_email="")
    page = Paginator(communes, CONTACTS_PER_PAGE).get_page(request.GET.get("page"))
    form = ContactsImportForm(request.POST or None, request.FILES or None)
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            result = contacts_import(form.cleaned_data["file"].read())
        except ImportFailed as error:
            problems = [str(problem) for problem in error.problems]
        else:
            messages.success(
                request,
                _("Contacts of %(count)d communes updated (columns: %(columns)s).")
                % {"count": result.count, "columns": ", ".join(result.columns)},
            )
            return redirect("barometer:contacts")
    context = {
        "page": page,
        "query": query,
        "missing": bool(request.GET.get("missing")),
        "form": form,
        "problems": problems,
        "fields": CONTACT_FIELDS,
    }
    return render(request, "barometer/contacts.html", context, status=422 if problems else 200)


@login_required
def contacts_edit(request: HttpRequest, refnis: str) -> HttpResponse:
    municipality = get_object_or_404(Municipality, refnis=refnis)
    if not can_edit_contacts(request.user, municipality):
        raise PermissionDenied
    form = ContactsForm(request.POST or None, instance=municipality)
    if request.method == "POST" and form.is_valid():
        municipality_contacts_set(
            municipality=municipality,
            contacts={name: form.cleaned_data[name] for name in CONTACT_FIELDS},
        )
        messages.success(
            request, _("Contact addresses of %(name)s saved.") % {"name": municipality.name}
        )
        return redirect(_safe_next(request) or reverse("barometer:contacts-edit", args=[refnis]))
    context = {
        "municipality": municipality,
        "form": form,
        "is_staff": can_run_waves(request.user),
        "next": _safe_next(request),
    }
    return render(request, "barometer/contacts_edit.html", context)


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    allowed = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if target and allowed else ""
