"""The admin keeps the list of NetZeroCities services; roadmaps themselves are read-only here,
because every change must go through roadmaps.services (versions, history, review emails)."""

from django.contrib import admin

from roadmaps.models import (
    NetZeroCitiesService,
    Roadmap,
    RoadmapChange,
    RoadmapComment,
    RoadmapExport,
    RoadmapTransition,
    RoadmapValue,
)


@admin.register(NetZeroCitiesService)
class NetZeroCitiesServiceAdmin(admin.ModelAdmin):
    list_display = ["name", "position", "is_active", "url"]
    list_editable = ["position", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "description"]


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class RoadmapValueInline(ReadOnlyInline):
    model = RoadmapValue
    fields = ["key", "value", "version", "updated_by", "updated_at"]


class RoadmapTransitionInline(ReadOnlyInline):
    model = RoadmapTransition
    fields = ["from_status", "to_status", "by", "at", "note"]


class RoadmapCommentInline(ReadOnlyInline):
    model = RoadmapComment
    fields = ["section", "body", "author", "created_at"]


@admin.register(Roadmap)
class RoadmapAdmin(admin.ModelAdmin):
    list_display = ["city", "cohort", "status", "percent_complete", "updated_at", "accepted_at"]
    list_filter = ["status", "cohort"]
    search_fields = ["city__name", "cohort__name"]
    list_select_related = ["city", "cohort"]
    inlines = [RoadmapValueInline, RoadmapCommentInline, RoadmapTransitionInline]

    def has_add_permission(self, request):
        return False  # opened by enrolment (roadmaps.services.roadmap_open)

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(RoadmapChange)
class RoadmapChangeAdmin(admin.ModelAdmin):
    list_display = ["roadmap", "key", "version", "changed_by", "changed_at"]
    list_filter = ["roadmap__cohort"]
    search_fields = ["roadmap__city__name", "key"]
    list_select_related = ["roadmap__city", "roadmap__cohort", "changed_by"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # the history is the record of who wrote what


@admin.register(RoadmapExport)
class RoadmapExportAdmin(admin.ModelAdmin):
    list_display = ["cohort", "requested_by", "status", "done", "total", "attempts", "created_at"]
    list_filter = ["status", "failure"]
    list_select_related = ["cohort", "requested_by"]
    readonly_fields = [
        "done",
        "total",
        "file",
        "failure",
        "error",
        "attempts",
        "created_at",
        "queued_at",
        "claimed_at",
        "progressed_at",
        "finished_at",
    ]
