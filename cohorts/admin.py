from django.contrib import admin

from cohorts.models import Cohort, Enrolment, EnrolmentGroup, Phase, ThematicGroup


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


class EnrolmentGroupInline(admin.TabularInline):
    model = EnrolmentGroup
    extra = 0
    autocomplete_fields = ["thematic_group"]


@admin.register(Enrolment)
class EnrolmentAdmin(admin.ModelAdmin):
    list_display = ["city", "cohort", "status", "requested_by", "decided_by", "created_at"]
    list_filter = ["status", "cohort__programme", "cohort"]
    search_fields = ["city__name", "cohort__name", "requested_by__email"]
    list_select_related = ["city__country", "cohort", "requested_by", "decided_by"]
    autocomplete_fields = ["city", "cohort", "requested_by", "decided_by"]
    inlines = [EnrolmentGroupInline]
    date_hierarchy = "created_at"


@admin.register(EnrolmentGroup)
class EnrolmentGroupAdmin(admin.ModelAdmin):
    list_display = ["enrolment", "thematic_group", "needs"]
    list_filter = ["thematic_group__sector", "enrolment__cohort"]
    search_fields = ["enrolment__city__name", "thematic_group__sector__name", "needs"]
    list_select_related = [
        "enrolment__city__country",
        "enrolment__cohort",
        "thematic_group__cohort",
        "thematic_group__sector",
    ]
    autocomplete_fields = ["enrolment", "thematic_group"]
