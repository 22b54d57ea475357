"""The Django admin of Group Study Visits: every model, to find and read rows.

Decision: nothing is added, changed or deleted here. Every change of a call, its visits and
criteria, an application, a review or a score goes through its service (visits/calls.py and the
other parts' modules), which checks its state (a visit that applications ask for is not
removed, a scored criterion is not removed), sends its signals (any change to criteria
recomputes every score) and queues its emails; the admin would bypass all of it. The call
pages (/visits/) are where admins change calls; "Open selected calls" here goes through
`visits.calls.call_open`.
"""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from portal.errors import ApplicationError
from visits import calls
from visits.models import (
    Anchor,
    Application,
    Call,
    Criterion,
    Delegate,
    Preference,
    Review,
    Score,
    ScoreLine,
    Visit,
)


class ReadOnly:
    """Rows are read, never written, here (module docstring)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class VisitInline(ReadOnly, admin.TabularInline):
    model = Visit
    fields = ["host_city", "title", "starts_on", "ends_on", "sector", "capacity_cities"]
    extra = 0


class CriterionInline(ReadOnly, admin.TabularInline):
    model = Criterion
    fields = ["position", "name", "kind", "rule", "weight", "scale_max", "independent"]
    extra = 0


@admin.register(Call)
class CallAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["title", "status", "opens_at", "closes_at", "review_deadline"]
    list_filter = ["status", "eligible_cohorts"]
    search_fields = ["title", "description"]
    date_hierarchy = "opens_at"
    inlines = [VisitInline, CriterionInline]
    actions = ["open_calls"]

    @admin.action(description=_("Open selected calls"))
    def open_calls(self, request, queryset):
        for call in queryset:
            try:
                calls.call_open(acting_user=request.user, call=call)
            except ApplicationError as error:
                self.message_user(request, f"{call}: {error.message}", messages.ERROR)
            else:
                self.message_user(
                    request, _("%(call)s is open.") % {"call": call}, messages.SUCCESS
                )


@admin.register(Visit)
class VisitAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["__str__", "call", "host_city", "starts_on", "ends_on", "sector"]
    list_filter = ["call", "sector"]
    search_fields = ["title", "host_city__name", "call__title"]
    list_select_related = ["call", "host_city", "sector"]


class PreferenceInline(ReadOnly, admin.TabularInline):
    model = Preference
    extra = 0


class DelegateInline(ReadOnly, admin.TabularInline):
    model = Delegate
    extra = 0


class ReviewInline(ReadOnly, admin.TabularInline):
    model = Review
    fields = ["reviewer", "status", "submitted_at", "recused_at"]
    extra = 0


@admin.register(Application)
class ApplicationAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["city", "call", "status", "total", "rank", "decision", "allocated_visit"]
    list_filter = ["status", "decision", "call"]
    search_fields = ["city__name", "call__title"]
    list_select_related = ["city", "call", "allocated_visit", "allocated_visit__host_city"]
    inlines = [PreferenceInline, DelegateInline, ReviewInline]


class AnchorInline(ReadOnly, admin.TabularInline):
    model = Anchor
    extra = 0


@admin.register(Criterion)
class CriterionAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["name", "call", "kind", "rule", "weight", "independent"]
    list_filter = ["kind", "call"]
    search_fields = ["name", "call__title"]
    list_select_related = ["call"]
    inlines = [AnchorInline]


class ScoreInline(ReadOnly, admin.TabularInline):
    model = Score
    extra = 0


@admin.register(Review)
class ReviewAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["application", "reviewer", "status", "submitted_at", "recused_at"]
    list_filter = ["status", "application__call"]
    search_fields = ["reviewer__email", "reviewer__full_name", "application__city__name"]
    list_select_related = ["application__city", "application__call", "reviewer"]
    inlines = [ScoreInline]


@admin.register(ScoreLine)
class ScoreLineAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["application", "criterion", "points", "weighted", "reviewers", "disagreement"]
    list_filter = ["disagreement", "criterion__call"]
    search_fields = ["application__city__name", "criterion__name"]
    list_select_related = ["application__city", "application__call", "criterion"]
