from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from cohorts import services
from cohorts.models import Cohort, Enrolment, EnrolmentGroup, Phase, ThematicGroup
from portal.errors import ApplicationError


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
    readonly_fields = ["created_by", "updated_by"]
    inlines = [PhaseInline, ThematicGroupInline]
    date_hierarchy = "starts_on"

    def save_model(self, request, obj, form, change):
        # Who created and last changed the cohort, recorded as cohorts.services records it.
        if not change:
            obj.created_by = request.user
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)


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


def _decide(modeladmin, request, queryset, service) -> int:
    """Run a decision service on each selected enrolment and return how many it decided. Each
    is its own transaction, so one that cannot be decided (already accepted, say) is reported
    and the others still go. The service checks `cohorts.decide_enrolment`, which every
    programme admin holds."""
    decided = 0
    for enrolment in queryset.select_related("city", "cohort").order_by("pk"):
        try:
            service(enrolment=enrolment, acting_user=request.user)
        except ApplicationError as error:
            modeladmin.message_user(request, error.message, messages.ERROR)
        else:
            decided += 1
    return decided


@admin.register(Enrolment)
class EnrolmentAdmin(admin.ModelAdmin):
    """Decisions go through the accept and decline actions, which call the same services as the
    facilitators' page: they open the city's roadmap and email the officer. Editing the status
    by hand would do neither, so the decision fields are read-only."""

    list_display = ["city", "cohort", "status", "requested_by", "decided_by", "created_at"]
    list_filter = ["status", "cohort__programme", "cohort"]
    search_fields = ["city__name", "cohort__name", "requested_by__email"]
    list_select_related = ["city__country", "cohort", "requested_by", "decided_by"]
    autocomplete_fields = ["city", "cohort", "requested_by"]
    readonly_fields = ["status", "decided_by", "decided_at"]
    inlines = [EnrolmentGroupInline]
    date_hierarchy = "created_at"
    actions = ["accept_requests", "decline_requests"]

    @admin.action(description=_("Accept selected requests"), permissions=["change"])
    def accept_requests(self, request, queryset):
        count = _decide(self, request, queryset, services.enrolment_accept)
        if count:
            message = ngettext(
                "%(count)s request accepted; its officer was told by email.",
                "%(count)s requests accepted; their officers were told by email.",
                count,
            )
            self.message_user(request, message % {"count": count}, messages.SUCCESS)

    @admin.action(description=_("Decline selected requests"), permissions=["change"])
    def decline_requests(self, request, queryset):
        count = _decide(self, request, queryset, services.enrolment_decline)
        if count:
            message = ngettext(
                "%(count)s request declined; its officer was told by email.",
                "%(count)s requests declined; their officers were told by email.",
                count,
            )
            self.message_user(request, message % {"count": count}, messages.SUCCESS)


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
