from __future__ import annotations

from django.contrib import admin

from .models import InstrumentVersion


@admin.register(InstrumentVersion)
class InstrumentVersionAdmin(admin.ModelAdmin):
    """Read-only: versions change only through `smartregion instrument load`, which checks them."""

    list_display = ["slug", "version", "title_fr", "loaded_at", "checksum"]
    list_filter = ["slug"]
    readonly_fields = [field.name for field in InstrumentVersion._meta.fields]

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False
