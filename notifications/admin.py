from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from notifications import services
from notifications.models import OutboundEmail


@admin.register(OutboundEmail)
class OutboundEmailAdmin(admin.ModelAdmin):
    list_display = [
        "subject",
        "to",
        "status",
        "attempts",
        "next_attempt_at",
        "created_at",
        "sent_at",
    ]
    list_filter = ["status", "created_at"]
    search_fields = ["to", "subject", "key"]
    readonly_fields = [
        "key",
        "message_id",
        "created_at",
        "claimed_at",
        "sent_at",
        "attempts",
        "next_attempt_at",
        "last_error",
    ]
    date_hierarchy = "created_at"
    actions = ["send_again"]

    # "Failed" is final for the sweeper; a person who fixed the cause (the address, the mail
    # settings) gives the email a fresh set of attempts here.
    @admin.action(description=_("Send again"), permissions=["change"])
    def send_again(self, request, queryset):
        selected = list(queryset.values_list("pk", flat=True))
        queued = services.emails_send_again(email_ids=selected, acting_user=request.user)
        if queued:
            message = ngettext(
                "%(count)s failed email queued to be sent again.",
                "%(count)s failed emails queued to be sent again.",
                queued,
            )
            self.message_user(request, message % {"count": queued}, messages.SUCCESS)
        if len(selected) > queued:
            left = len(selected) - queued
            message = ngettext(
                "%(count)s email had not failed and was left as it was: only failed emails "
                "are sent again.",
                "%(count)s emails had not failed and were left as they were: only failed "
                "emails are sent again.",
                left,
            )
            self.message_user(request, message % {"count": left}, messages.WARNING)
