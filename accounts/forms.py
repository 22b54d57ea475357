from django import forms
from django.conf import settings
from django.utils.translation import get_language_info, ngettext
from django.utils.translation import gettext_lazy as _

from accounts.models import ApiToken
from accounts.rules import is_programme_admin
from accounts.selectors import facilitators_active
from accounts.services import API_TOKEN_LIFETIME_DAYS, invitation_cities_for
from cities.models import City
from portal.dates import time_zone_choices
from portal.text import SHORT_TEXT_MAX
from portal.widgets import CITIES, FACILITATORS, SearchSelect, SearchSelectMultiple


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


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("Email address of the city officer"))
    city = forms.ModelChoiceField(label=_("City"), queryset=City.objects.none())

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # Offer only the cities the person may invite to; the service checks the same rule.
        # An admin may invite to any of the 10,000 cities, too many to list, so they search;
        # a facilitator keeps the short list of the cities of their cohorts.
        self.fields["city"] = forms.ModelChoiceField(
            label=self.fields["city"].label,
            queryset=invitation_cities_for(user=user).select_related("country").order_by("name"),
            widget=SearchSelect(source=CITIES) if is_programme_admin(user) else None,
        )


class InvitationAcceptForm(forms.Form):
    full_name = forms.CharField(label=_("Your full name"), max_length=200)
    password1 = forms.CharField(
        label=_("Choose a password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        strip=False,
    )
    password2 = forms.CharField(
        label=_("Type the password again"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        strip=False,
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("password1") and cleaned.get("password1") != cleaned.get("password2"):
            self.add_error("password2", _("The two passwords are not the same."))
        return cleaned


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
