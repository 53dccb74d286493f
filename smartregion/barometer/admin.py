"""Waves in the admin: a list that leads to the tracking page, where waves are run."""

from __future__ import annotations

from django.contrib import admin
from django.urls import reverse

from .models import Wave


@admin.register(Wave)
class WaveAdmin(admin.ModelAdmin):
    list_display = ("title_fr", "year", "status", "instrument_version", "is_demo")
    list_filter = ("status", "year")
    search_fields = ("title_fr", "title_en", "title_de", "title_nl")
    fields = ("title_fr", "title_en", "title_de", "title_nl", "closes_on", "reminder_days")

    def view_on_site(self, obj: Wave) -> str:  # the "View on site" link: the tracking page
        return reverse("barometer:wave", args=[obj.pk])

    def has_add_permission(self, request: object) -> bool:
        return False  # waves are prepared on the site (barometer:wave-create), which checks them
