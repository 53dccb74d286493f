from django.contrib import admin
from modeltranslation.admin import TranslationAdmin

from .models import GlossaryTerm, Resource, ResourceRevision, StepProgress


@admin.register(Resource)
class ResourceAdmin(TranslationAdmin):
    list_display = ("slug", "kind", "state", "review_by", "is_demo")
    list_filter = ("kind", "state", "is_demo")
    search_fields = ("slug", "title_fr", "title_en")


@admin.register(GlossaryTerm)
class GlossaryTermAdmin(TranslationAdmin):
    list_display = ("slug", "label_fr", "is_published")
    search_fields = ("slug", "label_fr", "label_en")


@admin.register(ResourceRevision)
class ResourceRevisionAdmin(admin.ModelAdmin):
    list_display = ("resource", "number", "significance", "author", "created_at")
    readonly_fields = ("snapshot",)


admin.site.register(StepProgress)
