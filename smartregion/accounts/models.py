"""People, the organisations they act for, and their memberships of communes and organisations."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from smartregion.territory.models import Municipality


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create(self, email: str, password: str | None, **fields: object) -> User:
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **fields: object) -> User:
        fields.setdefault("is_staff", False)
        fields.setdefault("is_superuser", False)
        return self._create(email, password, **fields)

    def create_superuser(self, email: str, password: str | None = None, **fields: object) -> User:
        fields.update(is_staff=True, is_superuser=True)
        return self._create(email, password, **fields)


class User(AbstractUser):
    """A person who signs in with an email address. `is_staff` marks the centre's staff."""

    username = None  # type: ignore[assignment]
    email = models.EmailField(_("email address"), unique=True)
    preferred_language = models.CharField(_("preferred language"), max_length=5, default="fr")

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()  # type: ignore[assignment]

    class Meta:
        ordering = ["email"]
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.get_full_name() or self.email


class Organisation(models.Model):
    """An actor of the ecosystem other than a commune (the ecosystem issue grows it)."""

    class Kind(models.TextChoices):
        INTERMUNICIPAL = "intermunicipal", _("Intermunicipal body")
        COMPANY = "company", _("Company")
        RESEARCH = "research", _("Research")
        ASSOCIATION = "association", _("Association")
        PUBLIC_BODY = "public_body", _("Public body")
        CENTRE = "centre", _("Reference centre")

    name = models.CharField(_("name"), max_length=200, unique=True)
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    website = models.URLField(_("website"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """A user acts for exactly one commune or one organisation, with a role."""

    class Role(models.TextChoices):
        MEMBER = "member", _("Member")
        MANAGER = "manager", _("Manager")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="memberships",
        verbose_name=_("commune"),
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="memberships",
        verbose_name=_("organisation"),
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.MEMBER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["user", "municipality", "organisation"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.CheckConstraint(
                condition=(Q(municipality__isnull=False) & Q(organisation__isnull=True))
                | (Q(municipality__isnull=True) & Q(organisation__isnull=False)),
                name="membership_one_body",
            ),
            models.UniqueConstraint(
                fields=["user", "municipality"],
                condition=Q(municipality__isnull=False),
                name="membership_unique_municipality",
            ),
            models.UniqueConstraint(
                fields=["user", "organisation"],
                condition=Q(organisation__isnull=False),
                name="membership_unique_organisation",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.municipality or self.organisation} ({self.get_role_display()})"


class Invitation(models.Model):
    """An invitation to join a commune's team; only a hash of the emailed token is stored."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField(_("email address"))
    role = models.CharField(
        _("role"), max_length=10, choices=Membership.Role.choices, default=Membership.Role.MEMBER
    )
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self) -> str:
        return f"{self.email} → {self.municipality}"
