from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.errors import ApplicationError
from sessions import services
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
    # Moving and cancelling go through the services: they check that sessions of a cohort never
    # overlap and email everyone registered. The title and the meeting link are in people's
    # calendars: changed on the session's page, through session_update, they raise the
    # session's revision so that calendars replace the event. The admin edits the rest (texts,
    # headcounts).
    # Who scheduled and who last changed the session are recorded, never typed.
    readonly_fields = [
        "starts_at",
        "ends_at",
        "status",
        "title",
        "meeting_url",
        "created_by",
        "updated_by",
    ]
    actions = ["cancel_sessions"]

    def save_model(self, request, obj, form, change):
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)

    def has_add_permission(self, request):
        # Scheduling has the same overlap check: sessions are added from the cohort's pages.
        return False

    def has_delete_permission(self, request, obj=None):
        # Deleting would drop a session from everyone's calendar without a word, and with it the
        # registrations and attendance it is the record of. Admins cancel instead (the action
        # below): the session stays listed, marked cancelled, and everyone registered is told.
        # Without the delete permission the admin also drops its "Delete selected" action.
        return False

    @admin.action(
        description=gettext_lazy("Cancel selected sessions"),
        permissions=["change"],
    )
    def cancel_sessions(self, request, queryset):
        """Cancel each selected session through the service (one email per registered
        person); a session that cannot be cancelled is named with the reason."""
        cancelled = 0
        for session in queryset.order_by("starts_at", "pk"):
            try:
                services.session_cancel(session=session, acting_user=request.user)
            except ApplicationError as error:
                self.message_user(
                    request,
                    _("%(title)s: %(reason)s") % {"title": session.title, "reason": error.message},
                    messages.WARNING,
                )
            except PermissionDenied:
                self.message_user(
                    request,
                    _("%(title)s: you may not cancel this session.") % {"title": session.title},
                    messages.ERROR,
                )
            else:
                cancelled += 1
        if cancelled:
            self.message_user(
                request,
                _("Sessions cancelled: %(count)d. Everyone registered is told by email.")
                % {"count": cancelled},
                messages.SUCCESS,
            )


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
