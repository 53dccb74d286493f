"""Downloads of the catalogue: the showcase's one-page PDF and the open-data files.

Open-data choices:
- CSV: comma separator, dot decimals, UTF-8 with a byte-order mark, CRLF line ends (as the
  diagnostic's CSV, whose module says why: RFC 4180 for every data tool, the BOM so Excel reads
  accents). One row per project; lists (communes, themes, goals, partners, funding sources) are
  joined with ";" as codes (REFNIS, theme codes, SDG numbers) so they stay machine-readable.
- JSON: full nested records, with a metadata header (licence CC BY 4.0, source, generated at).
- GeoJSON (RFC 7946): a FeatureCollection, one Point per project location, coordinates in
  longitude, latitude order (WGS 84), properties that link back to the project.
The files hold published projects only. The full files (no filter) are built by a task once per
public data version (see core/pagecache.py) and served as stored (`projects_file_request`), like
every file the DCAT catalogue announces; filtered files are built in the request and cached.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import json
import mimetypes
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import Prefetch, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from smartregion.accounts.models import Organisation
from smartregion.core.models import PreparedFile
from smartregion.core.pagecache import data_version
from smartregion.core.prepared import (
    BuiltFile,
    Progress,
    prepared_file_ensure,
    prepared_file_request,
    state_key,
)
from smartregion.territory import svgmap
from smartregion.territory.models import Boundary, Municipality

from .catalogue import FACETS, CatalogueQuery, catalogue_page
from .models import FundingSource, Goal, Indicator, Location, Project, Theme
from .sanitise import rich_text_plain

LICENCE = {
    "name": "CC-BY-4.0",
    "title": "Creative Commons Attribution 4.0 International",
    "path": "https://creativecommons.org/licenses/by/4.0/",
}
BOM = "\ufeff"
EXPORT_TTL = 3600
# Longest description the PDF tries first, then shorter ones until the page fits.
PDF_DESCRIPTION_LIMITS = (1500, 1000, 600, 300, 0)
PDF_MAX_INDICATORS = 6
PDF_MAX_FUNDINGS = 5


# ---------------------------------------------------------------------------------------------
# Key figures, shared by the showcase page and the PDF
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class IndicatorFigure:
    name: str
    unit: str
    baseline: Decimal | None
    target: Decimal | None
    achieved: Decimal | None
    measured_on: Any

    @property
    def percent_of_target(self) -> int | None:
        """How far the achieved value went from the baseline towards the target, in %."""
        if self.target is None or self.achieved is None:
            return None
        start = self.baseline or Decimal(0)
        if self.target == start:
            return None
        return round((self.achieved - start) / (self.target - start) * 100)


@dataclass(frozen=True)
class FundingFigure:
    source: str
    label: str
    amount: Decimal | None


@dataclass(frozen=True)
class KeyFigures:
    budget: Decimal | None
    fundings: list[FundingFigure]
    fundings_total: Decimal | None
    indicators: list[IndicatorFigure]


def key_figures(project: Project, language: str = "en") -> KeyFigures:
    """Budget, fundings and indicators of a project (prefetched), labelled in `language`."""
    with translation.override(language):
        fundings = [
            FundingFigure(str(FundingSource(f.source).label), f.label, f.amount_eur)
            for f in project.fundings.all()
        ]
        indicators = [_indicator_figure(i, language) for i in project.indicators.all()]
    amounts = [f.amount for f in fundings if f.amount is not None]
    return KeyFigures(
        budget=project.budget_eur,
        fundings=fundings,
        fundings_total=sum(amounts, Decimal(0)) if amounts else None,
        indicators=indicators,
    )


def _indicator_figure(indicator: Indicator, language: str) -> IndicatorFigure:
    return IndicatorFigure(
        name=indicator.name_for(language),
        unit=indicator.unit,
        baseline=indicator.baseline,
        target=indicator.target,
        achieved=indicator.achieved,
        measured_on=indicator.measured_on,
    )


# ---------------------------------------------------------------------------------------------
# The showcase's one-page PDF
# ---------------------------------------------------------------------------------------------


def showcase_url(project: Project, base_url: str) -> str:
    with translation.override("en"):
        return base_url + reverse("projects:showcase_detail", kwargs={"slug": project.slug})


def _truncate(text: str, limit: int) -> tuple[str, bool]:
    if len(text) <= limit:
        return text, False
    cut = text[:limit].rsplit(" ", 1)[0].rstrip(" ,;:.")
    return cut + " …", True


def _image_data_uri(project: Project) -> tuple[str, str] | None:
    """The first image, inlined (the PDF never fetches anything), with its English alt text."""
    image = next(iter(project.images.all()), None)
    if image is None:
        return None
    try:
        with image.file.open("rb") as handle:
            data = handle.read()
    except (FileNotFoundError, OSError):
        return None
    mime = mimetypes.guess_type(image.file.name)[0] or "image/jpeg"
    return f"data:{mime};base64,{base64.b64encode(data).decode()}", image.alt_for("en")


@dataclass(frozen=True)
class PdfMap:
    view_box: str
    outlines: list[str]
    dots: list[tuple[str, str]]  # formatted here: template filters would localise the decimals


def _location_map(project: Project) -> PdfMap | None:
    """The project's communes outlined, with a dot per location; None without outlines."""
    boundaries = list(Boundary.objects.filter(municipality__in=project.municipalities.all()))
    locations = list(project.locations.all())
    if not boundaries:
        return None
    boxes = [(b.min_lon, b.min_lat, b.max_lon, b.max_lat) for b in boundaries]
    boxes += [(float(x.longitude), float(x.latitude)) * 2 for x in locations]
    frame = svgmap.fit(svgmap.union_bbox(boxes), margin=0.05)
    return PdfMap(
        view_box=frame.view_box,
        outlines=[svgmap.path_for(b.geometry, frame) for b in boundaries],
        dots=[_svg_point(frame, x) for x in locations],
    )


def _svg_point(frame: svgmap.Frame, location: Location) -> tuple[str, str]:
    x, y = frame.project(float(location.longitude), float(location.latitude))
    return f"{x:.1f}", f"{y:.1f}"


def _pdf_context(project: Project, *, base_url: str, limit: int) -> dict[str, Any]:
    description, truncated = _truncate(rich_text_plain(project.description_for("en")), limit)
    figures = key_figures(project)
    return {
        "project": project,
        "title": project.title_for("en"),
        "summary": project.summary_for("en"),
        "description": description,
        "truncated": truncated or len(figures.indicators) > PDF_MAX_INDICATORS,
        "url": showcase_url(project, base_url),
        "figures": figures,
        "fundings": figures.fundings[:PDF_MAX_FUNDINGS],
        "more_fundings": max(0, len(figures.fundings) - PDF_MAX_FUNDINGS),
        "indicators": figures.indicators[:PDF_MAX_INDICATORS],
        "more_indicators": max(0, len(figures.indicators) - PDF_MAX_INDICATORS),
        "themes": [str(Theme(code).label) for code in project.themes if code in Theme.values],
        "goals": [(n, str(Goal(n).label)) for n in project.goals if n in Goal.values],
        "image": _image_data_uri(project),
        "map": _location_map(project),
        "generated_at": timezone.now(),
        "platform_name": settings.SMARTREGION["PLATFORM_NAME"],
    }


def project_pdf_document(project: Project, *, base_url: str) -> Any:
    """The rendered WeasyPrint document, on one A4 page: the description is cut shorter (with a
    link to the full page) until everything fits."""
    import weasyprint  # noqa: PLC0415 - optional dependency, only needed for this download

    with translation.override("en"):
        for limit in PDF_DESCRIPTION_LIMITS:
            html = render_to_string(
                "projects/showcase/project_pdf.html",
                _pdf_context(project, base_url=base_url, limit=limit),
            )
            document = weasyprint.HTML(string=html, url_fetcher=_no_fetch).render()
            if len(document.pages) == 1:
                return document
    return document


def project_pdf(project: Project, *, base_url: str) -> bytes:
    return project_pdf_document(project, base_url=base_url).write_pdf()


PDF_BUILDER = "smartregion.projects.exports.project_pdf_file"


def project_pdf_request(project: Project, *, base_url: str) -> PreparedFile:
    """The one-page PDF, built in the background once per project version (and change time:
    files added or removed) and site address (its links are absolute)."""
    family = f"projects.showcase-pdf:{project.pk}"
    state = f"{project.version}|{project.updated_at.isoformat()}|{base_url}"
    return prepared_file_request(
        key=state_key(family, state),
        family=family,
        builder=PDF_BUILDER,
        params={"project_id": project.pk, "base_url": base_url},
    )


def project_pdf_file(*, progress: Progress, project_id: int, base_url: str) -> BuiltFile:
    """The prepared PDF's builder (runs in a task)."""
    project = (
        Project.objects.select_related("owner_municipality", "owner_organisation")
        .prefetch_related("municipalities", "fundings", "indicators", "locations", "partners")
        .prefetch_related("images")
        .get(pk=project_id)
    )
    progress(10)
    return BuiltFile(
        content=project_pdf(project, base_url=base_url),
        content_type="application/pdf",
        filename=f"{project.slug}.pdf",
    )


def _no_fetch(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    """The PDF embeds everything it shows; never let a link in content reach the network."""
    if url.startswith("data:"):
        import weasyprint  # noqa: PLC0415

        return weasyprint.default_url_fetcher(url, *args, **kwargs)
    raise ValueError(f"the showcase PDF does not load external resources ({url})")


# ---------------------------------------------------------------------------------------------
# Open data: CSV, JSON, GeoJSON of published projects
# ---------------------------------------------------------------------------------------------

CSV_HEADER = (
    "id",
    "slug",
    "url",
    "title_fr",
    "title_en",
    "summary_fr",
    "summary_en",
    "status",
    "themes",
    "goals",
    "communes",
    "commune_names",
    "lead",
    "partners",
    "start_date",
    "end_date",
    "budget_eur",
    "fundings_total_eur",
    "funding_sources",
    "indicators",
    "website",
    "latitude",
    "longitude",
    "first_published_at",
    "published_at",
    "is_demo",
)
EXPORT_MAX = 1_000_000  # more than the catalogue will ever hold: every match in one page


def export_projects(query: CatalogueQuery) -> QuerySet[Project]:
    """Published projects matching the catalogue's filters and text query, oldest publication
    first (a stable order for diffs between downloads), with everything the files hold in a
    fixed number of queries."""
    projects = Project.objects.filter(state=Project.State.PUBLISHED)
    if query.is_filtered:
        query.page = 1
        page = catalogue_page(query, language="fr", page_size=EXPORT_MAX)
        projects = projects.filter(pk__in=[project.pk for project in page.projects])
    return (
        projects.select_related("lead")
        .prefetch_related(
            Prefetch(
                "municipalities",
                queryset=Municipality.objects.select_related("province").order_by("refnis"),
            ),
            Prefetch("partners", queryset=Organisation.objects.order_by("name")),
            "fundings",
            "indicators",
            "locations",
        )
        .order_by("first_published_at", "pk")
    )


def project_url(project: Project, base_url: str) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return base_url + reverse("projects:detail", kwargs={"slug": project.slug})


def _number(value: Decimal | None) -> str:
    return "" if value is None else format(value.normalize(), "f")


def _json_number(value: Decimal | None) -> float | int | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def _fundings_total(project: Project) -> Decimal | None:
    amounts = [f.amount_eur for f in project.fundings.all() if f.amount_eur is not None]
    return sum(amounts, Decimal(0)) if amounts else None


def _date(value: Any) -> str:
    return value.isoformat() if value else ""


def projects_csv(projects: Iterable[Project], *, base_url: str) -> str:
    """One row per project; lists joined with ";" (REFNIS codes, theme codes, SDG numbers)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for project in projects:
        communes = list(project.municipalities.all())
        first = next(iter(project.locations.all()), None)
        writer.writerow(
            (
                project.pk,
                project.slug,
                project_url(project, base_url),
                project.title_fr,
                project.title_en,
                project.summary_fr,
                project.summary_en,
                project.status,
                ";".join(project.themes),
                ";".join(str(goal) for goal in project.goals),
                ";".join(m.refnis for m in communes),
                ";".join(m.name_fr for m in communes),
                project.lead.name if project.lead else "",
                ";".join(p.name for p in project.partners.all()),
                _date(project.start_date),
                _date(project.end_date),
                _number(project.budget_eur),
                _number(_fundings_total(project)),
                ";".join(dict.fromkeys(f.source for f in project.fundings.all())),
                len(project.indicators.all()),
                project.website,
                _number(first.latitude) if first else "",
                _number(first.longitude) if first else "",
                _date(project.first_published_at),
                _date(project.published_at),
                "true" if project.is_demo else "false",
            )
        )
    return BOM + buffer.getvalue()


def _organisation_json(organisation: Any) -> dict[str, Any]:
    return {
        "name": organisation.name,
        "slug": organisation.slug,
        "kind": organisation.kind,
        "enterprise_number": organisation.enterprise_number or None,
    }


def project_record(project: Project, *, base_url: str) -> dict[str, Any]:
    """A project's full public record (no contact person: personal data stays off bulk files)."""
    return {
        "id": project.pk,
        "slug": project.slug,
        "url": project_url(project, base_url),
        "title": {"fr": project.title_fr, "en": project.title_en},
        "summary": {"fr": project.summary_fr, "en": project.summary_en},
        "description": {"fr": project.description_fr, "en": project.description_en},
        "lessons": {"fr": project.lessons_fr, "en": project.lessons_en},
        "status": project.status,
        "themes": list(project.themes),
        "goals": list(project.goals),
        "communes": [{"refnis": m.refnis, "name": m.name_fr} for m in project.municipalities.all()],
        "lead": _organisation_json(project.lead) if project.lead else None,
        "partners": [_organisation_json(p) for p in project.partners.all()],
        "start_date": _date(project.start_date) or None,
        "end_date": _date(project.end_date) or None,
        "budget_eur": _json_number(project.budget_eur),
        "fundings": [
            {"source": f.source, "label": f.label, "amount_eur": _json_number(f.amount_eur)}
            for f in project.fundings.all()
        ],
        "indicators": [_indicator_json(i) for i in project.indicators.all()],
        "locations": [
            {
                "label": x.label,
                "latitude": _json_number(x.latitude),
                "longitude": _json_number(x.longitude),
            }
            for x in project.locations.all()
        ],
        "website": project.website,
        "showcase": project.showcase,
        "first_published_at": _date(project.first_published_at),
        "published_at": _date(project.published_at),
        "is_demo": project.is_demo,
    }


def _indicator_json(indicator: Indicator) -> dict[str, Any]:
    return {
        "name": {"fr": indicator.name_fr, "en": indicator.name_en},
        "unit": indicator.unit,
        "baseline": _json_number(indicator.baseline),
        "target": _json_number(indicator.target),
        "achieved": _json_number(indicator.achieved),
        "measured_on": _date(indicator.measured_on) or None,
    }


def _metadata(
    query: CatalogueQuery, count: int, base_url: str, projects: list[Project]
) -> dict[str, Any]:
    # The last change of the data, not the time of building: the same data gives the same bytes
    # in every process, so the size and SHA-256 the DCAT catalogue announces stay true.
    modified = max((project.updated_at for project in projects), default=None)
    return {
        "title": "Smart projects catalogue",
        "publisher": settings.SMARTREGION["PLATFORM_NAME"],
        "source": base_url + "/",
        "licence": LICENCE,
        "modified": modified.isoformat(timespec="seconds") if modified else None,
        "filters": _filters(query),
        "count": count,
    }


def _filters(query: CatalogueQuery) -> dict[str, list[str] | str]:
    filters: dict[str, list[str] | str] = {"q": query.q} if query.q else {}
    filters.update({name: list(getattr(query, name)) for name in FACETS if getattr(query, name)})
    if query.commune:
        filters["commune"] = list(query.commune)
    return filters


def projects_json(projects: Iterable[Project], *, query: CatalogueQuery, base_url: str) -> dict:
    projects = list(projects)
    records = [project_record(p, base_url=base_url) for p in projects]
    return {"metadata": _metadata(query, len(records), base_url, projects), "projects": records}


def projects_geojson(projects: Iterable[Project], *, query: CatalogueQuery, base_url: str) -> dict:
    """RFC 7946: coordinates are [longitude, latitude]; a project with no location is absent."""
    projects = list(projects)
    features = [
        {
            "type": "Feature",
            "id": f"{project.pk}-{index}",
            "geometry": {
                "type": "Point",
                "coordinates": [_json_number(x.longitude), _json_number(x.latitude)],
            },
            "properties": {
                "id": project.pk,
                "slug": project.slug,
                "title": project.title_fr,
                "title_en": project.title_en,
                "url": project_url(project, base_url),
                "status": project.status,
                "themes": list(project.themes),
                "place": x.label,
                "is_demo": project.is_demo,
            },
        }
        for project in projects
        for index, x in enumerate(project.locations.all(), start=1)
    ]
    return {
        "type": "FeatureCollection",
        "metadata": _metadata(query, len(features), base_url, projects),
        "features": features,
    }


EXPORT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
    "geojson": "application/geo+json",
}


def export_bytes(fmt: str, query: CatalogueQuery, *, base_url: str) -> bytes:
    """The file for `fmt` and the query, built now."""
    projects = export_projects(query)
    if fmt == "csv":
        return projects_csv(projects, base_url=base_url).encode("utf-8")
    build = projects_json if fmt == "json" else projects_geojson
    data = build(projects, query=query, base_url=base_url)
    return json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8")


def export_cached(fmt: str, query: CatalogueQuery, *, base_url: str) -> bytes:
    """A filtered file, built in the request once per public data version: a fraction of the
    full file, tens of milliseconds on the demo data (see bench/bench_opendata.py)."""
    parts = [fmt, base_url, *(f"{name}={value}" for name, value in query.params(page=1))]
    digest = hashlib.sha256("\n".join(parts).encode()).hexdigest()[:32]
    key = f"projects-export:{data_version()}:{digest}"
    body = cache.get(key)
    if body is None:
        body = export_bytes(fmt, query, base_url=base_url)
        cache.set(key, body, timeout=EXPORT_TTL)
    return body


# The full files (every published project) are prepared files (`core.prepared`): the DCAT catalogue
# announces their size and SHA-256, so they are built by a task and served as stored; the
# catalogue's build (queued when the open data changes) builds them first if they are not yet.
FILE_BUILDER = "smartregion.projects.exports.projects_file_build"


def _prepared(fmt: str, base_url: str) -> dict[str, Any]:
    """The full file for one format and site address; the public data version is its state."""
    family = f"projects.file:{fmt}:{base_url}"
    return {
        "key": f"{family}:{data_version()}",
        "family": family,
        "builder": FILE_BUILDER,
        "params": {"fmt": fmt, "base_url": base_url},
    }


def projects_file_request(fmt: str, *, base_url: str) -> PreparedFile:
    """The full file, queued for building if nobody asked for this data version yet."""
    return prepared_file_request(**_prepared(fmt, base_url))


def projects_file_ensure(fmt: str, *, base_url: str) -> PreparedFile:
    """The full file, built now if it is not yet (for the catalogue's task, which announces it)."""
    return prepared_file_ensure(**_prepared(fmt, base_url))


def projects_file_build(*, progress: Progress, fmt: str, base_url: str) -> BuiltFile:
    """The builder of a full file (run by `core.tasks.prepared_file_build`)."""
    content = export_bytes(fmt, CatalogueQuery(), base_url=base_url)
    return BuiltFile(content, EXPORT_TYPES[fmt], f"projects.{fmt}")
