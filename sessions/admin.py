from django.contrib import admin

from sessions.models import CalendarFeed, Registration, Session, SessionPresentation


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


@admin.register(Registration)
class RegistrationAdmin(admin.ModelAdmin):
    list_display = ["full_name", "email", "city", "session", "is_walk_in", "attendance"]
    list_filter = ["is_walk_in", "attendance", "session__cohort"]
    search_fields = ["full_name", "email", "city__name", "session__title"]
    list_select_related = ["city", "session"]
    autocomplete_fields = ["city", "registered_by"]
    raw_id_fields = ["session"]


@admin.register(CalendarFeed)
class CalendarFeedAdmin(admin.ModelAdmin):
    # The token is a credential: the admin shows whose feed it is, never the address.
    list_display = ["user", "created_at"]
    search_fields = ["user__email", "user__full_name"]
    list_select_related = ["user"]
    fields = ["user", "created_at"]
    readonly_fields = ["user", "created_at"]

    def has_add_permission(self, request):
        return False
