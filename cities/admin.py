from django.contrib import admin

from cities.models import City, CityMembership, Country


@admin.register(Country)
class CountryAdmin(admin.ModelAdmin):
    list_display = ["name", "iso_code"]
    search_fields = ["name", "iso_code"]


class CityMembershipInline(admin.TabularInline):
    model = CityMembership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(City)
class CityAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "country",
        "population",
        "is_mission_city",
        "is_mission_minded",
        "is_pilot_city",
        "is_twin_city",
        "contract_status",
    ]
    list_filter = [
        "is_mission_city",
        "is_mission_minded",
        "is_pilot_city",
        "is_twin_city",
        "contract_status",
        "country",
    ]
    search_fields = ["name", "country__name", "country__iso_code"]
    list_select_related = ["country"]
    autocomplete_fields = ["country"]
    filter_horizontal = ["thematic_interests"]
    inlines = [CityMembershipInline]


@admin.register(CityMembership)
class CityMembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "city", "joined_at"]
    list_filter = ["joined_at", "city__country"]
    search_fields = ["user__email", "user__full_name", "city__name"]
    list_select_related = ["user", "city__country"]
    autocomplete_fields = ["user", "city"]
