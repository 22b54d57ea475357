from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from accounts.models import Invitation, User
from cities.models import CityMembership


class CityMembershipInline(admin.TabularInline):
    model = CityMembership
    extra = 0
    autocomplete_fields = ["city"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["email"]
    list_display = [
        "email",
        "full_name",
        "organisation",
        "is_facilitator",
        "is_reviewer",
        "is_programme_admin",
        "is_active",
        "last_login",
    ]
    list_filter = ["is_facilitator", "is_reviewer", "is_programme_admin", "is_active"]
    search_fields = ["email", "full_name", "organisation"]
    readonly_fields = ["last_login", "date_joined"]
    inlines = [CityMembershipInline]
    filter_horizontal = ["groups", "user_permissions"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Person"), {"fields": ["full_name", "organisation", "job_title"]}),
        (
            _("Roles"),
            {"fields": ["is_facilitator", "is_reviewer", "is_programme_admin", "is_active"]},
        ),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": ["email", "full_name", "password1", "password2"],
            },
        )
    ]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "city", "invited_by", "created_at", "expires_at", "accepted_at"]
    list_filter = ["created_at", "accepted_at"]
    search_fields = ["email", "city__name"]
    autocomplete_fields = ["city", "invited_by", "accepted_by"]
    readonly_fields = ["token", "created_at", "accepted_at", "accepted_by"]
    date_hierarchy = "created_at"
