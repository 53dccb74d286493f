from django.contrib import admin

from .models import (
    Boundary,
    Municipality,
    MunicipalityFigure,
    PopulationClass,
    Province,
    Region,
    Succession,
)


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["refnis", "name_fr", "name_nl", "name_de", "languages"]
    search_fields = ["refnis", "name_fr", "name_nl", "name_de"]


@admin.register(Province)
class ProvinceAdmin(admin.ModelAdmin):
    list_display = ["refnis", "name_fr", "name_nl", "name_de", "region"]
    list_filter = ["region"]
    search_fields = ["refnis", "name_fr", "name_nl", "name_de"]


@admin.register(PopulationClass)
class PopulationClassAdmin(admin.ModelAdmin):
    list_display = ["region", "code", "label_fr", "min_population", "max_population"]
    list_filter = ["region"]


class FigureInline(admin.TabularInline):
    model = MunicipalityFigure
    extra = 0


class PredecessorInline(admin.TabularInline):
    model = Succession
    fk_name = "successor"
    extra = 0
    autocomplete_fields = ["predecessor"]


@admin.register(Municipality)
class MunicipalityAdmin(admin.ModelAdmin):
    list_display = [
        "refnis",
        "name_fr",
        "name_nl",
        "province",
        "population",
        "population_class",
        "valid_until",
    ]
    list_filter = ["region", "province", "population_class"]
    search_fields = ["refnis", "name_fr", "name_nl", "name_de", "search_text"]
    list_select_related = ["province", "population_class"]
    readonly_fields = ["population", "population_year", "area_km2", "population_class"]
    exclude = ["neighbours"]
    inlines = [PredecessorInline, FigureInline]


@admin.register(Boundary)
class BoundaryAdmin(admin.ModelAdmin):
    list_display = ["municipality", "source", "derived", "imported_at"]
    list_select_related = ["municipality"]
    search_fields = ["municipality__refnis", "municipality__name_fr"]
    exclude = ["geometry"]
