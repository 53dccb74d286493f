"""People, the organisations they act for, and their memberships of communes and organisations."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from smartregion.territory.models import Municipality

from .enterprise import enterprise_number_display, validate_enterprise_number


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
    """A person who signs in with an email address. `is_staff` marks the centre's staff.

    A deleted account keeps its row, emptied of personal data and unable to sign in
    (`services.user_delete`): what the person wrote for their commune (diagnostic answers,
    project revisions, waves, editions) stays attributed to a "former member".
    """

    username = None  # type: ignore[assignment]
    email = models.EmailField(_("email address"), unique=True)
    # "" until the person chooses (account settings): emails then use the site's default language
    # and signing in stays in the language of the address they came by.
    preferred_language = models.CharField(
        _("preferred language"), max_length=5, blank=True, default=""
    )
    deleted_at = models.DateTimeField(_("account deleted"), null=True, blank=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()  # type: ignore[assignment]

    class Meta:
        ordering = ["email"]
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        if self.deleted_at is not None:
            return str(_("Former member"))
        return self.get_full_name() or self.email

    @property
    def is_former_member(self) -> bool:
        return self.deleted_at is not None


class Organisation(models.Model):
    """An actor of the ecosystem: a commune's own entry, or a body people act for.

    The directory of actors (projects they lead or join) starts here; the ecosystem issue grows it.
    A commune's actor row points at its municipality, so a project led by a commune names it
    like any other lead.
    """

    class Kind(models.TextChoices):
        COMMUNE = "commune", _("Commune")
        INTERMUNICIPAL = "intermunicipal", _("Intermunicipal body")
        COMPANY = "company", _("Company")
        RESEARCH = "research", _("Research")
        ASSOCIATION = "association", _("Association")
        PUBLIC_BODY = "public_body", _("Public body")
        CENTRE = "centre", _("Reference centre")

    name = models.CharField(_("name"), max_length=200, unique=True)
    # Null, not "", until a service names the row: several unnamed rows must not collide on unique.
    slug = models.SlugField(  # noqa: DJ001
        _("short name in addresses"), max_length=220, unique=True, null=True
    )
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    website = models.URLField(_("website"), blank=True)
    enterprise_number = models.CharField(
        _("enterprise number (BCE/KBO)"),
        max_length=10,
        blank=True,
        validators=[validate_enterprise_number],
        help_text=_("Ten digits, such as 0123.456.749; checked with its check digits."),
    )
    municipality = models.OneToOneField(
        Municipality,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="actor",
        verbose_name=_("commune"),
    )
    description = models.TextField(_("description"), blank=True)
    themes = models.JSONField(_("themes"), default=list, blank=True)
    is_demo = models.BooleanField(
        _("demonstration data"), default=False, help_text=_("Synthetic, for demonstrations.")
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise_number"],
                condition=~Q(enterprise_number=""),
                name="organisation_unique_enterprise_number",
            ),
            models.CheckConstraint(
                condition=Q(kind="commune", municipality__isnull=False)
                | (~Q(kind="commune") & Q(municipality__isnull=True)),
                name="organisation_commune_has_municipality",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def enterprise_number_display(self) -> str:
        return enterprise_number_display(self.enterprise_number)


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


class ApiToken(models.Model):
    """A personal token for the API. Only a hash is stored; the token is shown once, on creation.

    A token acts with its owner's rights at the time of each request (memberships, staff), so
    revoking a membership revokes what the token may do.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=12, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
