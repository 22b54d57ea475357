from django.contrib import admin

from sessions.models import Session, SessionPresentation


class PresentationInline(admin.TabularInline):
    model = SessionPresentation
    extra = 0
    autocomplete_fields = ["city"]


@admin.register(Session)
class SessionAdmin(admin.ModelAdmin):
    list_display = ["title", "cohort", "kind", "starts_at", "ends_at", "reported_participants"]
    list_filter = ["kind", "cohort", "starts_at"]
    search_fields = ["title", "agenda", "presentations__city__name"]
    list_select_related = ["cohort"]
    autocomplete_fields = ["facilitators"]
    inlines = [PresentationInline]
    date_hierarchy = "starts_at"


@admin.register(SessionPresentation)
class SessionPresentationAdmin(admin.ModelAdmin):
    list_display = ["city", "session", "topics"]
    list_filter = ["session__cohort"]
    search_fields = ["city__name", "session__title", "topics"]
    list_select_related = ["city", "session"]
