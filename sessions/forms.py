import datetime
import functools
from dataclasses import dataclass

from django import forms
from django.contrib.auth import get_user_model
from django.core import signing
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from accounts.forms import FacilitatorsField
from cities.models import City, ClimateAction
from portal.dates import time_zone_choices
from sessions import attendance_reports
from sessions.attendance_reports import Participant, Report
from sessions.enums import Attendance, SessionKind
from sessions.models import Session

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"


class WallClockDateTimeField(forms.DateTimeField):
    """A date and time as typed, without a zone: the session's own zone (another field of the
    form) gives it meaning, not the viewer's zone. The service attaches the zone."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL)

    def to_python(self, value):
        # Parse as if in UTC (which has no gaps or repeats), then drop the zone again.
        with timezone.override(datetime.UTC):
            result = super().to_python(value)
        return result.replace(tzinfo=None) if result is not None else None

    def prepare_value(self, value):
        return value  # already a wall-clock time in the session's zone


class SessionForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=SessionKind.choices)
    title = forms.CharField(label=_("Title"), max_length=250)
    phase = forms.ModelChoiceField(label=_("Phase"), queryset=None, required=False)
    thematic_group = forms.ModelChoiceField(
        label=_("Thematic group"), queryset=None, required=False
    )
    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        choices=time_zone_choices,
        initial="Europe/Brussels",
        help_text=_("The start and end are in this time zone."),
    )
    starts_at = WallClockDateTimeField(label=_("Starts"))
    ends_at = WallClockDateTimeField(label=_("Ends"))
    # A plain text field: the service checks the link and explains what it needs (http/https).
    meeting_url = forms.CharField(
        label=_("Online meeting link"), required=False, max_length=200, widget=forms.URLInput
    )
    agenda = forms.CharField(
        label=_("Agenda"),
        required=False,
        max_length=Session._meta.get_field("agenda").max_length,
        widget=forms.Textarea,
    )
    guiding_questions = forms.CharField(
        label=_("Guiding questions"),
        required=False,
        max_length=Session._meta.get_field("guiding_questions").max_length,
        widget=forms.Textarea,
    )
    facilitators = FacilitatorsField(label=_("Facilitators"), required=False)

    def __init__(self, *args, cohort, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["phase"].queryset = cohort.phases.order_by("position", "starts_on")
        self.fields["thematic_group"].queryset = cohort.thematic_groups.select_related("sector")
        # Inactive facilitators too: a session keeps the facilitators it had when one of them
        # leaves, and saving it again must not drop them.
        self.fields["facilitators"].queryset = get_user_model().objects.filter(is_facilitator=True)


@functools.cache
def session_form_media() -> forms.Media:
    """`SessionForm(...).media`, without building a form: the scripts and styles of its fields'
    widgets, which its `__init__` leaves as declared (it sets querysets only). The form page
    shows it in the head, while the fields themselves may come from the cache."""
    media = forms.Media()
    for field in SessionForm.base_fields.values():
        media += field.widget.media
    return media


class ClimateActionChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.city.name}: {obj.title}"


def presentation_choices() -> dict:
    """The presenting-city and climate-action choices of a presentation row, read once.

    Why: the form has three rows, and each row's fields would read and build their queryset's
    hundreds of model instances again (mission cities; their climate actions with each city).
    Read once as plain values, in the querysets' order and with their labels, the three rows
    share them; a posted choice is still checked against the field's queryset.
    """
    field = PresentationForm.base_fields["city"]
    cities = [("", field.empty_label)] + [
        (pk, f"{name} ({iso_code})" if iso_code else name)
        for pk, name, iso_code in field.queryset.values_list("pk", "name", "country__iso_code")
    ]
    actions = [
        (pk, f"{city_name}: {title}")
        for pk, city_name, title in PresentationForm.base_fields[
            "climate_actions"
        ].queryset.values_list("pk", "city__name", "title")
    ]
    return {"city_choices": cities, "action_choices": actions}


class PresentationForm(forms.Form):
    city = forms.ModelChoiceField(
        label=_("Presenting Mission City"),
        queryset=City.objects.filter(is_mission_city=True).select_related("country"),
        required=False,
    )
    climate_actions = ClimateActionChoiceField(
        label=_("Climate actions presented (up to 3)"),
        queryset=ClimateAction.objects.filter(city__is_mission_city=True).select_related("city"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6, "data-filter-by-city": ""}),
    )
    topics = forms.CharField(label=_("Topics"), required=False, max_length=300)

    def __init__(self, *args, city_choices=None, action_choices=None, **kwargs):
        super().__init__(*args, **kwargs)
        # Given by presentation_choices(), shared by the rows of one form.
        if city_choices is not None:
            self.fields["city"].choices = city_choices
        if action_choices is not None:
            self.fields["climate_actions"].choices = action_choices


class BasePresentationFormSet(forms.BaseFormSet):
    """The rows share one reading of their choices, read when a row is first drawn or checked
    (a page whose rows come from the fragment cache reads none)."""

    @cached_property
    def _choices(self) -> dict:
        return presentation_choices()

    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), **self._choices}

    def __getitem__(self, index):
        # A template looks `presentations.management_form` up as `presentations["..."]` first,
        # which would build every row (and read their choices) only to fail.
        if isinstance(index, str):
            raise TypeError(index)
        return super().__getitem__(index)


PresentationFormSet = forms.formset_factory(
    PresentationForm, formset=BasePresentationFormSet, extra=3, max_num=3
)


class PersonForm(forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=200, required=False)
    email = forms.EmailField(label=_("Email address"), required=False)

    def is_filled(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return bool(data.get("full_name") or data.get("email"))


PersonFormSet = forms.formset_factory(PersonForm, extra=3)


class RegistrationForm(forms.Form):
    city = forms.ModelChoiceField(label=_("City"), queryset=None, empty_label=None)

    def __init__(self, *args, cities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["city"].queryset = cities


class WalkInForm(PersonForm):
    city = forms.ModelChoiceField(label=_("City (optional)"), queryset=None, required=False)

    def __init__(self, *args, cities=None, city_choices=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["city"].queryset = cities if cities is not None else City.objects.none()
        if city_choices is not None:
            self.fields["city"].choices = city_choices


class BaseWalkInFormSet(forms.BaseFormSet):
    """Walk-in rows offering the cities enrolled in the session's cohort (`cities`, to check a
    posted choice against), their choices read once for all rows when a row is first drawn or
    checked (each row would read the cohort's cities again; rows from the fragment cache read
    none)."""

    def __init__(self, *args, cities, **kwargs):
        super().__init__(*args, **kwargs)
        self.cities = cities

    @cached_property
    def _choices(self) -> list:
        empty_label = WalkInForm.base_fields["city"].empty_label
        return [("", empty_label)] + [(city.pk, str(city)) for city in self.cities]

    def get_form_kwargs(self, index):
        return {
            **super().get_form_kwargs(index),
            "cities": self.cities,
            "city_choices": self._choices,
        }

    def __getitem__(self, index):
        # As BasePresentationFormSet: `walk_ins.management_form` in a template asks
        # `walk_ins["management_form"]` first.
        if isinstance(index, str):
            raise TypeError(index)
        return super().__getitem__(index)


# The most walk-in rows one form holds: "Add another walk-in" stops there (save, then add more).
MAX_WALK_IN_ROWS = 50

WalkInFormSet = forms.formset_factory(
    WalkInForm,
    formset=BaseWalkInFormSet,
    extra=3,
    max_num=MAX_WALK_IN_ROWS,
    absolute_max=MAX_WALK_IN_ROWS,
)


class AttendanceForm(forms.Form):
    """One attended / no-show choice per registered person."""

    CHOICES = [(Attendance.ATTENDED, Attendance.ATTENDED.label), (Attendance.NO_SHOW, _("No-show"))]

    def __init__(self, *args, registrations, **kwargs):
        super().__init__(*args, **kwargs)
        self.registrations = registrations
        for registration in registrations:
            self.fields[self.field_name(registration)] = forms.ChoiceField(
                label=registration.full_name,
                choices=self.CHOICES,
                required=False,
                widget=forms.RadioSelect,
                initial=registration.attendance or None,
            )

    @staticmethod
    def field_name(registration) -> str:
        return f"attendance_{registration.pk}"

    def rows(self):
        return [(r, self[self.field_name(r)]) for r in self.registrations]

    def marks(self) -> dict[int, str]:
        """The choices made; a row left empty keeps what was recorded before."""
        return {
            r.pk: self.cleaned_data[self.field_name(r)]
            for r in self.registrations
            if self.cleaned_data.get(self.field_name(r))
        }


class OutcomeForm(forms.Form):
    key_takeaways = forms.CharField(
        label=_("Key takeaways"),
        required=False,
        max_length=Session._meta.get_field("key_takeaways").max_length,
        widget=forms.Textarea,
    )
    requested_subtopics = forms.CharField(
        label=_("Sub-topics cities asked for"),
        required=False,
        max_length=Session._meta.get_field("requested_subtopics").max_length,
        widget=forms.Textarea,
        help_text=_("They feed the technical support sessions."),
    )


# --- Importing a meeting tool's attendance report -----------------------------------------------

# How long the confirmation page holds: a facilitator may leave it open over lunch, but an old
# page should be uploaded again against the list as it is now.
REPORT_MAX_AGE_SECONDS = 12 * 60 * 60


def _report_salt(session_id: int) -> str:
    return f"sessions.attendance-report:{session_id}"


def report_signed(*, session_id: int, report: Report) -> str:
    """The report's people, signed for the confirmation step of this session's import.

    Decision: the parsed report travels in the confirmation form, signed (django.core.signing,
    with SECRET_KEY, compressed, for this session only, for REPORT_MAX_AGE_SECONDS), rather
    than kept on the server or uploaded again: nothing is stored for an import that is never
    confirmed, every web process and a cache eviction leave it intact, and the browser cannot
    re-send a file input. The signature means the people confirmed are exactly those the file
    listed; what they are matched to is read again when confirming (services.attendance_import).
    """
    payload = {
        "p": [[person.name, person.email] for person in report.people],
        "w": report.without_email,
        "r": report.rows,
    }
    return signing.dumps(payload, salt=_report_salt(session_id), compress=True)


def report_unsigned(*, session_id: int, value: str) -> Report | None:
    """The report `report_signed` gave for this session, or None: changed, for another session,
    expired, or not a signed report at all."""
    try:
        payload = signing.loads(
            value, salt=_report_salt(session_id), max_age=REPORT_MAX_AGE_SECONDS
        )
        return Report(
            people=[Participant(name=str(name), email=str(email)) for name, email in payload["p"]],
            without_email=[str(name) for name in payload["w"]],
            rows=int(payload["r"]),
        )
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None


class AttendanceReportForm(forms.Form):
    report = forms.FileField(
        label=_("Attendance report (CSV)"),
        help_text=_(
            "The participants report of Zoom, or the attendance report of Microsoft Teams, as "
            "the meeting tool exports it."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.tsv,.txt,text/csv"}),
        error_messages={
            "required": _("Choose the report's file."),
            "empty": _("The file is empty."),
        },
    )

    def clean_report(self) -> Report:
        upload = self.cleaned_data["report"]
        if upload.size > attendance_reports.MAX_BYTES:
            # Not read: the size is known from the upload.
            raise forms.ValidationError(attendance_reports.too_big_message())
        try:
            return attendance_reports.parse(upload.read())
        except attendance_reports.ReportError as error:
            raise forms.ValidationError(error.message) from error


@dataclass(frozen=True)
class DecisionRow:
    participant: Participant
    index: int
    decision: str
    decision_errors: list
    city_errors: list
    city_options: str


class ReportDecisionsForm(forms.Form):
    """The confirmation of an import: the signed report, and for each of its people on no list
    whether to add them as a walk-in (with a city of the cohort, or none) or to leave them out.
    """

    IGNORE = "ignore"
    WALK_IN = "walk_in"
    DECISIONS = [(IGNORE, _("Leave out")), (WALK_IN, _("Add as a walk-in"))]

    report = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, unmatched, cities, **kwargs):
        super().__init__(*args, **kwargs)
        self.unmatched = unmatched
        # Read once for every row; a posted choice is checked against them.
        self.cities = {city.pk: city for city in cities}
        for index, participant in unmatched:
            self.fields[f"decision_{index}"] = forms.ChoiceField(
                label=participant.name,
                choices=self.DECISIONS,
                initial=self.IGNORE,
                widget=forms.RadioSelect,
            )
            # Checked against the cohort's cities in clean(): a choice field per row would
            # copy and normalise the cohort's sixty cities for each of a hundred rows.
            self.fields[f"city_{index}"] = forms.CharField(required=False)

    def clean(self):
        cleaned = super().clean()
        for index, _participant in self.unmatched:
            name = f"city_{index}"
            value = cleaned.get(name) or ""
            if not value:
                cleaned[name] = None
            elif value.isdigit() and int(value) in self.cities:
                cleaned[name] = self.cities[int(value)]
            else:
                self.add_error(name, _("Choose one of the cohort's cities, or no city."))
        return cleaned

    def rows(self) -> list[DecisionRow]:
        """Each person's row as the confirmation page draws it.

        Why not the fields' widgets: a report of a hundred unknown people and a cohort of sixty
        cities made six thousand <option>s through Django's widget templates, four fifths of
        the page's time (227 ms, 2 December 2026). The options are written once and each row
        marks its own choice; the fields still check what is posted."""
        options = self._city_options()
        rows = []
        for index, participant in self.unmatched:
            decision, city = self[f"decision_{index}"], self[f"city_{index}"]
            chosen_city = str(city.value() or "")
            rows.append(
                DecisionRow(
                    participant=participant,
                    index=index,
                    decision=str(decision.value() or ""),
                    decision_errors=decision.errors,
                    city_errors=city.errors,
                    city_options=mark_safe(
                        options.replace(
                            f'<option value="{chosen_city}">',
                            f'<option value="{chosen_city}" selected>',
                            1,
                        )
                    ),
                )
            )
        return rows

    def _city_options(self) -> str:
        choices = [("", _("No city"))] + [(pk, str(city)) for pk, city in self.cities.items()]
        return "".join(
            format_html('<option value="{}">{}</option>', value, label) for value, label in choices
        )

    def walk_ins(self) -> list[tuple[int, tuple]]:
        """The people to add as walk-ins: (their index in the report, (name, email, city))."""
        chosen = []
        for index, participant in self.unmatched:
            if self.cleaned_data[f"decision_{index}"] == self.WALK_IN:
                city = self.cleaned_data[f"city_{index}"]
                chosen.append((index, (participant.name, participant.email, city)))
        return chosen
