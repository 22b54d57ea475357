"""Forms of the call pages (visits.views_calls): they check the shape of the input; the
services (visits.calls) check the rest and answer with messages put next to the fields."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from cities.enums import CityType
from cities.models import City
from cohorts.models import Cohort
from portal.text import PARAGRAPH_MAX, SHORT_TEXT_MAX
from taxonomy.models import ThematicSector
from visits.calls import (
    SCALE_MAX,
    CallSettings,
    CriterionData,
    VisitData,
    questions_parse,
    questions_text,
)
from visits.enums import Aggregation, AutomaticRule, CriterionKind
from visits.models import Call, Criterion, Visit
from visits.widgets import CheckboxList

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"


def _local_datetime_field(label):
    return forms.DateTimeField(
        label=label,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL),
        help_text=_("In your time zone."),
    )


def _weight_field(label=None):
    # No lower bound here: the service refuses a negative weight in the programme's words.
    return forms.DecimalField(
        label=label or _("Weight"), max_digits=6, decimal_places=2, initial=Decimal(1)
    )


class CallForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=SHORT_TEXT_MAX)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=PARAGRAPH_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    eligible_cohorts = forms.ModelMultipleChoiceField(
        label=_("Cities enrolled in these cohorts may apply"),
        queryset=Cohort.objects.order_by("programme", "number"),
        widget=CheckboxList,
        required=False,
    )
    eligible_city_types = forms.MultipleChoiceField(
        label=_("Only cities of these types"),
        choices=CityType.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("None ticked: cities of any type."),
    )
    opens_at = _local_datetime_field(_("Applications open"))
    closes_at = _local_datetime_field(_("Applications close"))
    review_deadline = _local_datetime_field(_("Reviews due"))
    aggregation = forms.ChoiceField(
        label=_("Reviewers' points combined by"),
        choices=Aggregation.choices,
        initial=Aggregation.MEAN,
        widget=forms.RadioSelect,
    )
    reviewers_per_application = forms.IntegerField(label=_("Reviewers per application"), initial=2)
    exclude_same_country = forms.BooleanField(
        label=_("No reviewer from the applicant's country"), required=False
    )
    disagreement_threshold = forms.DecimalField(
        label=_("Flag disagreement from (points of standard deviation)"),
        max_digits=4,
        decimal_places=2,
        initial=Decimal(1),
    )
    questions = forms.CharField(
        label=_("Further questions"),
        required=False,
        max_length=PARAGRAPH_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "One question per line, asked of every applicant besides the motivation. "
            "Start a line with * to make the question required."
        ),
    )

    @classmethod
    def initial_of(cls, call: Call) -> dict:
        return {
            "title": call.title,
            "description": call.description,
            "eligible_cohorts": list(call.eligible_cohorts.all()),
            "eligible_city_types": call.eligible_city_types,
            "opens_at": call.opens_at,
            "closes_at": call.closes_at,
            "review_deadline": call.review_deadline,
            "aggregation": call.aggregation,
            "reviewers_per_application": call.reviewers_per_application,
            "exclude_same_country": call.exclude_same_country,
            "disagreement_threshold": call.disagreement_threshold,
            "questions": questions_text(call.questions),
        }

    def call_settings(self) -> CallSettings:
        data = self.cleaned_data
        return CallSettings(
            title=data["title"],
            description=data["description"],
            eligible_cohorts=list(data["eligible_cohorts"]),
            eligible_city_types=list(data["eligible_city_types"]),
            opens_at=data["opens_at"],
            closes_at=data["closes_at"],
            review_deadline=data["review_deadline"],
            aggregation=data["aggregation"],
            reviewers_per_application=data["reviewers_per_application"],
            exclude_same_country=data["exclude_same_country"],
            disagreement_threshold=data["disagreement_threshold"],
            questions=questions_parse(data["questions"]),
        )


class VisitForm(forms.Form):
    host_city = forms.ModelChoiceField(
        label=_("Host Mission City"),
        queryset=City.objects.filter(is_mission_city=True).order_by("name", "pk"),
        error_messages={
            "invalid_choice": _("Choose a Mission City: only Mission Cities host study visits.")
        },
    )
    title = forms.CharField(label=_("Title"), max_length=SHORT_TEXT_MAX, required=False)
    starts_on = forms.DateField(
        label=_("First day"), widget=forms.DateInput(attrs={"type": "date"})
    )
    ends_on = forms.DateField(
        label=_("Second day"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Empty: the day after the first day."),
    )
    sector = forms.ModelChoiceField(
        label=_("Thematic sector"),
        queryset=ThematicSector.objects.order_by("name"),
        # By slug, as the API names sectors: stable across databases.
        to_field_name="slug",
    )
    capacity_cities = forms.IntegerField(label=_("Cities"), initial=5, max_value=1000)
    delegates_per_city = forms.IntegerField(label=_("Delegates per city"), initial=2, max_value=100)

    @classmethod
    def initial_of(cls, visit: Visit) -> dict:
        return {
            "host_city": visit.host_city_id,
            "title": visit.title,
            "starts_on": visit.starts_on,
            "ends_on": visit.ends_on,
            "sector": visit.sector.slug,
            "capacity_cities": visit.capacity_cities,
            "delegates_per_city": visit.delegates_per_city,
        }

    def visit_data(self) -> VisitData:
        return VisitData(**self.cleaned_data)


class CriterionForm(forms.Form):
    """A criterion of one kind: manual (scale, anchors, independent) or automatic (rule)."""

    name = forms.CharField(label=_("Name"), max_length=SHORT_TEXT_MAX)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=PARAGRAPH_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    weight = _weight_field()
    rule = forms.ChoiceField(label=_("Rule"), choices=AutomaticRule.choices)
    scale_max = forms.IntegerField(
        label=_("Highest point"), initial=5, min_value=1, max_value=SCALE_MAX
    )
    anchors = forms.CharField(
        label=_("What each point means"),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=PARAGRAPH_MAX * (SCALE_MAX + 1),
        help_text=_("One line per point, from 0 up to the highest point."),
    )
    independent = forms.BooleanField(
        label=_("Independent: shown beside the score, not counted in the total"),
        required=False,
    )

    def __init__(self, *args, kind: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind
        drop = ["rule"] if kind == CriterionKind.MANUAL else ["scale_max", "anchors", "independent"]
        for name in drop:
            del self.fields[name]

    @classmethod
    def initial_of(cls, criterion: Criterion) -> dict:
        return {
            "name": criterion.name,
            "description": criterion.description,
            "weight": criterion.weight,
            "rule": criterion.rule,
            "scale_max": criterion.scale_max,
            "anchors": "\n".join(anchor.description for anchor in criterion.anchors.all()),
            "independent": criterion.independent,
        }

    def criterion_data(self) -> CriterionData:
        data = self.cleaned_data
        criterion = CriterionData(
            name=data["name"],
            kind=self.kind,
            description=data["description"],
            weight=data["weight"],
        )
        if self.kind == CriterionKind.MANUAL:
            criterion.scale_max = data["scale_max"]
            criterion.anchors = [line for line in data["anchors"].splitlines() if line.strip()]
            criterion.independent = data["independent"]
        else:
            criterion.rule = data["rule"]
        return criterion


class WeightsForm(forms.Form):
    """Every criterion's weight of a call at once (`weight_<id>`)."""

    def __init__(self, *args, criteria, **kwargs):
        super().__init__(*args, **kwargs)
        for criterion in criteria:
            self.fields[f"weight_{criterion.pk}"] = _weight_field(label=criterion.name)
            self.initial.setdefault(f"weight_{criterion.pk}", criterion.weight)

    def weights(self) -> dict[int, Decimal]:
        return {
            int(name.removeprefix("weight_")): value for name, value in self.cleaned_data.items()
        }
