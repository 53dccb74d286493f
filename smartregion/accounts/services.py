"""Writes about people and memberships."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from smartregion.territory.models import Municipality

from .models import Membership, Organisation, User

DEMO_PASSWORD = "demo-smartregion-2026"  # noqa: S105 - printed for the local demo only
DEMO_COMMUNE = "92094"  # Namur


@dataclass(frozen=True)
class DemoAccount:
    email: str
    role: str


@transaction.atomic
def membership_grant(
    *,
    user: User,
    municipality: Municipality | None = None,
    organisation: Organisation | None = None,
    role: str = Membership.Role.MEMBER,
) -> Membership:
    """Give a user a role in a commune or an organisation (updates the role if already a member)."""
    membership, _ = Membership.objects.update_or_create(
        user=user, municipality=municipality, organisation=organisation, defaults={"role": role}
    )
    membership.full_clean()
    return membership


@transaction.atomic
def demo_accounts_create() -> list[DemoAccount]:
    """One centre admin, one commune manager and one member of the demo commune. Idempotent."""
    commune = Municipality.objects.get(refnis=DEMO_COMMUNE)
    accounts = [
        ("admin@demo.smartregion.example", "centre admin", None),
        ("manager.namur@demo.smartregion.example", "commune manager", Membership.Role.MANAGER),
        ("member.namur@demo.smartregion.example", "commune member", Membership.Role.MEMBER),
    ]
    for email, _label, role in accounts:
        user = User.objects.filter(email=email).first()
        if user is None:
            is_admin = role is None
            user = User.objects.create_user(
                email=email,
                password=DEMO_PASSWORD,
                is_staff=is_admin,
                is_superuser=is_admin,
                first_name=email.split("@")[0].split(".")[0].capitalize(),
            )
        if role is not None:
            membership_grant(user=user, municipality=commune, role=role)
    return [DemoAccount(email=email, role=label) for email, label, _ in accounts]
