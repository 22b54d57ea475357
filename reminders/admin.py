"""The reminders' rows in the Django admin, to read: admins change rules on the rules page
(/reminders/rules/, which checks the timing) and people choose their reminders on their own
page or by the link in each email."""

from django.contrib import admin

from reminders.models import ReminderOptOut, ReminderRule


@admin.register(ReminderRule)
class ReminderRuleAdmin(admin.ModelAdmin):
    list_display = ["kind", "enabled", "offsets", "max_reminders", "min_gap_days", "updated_at"]
    readonly_fields = [field.name for field in ReminderRule._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(ReminderOptOut)
class ReminderOptOutAdmin(admin.ModelAdmin):
    list_display = ["address", "kind", "created_at"]
    list_filter = ["kind"]
    search_fields = ["address"]
    readonly_fields = ["address", "kind", "created_at"]

    def has_add_permission(self, request):
        return False
