"""A feedback survey at scale (issue 11: "a benchmark with 100,000 responses of 20 questions"):
the busiest generated cohort's named survey of 20 questions of every kind, with as many
submitted responses as asked, for the results page's benchmark and the exports'.

`seed_scale` makes it as its last step (`generate_survey`, two responses per generated user:
100,000 at the default 50,000 users; `--survey-responses` sets the number); `scale_survey()`
finds it again by its key, or makes it in a benchmark database seeded before the step existed.

What the rows are:
- One answer row per question and response, as feedback/answering.py stores an answer (see
  feedback.enums.QuestionKind): a single choice its option (the "Other, please specify"
  option with its text), a multiple choice the one option this person chose, a rating, a scale
  or an extent its point (the extent scale "Not applicable" at times), a text its text, a
  ranking the one option this person ranked with its rank, a matrix the one row answered with
  its point. So N responses have exactly 20 x N answers: 2,000,000 at 100,000 responses.
- The responses speak for the cohort's accepted cities in turn (so that the filters select
  some), each with its own respondent key and no account (a generated respondent is nobody),
  submitted over the 30 days before AS_OF. The survey stays open, so it can be reminded of.
- Each question's answers are drawn with weights of its own from a random stream seeded with
  the seed and the key: one seed always gives the same rows, and the charts differ.

Speed: the rows are written without building models. On PostgreSQL with COPY, elsewhere with
one executemany per batch, in the caller's transaction; 10,000 responses (200,000 answers) per
batch keep the memory flat. Bulk writes raise no data version, so the survey's results version
is raised once at the end (`results_changed`), and the planner is given fresh statistics.
"""

from __future__ import annotations

import datetime
import io
import random
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Q

from cohorts.enums import EnrolmentStatus
from cohorts.models import Cohort, Enrolment
from devdata.scale import AS_OF, ScaleContext, busiest_scale_cohort, scale_cohorts, scale_step
from feedback.enums import QuestionKind, ResponseStatus, SurveyScope
from feedback.models import Answer, Option, Question, Response, Section, Survey
from feedback.results import results_changed

SCALE_SURVEY_KEY = "scale"
SCALE_SURVEY_TITLE = "Scale survey: what the cohort made of the programme"
# seed_scale's default: two responses per generated user (100,000 at 50,000 users).
RESPONSES_PER_USER = 2
# Responses written per batch (20 answer rows each): the memory stays flat whatever the size.
BATCH_RESPONSES = 10_000
OPENS_AT = AS_OF - datetime.timedelta(days=30)
CLOSES_AT = AS_OF + datetime.timedelta(days=3650)

RATING_LABELS = ["Very poor", "Poor", "Fair", "Good", "Excellent"]
SATISFACTION_LABELS = [
    "Very dissatisfied",
    "Dissatisfied",
    "Neither",
    "Satisfied",
    "Very satisfied",
]


@dataclass(frozen=True)
class ScaleQuestion:
    kind: str
    text: str
    options: Sequence[str] = ()
    # The last option is "Other, please specify".
    other: bool = False
    max_choices: int | None = None
    max_length: int | None = None
    scale_labels: Sequence[str] = ()


# 20 questions of every kind, in two pages of ten.
QUESTIONS = [
    ScaleQuestion(
        QuestionKind.SINGLE_CHOICE,
        "Which format suited you best?",
        [
            "Online discussion groups",
            "Technical sessions",
            "Site visits",
            "Peer exchanges",
            "Webinars",
            "Other, please specify",
        ],
        other=True,
    ),
    ScaleQuestion(
        QuestionKind.SINGLE_CHOICE,
        "How did you hear of the programme?",
        [
            "The NetZeroCities platform",
            "A colleague",
            "A national network",
            "An event",
            "The Mission Platform",
            "Social media",
        ],
    ),
    ScaleQuestion(
        QuestionKind.SINGLE_CHOICE,
        "Which thematic area matters most to your city?",
        [
            "Energy",
            "Mobility",
            "Buildings",
            "Circular economy",
            "Green infrastructure",
            "Governance",
        ],
    ),
    ScaleQuestion(
        QuestionKind.SINGLE_CHOICE,
        "How often should sessions take place?",
        ["Weekly", "Every two weeks", "Monthly", "Every two months", "Quarterly", "Twice a year"],
    ),
    ScaleQuestion(
        QuestionKind.MULTIPLE_CHOICE,
        "Which sessions did you find useful?",
        [
            "Kick-off",
            "Thematic discussions",
            "Technical sessions",
            "Peer reviews",
            "Final recap",
            "Office hours",
        ],
    ),
    ScaleQuestion(
        QuestionKind.MULTIPLE_CHOICE,
        "What support would help your city most? (at most 3)",
        [
            "Direct technical support",
            "Funding advice",
            "Data and monitoring tools",
            "Citizen engagement methods",
            "Legal advice",
            "Procurement templates",
        ],
        max_choices=3,
    ),
    ScaleQuestion(
        QuestionKind.MULTIPLE_CHOICE,
        "Which tools does your city use?",
        [
            "Emission inventories",
            "Climate budgeting",
            "Scenario models",
            "Dashboards",
            "Open data portals",
            "None yet",
        ],
    ),
    ScaleQuestion(
        QuestionKind.MULTIPLE_CHOICE,
        "Who in your city should take part next time?",
        [
            "Climate officers",
            "Energy managers",
            "Mobility planners",
            "Finance officers",
            "Elected members",
            "Communication teams",
        ],
    ),
    ScaleQuestion(
        QuestionKind.RATING,
        "How satisfied are you with the format?",
        scale_labels=SATISFACTION_LABELS,
    ),
    ScaleQuestion(
        QuestionKind.RATING, "How useful were the presentations?", scale_labels=RATING_LABELS
    ),
    ScaleQuestion(
        QuestionKind.RATING, "How well were the sessions facilitated?", scale_labels=RATING_LABELS
    ),
    ScaleQuestion(
        QuestionKind.SCALE_0_10, "How likely are you to recommend the programme to a peer city?"
    ),
    ScaleQuestion(
        QuestionKind.SCALE_0_10, "How ready is your city to sign its climate city contract?"
    ),
    ScaleQuestion(QuestionKind.EXTENT, "To what extent did the sessions change your city's plans?"),
    ScaleQuestion(QuestionKind.EXTENT, "To what extent have you used what you learned?"),
    ScaleQuestion(
        QuestionKind.SHORT_TEXT,
        "In one line, what was the most useful thing you learned?",
        max_length=200,
    ),
    ScaleQuestion(
        QuestionKind.SHORT_TEXT,
        "Which sub-topic should a technical session explore?",
        max_length=200,
    ),
    ScaleQuestion(
        QuestionKind.LONG_TEXT, "What should the programme do differently?", max_length=2000
    ),
    ScaleQuestion(
        QuestionKind.RANKING,
        "Rank the topics for the next cohort",
        ["Energy", "Mobility", "Buildings", "Circular economy", "Green infrastructure", "Finance"],
    ),
    ScaleQuestion(
        QuestionKind.MATRIX,
        "Rate each part of the programme",
        [
            "Kick-off",
            "Thematic discussions",
            "Technical sessions",
            "Peer reviews",
            "Final recap",
            "The portal",
        ],
        scale_labels=RATING_LABELS,
    ),
]
PER_PAGE = 10

SHORT_TEXTS = [
    "Heat pumps in social housing",
    "How other cities fund retrofits",
    "Renewable energy communities",
    "Low-emission zones that people accept",
    "Green public procurement",
    "District heating from waste heat",
    "Citizen assemblies",
    "Monitoring emissions with open data",
    "Climate budgeting",
    "Nature-based flood protection",
    "Cycling networks on a small budget",
    "Working with the national government",
]
LONG_TEXTS = [
    "Shorter sessions with more time for questions, and the slides sent before.",
    "More site visits: seeing a project helps more than hearing about it.",
    "Pair each city with a peer city that has done what it plans.",
    "Invite finance officers, who decide what we can do.",
    "Sessions in more languages, or at least the recordings subtitled.",
    "A clear list of funding calls, with their deadlines, every month.",
    "More time in small groups, less in plenary.",
    "Follow up after each session with what was agreed.",
]
OTHER_TEXTS = [
    "One-to-one calls with an expert",
    "Study visits abroad",
    "Written case studies",
    "Mentoring by a Mission City",
]


def scale_survey(*, responses: int, key: str = SCALE_SURVEY_KEY, seed: int = 1) -> Survey:
    """The survey of `key`, found again by its key (`Survey.template_key`) on later runs, or
    made now in the busiest generated cohort with `responses` submitted responses."""
    # The first made: the comparison benchmark (bench_feedback_compare) makes a second.
    survey = Survey.objects.filter(template_key=key).order_by("pk").first()
    if survey is not None:
        return survey
    cohort = busiest_scale_cohort()
    if cohort is None:
        raise ValueError("No generated cohort: run seed_scale first.")
    with transaction.atomic():
        survey = survey_generate(cohort=cohort, responses=responses, key=key, seed=seed)
    analyze()
    return survey


def survey_generate(
    *,
    cohort: Cohort,
    responses: int,
    key: str = SCALE_SURVEY_KEY,
    seed: int = 1,
    city_ids: Sequence[int] | None = None,
) -> Survey:
    """Make the survey and its responses (module docstring), inside the caller's transaction.
    `city_ids`: the cohort's accepted cities in id order, when the caller knows them."""
    if city_ids is None:
        city_ids = list(
            Enrolment.objects.filter(cohort=cohort, status=EnrolmentStatus.ACCEPTED)
            .order_by("city_id")
            .values_list("city_id", flat=True)
        )
    rng = random.Random(f"{seed}:survey:{key}")
    survey = Survey.objects.create(
        title=SCALE_SURVEY_TITLE,
        introduction="Twenty questions on the sessions and on what should come next.",
        scope=SurveyScope.COHORT,
        cohort=cohort,
        opens_at=OPENS_AT,
        closes_at=CLOSES_AT,
        is_published=True,
        template_key=key,
    )
    sections = Section.objects.bulk_create(
        [
            Section(survey=survey, position=1, title="The sessions"),
            Section(survey=survey, position=2, title="What comes next"),
        ]
    )
    questions = Question.objects.bulk_create(
        [
            Question(
                section=sections[index // PER_PAGE],
                position=index % PER_PAGE + 1,
                kind=spec.kind,
                text=spec.text,
                max_choices=spec.max_choices,
                max_length=spec.max_length,
                scale_labels=list(spec.scale_labels),
                allows_not_applicable=spec.kind == QuestionKind.EXTENT,
            )
            for index, spec in enumerate(QUESTIONS)
        ]
    )
    options = Option.objects.bulk_create(
        [
            Option(
                question=question,
                position=position,
                label=label,
                is_other=spec.other and position == len(spec.options),
            )
            for question, spec in zip(questions, QUESTIONS, strict=True)
            for position, label in enumerate(spec.options, start=1)
        ]
    )
    options_of: dict[int, list[Option]] = {}
    for option in options:
        options_of.setdefault(option.question_id, []).append(option)
    draws = [_Draw(question, options_of.get(question.pk, []), rng) for question in questions]

    written = 0
    while written < responses:
        count = min(BATCH_RESPONSES, responses - written)
        ids = _responses_write(survey, city_ids, first=written, count=count)
        # Drawn question by question, written response by response: the answers' indexes
        # that begin with the response then grow at their end only.
        by_question = [draw.rows(ids, rng) for draw in draws]
        rows = [row for answers in zip(*by_question, strict=True) for row in answers]
        bulk_insert(
            Answer,
            ["response_id", "question_id", "option_id", "number", "not_applicable", "text"],
            rows,
        )
        written += count
    results_changed(survey.pk)
    return survey


def _responses_write(survey: Survey, city_ids: Sequence[int], *, first: int, count: int):
    """Write responses `first` to `first + count - 1` and return their ids in that order."""
    window = (AS_OF - OPENS_AT).total_seconds()
    total = max(first + count, 1)
    rows = []
    for n in range(first, first + count):
        submitted = OPENS_AT + datetime.timedelta(seconds=window * n / total)
        rows.append(
            (
                survey.pk,
                city_ids[n % len(city_ids)] if city_ids else None,
                respondent(n),
                ResponseStatus.SUBMITTED.value,
                len(QUESTIONS) // PER_PAGE,
                submitted - datetime.timedelta(minutes=12),
                submitted,
                submitted,
            )
        )
    bulk_insert(
        Response,
        [
            "survey_id",
            "city_id",
            "respondent",
            "status",
            "page",
            "created_at",
            "updated_at",
            "submitted_at",
        ],
        rows,
    )
    by_key = dict(
        Response.objects.filter(
            survey=survey, respondent__in=[respondent(n) for n in range(first, first + count)]
        ).values_list("respondent", "pk")
    )
    return [by_key[respondent(n)] for n in range(first, first + count)]


def respondent(n: int) -> str:
    return f"scale:{n}"


class _Draw:
    """How one question's answers are drawn: weights of its own, so each chart differs."""

    def __init__(self, question: Question, options: list[Option], rng: random.Random):
        self.question = question
        self.kind = question.kind
        self.options = options
        self.other_id = next((o.pk for o in options if o.is_other), None)
        if options:
            self.weights = [rng.uniform(0.2, 1.0) for _ in options]
        elif self.kind == QuestionKind.SCALE_0_10:
            # Most answer in the upper half, as satisfaction scales do.
            self.weights = [0.5 + point * rng.uniform(0.3, 1.0) for point in range(11)]
        else:
            self.weights = [rng.uniform(0.2, 0.6) + point * 0.25 for point in range(5)]

    def rows(self, response_ids: list[int], rng: random.Random) -> list[tuple]:
        qid, k = self.question.pk, len(response_ids)
        kind = self.kind
        if kind in (QuestionKind.SHORT_TEXT, QuestionKind.LONG_TEXT):
            texts = SHORT_TEXTS if kind == QuestionKind.SHORT_TEXT else LONG_TEXTS
            chosen = rng.choices(texts, k=k)
            return [
                (r, qid, None, None, False, t) for r, t in zip(response_ids, chosen, strict=True)
            ]
        if self.options:
            ids = [option.pk for option in self.options]
            chosen = rng.choices(ids, self.weights, k=k)
            if kind in (QuestionKind.RANKING, QuestionKind.MATRIX):
                # Ranking: its rank; matrix: the row's point on the 1-5 scale.
                top = len(ids) if kind == QuestionKind.RANKING else 5
                numbers = rng.choices(range(1, top + 1), k=k)
                return [
                    (r, qid, o, n, False, "")
                    for r, o, n in zip(response_ids, chosen, numbers, strict=True)
                ]
            other = self.other_id
            return [
                (r, qid, o, None, False, rng.choice(OTHER_TEXTS) if o == other else "")
                for r, o in zip(response_ids, chosen, strict=True)
            ]
        points = list(range(11)) if kind == QuestionKind.SCALE_0_10 else list(range(1, 6))
        chosen = rng.choices(points, self.weights, k=k)
        if kind == QuestionKind.EXTENT:
            # About one in twelve finds the question does not apply to their city.
            return [
                (r, qid, None, None, True, "")
                if rng.random() < 1 / 12
                else (r, qid, None, n, False, "")
                for r, n in zip(response_ids, chosen, strict=True)
            ]
        return [(r, qid, None, n, False, "") for r, n in zip(response_ids, chosen, strict=True)]


# --- writing rows fast ---------------------------------------------------------------------------


def bulk_insert(model, columns: Sequence[str], rows: list[tuple]) -> None:
    """Insert `rows` (values in the order of `columns`) into the model's table in one statement:
    COPY on PostgreSQL, one executemany elsewhere. Values are Python ones (None, bool, int, str,
    aware datetimes); no model is built and no signal is sent."""
    if not rows:
        return
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(column) for column in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            buffer = io.StringIO()
            buffer.writelines("\t".join(map(_copy_value, row)) + "\n" for row in rows)
            buffer.seek(0)
            # The driver's own cursor: Django's wrapper has no COPY.
            cursor.cursor.copy_expert(f"COPY {table} ({names}) FROM STDIN", buffer)
            return
        adapt = connection.ops.adapt_datetimefield_value
        values = [
            tuple(adapt(v) if isinstance(v, datetime.datetime) else v for v in row) for row in rows
        ]
        marks = ", ".join(["%s"] * len(columns))
        cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", values)


COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_value(value) -> str:
    """One value in COPY's text format."""
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    return str(value).translate(COPY_ESCAPES)


def analyze() -> None:
    """Fresh planner statistics of the tables written in bulk."""
    with connection.cursor() as cursor:
        for model in (Response, Answer):
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


# --- seed_scale's step ---------------------------------------------------------------------------


def _flush_surveys():
    """Delete the surveys of generated cohorts and of their sessions (the scale survey, and any
    a benchmark built there), which hold the generated cohorts and cities. Their answers and
    responses go in two statements: deleting 2,000,000 rows one model at a time would take
    minutes."""
    surveys = Survey.objects.filter(
        Q(cohort__in=scale_cohorts()) | Q(session__cohort__in=scale_cohorts())
    )
    # _raw_delete: one DELETE, no rows loaded, no signal (the cache is cleared after a seed).
    answers = Answer.objects.filter(response__survey__in=surveys)
    answers._raw_delete(answers.db)
    responses = Response.objects.filter(survey__in=surveys)
    responses._raw_delete(responses.db)
    surveys.delete()


@scale_step("survey", flush=_flush_surveys)
def generate_survey(ctx: ScaleContext) -> int:
    """The scale survey (module docstring) in the cohort with the most accepted enrolments."""
    count = ctx.config.survey_responses
    if count is None:
        count = RESPONSES_PER_USER * ctx.config.users
    if count == 0 or not ctx.cohorts:
        return 0
    # busiest_scale_cohort(), from what the steps made.
    cohort = max(
        ctx.cohorts,
        key=lambda c: (len(ctx.accepted_enrolments.get(c.pk, [])), -c.number),
    )
    city_ids = sorted(e.city_id for e in ctx.accepted_enrolments.get(cohort.pk, []))
    survey_generate(cohort=cohort, responses=count, seed=ctx.config.seed, city_ids=city_ids or None)
    # Responses and their answers.
    return count * (1 + len(QUESTIONS))
