from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.rules import is_programme_admin
from cities import scopes
from cities.enums import ImplementationStage
from cities.models import City, ClimateAction, ClimateActionLever
from cities.selectors import invitation_cities_for
from cities.services import POPULATION_MAX, LeverInput
from portal.errors import ApplicationError
from portal.fragments import versions
from portal.widgets import CITIES, SearchSelect
from taxonomy.models import EnablingFactor, ThematicSector


def _text_area(rows: int = 4) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


class CityProfileForm(forms.Form):
    """What a city's officers say of it. The name, country, types and contract status are not
    fields: they are the programme admins' (cities/rules.py), so posting them changes nothing."""

    population = forms.IntegerField(
        label=_("Population"),
        required=False,
        min_value=1,
        max_value=POPULATION_MAX,
        help_text=_("Inhabitants of the city, as a whole number. Leave empty if not known."),
        error_messages={"invalid": _("Give the population as a whole number, such as 156000.")},
    )
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=City._meta.get_field("description").max_length,
        widget=_text_area(6),
        help_text=_("How your city presents itself to its peers in the programme."),
    )
    thematic_interests = forms.ModelMultipleChoiceField(
        label=_("Thematic interests"),
        required=False,
        queryset=ThematicSector.objects.order_by("position", "name"),
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, city: City, **kwargs):
        kwargs.setdefault(
            "initial",
            {
                "population": city.population,
                "description": city.description,
                "thematic_interests": [sector.pk for sector in city.thematic_interests.all()],
            },
        )
        super().__init__(*args, **kwargs)

    def service_arguments(self) -> dict:
        """The cleaned data as keyword arguments of city_profile_update."""
        return {
            "population": self.cleaned_data["population"],
            "description": self.cleaned_data["description"],
            "thematic_interests": self.cleaned_data["thematic_interests"],
        }

    def add_application_error(self, error: ApplicationError) -> None:
        """Show a service's refusal next to the field it is about, else above the form."""
        self.add_error(error.field if error.field in self.fields else None, error.message)


class ClimateActionForm(forms.Form):
    """A climate action as 000 Table 3 asks for it.

    The levers of change are a fixed list, one row per enabling factor, with a box to tick and
    the key drivers and barriers; recommendations are exactly MAX_RECOMMENDATIONS text inputs, so
    a sixth cannot be typed at all (blank ones are dropped by the service).
    """

    title = forms.CharField(
        label=_("Title"), max_length=ClimateAction._meta.get_field("title").max_length
    )
    sector = forms.ModelChoiceField(
        label=_("Thematic sector"), queryset=ThematicSector.objects.order_by("position", "name")
    )
    implementation_stage = forms.ChoiceField(
        label=_("Implementation stage"),
        choices=ImplementationStage.choices,
        initial=ImplementationStage.IMPLEMENTING,
    )
    context = forms.CharField(
        label=_("Context"),
        required=False,
        max_length=ClimateAction._meta.get_field("context").max_length,
        widget=_text_area(),
        help_text=_("The city's situation and the problem the action answers."),
    )
    description = forms.CharField(
        label=_("The action"),
        required=False,
        max_length=ClimateAction._meta.get_field("description").max_length,
        widget=_text_area(6),
        help_text=_("What the city does, with whom, and how far it has got."),
    )
    lessons_learned = forms.CharField(
        label=_("Lessons learned"),
        required=False,
        max_length=ClimateAction._meta.get_field("lessons_learned").max_length,
        widget=_text_area(),
    )

    def __init__(self, *args, action: ClimateAction | None = None, **kwargs):
        self.factors = list(EnablingFactor.objects.order_by("position", "name"))
        if action is not None:
            kwargs.setdefault("initial", self._initial_from(action))
        super().__init__(*args, **kwargs)
        for number in range(1, ClimateAction.MAX_RECOMMENDATIONS + 1):
            self.fields[f"recommendation_{number}"] = forms.CharField(
                label=_("Recommendation %(number)d") % {"number": number},
                required=False,
                max_length=1000,
            )
        for factor in self.factors:
            self.fields[f"lever_{factor.pk}"] = forms.BooleanField(
                label=_("Involved in this action"), required=False
            )
            self.fields[f"lever_{factor.pk}_drivers"] = forms.CharField(
                label=_("Key drivers"),
                required=False,
                max_length=ClimateActionLever._meta.get_field("key_drivers").max_length,
                widget=_text_area(2),
            )
            self.fields[f"lever_{factor.pk}_barriers"] = forms.CharField(
                label=_("Key barriers"),
                required=False,
                max_length=ClimateActionLever._meta.get_field("key_barriers").max_length,
                widget=_text_area(2),
            )

    def _initial_from(self, action: ClimateAction) -> dict:
        initial = {
            "title": action.title,
            "sector": action.sector_id,
            "implementation_stage": action.implementation_stage,
            "context": action.context,
            "description": action.description,
            "lessons_learned": action.lessons_learned,
        }
        for number, text in enumerate(action.recommendations, start=1):
            initial[f"recommendation_{number}"] = text
        for lever in action.levers.all():
            initial[f"lever_{lever.factor_id}"] = True
            initial[f"lever_{lever.factor_id}_drivers"] = lever.key_drivers
            initial[f"lever_{lever.factor_id}_barriers"] = lever.key_barriers
        return initial

    @property
    def recommendation_fields(self):
        return [
            self[f"recommendation_{number}"]
            for number in range(1, ClimateAction.MAX_RECOMMENDATIONS + 1)
        ]

    @property
    def lever_rows(self):
        return [
            {
                "factor": factor,
                "involved": self[f"lever_{factor.pk}"],
                "drivers": self[f"lever_{factor.pk}_drivers"],
                "barriers": self[f"lever_{factor.pk}_barriers"],
            }
            for factor in self.factors
        ]

    def clean(self):
        cleaned = super().clean()
        for factor in self.factors:
            typed = cleaned.get(f"lever_{factor.pk}_drivers") or cleaned.get(
                f"lever_{factor.pk}_barriers"
            )
            # Never drop what someone typed without telling them.
            if typed and not cleaned.get(f"lever_{factor.pk}"):
                self.add_error(
                    f"lever_{factor.pk}",
                    _(
                        "You wrote drivers or barriers for “%(factor)s”: tick it to keep them, "
                        "or clear the text."
                    )
                    % {"factor": factor.name},
                )
        return cleaned

    def service_arguments(self) -> dict:
        """The cleaned data as keyword arguments of climate_action_create/update."""
        data = self.cleaned_data
        return {
            "title": data["title"],
            "sector": data["sector"],
            "implementation_stage": data["implementation_stage"],
            "context": data["context"],
            "description": data["description"],
            "lessons_learned": data["lessons_learned"],
            "recommendations": [
                data[f"recommendation_{number}"]
                for number in range(1, ClimateAction.MAX_RECOMMENDATIONS + 1)
            ],
            "levers": [
                LeverInput(
                    factor=factor,
                    key_drivers=data[f"lever_{factor.pk}_drivers"],
                    key_barriers=data[f"lever_{factor.pk}_barriers"],
                )
                for factor in self.factors
                if data[f"lever_{factor.pk}"]
            ],
        }

    def add_application_error(self, error: ApplicationError) -> None:
        """Show a service's refusal next to the field it is about, else above the form."""
        self.add_error(error.field if error.field in self.fields else None, error.message)


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("Email address of the city officer"))
    city = forms.ModelChoiceField(label=_("City"), queryset=City.objects.none())

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # Offer only the cities the person may invite to; the service checks the same rule.
        # An admin may invite to any of the 10,000 cities, too many to list, so they search;
        # a facilitator keeps the short list of the cities of their cohorts.
        self.searches_cities = is_programme_admin(user)
        self.fields["city"] = forms.ModelChoiceField(
            label=self.fields["city"].label,
            queryset=invitation_cities_for(user=user).select_related("country").order_by("name"),
            widget=SearchSelect(source=CITIES) if self.searches_cities else None,
        )

    def cities_key(self) -> str:
        """What the empty form shows of the cities, for the key of its cached markup: for an
        admin, who searches, only whether there are cities (the cities' data version); else
        each city offered, with what its label shows (name and country), in one light query."""
        if self.searches_cities:
            return f"search:{versions(scopes.DIRECTORY)}"
        offered = self.fields["city"].queryset.values_list("pk", "name", "country__iso_code")
        return f"list:{list(offered)}"


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
