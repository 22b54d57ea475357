"""The data sets of the Reflection Roadmaps: one row per roadmap (status, dates, scores), one
per saved answer (issue 14).

Decisions (README, "The analysts' data sets"):
- Roadmaps of the cohorts reported on, of the cities the country, type and thematic group
  keep. The date range dates none of them (reports/filters.py).
- `stage` is the roadmap funnel's word: not_started (a draft with none of its required fields
  filled), draft, submitted, returned, completed; `status` is the stored one.
- The scores are Phase 2.2's, one column per enabling factor (score_<factor>), as saved,
  drafts included (roadmaps/summary.py counts them so too); a value that is not a score from
  1 to 5 is left empty.
- The representative's name and email address are personal data: columns of the roadmaps'
  file (`representative_first_name`, `representative_last_name`, `representative_email`,
  personal), never rows of the answers' file, which leaves out those fields and every field
  of the email kind.
"""

from __future__ import annotations

from django.db.models import Case, CharField, IntegerField, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Cast

from reports.dataset_rows import aliased, city_condition, queried, read
from reports.datasets import Column, Dataset
from reports.filters import ReportFilters
from roadmaps.enums import RoadmapStatus
from roadmaps.models import Roadmap, RoadmapValue
from roadmaps.template import DESIRABILITY_KEY, EMAIL, FIELDS, FIELDS_BY_KEY
from taxonomy.reference import ENABLING_FACTORS

SCORE_PREFIX = "phase2_2.score."
ACTION_KEY = "phase2_1.climate_action"
SCORES = [str(score) for score in range(1, 6)]


def _score_column(slug: str) -> str:
    return "score_" + slug.replace("-", "_")


ROADMAP_COLUMNS = (
    Column("roadmap_id", "The roadmap's id (joins roadmap-answers.csv).", kind="integer"),
    Column("cohort_id", "The cohort (cohorts.csv).", kind="integer"),
    Column("city_id", "The city (cities.csv).", kind="integer"),
    Column("status", "As stored: draft, submitted, returned or accepted (completed)."),
    Column(
        "stage",
        "The funnel's stage: not_started (a draft with nothing required filled), draft, "
        "submitted, returned or completed.",
    ),
    Column("percent_complete", "Share of the required fields filled, 0 to 100.", kind="integer"),
    Column("opened_at", "When the roadmap was opened (the city's enrolment).", kind="datetime"),
    Column("updated_at", "Its last change.", kind="datetime"),
    Column("submitted_at", "When it was last submitted (empty: never).", kind="datetime"),
    Column("completed_at", "When the facilitator accepted it (empty: not yet).", kind="datetime"),
    Column(
        "climate_action_id",
        "Phase 2.1: the id of the Mission City climate action the city chose.",
        kind="integer",
    ),
    Column("desirability", "Phase 2.1: the solution's desirability, high, medium or low."),
    *(
        Column(
            _score_column(factor["slug"]),
            f"Phase 2.2: the score of {factor['name']}, 1 (weak) to 5 (strong).",
            kind="integer",
        )
        for factor in ENABLING_FACTORS
    ),
    Column("representative_first_name", "The city representative's first name.", personal=True),
    Column("representative_last_name", "The city representative's last name.", personal=True),
    Column("representative_email", "The city representative's email address.", personal=True),
)


def _value(key: str):
    return Subquery(
        RoadmapValue.objects.filter(roadmap=OuterRef("pk"), key=key).values("value")[:1]
    )


def _number(key: str, allowed: list[str]):
    """The field's value as an integer when it is one of `allowed`, else NULL."""
    valid = RoadmapValue.objects.filter(roadmap=OuterRef("pk"), key=key, value__in=allowed)
    return Cast(Subquery(valid.values("value")[:1]), IntegerField())


def _roadmaps(filters: ReportFilters):
    roadmaps = Roadmap.objects.filter(
        city_condition(filters, "city__"), cohort_id__in=filters.cohort_ids
    ).order_by("cohort_id", "city__name", "pk")
    stage = Case(
        When(Q(status=RoadmapStatus.DRAFT, percent_complete=0), then=Value("not_started")),
        When(status=RoadmapStatus.ACCEPTED, then=Value("completed")),
        default="status",
        output_field=CharField(),
    )
    # A climate action's id, when the saved text is digits only.
    action = RoadmapValue.objects.filter(
        roadmap=OuterRef("pk"), key=ACTION_KEY, value__regex=r"^[0-9]{1,9}$"
    )
    return aliased(
        roadmaps,
        [
            "pk",
            "cohort_id",
            "city_id",
            "status",
            stage,
            "percent_complete",
            "created_at",
            "updated_at",
            "submitted_at",
            "accepted_at",
            Cast(Subquery(action.values("value")[:1]), IntegerField()),
            _value(DESIRABILITY_KEY),
            *(_number(SCORE_PREFIX + factor["slug"], SCORES) for factor in ENABLING_FACTORS),
            _value("representative.first_name"),
            _value("representative.last_name"),
            _value("representative.email"),
        ],
    )


ROADMAPS = Dataset(
    key="roadmaps",
    title="Reflection Roadmaps",
    description="One row per Reflection Roadmap of a city in a cohort reported on.",
    columns=ROADMAP_COLUMNS,
    **queried(_roadmaps, ROADMAP_COLUMNS),
)


ANSWER_COLUMNS = (
    Column("roadmap_id", "The roadmap (roadmaps.csv).", kind="integer"),
    Column("cohort_id", "The roadmap's cohort.", kind="integer"),
    Column("city_id", "The roadmap's city.", kind="integer"),
    Column("section", "The template's section: representative, phase1, phase2_1, ..."),
    Column("field_key", "The template's field, e.g. phase1.challenge or phase2_2.score.energy."),
    Column("value", "The saved text (a score, a choice's code or an id for those fields)."),
    Column("version", "How many times the field was saved.", kind="integer"),
    Column("updated_at", "When it was last saved.", kind="datetime"),
)
# The fields the answers' file leaves out: the representative's name and email addresses
# (personal data: columns of ROADMAP_COLUMNS, for those who may see them).
PERSONAL_KEYS = [
    "representative.first_name",
    "representative.last_name",
    *(field.key for field in FIELDS if field.kind == EMAIL),
]


def _answers(filters: ReportFilters):
    values = (
        RoadmapValue.objects.filter(
            city_condition(filters, "roadmap__city__"),
            roadmap__cohort_id__in=filters.cohort_ids,
        )
        .exclude(key__in=PERSONAL_KEYS)
        .exclude(value="")
        .order_by("roadmap__cohort_id", "roadmap__city__name", "roadmap_id", "key")
    )
    return aliased(
        values,
        [
            "roadmap_id",
            "roadmap__cohort_id",
            "roadmap__city_id",
            Value("", output_field=CharField()),
            "key",
            "value",
            "version",
            "updated_at",
        ],
    )


def _answer_rows(filters: ReportFilters):
    for row in read(_answers(filters), ANSWER_COLUMNS):
        field = FIELDS_BY_KEY.get(row[4])
        row[3] = field.section if field is not None else row[4].split(".")[0]
        yield row


ROADMAP_ANSWERS = Dataset(
    key="roadmap-answers",
    title="Reflection Roadmap answers",
    description="One row per field saved with text in a roadmap reported on (the "
    "representative's name and address left out: roadmaps.csv holds them, as personal data).",
    columns=ANSWER_COLUMNS,
    rows=_answer_rows,
    # One row per value read (its section named in Python): the query's count.
    count=lambda filters: _answers(filters).count(),
)
