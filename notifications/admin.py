from django.contrib import admin

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
        "created_at",
        "claimed_at",
        "sent_at",
        "attempts",
        "next_attempt_at",
        "last_error",
    ]
    date_hierarchy = "created_at"
