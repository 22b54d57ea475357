from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.forms import FacilitatorsField
from cohorts.enums import PhaseKind, Programme
from cohorts.models import Cohort, EnrolmentGroup
from cohorts.services import GroupSpec, phase_field
from portal.widgets import CITIES, SearchSelect
from taxonomy.models import ThematicSector


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        # The browser's date picker sends ISO dates whatever the page's language.
        super().__init__(attrs, format="%Y-%m-%d")


def form_sectors() -> list[ThematicSector]:
    """The sectors a cohort may have a thematic group of, in the form's order."""
    return list(ThematicSector.objects.order_by("position", "name"))


class CohortForm(forms.Form):
    """A cohort with its four phases (dates optional: blank takes the default dates) and its
    thematic groups, each with its facilitators."""

    programme = forms.ChoiceField(label=_("Programme"), choices=Programme.choices)
    number = forms.IntegerField(label=_("Number"), min_value=1, max_value=32767)
    name = forms.CharField(label=_("Name"), max_length=200)
    starts_on = forms.DateField(label=_("Starts on"), widget=DateInput())
    ends_on = forms.DateField(label=_("Ends on"), widget=DateInput())
    groups = forms.MultipleChoiceField(
        label=_("Thematic groups"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, cohort: Cohort | None = None, sectors=None, **kwargs):
        """`sectors`: the thematic sectors (`form_sectors()`), when the caller read them."""
        super().__init__(*args, **kwargs)
        for kind in PhaseKind:
            for end, label in (("starts_on", _("starts on")), ("ends_on", _("ends on"))):
                self.fields[phase_field(kind.value, end)] = forms.DateField(
                    label=f"{kind.label}: {label}", required=False, widget=DateInput()
                )
        self.sectors = form_sectors() if sectors is None else sectors
        self.fields["groups"].choices = [(str(s.pk), s.name) for s in self.sectors]
        # Facilitators are searched for, not listed (there are a thousand at EU scale): each
        # field renders only its chosen facilitators, and validates what was sent in one query.
        for sector in self.sectors:
            self.fields[f"facilitators_{sector.pk}"] = FacilitatorsField(
                label=_("Facilitators of the %(sector)s group") % {"sector": sector.name},
                required=False,
            )
        if cohort is not None and not self.is_bound:
            self._initial_from(cohort)

    def _initial_from(self, cohort: Cohort) -> None:
        self.initial.update(
            programme=cohort.programme,
            number=cohort.number,
            name=cohort.name,
            starts_on=cohort.starts_on,
            ends_on=cohort.ends_on,
        )
        for phase in cohort.phases.all():
            self.initial[phase_field(phase.kind, "starts_on")] = phase.starts_on
            self.initial[phase_field(phase.kind, "ends_on")] = phase.ends_on
        groups = list(cohort.thematic_groups.all())
        self.initial["groups"] = [str(group.sector_id) for group in groups]
        for group in groups:
            self.initial[f"facilitators_{group.sector_id}"] = [
                str(user.pk) for user in group.facilitators.all()
            ]

    @staticmethod
    def media_for(sectors) -> forms.Media:
        """The form's `media` with these sectors, without building the form: the facilitator
        search of each sector's group, none without sectors."""
        return FacilitatorsField().widget.media if sectors else forms.Media()

    def clean(self):
        cleaned = super().clean()
        chosen = set(cleaned.get("groups") or [])
        for sector in self.sectors:
            name = f"facilitators_{sector.pk}"
            if cleaned.get(name) and str(sector.pk) not in chosen:
                self.add_error(
                    name,
                    _("Tick the %(sector)s group to give it facilitators.")
                    % {"sector": sector.name},
                )
        return cleaned

    def phase_rows(self):
        """(phase label, start field, end field) for each phase, in order."""
        return [
            (
                kind.label,
                self[phase_field(kind.value, "starts_on")],
                self[phase_field(kind.value, "ends_on")],
            )
            for kind in PhaseKind
        ]

    def group_rows(self):
        """(sector, its checkbox, its facilitators field) for each sector."""
        checkboxes = self["groups"].subwidgets
        return [
            (sector, checkbox, self[f"facilitators_{sector.pk}"])
            for sector, checkbox in zip(self.sectors, checkboxes, strict=True)
        ]

    def phases(self) -> dict:
        return {
            kind: (
                self.cleaned_data.get(phase_field(kind, "starts_on")),
                self.cleaned_data.get(phase_field(kind, "ends_on")),
            )
            for kind in PhaseKind.values
        }

    def group_specs(self) -> list[GroupSpec]:
        chosen = set(self.cleaned_data.get("groups") or [])
        return [
            GroupSpec(
                sector=sector,
                facilitators=list(self.cleaned_data.get(f"facilitators_{sector.pk}") or []),
            )
            for sector in self.sectors
            if str(sector.pk) in chosen
        ]

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "programme": data["programme"],
            "number": data["number"],
            "name": data["name"],
            "starts_on": data["starts_on"],
            "ends_on": data["ends_on"],
            "phases": self.phases(),
            "groups": self.group_specs(),
        }


class EnrolmentForm(forms.Form):
    """A city joining a cohort: the city, the thematic groups it picks and its needs for each
    (000 Table 1, question 2)."""

    city = forms.ModelChoiceField(label=_("City"), queryset=None)
    groups = forms.MultipleChoiceField(
        label=_("Thematic groups the city joins"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Pick at least one thematic group.")},
    )

    def __init__(self, *args, cohort: Cohort, cities, **kwargs):
        super().__init__(*args, **kwargs)
        # When every city is offered (a facilitator enrolling one directly: 10,000 at EU
        # scale), the field searches, through the endpoint that searches every city, so each
        # result is a valid choice. A person's own few cities (an officer asking to join) stay
        # a plain select.
        offers_every_city = not cities.query.has_filters()
        self.fields["city"] = forms.ModelChoiceField(
            label=self.fields["city"].label,
            queryset=cities,
            widget=SearchSelect(source=CITIES) if offers_every_city else None,
        )
        self.thematic_groups = list(cohort.thematic_groups.select_related("sector"))
        self.fields["groups"].choices = [
            (str(group.pk), group.sector.name) for group in self.thematic_groups
        ]
        for group in self.thematic_groups:
            self.fields[f"needs_{group.pk}"] = forms.CharField(
                label=_("What does the city need from the %(sector)s group?")
                % {"sector": group.sector.name},
                required=False,
                max_length=EnrolmentGroup._meta.get_field("needs").max_length,
                widget=forms.Textarea(attrs={"rows": 3}),
            )

    @staticmethod
    def every_city_media() -> forms.Media:
        """The form's `media` when it offers every city (its search-select), without building
        the form."""
        return SearchSelect(source=CITIES).media

    def group_rows(self):
        """(thematic group, its checkbox, its needs field) for each group of the cohort."""
        return [
            (group, checkbox, self[f"needs_{group.pk}"])
            for group, checkbox in zip(self.thematic_groups, self["groups"].subwidgets, strict=True)
        ]

    def selected_groups(self) -> list:
        chosen = set(self.cleaned_data.get("groups") or [])
        return [
            (group, self.cleaned_data.get(f"needs_{group.pk}", ""))
            for group in self.thematic_groups
            if str(group.pk) in chosen
        ]
