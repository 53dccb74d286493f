"""Routes of the method pages, learning paths and case studies (included by urls.py)."""

from __future__ import annotations

from django.urls import path

from .journey import KEY_DOMAINS
from .views import case_studies, method

urlpatterns: list = [
    path("method/", method.method, name="method"),
    path("journey/<str:refnis>/", method.journey_page, name="journey"),
    path(
        "journey/<str:refnis>/evidence/<int:step>/",
        method.evidence,
        name="journey-evidence",
    ),
    path(
        "case-studies/new/<slug:project>/",
        case_studies.case_study_create,
        name="case-study-create",
    ),
    path("case-studies/<slug:slug>/", case_studies.case_study, name="case-study"),
    path(
        "case-studies/<slug:slug>/replicate/",
        case_studies.replicate,
        name="case-study-replicate",
    ),
    # The maturity instrument's recommendation links ("knowledge:guide-strategy"…).
    *(
        path(f"go/{key}/", method.key_redirect, {"key": key}, name=key)
        for key in sorted(KEY_DOMAINS)
    ),
]
