from django.contrib import admin

from taxonomy.models import EnablingFactor, EnablingTheme, ThematicSector


class TaxonAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "position"]
    list_editable = ["position"]
    search_fields = ["name", "slug", "description"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(ThematicSector)
class ThematicSectorAdmin(TaxonAdmin):
    list_display = [*TaxonAdmin.list_display, "offered_only"]
    list_filter = ["offered_only"]


admin.site.register(EnablingFactor, TaxonAdmin)
admin.site.register(EnablingTheme, TaxonAdmin)
