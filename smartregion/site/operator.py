"""Who publishes the deployment, as the footer pages state it: read from settings (environment
variables `SMARTREGION_OPERATOR_*`, `SMARTREGION_HOST_*`…), so another operator changes no code."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from importlib import metadata

from django.conf import settings

PLACEHOLDER_EMAIL_DOMAIN = ".example"


@dataclass(frozen=True)
class Operator:
    name: str
    address: str
    email: str
    phone: str
    company_number: str
    url: str
    host_name: str
    host_address: str
    privacy_email: str
    accessibility_email: str


def operator() -> Operator:
    return Operator(
        name=settings.SMARTREGION_OPERATOR_NAME,
        address=settings.SMARTREGION_OPERATOR_ADDRESS,
        email=settings.SMARTREGION_OPERATOR_EMAIL,
        phone=settings.SMARTREGION_OPERATOR_PHONE,
        company_number=settings.SMARTREGION_OPERATOR_COMPANY_NUMBER,
        url=settings.SMARTREGION_OPERATOR_URL,
        host_name=settings.SMARTREGION_HOST_NAME,
        host_address=settings.SMARTREGION_HOST_ADDRESS,
        privacy_email=settings.SMARTREGION_PRIVACY_EMAIL,
        accessibility_email=settings.SMARTREGION_ACCESSIBILITY_EMAIL,
    )


def placeholders() -> list[str]:
    """The operator settings still at their placeholder defaults (for the system check)."""
    missing = []
    if not settings.SMARTREGION_OPERATOR_ADDRESS:
        missing.append("SMARTREGION_OPERATOR_ADDRESS")
    if settings.SMARTREGION_OPERATOR_EMAIL.endswith(PLACEHOLDER_EMAIL_DOMAIN):
        missing.append("SMARTREGION_OPERATOR_EMAIL")
    if not settings.SMARTREGION_HOST_NAME:
        missing.append("SMARTREGION_HOST_NAME")
    return missing


def code_licence() -> str:
    """The licence of the platform's code, as the package declares it (pyproject.toml)."""
    try:
        package = metadata.metadata("smartregion")
    except metadata.PackageNotFoundError:
        return ""
    return package.get("License-Expression") or package.get("License") or ""


def statement_dates() -> tuple[dt.date, dt.date]:
    """When the accessibility statement was written and last reviewed."""
    return (
        dt.date.fromisoformat(settings.SMARTREGION_ACCESSIBILITY_STATEMENT_DATE),
        dt.date.fromisoformat(settings.SMARTREGION_ACCESSIBILITY_REVIEW_DATE),
    )
