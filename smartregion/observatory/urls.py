"""Observatory routes: pages under the language prefix, edition files without it.

Every page of an edition exists twice: `<slug>/…` (the latest revision) and `<slug>/r<N>/…`
(that revision, forever).
"""

from django.urls import path

from . import views

app_name = "observatory"


def _edition_routes(prefix: str, suffix: str) -> list:
    return [
        path(f"{prefix}", views.edition_detail, name=f"edition{suffix}"),
        path(f"{prefix}questions/<str:code>/", views.question_detail, name=f"question{suffix}"),
        path(f"{prefix}charts/<str:code>.svg", views.chart_svg, name=f"chart{suffix}"),
        path(f"{prefix}charts/<str:code>.vl.json", views.chart_spec, name=f"spec{suffix}"),
        path(f"{prefix}report.pdf", views.report_pdf, name=f"report{suffix}"),
        path(f"{prefix}methodology/", views.methodology_detail, name=f"methodology{suffix}"),
        path(f"{prefix}weighting/", views.weighting_detail, name=f"weighting{suffix}"),
    ]


urlpatterns = [
    path("", views.index, name="index"),
    # Before the edition routes, whose first segment is any slug.
    path("waves/<int:pk>/publish/", views.wave_publish, name="wave-publish"),
    path("builds/<uuid:public_id>/", views.edition_build, name="edition-build"),
    path(
        "builds/<uuid:public_id>/status.json",
        views.edition_build_status,
        name="edition-build-status",
    ),
    path("builds/<uuid:public_id>/retry/", views.edition_build_retry, name="edition-build-retry"),
    *_edition_routes("<slug:slug>/r<int:revision>/", "-revision"),
    *_edition_routes("<slug:slug>/", ""),
]

data_urlpatterns = (
    [
        path(
            "editions/<slug:slug>/r<int:revision>/<path:name>",
            views.edition_file,
            name="file",
        ),
    ],
    "observatory_data",
)
