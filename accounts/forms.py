from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.services import invitation_cities_for
from cities.models import City


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("Email address of the city officer"))
    city = forms.ModelChoiceField(label=_("City"), queryset=City.objects.none())

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # Offer only the cities the person may invite to; the service checks the same rule.
        self.fields["city"].queryset = (
            invitation_cities_for(user=user).select_related("country").order_by("name")
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
