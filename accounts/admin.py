from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts import services
from accounts.models import ApiToken, User


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
        "is_script_account",
        "is_active",
        "last_login",
        "api_tokens_link",
    ]
    list_filter = [
        "is_facilitator",
        "is_reviewer",
        "is_programme_admin",
        "is_script_account",
        "is_active",
    ]
    search_fields = ["email", "full_name", "organisation"]
    readonly_fields = ["last_login", "date_joined", "api_tokens_link"]
    # The apps above add theirs with user_inline_add (cities: the person's cities).
    inlines = []
    filter_horizontal = ["groups", "user_permissions"]
    actions = ["revoke_api_tokens"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (
            _("Person"),
            {"fields": ["full_name", "organisation", "job_title", "language", "time_zone"]},
        ),
        (
            _("Roles"),
            {
                "fields": [
                    "is_facilitator",
                    "is_reviewer",
                    "is_programme_admin",
                    "is_script_account",
                    "is_active",
                ]
            },
        ),
        (_("API tokens"), {"fields": ["api_tokens_link"]}),
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

    @admin.display(description=_("API tokens"))
    def api_tokens_link(self, user):
        """The person's tokens page: revoke them there, or make a script account's."""
        if user is None or user.pk is None:
            return "-"
        return format_html(
            '<a href="{}">{}</a>', reverse("person_api_tokens", args=[user.pk]), _("API tokens")
        )

    @admin.action(description=_("Revoke every API token of the selected people"))
    def revoke_api_tokens(self, request, queryset):
        count = sum(
            services.api_tokens_revoke_all(user=user, acting_user=request.user) for user in queryset
        )
        _report_revoked(self, request, count)


def user_inline_add(inline: type[admin.options.InlineModelAdmin]) -> None:
    """Show `inline` on each person's admin page, after those already added.

    How an app above accounts puts its rows about a person there (cities.admin: the cities
    they are an officer of) without accounts importing it (ARCHITECTURE.md).
    """
    UserAdmin.inlines = [*UserAdmin.inlines, inline]


def _report_revoked(model_admin, request, count: int) -> None:
    model_admin.message_user(
        request,
        ngettext("%(count)d API token revoked.", "%(count)d API tokens revoked.", count)
        % {"count": count},
        messages.SUCCESS,
    )


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Programme admins see every API token (never the token itself, which is not stored) and
    revoke any of them. The owner makes a token on their account page; a script account's are
    made by programme admins on its tokens page (/accounts/people/<id>/tokens/)."""

    list_display = ["name", "user", "created", "expiry"]
    list_filter = ["created", "expiry"]
    search_fields = ["name", "user__email", "user__full_name"]
    list_select_related = ["user"]
    fields = ["name", "user", "created", "expiry"]
    readonly_fields = fields
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        # Revoking goes through the service (the "revoke" action), which records who did it.
        return False

    @admin.action(description=_("Revoke the selected API tokens"), permissions=["view"])
    def revoke(self, request, queryset):
        tokens = list(queryset)
        for token in tokens:
            services.api_token_revoke(token=token, acting_user=request.user)
        _report_revoked(self, request, len(tokens))
