"""The results of a survey (issue 11): what the submitted responses say, counted in the database.

`survey_results()` reads a survey's results in a fixed number of queries whatever the number of
responses and questions: one GROUP BY over the answer rows gives every count (each option, each
point of a scale, each rank), a second the number of responses that answered each question (the
denominator of its shares), a third the free texts (at most TEXT_LIMIT per question, cut in the
database). Means and shares are then arithmetic over those few grouped rows, exact fractions
rounded half up to two decimals as roadmaps.summary does.

Decisions (README):
- Only submitted responses count; drafts never.
- A question's denominator is the number of responses that answered it (a question skipped, or
  not shown by its display condition, leaves that response out of its shares).
- Anonymous surveys: under `min_responses` submitted responses nothing is shown but the count.
  A question answered by fewer than `min_responses` is shown only as its count too: a question
  shown to few (a display condition) would otherwise tell who said what.
- Anonymous surveys' free texts are listed in alphabetical order, never in the order they were
  written (which could be set beside who answered when); named surveys' with the city, by city.
- Filters (cohort, thematic group, city type, country) select the responses by the city they
  speak for (named surveys). An anonymous response keeps no city, and so no cohort either: an
  anonymous survey takes no filter at all (the form is not offered and a filter in the address
  is ignored with a message), and so can never be narrowed below its threshold.
- Ranking questions are ordered by average rank (1 is first); choice questions by count, then
  by the option's position.
- "Who is asked" (`asked_people`, `asked_cities`) is feedback.rules.is_asked written in SQL;
  tests/feedback/test_results_asked.py checks the two agree for every person of a small world.
"""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery, Value, Window
from django.db.models.functions import Lower, RowNumber
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _

from cities.enums import CityType
from cities.models import City, CityMembership
from cohorts.enums import EnrolmentStatus
from cohorts.models import Cohort, Enrolment, EnrolmentGroup
from feedback.enums import (
    EXTENT_LABELS,
    OPTION_KINDS,
    SCALE_POINTS,
    TEXT_KINDS,
    QuestionKind,
    ResponseStatus,
    ResponseUnit,
    SurveyScope,
)
from feedback.models import Answer, Option, Question, Response, Section, Survey
from portal.fragments import bump, bump_on_change
from sessions.models import Registration

# Free texts listed per question; the page says how many more there are.
TEXT_LIMIT = 50
# The options named in a choice question's "most chosen" line.
TOP_N = 3
TWO_PLACES = Decimal("0.01")

# The city flag each city type filter reads (cities.models.City.types).
CITY_TYPE_FIELDS = {
    CityType.MISSION_CITY: "is_mission_city",
    CityType.MISSION_MINDED: "is_mission_minded",
    CityType.PILOT: "is_pilot_city",
    CityType.TWIN: "is_twin_city",
}


def rounded(value: Fraction | None) -> Decimal | None:
    """`value` rounded half up to two decimals (3.125 -> 3.13)."""
    if value is None:
        return None
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return exact.quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def percent(value: Fraction | None) -> Decimal | None:
    """A share as a percentage, rounded half up to a whole number (15/18 -> 83)."""
    if value is None:
        return None
    exact = Decimal(value.numerator * 100) / Decimal(value.denominator)
    return exact.quantize(Decimal("1"), rounding=ROUND_HALF_UP)


# --- Who is asked ------------------------------------------------------------------------------


def survey_cohorts(survey: Survey) -> QuerySet:
    """The cohorts whose enrolled cities a survey asks: its own, its session's, or every cohort
    of its programme."""
    if survey.scope == SurveyScope.SESSION:
        return Cohort.objects.filter(pk=survey.session.cohort_id)
    if survey.scope == SurveyScope.COHORT:
        return Cohort.objects.filter(pk=survey.cohort_id)
    return Cohort.objects.filter(programme=survey.programme)


def asked_cities(survey: Survey) -> QuerySet:
    """The cities a survey asks: those enrolled (accepted) in its cohorts. For a survey answered
    once per city, these are the units that answer."""
    # `iexact`, as sessions.selectors._enrolled_cohort_ids says why: SQLite would otherwise read
    # every accepted enrolment through the status index rather than the cohort's few.
    enrolled = Enrolment.objects.filter(
        cohort__in=survey_cohorts(survey), status__iexact=EnrolmentStatus.ACCEPTED
    ).values("city_id")
    return City.objects.filter(pk__in=enrolled)


def asked_people(survey: Survey) -> QuerySet:
    """The people a survey asks (feedback.rules.is_asked, in one query): the officers of the
    cities enrolled in its cohorts and, for a session, whoever registered for it with their
    account's address."""
    officers = CityMembership.objects.filter(city__in=asked_cities(survey)).values("user_id")
    condition = Q(pk__in=officers)
    if survey.scope == SurveyScope.SESSION:
        condition |= Exists(
            Registration.objects.filter(
                session_id=survey.session_id, email__iexact=OuterRef("email")
            )
        )
    return get_user_model().objects.filter(condition)


def submitted(survey: Survey) -> QuerySet:
    return Response.objects.filter(survey=survey, status=ResponseStatus.SUBMITTED)


def not_answered(survey: Survey) -> QuerySet:
    """Who has not submitted a response to a named survey yet: people, or cities when the survey
    is answered once per city. An anonymous survey lists nobody (nothing says who answered
    what; its reminders read Participation, feedback.models)."""
    if survey.is_anonymous:
        raise ValueError("An anonymous survey has no list of who has not answered.")
    if survey.response_unit == ResponseUnit.CITY:
        done = submitted(survey).filter(city__isnull=False).values("city_id")
        return asked_cities(survey).exclude(pk__in=done)
    # NOT IN over a column that may hold NULL matches nothing: the NULLs are left out.
    done = submitted(survey).filter(user__isnull=False).values("user_id")
    return asked_people(survey).exclude(pk__in=done)


def people_to_remind(survey: Survey) -> QuerySet:
    """The people a reminder goes to: those who have not answered, or, for a survey answered
    once per city, the officers of the cities that have not."""
    if survey.response_unit == ResponseUnit.CITY:
        officers = CityMembership.objects.filter(city__in=not_answered(survey)).values("user_id")
        return get_user_model().objects.filter(pk__in=officers)
    return not_answered(survey)


def people_to_remind_of(surveys) -> dict[int, dict[int, str]]:
    """`people_to_remind` of many named surveys at once, active accounts only: for each survey's
    id, the ids of the people to remind and their addresses.

    Three queries whatever the number of surveys and people (the scheduled reminders plan every
    open survey each minute: reminders.rules_feedback): the officers of the cities enrolled in
    the surveys' cohorts, the accounts registered for the surveys' sessions, and the submitted
    responses; the sets are then put together here. `surveys` are Survey rows with their
    session (select_related). tests/reminders/test_rules_feedback.py checks it agrees with
    `people_to_remind` survey by survey.
    """
    surveys = list(surveys)
    if any(survey.is_anonymous for survey in surveys):
        raise ValueError("An anonymous survey has no list of who has not answered.")
    if not surveys:
        return {}
    cohort_of = {}  # a survey answered about a session or a cohort: that one cohort
    programmes = set()
    for survey in surveys:
        if survey.scope == SurveyScope.SESSION:
            cohort_of[survey.pk] = survey.session.cohort_id
        elif survey.scope == SurveyScope.COHORT:
            cohort_of[survey.pk] = survey.cohort_id
        else:
            programmes.add(survey.programme)
    # Each officer (active) of each city enrolled in one of those cohorts, with the cohort.
    enrolled = Q(city__enrolments__cohort_id__in=set(cohort_of.values()))
    if programmes:
        enrolled |= Q(city__enrolments__cohort__programme__in=programmes)
    officers = (
        CityMembership.objects.filter(enrolled, city__enrolments__status=EnrolmentStatus.ACCEPTED)
        .filter(user__is_active=True)
        .order_by()
        .values_list(
            "user_id",
            "user__email",
            "city_id",
            "city__enrolments__cohort_id",
            "city__enrolments__cohort__programme",
        )
    )
    by_cohort: dict[int, list[tuple[int, str, int]]] = {}
    cohorts_of_programme: dict[str, set[int]] = {}
    for user_id, email, city_id, cohort_id, programme in officers:
        by_cohort.setdefault(cohort_id, []).append((user_id, email, city_id))
        cohorts_of_programme.setdefault(programme, set()).add(cohort_id)
    # The accounts registered (by their address) for the sessions surveyed.
    sessions = {s.session_id for s in surveys if s.scope == SurveyScope.SESSION}
    registered: dict[int, dict[int, str]] = {}
    if sessions:
        accounts = get_user_model().objects.filter(email=Lower(OuterRef("email")), is_active=True)
        rows = (
            Registration.objects.filter(session_id__in=sessions)
            .annotate(
                account_id=Subquery(accounts.values("pk")[:1]),
                account_email=Subquery(accounts.values("email")[:1]),
            )
            .filter(account_id__isnull=False)
            .order_by()
            .values_list("session_id", "account_id", "account_email")
        )
        for session_id, user_id, email in rows:
            registered.setdefault(session_id, {})[user_id] = email
    answered_people: dict[int, set[int]] = {}
    answered_cities: dict[int, set[int]] = {}
    responses = (
        Response.objects.filter(
            survey_id__in=[survey.pk for survey in surveys], status=ResponseStatus.SUBMITTED
        )
        .order_by()
        .values_list("survey_id", "user_id", "city_id")
    )
    for survey_id, user_id, city_id in responses:
        if user_id is not None:
            answered_people.setdefault(survey_id, set()).add(user_id)
        if city_id is not None:
            answered_cities.setdefault(survey_id, set()).add(city_id)

    found = {}
    for survey in surveys:
        if survey.pk in cohort_of:
            cohorts = {cohort_of[survey.pk]}
        else:
            cohorts = cohorts_of_programme.get(survey.programme, set())
        members = [row for cohort_id in cohorts for row in by_cohort.get(cohort_id, [])]
        if survey.response_unit == ResponseUnit.CITY:
            done = answered_cities.get(survey.pk, set())
            people = {user_id: email for user_id, email, city_id in members if city_id not in done}
        else:
            people = {user_id: email for user_id, email, _city_id in members}
            if survey.scope == SurveyScope.SESSION:
                people.update(registered.get(survey.session_id, {}))
            for user_id in answered_people.get(survey.pk, set()):
                people.pop(user_id, None)
        found[survey.pk] = people
    return found


# --- Filters -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ResultFilters:
    """Which responses to count, by the city they speak for (named surveys only)."""

    cohort_id: int | None = None
    group_id: int | None = None
    city_type: str | None = None
    country_id: int | None = None

    def __bool__(self) -> bool:
        return any(
            value is not None
            for value in (self.cohort_id, self.group_id, self.city_type, self.country_id)
        )

    def condition(self) -> Q:
        """The responses kept, as a condition on Response."""
        condition = Q()
        if self.cohort_id is not None:
            condition &= Q(
                city__in=Enrolment.objects.filter(
                    cohort_id=self.cohort_id, status=EnrolmentStatus.ACCEPTED
                ).values("city_id")
            )
        if self.group_id is not None:
            condition &= Q(
                city__in=EnrolmentGroup.objects.filter(
                    thematic_group_id=self.group_id,
                    enrolment__status=EnrolmentStatus.ACCEPTED,
                ).values("enrolment__city_id")
            )
        if self.city_type is not None:
            condition &= Q(**{f"city__{CITY_TYPE_FIELDS[self.city_type]}": True})
        if self.country_id is not None:
            condition &= Q(city__country_id=self.country_id)
        return condition


def responses_counted(survey: Survey, filters: ResultFilters | None = None) -> QuerySet:
    """The submitted responses the results count (filters apply to named surveys only)."""
    responses = submitted(survey)
    if filters and not survey.is_anonymous:
        responses = responses.filter(filters.condition())
    return responses


# --- Results -----------------------------------------------------------------------------------


@dataclass
class OptionResult:
    option_id: int
    label: str
    position: int
    is_other: bool
    count: int = 0
    # Ranking: how many put it at each rank (rank -> count).
    ranks: dict[int, int] = field(default_factory=dict)
    answered: int = 0  # the question's denominator

    @property
    def share(self) -> Fraction | None:
        return Fraction(self.count, self.answered) if self.answered else None

    @property
    def percent(self) -> Decimal | None:
        return percent(self.share)

    @property
    def mean_rank(self) -> Fraction | None:
        ranked = sum(self.ranks.values())
        if not ranked:
            return None
        return Fraction(sum(rank * n for rank, n in self.ranks.items()), ranked)

    @property
    def mean_rank_display(self) -> Decimal | None:
        return rounded(self.mean_rank)

    @property
    def first(self) -> int:
        return self.ranks.get(1, 0)


@dataclass
class Point:
    """One point of a scale and how many chose it."""

    value: int
    label: str
    count: int = 0


@dataclass
class Distribution:
    """Answers on a scale: a rating, a 0-10 scale, an extent scale or a matrix row."""

    points: list[Point]
    not_applicable: int = 0

    @property
    def rated(self) -> int:
        return sum(point.count for point in self.points)

    @property
    def answered(self) -> int:
        return self.rated + self.not_applicable

    @property
    def mean(self) -> Fraction | None:
        """The mean of the points chosen, "Not applicable" left out."""
        if not self.rated:
            return None
        return Fraction(sum(p.value * p.count for p in self.points), self.rated)

    @property
    def mean_display(self) -> Decimal | None:
        return rounded(self.mean)

    def share_of(self, count: int) -> Decimal | None:
        """`count` as a percentage of those who answered, "Not applicable" included."""
        return percent(Fraction(count, self.answered)) if self.answered else None

    @property
    def table(self) -> list[tuple[Point, Decimal | None]]:
        return [(point, self.share_of(point.count)) for point in self.points]

    @property
    def not_applicable_percent(self) -> Decimal | None:
        return self.share_of(self.not_applicable)

    def add(self, number: int | None, not_applicable: bool, count: int) -> None:
        if not_applicable or number is None:
            self.not_applicable += count
            return
        for point in self.points:
            if point.value == number:
                point.count += count
                return
        # A number off the scale is left out rather than skew the mean (answering refuses it).


@dataclass
class MatrixRow:
    option_id: int
    label: str
    distribution: Distribution


@dataclass
class TextAnswer:
    text: str
    city: str  # empty for anonymous surveys
    option_label: str = ""  # "Other, please specify": the option it explains


@dataclass
class QuestionResult:
    question: Question
    answered: int = 0
    options: list[OptionResult] = field(default_factory=list)
    distribution: Distribution | None = None
    rows: list[MatrixRow] = field(default_factory=list)
    texts: list[TextAnswer] = field(default_factory=list)
    text_count: int = 0
    # Answer rows counted (a question without options: one per response that answered).
    rows_counted: int = 0
    # Anonymous survey, fewer answers to this question than its threshold: only the count shows.
    withheld: bool = False

    @property
    def kind(self) -> str:
        return self.question.kind

    @property
    def is_choice(self) -> bool:
        return self.kind in {QuestionKind.SINGLE_CHOICE, QuestionKind.MULTIPLE_CHOICE}

    @property
    def is_scale(self) -> bool:
        return self.kind in {QuestionKind.RATING, QuestionKind.SCALE_0_10, QuestionKind.EXTENT}

    @property
    def is_text(self) -> bool:
        return self.kind in TEXT_KINDS

    @property
    def ordered_options(self) -> list[OptionResult]:
        """Choice: by count, most first (then by position); ranking: by average rank."""
        if self.kind == QuestionKind.RANKING:
            return sorted(
                self.options,
                key=lambda o: (o.mean_rank is None, o.mean_rank or 0, o.position),
            )
        return sorted(self.options, key=lambda o: (-o.count, o.position))

    def top(self, n: int = TOP_N) -> list[OptionResult]:
        """The `n` options chosen most (ranking: ranked best), none that nobody chose."""
        if self.kind == QuestionKind.RANKING:
            return [o for o in self.ordered_options if o.mean_rank is not None][:n]
        return [o for o in self.ordered_options if o.count][:n]

    @property
    def more_texts(self) -> int:
        return max(self.text_count - len(self.texts), 0)


@dataclass
class SurveyResults:
    survey: Survey
    responses: int  # submitted responses counted (under the filters)
    shown: bool  # False: an anonymous survey under its threshold, only the count shows
    questions: list[QuestionResult]
    filtered: bool = False

    @property
    def threshold(self) -> int:
        return self.survey.min_responses


def _points(question: Question) -> list[Point]:
    values = list(SCALE_POINTS[question.kind])
    labels = list(question.scale_labels or [])
    if not labels and question.kind == QuestionKind.EXTENT:
        labels = [str(label) for label in EXTENT_LABELS]
    if len(labels) == len(values):
        # A label says more with its number (the table and the chart show both).
        return [Point(v, f"{v} · {label}", 0) for v, label in zip(values, labels, strict=True)]
    return [Point(v, str(v), 0) for v in values]


def survey_questions(survey: Survey) -> list[Question]:
    """The survey's questions in order (section, then position), with their options, in two
    queries."""
    questions = list(
        Question.objects.filter(section__survey=survey)
        .select_related("section")
        .order_by("section__position", "position", "pk")
    )
    by_id = {q.pk: q for q in questions}
    for question in questions:
        question.option_list = []
    for option in Option.objects.filter(question__in=by_id).order_by("question", "position"):
        by_id[option.question_id].option_list.append(option)
    return questions


def survey_results(
    *, survey: Survey, filters: ResultFilters | None = None, questions=None, responses=None
) -> SurveyResults:
    """Every question's results (module docstring), in six queries, or one when an anonymous
    survey is under its threshold. `responses`: the responses to count instead of the
    submitted ones (live mode counts the drafts answered live too: feedback.live)."""
    # Given responses (live mode's) or a filter: the answers are picked by their responses.
    by_responses = responses is not None
    if responses is None:
        responses = responses_counted(survey, filters)
    filtered = bool(filters) and not survey.is_anonymous
    count = responses.count()
    if survey.is_anonymous and count < survey.min_responses:
        return SurveyResults(survey, count, shown=False, questions=[], filtered=filtered)
    if questions is None:
        questions = survey_questions(survey)
    results = {q.pk: _empty_result(q) for q in questions}
    answers = _answers_counted(survey, responses, questions, by_responses=by_responses or filtered)

    _count(answers, results)

    for result in results.values():
        for option in result.options:
            option.answered = result.answered
        if survey.is_anonymous and result.answered < survey.min_responses:
            result.withheld = True

    _add_texts(survey, answers, results, questions)
    return SurveyResults(
        survey, count, shown=True, questions=[results[q.pk] for q in questions], filtered=filtered
    )


def _count(answers: QuerySet, results: dict[int, QuestionResult]) -> None:
    """Fill `results` (by question id) from the answer rows `answers`, in two queries."""
    # Every count at once: per question, option, point and "not applicable".
    grouped = (
        answers.values_list("question_id", "option_id", "number", "not_applicable")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for question_id, option_id, number, not_applicable, n in grouped:
        result = results.get(question_id)
        if result is not None:
            _add(result, option_id, number, not_applicable, n)

    # Each question's denominator: the responses that answered it. A question without options
    # has one answer row per response (the answer_once_per_question constraint), so its
    # denominator is its rows' count; only the questions that can have several rows per
    # response (an option each) need the distinct responses counted, over their rows only.
    several = [pk for pk, result in results.items() if result.kind in OPTION_KINDS]
    for result in results.values():
        if result.kind not in OPTION_KINDS:
            result.answered = result.rows_counted
    for question_id, n in (
        answers.filter(question__in=several)
        .values_list("question_id")
        .annotate(n=Count("response_id", distinct=True))
        .order_by()
    ):
        if question_id in results:
            results[question_id].answered = n


def surveys_results(surveys: list[Survey]) -> dict[int, SurveyResults]:
    """Several surveys' results at once, by survey id, without their free texts (the
    comparison page, feedback/comparison.py): five queries whatever the number of surveys,
    questions and responses. Each survey keeps its own denominators and, anonymous, its own
    threshold (survey_results' rules, the module's docstring). Unlike survey_results, a survey
    under its threshold keeps its questions (each withheld, nothing counted): the comparison
    matches them with the other surveys'."""
    if not surveys:
        return {}
    ids = [survey.pk for survey in surveys]
    counts = dict(
        Response.objects.filter(survey__in=ids, status=ResponseStatus.SUBMITTED)
        .values_list("survey_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    shown = [
        s.pk for s in surveys if not (s.is_anonymous and counts.get(s.pk, 0) < s.min_responses)
    ]
    # Every survey's questions, those under their threshold too: a comparison matches them.
    questions = list(
        Question.objects.filter(section__survey__in=ids)
        .select_related("section")
        .order_by("section__survey_id", "section__position", "position", "pk")
    )
    by_id = {q.pk: q for q in questions}
    for question in questions:
        question.option_list = []
    for option in Option.objects.filter(question__in=by_id).order_by("question", "position"):
        by_id[option.question_id].option_list.append(option)
    results = {q.pk: _empty_result(q) for q in questions}
    answers = Answer.objects.filter(
        response__survey__in=shown, response__status=ResponseStatus.SUBMITTED
    )
    if shown:
        _count(answers, results)
    found = {}
    for survey in surveys:
        own = [results[q.pk] for q in questions if q.section.survey_id == survey.pk]
        is_shown = survey.pk in shown
        for result in own:
            for option in result.options:
                option.answered = result.answered
            # Under the survey's threshold every question is withheld: nothing was counted.
            if not is_shown or (survey.is_anonymous and result.answered < survey.min_responses):
                result.withheld = True
        found[survey.pk] = SurveyResults(
            survey, counts.get(survey.pk, 0), shown=is_shown, questions=own
        )
    return found


def _answers_counted(survey: Survey, responses: QuerySet, questions, *, by_responses: bool):
    """The answer rows of the responses counted, to the questions given.

    Unfiltered (and no responses given), every submitted response counts: the rows are then
    picked by their questions, less those of drafts (usually few), which the (question,
    option, number, not_applicable, response) index answers alone, in the order of the counts'
    GROUP BY, rather than by a join on every response (2,000,000 rows: 9 s on SQLite before).
    Filtered, or with the responses given (live mode counts its drafts too), by those
    responses. An answer's question is one of its response's survey (the answering service
    writes them so)."""
    if by_responses:
        answers = Answer.objects.filter(response__in=responses.values("pk"))
        return answers.filter(question__in=[q.pk for q in questions])
    drafts = Response.objects.filter(survey=survey).exclude(status=ResponseStatus.SUBMITTED)
    return Answer.objects.filter(question__in=[q.pk for q in questions]).exclude(
        response__in=drafts.values("pk")
    )


def _empty_result(question: Question) -> QuestionResult:
    result = QuestionResult(question=question)
    options = getattr(question, "option_list", [])
    if question.kind == QuestionKind.MATRIX:
        result.rows = [
            MatrixRow(option.pk, option.label, Distribution(_points(question)))
            for option in options
        ]
    elif question.kind in OPTION_KINDS:
        result.options = [
            OptionResult(option.pk, option.label, option.position, option.is_other)
            for option in options
        ]
    elif question.kind in SCALE_POINTS:
        result.distribution = Distribution(_points(question))
    return result


def _add(result: QuestionResult, option_id, number, not_applicable, n: int) -> None:
    kind = result.kind
    result.rows_counted += n
    if kind == QuestionKind.MATRIX:
        for row in result.rows:
            if row.option_id == option_id:
                row.distribution.add(number, not_applicable, n)
    elif kind in OPTION_KINDS:
        for option in result.options:
            if option.option_id == option_id:
                option.count += n
                if kind == QuestionKind.RANKING and number is not None:
                    option.ranks[number] = option.ranks.get(number, 0) + n
    elif result.distribution is not None:
        result.distribution.add(number, not_applicable, n)
    else:
        result.text_count += n


def _add_texts(
    survey: Survey, answers: QuerySet, results: dict[int, QuestionResult], questions
) -> None:
    """The free texts and "Other, please specify" texts, at most TEXT_LIMIT per question, cut
    in the database by a window over each question's rows. The rows are picked by the ids of
    the text questions and "Other" options (known already), which the (question, option) index
    serves, rather than by a join on every answer."""
    text_questions = [q.pk for q in questions if q.kind in TEXT_KINDS]
    others = {
        option.pk: option.label
        for question in questions
        for option in getattr(question, "option_list", [])
        if option.is_other
    }
    if not text_questions and not others:
        return
    if survey.is_anonymous:
        order = [F("text").asc(), F("pk").asc()]
        city = Value("")
    else:
        order = [F("response__city__name").asc(nulls_last=True), F("text").asc(), F("pk").asc()]
        city = F("response__city__name")
    rows = (
        answers.filter(Q(question_id__in=text_questions) | Q(option_id__in=list(others)))
        .exclude(text="")
        .annotate(
            place=Window(RowNumber(), partition_by=[F("question_id")], order_by=order),
            city_name=city,
        )
        .filter(place__lte=TEXT_LIMIT)
        .values_list("question_id", "option_id", "text", "city_name", "place")
        .order_by("question_id", "place")
    )
    for question_id, option_id, text, city, _place in rows:
        result = results.get(question_id)
        if result is None or result.withheld:
            continue
        result.texts.append(
            TextAnswer(
                text=text,
                city="" if survey.is_anonymous else (city or ""),
                option_label=others.get(option_id, ""),
            )
        )
    for result in results.values():
        if not result.is_text:
            # "Other" texts: as many as chose "Other" with a text (the option's count may hold
            # some who wrote none); the listing says so only for free-text questions.
            result.text_count = len(result.texts)


def response_rate(survey: Survey, responses: int) -> tuple[int, Decimal | None]:
    """(how many are asked, the share who answered as a percentage): people, or cities for a
    survey answered once per city."""
    if survey.response_unit == ResponseUnit.CITY:
        asked = asked_cities(survey).count()
    else:
        asked = asked_people(survey).count()
    return asked, percent(Fraction(responses, asked)) if asked else None


NO_FILTERS_FOR_ANONYMOUS = _(
    "An anonymous survey keeps no city with its answers, so its results cannot be filtered."
)


# --- What the cached results page shows (portal/fragments.py) -----------------------------------


def results_scope(survey_id: int) -> str:
    """The data version of one survey's results: its fields, sections, questions, options and
    responses. Bumped by every save or delete of those rows (`connect`, from the app's ready()),
    so the answering and building services, the admin and the shell are all covered; code that
    writes them in bulk (bulk_create, update) calls `results_changed` itself, in the same
    transaction. Answers are written with their response: whoever writes answers saves the
    response (its status, its `updated_at`) with save(), or calls `results_changed`."""
    return f"feedback:results:{survey_id}"


def results_changed(survey_id: int) -> None:
    bump(results_scope(survey_id))


def _of_survey_row(row):
    return [results_scope(row.survey_id)]


def _of_question(question):
    return [
        results_scope(survey_id)
        for survey_id in Section.objects.filter(pk=question.section_id).values_list(
            "survey_id", flat=True
        )
    ]


def _of_option(option):
    return [
        results_scope(survey_id)
        for survey_id in Question.objects.filter(pk=option.question_id).values_list(
            "section__survey_id", flat=True
        )
    ]


# Which thematic groups each enrolled city joined: the group filter reads it, and no scope of
# the sessions app covers it.
GROUP_MEMBERS = "feedback:group-members"


def _of_group_member(row):
    return [GROUP_MEMBERS]


def _survey_saved(sender, instance, created=False, raw=False, **kwargs):
    # A survey just made has no results kept yet: its creation (a template copied in a fixed
    # number of queries) writes no version.
    if not created and not raw:
        results_changed(instance.pk)


def _survey_deleted(sender, instance, **kwargs):
    results_changed(instance.pk)


def connect() -> None:
    bump_on_change(EnrolmentGroup, _of_group_member)
    post_save.connect(_survey_saved, sender=Survey, dispatch_uid="feedback.results:survey-saved")
    post_delete.connect(
        _survey_deleted, sender=Survey, dispatch_uid="feedback.results:survey-deleted"
    )
    bump_on_change(Section, _of_survey_row)
    bump_on_change(Response, _of_survey_row)
    bump_on_change(Question, _of_question)
    bump_on_change(Option, _of_option)
