"""Observatory pages and edition downloads (the DCAT-AP catalogue is the opendata app's), and
the staff's publication of a closed wave (queued as a build, whose page shows its progress).

Pages read one frozen edition and are cached whole for anonymous visitors (`public_page`, keyed on
the data version that publishing bumps); files, charts and PDFs are cached per edition revision,
since a revision never changes.
"""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from smartregion.barometer.models import Wave
from smartregion.core.i18n import active_language
from smartregion.core.pagecache import public_page
from smartregion.core.prepared_response import prepared_file_response
from smartregion.observatory import charts, exports, methodology, queries, services
from smartregion.observatory.forms import FindingFormSet, findings_edited, findings_initial
from smartregion.observatory.models import Edition, EditionBuild
from smartregion.observatory.permissions import can_publish_editions
from smartregion.opendata.responses import data_file_response


def _edition(slug: str, revision: int | None) -> Edition:
    edition = queries.edition_get(slug, revision)
    if edition is None:
        if revision is None:
            raise Http404(_("No edition is published under this name."))
        raise Http404(_("This edition has no revision %(revision)s.") % {"revision": revision})
    return edition


def _downloads(edition: Edition) -> list[tuple[str, str]]:
    return [
        (
            reverse("observatory_data:file", args=[edition.slug, edition.revision, d.name]),
            _(d.title),
        )
        for d in exports.DOWNLOADS.values()
    ]


@require_safe
@public_page
def index(request: HttpRequest) -> HttpResponse:
    editions = queries.editions_listed()
    latest = queries.edition_get(editions[0].slug) if editions else None
    language = active_language()
    context = {"editions": editions, "latest": latest}
    if latest is not None:
        data = latest.data
        context.update(
            overall=queries.rates(data, "all", language)[0],
            province_rates=queries.rates(data, "province", language),
            class_rates=queries.rates(data, "population_class", language),
            headlines=queries.headlines(data, language),
            previous=data.get("previous"),
        )
    return render(request, "observatory/index.html", context)


@require_safe
@public_page
def edition_detail(request: HttpRequest, slug: str, revision: int | None = None) -> HttpResponse:
    if revision is None and "revision" in request.GET:
        asked = request.GET["revision"]
        if not asked.isdigit():
            raise Http404(_("A revision is a number."))
        _edition(slug, int(asked))
        return redirect("observatory:edition-revision", slug=slug, revision=int(asked))
    edition = _edition(slug, revision)
    language = active_language()
    data = edition.data
    return render(
        request,
        "observatory/edition.html",
        {
            "edition": edition,
            "revision_in_url": revision is not None,
            "findings": queries.key_findings(data, language),
            "sections": queries.section_figures(data, language),
            "methodology": edition.methodology.split("\n\n"),
            "overall": queries.rates(data, "all", language)[0],
            "province_rates": queries.rates(data, "province", language),
            "class_rates": queries.rates(data, "population_class", language),
            "downloads": _downloads(edition),
            "previous": data.get("previous"),
        },
    )


@require_safe
@public_page
def question_detail(
    request: HttpRequest, slug: str, code: str, revision: int | None = None
) -> HttpResponse:
    edition = _edition(slug, revision)
    language = active_language()
    labels = {
        kind: queries.group_labels(edition.data, kind, language)
        for kind in ("province", "population_class")
    }
    figures = queries.question_figures(edition.data, code, language, labels)
    if figures is None:
        raise Http404(_("This edition has no question %(code)s.") % {"code": code})
    has_chart = bool(charts.rows_for(edition.data, code))
    history = queries.question_history(queries.edition_series(edition), code, language)
    return render(
        request,
        "observatory/question.html",
        {
            "edition": edition,
            "revision_in_url": revision is not None,
            "q": figures,
            "has_chart": has_chart,
            "province_chart": _breakdown_chart(edition, code, labels, "province", language),
            "class_chart": _breakdown_chart(edition, code, labels, "population_class", language),
            "history": history,
            "history_chart": _history_chart(edition, code, history, language),
            "answers": queries.answer_map(edition, code, language),
            "previous": edition.data.get("previous"),
        },
    )


def _breakdown_chart(
    edition: Edition, code: str, labels: dict[str, dict[str, str]], kind: str, language: str
) -> str:
    chart = charts.breakdown_spec(edition.data, code, kind, labels[kind], language)
    key = f"{edition.pk}:{edition.checksum[:16]}:{language}:{code}:{kind}"
    return charts.rendered(key, chart)


def _history_chart(
    edition: Edition, code: str, history: queries.History | None, language: str
) -> str:
    if history is None:
        return ""
    question = charts.question_of(edition.data, code) or {"type": ""}
    chart = charts.trend_spec(
        history.points,
        proportion=charts.is_proportion(question),
        scale=charts.domain(edition.data, question),
        language=language,
    )
    years = "-".join(str(year) for year in history.years)
    key = f"{edition.pk}:{edition.checksum[:16]}:{language}:{code}:trend:{years}"
    return charts.rendered(key, chart)


@require_safe
@public_page
def methodology_detail(
    request: HttpRequest, slug: str, revision: int | None = None
) -> HttpResponse:
    """How every figure of the edition was made, for a statistician to reproduce it."""
    edition = _edition(slug, revision)
    data = edition.data
    used = data.get("statistics") or {}
    return render(
        request,
        "observatory/methodology.html",
        {
            "edition": edition,
            "revision_in_url": revision is not None,
            "overall": queries.rates(data, "all", active_language())[0],
            "statistics": used,
            "recorded": bool(used),
            "level": f"{round(100 * used.get('confidence', 0.95))} %",
            "ci_method": methodology.ci_method_of(data),
            "ci_methods": methodology.CI_METHODS,
            "rule": methodology.reliability_rule(data),
            "counts": methodology.cell_counts(data),
            "example": methodology.example_cell(data),
            "weighting": data.get("weighting"),
            "has_trends": bool(data.get("trends")),
            "downloads": _downloads(edition),
            "previous": data.get("previous"),
        },
    )


@require_safe
@public_page
def weighting_detail(request: HttpRequest, slug: str, revision: int | None = None) -> HttpResponse:
    """The weighting cells and weights of the edition's respondents (unit non-response)."""
    edition = _edition(slug, revision)
    return render(
        request,
        "observatory/weighting.html",
        {
            "edition": edition,
            "revision_in_url": revision is not None,
            "report": methodology.weighting_report(edition.data, active_language()),
            "csv_url": reverse(
                "observatory_data:file", args=[edition.slug, edition.revision, "weighting.csv"]
            ),
        },
    )


@require_safe
def chart_svg(
    request: HttpRequest, slug: str, code: str, revision: int | None = None
) -> HttpResponse:
    edition = _edition(slug, revision)
    if charts.question_of(edition.data, code) is None:
        raise Http404(_("This edition has no question %(code)s.") % {"code": code})
    content = charts.svg(edition.pk, edition.checksum, edition.data, code, active_language())
    if not content:
        raise Http404(_("This question has no figure to draw."))
    response = HttpResponse(content, content_type="image/svg+xml; charset=utf-8")
    response["Cache-Control"] = "public, max-age=86400"
    return response


@require_safe
def chart_spec(
    request: HttpRequest, slug: str, code: str, revision: int | None = None
) -> HttpResponse:
    edition = _edition(slug, revision)
    spec = charts.spec(edition.data, code, active_language())
    if spec is None:
        raise Http404(_("This edition has no question %(code)s.") % {"code": code})
    response = HttpResponse(
        json.dumps(spec, ensure_ascii=False, indent=1), content_type="application/json"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="{edition.slug}-r{edition.revision}-{code}.vl.json"'
    )
    return response


@require_safe
def report_pdf(request: HttpRequest, slug: str, revision: int | None = None) -> HttpResponse:
    edition = _edition(slug, revision)
    prepared = exports.report_pdf_request(edition, active_language())
    title = _("The report of %(edition)s (PDF)") % {"edition": edition.title}
    return prepared_file_response(request, prepared, title=title, as_attachment=False)


# ---------------------------------------------------------------------------------------------
# Language-neutral data routes
# ---------------------------------------------------------------------------------------------


@require_safe
def edition_file(request: HttpRequest, slug: str, revision: int, name: str) -> HttpResponse:
    download = exports.download_for(name)
    if download is None:
        raise Http404("No such file in an edition.")
    edition = _edition(slug, revision)
    return data_file_response(
        request,
        exports.edition_file_request(edition, download),
        title=f"{edition.title} ({_(download.title)})",
        filename=exports.file_name(edition, download),
        cache_control="public, max-age=31536000, immutable",  # a revision never changes
    )


# ---------------------------------------------------------------------------------------------
# Publication (centre staff)
# ---------------------------------------------------------------------------------------------


@login_required
@require_POST
def wave_publish(request: HttpRequest, pk: int) -> HttpResponse:
    """Queue the publication of a closed wave as a new edition revision, then follow the build on
    its page (a wave that cannot be published goes back to its page, with the reason)."""
    if not can_publish_editions(request.user):
        raise PermissionDenied
    wave = get_object_or_404(Wave, pk=pk)
    review = request.POST.get("review") == "1"
    try:
        build = services.edition_build_request(wave=wave, user=request.user, review=review)
    except services.EditionError as error:
        messages.error(request, str(error))
        return redirect("barometer:wave", pk=wave.pk)
    return redirect("observatory:edition-build", public_id=build.public_id)


def _build(request: HttpRequest, public_id: str) -> EditionBuild:
    if not can_publish_editions(request.user):
        raise PermissionDenied
    return get_object_or_404(
        EditionBuild.objects.select_related("wave", "edition"), public_id=public_id
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@never_cache
def edition_build(request: HttpRequest, public_id: str) -> HttpResponse:
    """The build's progress (202 while it runs; `prepared.js` polls and reloads), then a link to
    the edition, or the error and a retry; for a draft, the review of its key findings, whose
    form (POST) publishes it."""
    build = _build(request, public_id)
    context: dict = {"build": build, "wave": build.wave}
    edition = build.edition
    if edition is not None and edition.is_draft:
        return _findings_review(request, build, edition)
    if edition is not None:
        context["published"] = _published_message(edition)
    if request.method == "POST":
        return redirect("observatory:edition-build", public_id=build.public_id)
    return render(
        request, "observatory/build.html", context, status=202 if build.is_active else 200
    )


def _findings_review(request: HttpRequest, build: EditionBuild, edition: Edition) -> HttpResponse:
    """The draft's key findings, each with its generated sentences, to keep, order and reword."""
    stored = queries.edition_findings(edition.data)
    if request.method == "POST":
        formset = FindingFormSet(request.POST, prefix="findings")
        if formset.is_valid():
            try:
                services.edition_draft_publish(
                    edition=edition, findings_edited=findings_edited(formset), user=request.user
                )
            except services.FindingsError as error:
                messages.error(request, str(error))
            return redirect("observatory:edition-build", public_id=build.public_id)
    else:
        formset = FindingFormSet(initial=findings_initial(stored), prefix="findings")
    generated = [
        {lang: queries.finding_sentence(edition.data, item, lang) for lang in ("fr", "en")}
        for item in stored
    ]
    context = {
        "build": build,
        "wave": build.wave,
        "edition": edition,
        "rows": list(zip(formset.forms, generated, strict=False)),
        "formset": formset,
    }
    return render(request, "observatory/findings_review.html", context)


@login_required
@require_safe
@never_cache
def edition_build_status(request: HttpRequest, public_id: str) -> JsonResponse:
    build = _build(request, public_id)
    return JsonResponse({"status": build.status, "progress": build.progress})


@login_required
@require_POST
def edition_build_retry(request: HttpRequest, public_id: str) -> HttpResponse:
    build = _build(request, public_id)
    if build.status == EditionBuild.Status.FAILED:
        services.edition_build_retry(build=build)
    return redirect("observatory:edition-build", public_id=build.public_id)


def _published_message(edition: Edition) -> str:
    url = reverse("observatory:edition-revision", args=[edition.slug, edition.revision])
    return format_html(
        _('Published: {title}, revision {revision}. <a href="{url}">See the edition</a>.'),
        title=edition.title,
        revision=edition.revision,
        url=url,
    )
