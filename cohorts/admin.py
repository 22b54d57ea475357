from django.contrib import admin

from cohorts.models import Cohort, Phase, ThematicGroup


class PhaseInline(admin.TabularInline):
    model = Phase
    extra = 0


class ThematicGroupInline(admin.TabularInline):
    model = ThematicGroup
    extra = 0
    autocomplete_fields = ["facilitators"]


@admin.register(Cohort)
class CohortAdmin(admin.ModelAdmin):
    list_display = ["name", "programme", "number", "starts_on", "ends_on"]
    list_filter = ["programme", "starts_on"]
    search_fields = ["name"]
    autocomplete_fields = ["facilitators"]
    inlines = [PhaseInline, ThematicGroupInline]
    date_hierarchy = "starts_on"


@admin.register(Phase)
class PhaseAdmin(admin.ModelAdmin):
    list_display = ["name", "cohort", "kind", "starts_on", "ends_on"]
    list_filter = ["kind", "cohort"]
    search_fields = ["name", "cohort__name"]
    list_select_related = ["cohort"]


@admin.register(ThematicGroup)
class ThematicGroupAdmin(admin.ModelAdmin):
    list_display = ["__str__", "cohort", "sector"]
    list_filter = ["sector", "cohort"]
    search_fields = ["cohort__name", "sector__name", "facilitators__email"]
    list_select_related = ["cohort", "sector"]
    autocomplete_fields = ["facilitators"]
