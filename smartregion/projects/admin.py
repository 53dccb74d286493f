"""Admin views for support staff. Editors work in the review pages, which record revisions;
the admin is read-mostly: changes made here bypass the workflow, so revisions are read-only."""

from django.contrib import admin

from .models import (
    Indicator,
    Location,
    Project,
    ProjectDocument,
    ProjectFunding,
    ProjectImage,
    ProjectRevision,
)


class FundingInline(admin.TabularInline):
    model = ProjectFunding
    extra = 0


class IndicatorInline(admin.TabularInline):
    model = Indicator
    extra = 0


class LocationInline(admin.TabularInline):
    model = Location
    extra = 0


class ImageInline(admin.TabularInline):
    model = ProjectImage
    extra = 0
    readonly_fields = ["file", "width", "height", "uploaded_by"]


class DocumentInline(admin.TabularInline):
    model = ProjectDocument
    extra = 0
    readonly_fields = ["file", "content_type", "size", "uploaded_by"]


class RevisionInline(admin.TabularInline):
    model = ProjectRevision
    extra = 0
    can_delete = False
    fields = ["number", "action", "author", "created_at", "comment"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:  # noqa: ARG002
        return False


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ["title_fr", "state", "status", "showcase", "needs_review", "is_demo"]
    list_filter = ["state", "status", "showcase", "needs_review", "is_demo"]
    search_fields = ["title_fr", "title_en", "slug"]
    autocomplete_fields = [
        "municipalities",
        "lead",
        "partners",
        "owner_municipality",
        "owner_organisation",
    ]
    readonly_fields = ["version", "created_by", "updated_by", "created_at", "updated_at"]
    inlines = [
        FundingInline,
        IndicatorInline,
        LocationInline,
        ImageInline,
        DocumentInline,
        RevisionInline,
    ]
