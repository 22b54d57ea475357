"""Forms of the survey builder (feedback.views_builder). They check the shape of the input; the
rules (feedback.building) check the rest and answer with messages put next to the fields."""

import datetime

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.rules import is_programme_admin
from cohorts.enums import Programme
from cohorts.models import Cohort
from feedback.building import (
    LABELLED_SCALE_KINDS,
    RATING_POINTS,
    Attachment,
    QuestionInput,
)
from feedback.enums import CHOICE_KINDS, OPTION_KINDS, TEXT_KINDS, QuestionKind, ResponseUnit
from feedback.models import DEFAULT_MIN_RESPONSES, Option, Question, Survey
from feedback.survey_templates import TEMPLATES
from portal.text import LONG_TEXT_MAX, PARAGRAPH_MAX, SHORT_TEXT_MAX
from sessions.enums import SessionStatus
from sessions.models import Session
from sessions.selectors import session_access_of

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"

# The labels a new rating or matrix starts with (000 Annex 2 asks about satisfaction).
DEFAULT_RATING_LABELS = [
    _("Very dissatisfied"),
    _("Dissatisfied"),
    _("Neither satisfied nor dissatisfied"),
    _("Satisfied"),
    _("Very satisfied"),
]


def _local_datetime_field(label):
    return forms.DateTimeField(
        label=label,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL),
        help_text=_("In your time zone."),
    )


# Sessions offered on the survey form: those that ended at most this long ago, or are still to
# come (a survey about a session is written around it; an admin's list would otherwise hold
# every session the programme ever ran), and the one a survey is already about.
SESSIONS_OFFERED_SINCE = datetime.timedelta(days=60)


def _offered_since() -> datetime.datetime:
    """From the start of the day (UTC) SESSIONS_OFFERED_SINCE ago: the same all day, as the
    forms kept in the cache are (feedback.views_builder)."""
    today = timezone.now().astimezone(datetime.UTC).date()
    return datetime.datetime.combine(today - SESSIONS_OFFERED_SINCE, datetime.time(), datetime.UTC)


def about_choices(user, *, current_session_id: int | None = None) -> list:
    """What this person may build a survey for, grouped: "session:<id>", "cohort:<id>",
    "programme:<key>" (feedback.rules: admins anything, facilitators their cohorts and their
    sessions; sessions as SESSIONS_OFFERED_SINCE says). Read as plain values."""
    if is_programme_admin(user):
        cohorts = Cohort.objects.all()
        programmes = list(Programme.choices)
    else:
        cohorts = Cohort.objects.filter(pk__in=session_access_of(user).facilitated_cohorts)
        programmes = []
    cohort_rows = list(cohorts.order_by("programme", "number").values_list("pk", "name"))
    session_rows = (
        Session.objects.filter(cohort_id__in=[pk for pk, _name in cohort_rows])
        .filter(Q(ends_at__gte=_offered_since()) | Q(pk=current_session_id))
        .exclude(Q(status=SessionStatus.CANCELLED) & ~Q(pk=current_session_id))
        .order_by("-starts_at")
        .values_list("pk", "title", "cohort__name", "starts_at")
    )
    choices: list = [("", "---------")]
    if programmes:
        choices.append((_("Programme"), [(f"programme:{key}", label) for key, label in programmes]))
    if cohort_rows:
        choices.append((_("Cohort"), [(f"cohort:{pk}", name) for pk, name in cohort_rows]))
    sessions = [
        (f"session:{pk}", f"{title} · {cohort} · {starts:%Y-%m-%d}")
        for pk, title, cohort, starts in session_rows
    ]
    if sessions:
        choices.append((_("Session"), sessions))
    return choices


def about_value(survey: Survey) -> str:
    if survey.session_id:
        return f"session:{survey.session_id}"
    if survey.cohort_id:
        return f"cohort:{survey.cohort_id}"
    return f"programme:{survey.programme}"


class SurveyForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=SHORT_TEXT_MAX)
    introduction = forms.CharField(
        label=_("Introduction"),
        required=False,
        max_length=PARAGRAPH_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Shown above the first question."),
    )
    about = forms.ChoiceField(
        label=_("About"), help_text=_("The people it concerns are asked to answer.")
    )
    opens_at = _local_datetime_field(_("Opens"))
    closes_at = _local_datetime_field(_("Closes"))
    is_anonymous = forms.BooleanField(
        label=_("Anonymous"),
        required=False,
        help_text=_("No name or city is kept with the answers."),
    )
    min_responses = forms.IntegerField(
        label=_("Minimum responses before anonymous results show"),
        min_value=1,
        max_value=1000,
        initial=DEFAULT_MIN_RESPONSES,
    )
    response_unit = forms.ChoiceField(
        label=_("Named surveys: who answers"),
        choices=ResponseUnit.choices,
        initial=ResponseUnit.PERSON,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, user, survey: Survey | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["about"].choices = about_choices(
            user, current_session_id=survey.session_id if survey else None
        )

    def clean_about(self) -> Attachment:
        kind, _sep, key = self.cleaned_data["about"].partition(":")
        if kind == "programme":
            return Attachment(scope="programme", programme=key)
        model = {"session": Session, "cohort": Cohort}[kind]
        # The value is one of the choices (ChoiceField checked it): the object exists.
        obj = model.objects.select_related(*(["cohort"] if model is Session else [])).get(pk=key)
        return Attachment(scope=kind, **{kind: obj})


class NewSurveyForm(SurveyForm):
    """A new survey's settings, and what it starts from: nothing, or a copy of one of the ready
    templates (feedback.survey_templates: the programme's own surveys)."""

    template_key = forms.ChoiceField(
        label=_("Start from"),
        required=False,
        help_text=_(
            "A ready template copies its sections and questions into the new survey; change "
            "them afterwards like any other."
        ),
    )

    field_order = ["template_key"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template_key"].choices = [
            ("", _("An empty survey")),
            *((key, template.name) for key, template in TEMPLATES.items()),
        ]


class SectionForm(forms.Form):
    title = forms.CharField(label=_("Section title"), max_length=SHORT_TEXT_MAX, required=False)
    description = forms.CharField(
        label=_("Description"),
        max_length=PARAGRAPH_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class LinesField(forms.CharField):
    """One value per line of a textarea: a list of the lines, blank ones dropped."""

    widget = forms.Textarea(attrs={"rows": 6})

    def to_python(self, value):
        text = super().to_python(value)
        return [line.strip() for line in text.splitlines() if line.strip()]

    def prepare_value(self, value):
        if isinstance(value, list | tuple):
            return "\n".join(str(item) for item in value)
        return value


class QuestionForm(forms.Form):
    """A question of any kind; `fields_for(kind)` says which fields a kind shows."""

    kind = forms.ChoiceField(label=_("Kind"), choices=QuestionKind.choices)
    text = forms.CharField(
        label=_("Question"), max_length=PARAGRAPH_MAX, widget=forms.Textarea(attrs={"rows": 2})
    )
    help_text = forms.CharField(label=_("Help"), max_length=PARAGRAPH_MAX, required=False)
    is_required = forms.BooleanField(label=_("Required"), required=False)
    options = LinesField(
        label=_("Options, one per line"),
        required=False,
        max_length=50 * PARAGRAPH_MAX,
        help_text=_("A line you leave as it is keeps its answers; a changed line is reworded."),
    )
    has_other = forms.BooleanField(label=_("Offer “Other, please specify”"), required=False)
    max_choices = forms.IntegerField(
        label=_("Select at most"),
        required=False,
        min_value=1,
        max_value=100,
        help_text=_("Leave empty for any number."),
    )
    scale_labels = LinesField(
        label=_("Labels of the points 1 to 5, one per line, lowest first"),
        required=False,
        max_length=RATING_POINTS * (SHORT_TEXT_MAX + 2),
    )
    allows_not_applicable = forms.BooleanField(label=_("Offer “Not applicable”"), required=False)
    max_length = forms.IntegerField(
        label=_("Longest answer, in characters"),
        required=False,
        min_value=1,
        max_value=LONG_TEXT_MAX,
    )
    shown_if = forms.ChoiceField(
        label=_("Show only if the answer is"),
        required=False,
        help_text=_("An option of a choice question placed before this one."),
    )

    KIND_FIELDS = {
        "options": OPTION_KINDS,
        "has_other": CHOICE_KINDS,
        "max_choices": {QuestionKind.MULTIPLE_CHOICE},
        "scale_labels": LABELLED_SCALE_KINDS,
        "allows_not_applicable": {QuestionKind.EXTENT},
        "max_length": TEXT_KINDS,
    }

    def __init__(self, *args, kind: str, conditions: list, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind
        for name, kinds in self.KIND_FIELDS.items():
            if kind not in kinds:
                del self.fields[name]
        if kind == QuestionKind.MATRIX:
            self.fields["options"].label = _("Rows, one per line")
        self._options = {
            str(option.pk): option for _question, options in conditions for option in options
        }
        self.fields["shown_if"].choices = [("", _("Always shown"))] + [
            (question.text, [(str(option.pk), option.label) for option in options])
            for question, options in conditions
            if options
        ]

    def clean_shown_if(self) -> Option | None:
        value = self.cleaned_data["shown_if"]
        return self._options.get(value) if value else None

    def question_input(self) -> QuestionInput:
        data = self.cleaned_data
        return QuestionInput(
            kind=data["kind"],
            text=data["text"],
            help_text=data["help_text"],
            is_required=data["is_required"],
            options=data.get("options", []),
            has_other=data.get("has_other", False),
            max_choices=data.get("max_choices"),
            max_length=data.get("max_length"),
            scale_labels=data.get("scale_labels", []),
            allows_not_applicable=data.get("allows_not_applicable", False),
            shown_if=data["shown_if"],
        )


def question_initial(question: Question) -> dict:
    options = list(question.options.all())
    return {
        "kind": question.kind,
        "text": question.text,
        "help_text": question.help_text,
        "is_required": question.is_required,
        "options": [option.label for option in options if not option.is_other],
        "has_other": any(option.is_other for option in options),
        "max_choices": question.max_choices,
        "max_length": question.max_length,
        "scale_labels": question.scale_labels,
        "allows_not_applicable": question.allows_not_applicable,
        "shown_if": str(question.shown_if_id) if question.shown_if_id else "",
    }


def new_question_initial(kind: str) -> dict:
    initial: dict = {"kind": kind}
    if kind in LABELLED_SCALE_KINDS:
        initial["scale_labels"] = [str(label) for label in DEFAULT_RATING_LABELS]
    return initial
