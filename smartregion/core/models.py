from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _


class DataVersion(models.Model):
    """A counter per kind of published data, bumped whenever that data changes.

    Cached public pages carry the version in their cache key, so a change invalidates them in every
    application process at once (see `pagecache`).
    """

    key = models.CharField(max_length=50, unique=True)
    value = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.key}={self.value}"


class PreparedFile(models.Model):
    """A file built in the background (a PDF report, an open-data file), served once it is ready.

    `key` names one file in one state of its data (e.g. an edition's checksum and a language), so
    newer data gets a new file under a new key; `family` is the same file across states (the key
    without the state), so requesting a newer state prunes the stale ones. `builder` is the dotted
    path of the function that builds it from `params` (see `core.prepared`).
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Being prepared")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    key = models.CharField(max_length=255, unique=True)
    family = models.CharField(max_length=255, db_index=True)
    builder = models.CharField(max_length=200)
    params = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0, help_text=_("Percent done."))
    file = models.FileField(upload_to="prepared/", max_length=300, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    filename = models.CharField(max_length=200, blank=True)
    size = models.PositiveBigIntegerField(null=True, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    error = models.TextField(blank=True)
    task_result_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("prepared file")
        verbose_name_plural = _("prepared files")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(progress__lte=100), name="prepared_file_progress_percent"
            )
        ]

    def __str__(self) -> str:
        return self.key

    @property
    def is_ready(self) -> bool:
        return self.status == self.Status.READY

    @property
    def is_failed(self) -> bool:
        return self.status == self.Status.FAILED


class SearchDocument(models.Model):
    """One entry of the site search (see core/search.py): its words live in the `core_search`
    full-text table (same id), what the results list shows in `SearchDisplay`.

    Narrow on purpose: a search reads this row for every match (kind, facets, date), so the
    long display texts live in their own table, read only for the results shown."""

    kind = models.CharField(max_length=40)
    object_id = models.BigIntegerField()
    facets = models.TextField(blank=True)  # "theme:mobility domain:gov", space-separated
    url_name = models.CharField(max_length=100)
    url_kwargs = models.JSONField(default=dict)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id"], name="search_document_unique")
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.object_id}"


class SearchDisplay(models.Model):
    """What a search result shows, per language: `{"fr": {"title": …, "text": …}, "en": …}`."""

    document = models.OneToOneField(
        SearchDocument, on_delete=models.CASCADE, primary_key=True, related_name="shown"
    )
    display = models.JSONField(default=dict)

    def __str__(self) -> str:
        return str(self.document_id)
