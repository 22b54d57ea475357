"""Export files in the Django admin, to read: why one failed (`error` holds the details the
person's page does not show). People ask for exports on /reports/exports/."""

from django.contrib import admin

from reports.models import ExportFile


@admin.register(ExportFile)
class ExportFileAdmin(admin.ModelAdmin):
    list_display = [
        "dataset_key",
        "format",
        "requested_by",
        "status",
        "rows_written",
        "size",
        "created_at",
        "expires_at",
    ]
    list_filter = ["status", "format", "dataset_key"]
    search_fields = ["requested_by__email", "dataset_key"]
    list_select_related = ["requested_by"]
    readonly_fields = [field.name for field in ExportFile._meta.fields]

    def has_add_permission(self, request):
        return False
