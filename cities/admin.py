from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from accounts.admin import user_inline_add
from cities.models import (
    City,
    CityMembership,
    ClimateAction,
    ClimateActionLever,
    Country,
    Invitation,
)


@admin.register(Country)
class CountryAdmin(admin.ModelAdmin):
    list_display = ["name", "iso_code"]
    search_fields = ["name", "iso_code"]


class CityMembershipInline(admin.TabularInline):
    model = CityMembership
    extra = 0
    autocomplete_fields = ["user"]


class UserCityMembershipInline(admin.TabularInline):
    """The cities a person is an officer of, on their page in the accounts admin."""

    model = CityMembership
    extra = 0
    autocomplete_fields = ["city"]


user_inline_add(UserCityMembershipInline)


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


class ClimateActionLeverInline(admin.TabularInline):
    model = ClimateActionLever
    extra = 0


class ClimateActionAdminForm(forms.ModelForm):
    """Keep the recommendations a list of at most five texts, as cities.services does."""

    class Meta:
        model = ClimateAction
        fields = [
            "city",
            "title",
            "sector",
            "context",
            "description",
            "implementation_stage",
            "lessons_learned",
            "recommendations",
            "created_at",
        ]

    def clean_recommendations(self):
        value = self.cleaned_data["recommendations"] or []
        if not isinstance(value, list) or not all(isinstance(text, str) for text in value):
            raise forms.ValidationError(_('Write the recommendations as a list: ["…", "…"].'))
        if len(value) > ClimateAction.MAX_RECOMMENDATIONS:
            raise forms.ValidationError(
                _("A climate action has at most %(max)d recommendations.")
                % {"max": ClimateAction.MAX_RECOMMENDATIONS}
            )
        return value


@admin.register(ClimateAction)
class ClimateActionAdmin(admin.ModelAdmin):
    # The admin is for programme admins correcting data; the portal pages go through
    # cities.services (which also holds the Mission City rule).
    form = ClimateActionAdminForm
    list_display = ["title", "city", "sector", "implementation_stage", "updated_at", "updated_by"]
    list_filter = ["sector", "implementation_stage", "city__country"]
    search_fields = ["title", "city__name", "description"]
    list_select_related = ["city__country", "sector", "updated_by"]
    autocomplete_fields = ["city", "sector"]
    readonly_fields = ["created_by", "updated_by"]
    date_hierarchy = "created_at"
    inlines = [ClimateActionLeverInline]

    def save_model(self, request, obj, form, change):
        # A correction in the admin is recorded like a change on the pages.
        if not change:
            obj.created_by = request.user
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "city", "invited_by", "created_at", "expires_at", "accepted_at"]
    list_filter = ["created_at", "accepted_at"]
    search_fields = ["email", "city__name"]
    autocomplete_fields = ["city", "invited_by", "accepted_by"]
    readonly_fields = ["token", "created_at", "accepted_at", "accepted_by"]
    date_hierarchy = "created_at"
