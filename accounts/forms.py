from django import forms
from django.conf import settings
from django.utils.translation import get_language_info, ngettext
from django.utils.translation import gettext_lazy as _

from accounts.models import ApiToken
from accounts.selectors import facilitators_active
from accounts.services import API_TOKEN_LIFETIME_DAYS
from portal.dates import time_zone_choices
from portal.text import SHORT_TEXT_MAX
from portal.widgets import FACILITATORS, SearchSelectMultiple


def facilitator_label(user) -> str:
    """How a facilitator is named where one is chosen: "Name, organisation"."""
    return f"{user}, {user.organisation}" if user.organisation else str(user)


class FacilitatorsField(forms.ModelMultipleChoiceField):
    """Facilitators chosen with the facilitator search (portal/widgets.py): the page lists
    only those chosen, so its size does not grow with the number of facilitators."""

    widget = SearchSelectMultiple(source=FACILITATORS)

    def __init__(self, queryset=None, **kwargs):
        super().__init__(facilitators_active() if queryset is None else queryset, **kwargs)

    def label_from_instance(self, obj):
        return facilitator_label(obj)


def _lifetime_choices() -> list[tuple[int, str]]:
    # A callable, so the labels are translated for each request, not once at import.
    return [
        (
            days,
            _("1 year")
            if days == 365
            else ngettext("%(count)d day", "%(count)d days", days) % {"count": days},
        )
        for days in sorted(API_TOKEN_LIFETIME_DAYS)
    ]


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=ApiToken._meta.get_field("name").max_length,
        help_text=_("What the token is for, such as “Monthly report script”."),
    )
    lifetime_days = forms.TypedChoiceField(
        label=_("Valid for"),
        coerce=int,
        choices=_lifetime_choices,
        initial=API_TOKEN_LIFETIME_DAYS[0],
        help_text=_("The token stops working after this time; you can revoke it sooner."),
    )


def _language_choices() -> list[tuple[str, str]]:
    # Each language in its own words ("Français"), as the header's language switcher shows it.
    return [(code, get_language_info(code)["name_local"]) for code, _name in settings.LANGUAGES]


class ProfileForm(forms.Form):
    full_name = forms.CharField(
        label=_("Your full name"),
        max_length=SHORT_TEXT_MAX,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    language = forms.ChoiceField(
        label=_("Your language"),
        choices=_language_choices,
        help_text=_("Emails from the portal are written in this language, and so are its pages."),
        error_messages={"invalid_choice": _("Choose one of the portal's languages.")},
    )
    time_zone = forms.ChoiceField(
        label=_("Your time zone"),
        choices=time_zone_choices,
        help_text=_("Emails from the portal give times in this time zone."),
        error_messages={
            "invalid_choice": _(
                "“%(value)s” is not a time zone the portal offers: choose one from the list."
            )
        },
    )
