"""A guide as a PDF (WeasyPrint), built in the background through core/prepared.py: the key holds
the resource's version and the language, so an edited guide gets a new file and an unchanged one
is built once."""

from __future__ import annotations

from typing import Any

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import translation

from smartregion.core.addresses import configured_base_url
from smartregion.core.models import PreparedFile
from smartregion.core.prepared import BuiltFile, Progress, prepared_file_request

from . import text
from .models import SOURCE_LANGUAGE, Licence, Resource

PDF_BUILDER = "smartregion.knowledge.exports.resource_pdf_file"


def resource_pdf_request(resource: Resource, language: str) -> PreparedFile:
    family = f"knowledge.pdf:{resource.pk}:{language}"
    return prepared_file_request(
        key=f"{family}:v{resource.version}",
        family=family,
        builder=PDF_BUILDER,
        params={"resource_id": resource.pk, "language": language},
    )


def resource_pdf_file(*, progress: Progress, resource_id: int, language: str) -> BuiltFile:
    """The prepared file's builder (runs in a task)."""
    resource = Resource.objects.get(pk=resource_id)
    return BuiltFile(
        content=_render_pdf(resource, language),
        content_type="application/pdf",
        filename=f"{resource.slug}-v{resource.version}-{language}.pdf",
    )


def _render_pdf(resource: Resource, language: str) -> bytes:
    import weasyprint  # noqa: PLC0415 - heavy, only needed here

    status = resource.translation_status(language)
    text_language = SOURCE_LANGUAGE if status == "missing" else language
    with translation.override(text_language):
        html = render_to_string(
            "knowledge/resource_pdf.html",
            {
                "resource": resource,
                "language": text_language,
                "body": text.render(resource.body, language=text_language),
                "sources": text.render(resource.sources, language=text_language),
                "licence": Licence(resource.licence).label
                if resource.licence in Licence.values
                else "",
                "base_url": configured_base_url(),
            },
        )
    stylesheet = finders.find("knowledge/print.css")
    stylesheets = [weasyprint.CSS(filename=stylesheet)] if stylesheet else []
    return weasyprint.HTML(string=html, url_fetcher=_no_fetch).write_pdf(stylesheets=stylesheets)


def _no_fetch(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    """Images in the text are left out of the PDF: nothing may reach the network."""
    raise ValueError(f"the guide's PDF does not load external resources ({url})")
