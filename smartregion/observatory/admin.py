"""Edition builds for staff: each publication with its state and error, and a retry (the task
itself is also in core's failed-task admin)."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .models import EditionBuild
from .services import edition_build_retry


@admin.register(EditionBuild)
class EditionBuildAdmin(admin.ModelAdmin):
    list_display = ("wave", "status", "progress", "edition", "requested_by", "created_at")
    list_filter = ("status",)
    readonly_fields = [field.name for field in EditionBuild._meta.fields]
    actions = ["retry"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: EditionBuild | None = None) -> bool:
        return False

    @admin.action(description=_("Run the selected failed builds again"), permissions=["view"])
    def retry(self, request: HttpRequest, queryset: QuerySet[EditionBuild]) -> None:
        failed = [build for build in queryset if build.status == EditionBuild.Status.FAILED]
        for build in failed:
            edition_build_retry(build=build)
        self.message_user(
            request,
            ngettext(
                "%(count)d failed build queued again.",
                "%(count)d failed builds queued again.",
                len(failed),
            )
            % {"count": len(failed)},
            messages.SUCCESS,
        )
