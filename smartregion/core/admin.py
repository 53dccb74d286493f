"""Background work for staff: failed tasks and prepared files with their error, and a retry."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_tasks_db.admin import DBTaskResultAdmin
from django_tasks_db.models import DBTaskResult

from .models import PreparedFile
from .prepared import prepared_file_rebuild
from .services import task_result_retry


@admin.register(PreparedFile)
class PreparedFileAdmin(admin.ModelAdmin):
    list_display = ("key", "status", "progress", "size", "created_at", "finished_at")
    list_filter = ("status",)
    search_fields = ("key",)
    readonly_fields = [field.name for field in PreparedFile._meta.fields]
    actions = ["retry"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: PreparedFile | None = None) -> bool:
        return False

    @admin.action(description=_("Build the selected files again"), permissions=["view"])
    def retry(self, request: HttpRequest, queryset: QuerySet[PreparedFile]) -> None:
        count = 0
        for prepared in queryset:
            prepared_file_rebuild(prepared=prepared)
            count += 1
        self.message_user(
            request,
            ngettext("%(count)d file queued again.", "%(count)d files queued again.", count)
            % {"count": count},
            messages.SUCCESS,
        )


admin.site.unregister(DBTaskResult)


@admin.register(DBTaskResult)
class TaskResultAdmin(DBTaskResultAdmin):
    """The package's read-only admin of task results, with an action to retry failed ones."""

    list_display = (*DBTaskResultAdmin.list_display, "exception_class_path")
    actions = ["retry"]

    @admin.action(description=_("Retry the selected failed tasks"), permissions=["view"])
    def retry(self, request: HttpRequest, queryset: QuerySet[DBTaskResult]) -> None:
        failed = [result for result in queryset if result.status == "FAILED"]
        for result in failed:
            task_result_retry(result)
        self.message_user(
            request,
            ngettext(
                "%(count)d failed task queued again.",
                "%(count)d failed tasks queued again.",
                len(failed),
            )
            % {"count": len(failed)},
            messages.SUCCESS,
        )
