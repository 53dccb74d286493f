"""Writes about people and memberships."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from functools import partial

from allauth.account.models import EmailAddress
from django.contrib.auth.models import Permission
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from smartregion.core.i18n import active_language
from smartregion.territory.models import Municipality

from .models import Invitation, Membership, Organisation, User
from .tasks import INVITATION_DAYS, invitation_email_send

DEMO_PASSWORD = "demo-smartregion-2026"  # noqa: S105 - printed for the local demo only
DEMO_COMMUNE = "92094"  # Namur
DEMO_MEMBER_EMAIL = "member.namur@demo.smartregion.example"
DEMO_EDITOR_EMAIL = "editor@demo.smartregion.example"
# Made here; the projects demo makes them a member of a demo intercommunal body once it exists.
DEMO_ACTOR_EMAIL = "member.actor@demo.smartregion.example"


@dataclass(frozen=True)
class DemoAccount:
    email: str
    role: str


# (email, label, role in the demo commune): the demo logins `smartregion demo` prints.
DEMO_ACCOUNTS = (
    ("admin@demo.smartregion.example", "centre admin", None),
    (DEMO_EDITOR_EMAIL, "centre editor", None),
    ("manager.namur@demo.smartregion.example", "commune manager", Membership.Role.MANAGER),
    (DEMO_MEMBER_EMAIL, "commune member", Membership.Role.MEMBER),
    (DEMO_ACTOR_EMAIL, "actor member", None),
)


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
    """A centre admin and editor, a commune manager and member, an actor's member. Idempotent."""
    commune = Municipality.objects.get(refnis=DEMO_COMMUNE)
    for email, label, role in DEMO_ACCOUNTS:
        user = User.objects.filter(email=email).first()
        if user is None:
            is_admin = label == "centre admin"
            user = User.objects.create_user(
                email=email,
                password=DEMO_PASSWORD,
                is_staff=is_admin or label == "centre editor",
                is_superuser=is_admin,
                first_name=email.split("@")[0].split(".")[0].capitalize(),
            )
        if label == "centre editor":
            # The editor reviews projects and writes the knowledge resources (by permission).
            user.user_permissions.add(
                *Permission.objects.filter(
                    Q(content_type__app_label="projects", codename="moderate_project")
                    | Q(content_type__app_label="knowledge", codename="edit_resource")
                )
            )
        if role is not None:
            membership_grant(user=user, municipality=commune, role=role)
    return demo_accounts()


def demo_accounts() -> list[DemoAccount]:
    return [DemoAccount(email=email, role=label) for email, label, _ in DEMO_ACCOUNTS]


class InvitationError(Exception):
    """The invitation cannot be used; the message says why, for the user."""


class InvitationGone(InvitationError):
    """The invitation existed but is used or expired (pages answer 410 rather than 404)."""


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def invitation_create(
    *, municipality: Municipality, email: str, role: str, invited_by: User, accept_url: str
) -> tuple[Invitation, str]:
    """Invite someone to a commune's team by email; returns the invitation and its raw token.

    Only the token's hash is stored with the invitation. The email is a task queued once the
    transaction commits, rendered in the inviter's language; the link it carries stays in the
    task queue until the task results are pruned (see README).
    """
    email = email.strip().lower()
    if Membership.objects.filter(user__email=email, municipality=municipality).exists():
        raise InvitationError(
            _("%(email)s is already a member of this commune.") % {"email": email}
        )
    token = secrets.token_urlsafe(32)
    invitation = Invitation(
        municipality=municipality,
        email=email,
        role=role,
        token_hash=_token_hash(token),
        invited_by=invited_by,
        expires_at=timezone.now() + dt.timedelta(days=INVITATION_DAYS),
    )
    invitation.full_clean()
    invitation.save()
    link = accept_url.replace("TOKEN", token)
    transaction.on_commit(
        partial(invitation_email_send.enqueue, invitation.pk, link, active_language())
    )
    return invitation, token


def invitation_find(token: str) -> Invitation:
    invitation = (
        Invitation.objects.select_related("municipality")
        .filter(token_hash=_token_hash(token))
        .first()
    )
    if invitation is None:
        raise InvitationError(_("This invitation link is not valid. Ask for a new invitation."))
    if invitation.accepted_at is not None:
        raise InvitationGone(_("This invitation has already been used. Sign in instead."))
    if invitation.expires_at < timezone.now():
        raise InvitationGone(_("This invitation has expired. Ask for a new invitation."))
    return invitation


@transaction.atomic
def invitation_accept(*, token: str, user: User | None, password: str | None = None) -> User:
    """Join the commune: an existing signed-in user with the invited email, or a new account."""
    invitation = invitation_find(token)
    if user is None:
        if User.objects.filter(email=invitation.email).exists():
            raise InvitationError(_("An account exists for this address: sign in first."))
        user = User.objects.create_user(email=invitation.email, password=password)
    elif user.email.lower() != invitation.email:
        raise InvitationError(
            _("This invitation is for %(email)s; you are signed in as someone else.")
            % {"email": invitation.email}
        )
    membership_grant(user=user, municipality=invitation.municipality, role=invitation.role)
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    return user


# ---------------------------------------------------------------------------------------------
# Account settings
# ---------------------------------------------------------------------------------------------


def user_profile_update(*, user: User, first_name: str, last_name: str, language: str) -> User:
    """Name and preferred language (emails are written in it; sign-in lands in it)."""
    user.first_name, user.last_name, user.preferred_language = first_name, last_name, language
    user.full_clean()
    user.save(update_fields=["first_name", "last_name", "preferred_language"])
    return user


@dataclass(frozen=True)
class LastManager:
    """A commune or organisation whose only manager is the person leaving."""

    name: str
    others: int  # members left, none of whom may invite or manage


def last_manager_of(user: User) -> list[LastManager]:
    """Bodies the user alone manages: deleting the account leaves them without a manager."""
    found = []
    managed = Membership.objects.filter(user=user, role=Membership.Role.MANAGER)
    for membership in managed.select_related("municipality", "organisation"):
        body = {"municipality": membership.municipality, "organisation": membership.organisation}
        body = {field: value for field, value in body.items() if value is not None}
        colleagues = Membership.objects.filter(**body).exclude(user=user)
        if not colleagues.filter(role=Membership.Role.MANAGER).exists():
            name = (membership.municipality or membership.organisation).name  # type: ignore[union-attr]
            found.append(LastManager(name=name, others=colleagues.count()))
    return found


@transaction.atomic
def user_delete(*, user: User) -> None:
    """Delete an account, keeping what the person wrote for their commune.

    The row stays (every diagnostic answer, project revision, wave and edition keeps pointing at
    it, and shows "Former member"), emptied of personal data: address replaced by a unique
    `.invalid` one (RFC 2606), names and rights removed, password unusable, inactive. Its
    memberships, API tokens, email addresses and the invitations addressed to it are deleted.
    Sessions end too: the session of every other browser holds a hash of the password, which no
    longer matches, and an inactive account is never signed in again.
    """
    Invitation.objects.filter(email__iexact=user.email).delete()
    EmailAddress.objects.filter(user=user).delete()
    user.memberships.all().delete()
    user.api_tokens.all().delete()
    user.groups.clear()
    user.user_permissions.clear()
    user.email = f"former-member-{user.pk}@example.invalid"
    user.first_name = user.last_name = ""
    user.preferred_language = ""
    user.is_active = user.is_staff = user.is_superuser = False
    user.last_login = None
    user.deleted_at = timezone.now()
    user.set_unusable_password()
    user.full_clean()
    user.save()
