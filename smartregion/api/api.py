"""The public JSON API, version 1. Routers call the same queries and services as the views."""

from __future__ import annotations

from ninja import NinjaAPI

from smartregion.diagnostic.api import diagnostics_router, instruments_router
from smartregion.knowledge.api import glossary_router, resources_router
from smartregion.projects.api import router as projects_router
from smartregion.territory.api import router as territory_router

api = NinjaAPI(
    title="Smart Region API",
    version="1.0.0",
    description=(
        "Open data and services of the Smart Region platform. Territory codes are Statbel "
        "REFNIS codes. Names are given in every official language available."
    ),
    urls_namespace="api-v1",
)
api.add_router("/municipalities/", territory_router)
api.add_router("/instruments/", instruments_router)
api.add_router("/diagnostics/", diagnostics_router)
api.add_router("/projects/", projects_router)
api.add_router("/resources/", resources_router)
api.add_router("/glossary/", glossary_router)
