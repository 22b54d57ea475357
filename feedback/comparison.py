"""Comparing the surveys copied from one ready template side by side (issue 11, Results:
"satisfaction of cohort 1 vs cohort 2").

Decisions (README):
- Only surveys of the same template are compared (`Survey.template_key`), at most
  MAX_COMPARED at once, and only those whose results the person may read
  (feedback.view_survey_results, as `results_visible_to` writes it in one filter).
- Questions are matched by their identity in the template (`Question.template_key`, recorded
  when the template is copied and kept when a builder rewords the question), and of the same
  kind. A
  question a builder added has no reference: it matches a question of another survey of the same
  kind and the same text (spaces and case aside). A question found in one survey only is listed
  as unmatched, not compared. When the matched copies are worded differently, the page says so.
- Options (and matrix rows) are matched by the template's label (`Option.template_ref`, kept
  when a builder rewords the label), an added option by its label: one line per option of any
  of the surveys; a survey that does not offer it shows "not offered". Scale points by value.
- Each survey keeps its own denominators (those who answered the question in that survey),
  means and threshold: an anonymous survey under its threshold shows only its count of
  responses; a question it withholds (too few answered it) shows only how many answered.
- The figures come from results.surveys_results (a fixed number of queries for every survey
  together) and one count per survey of who is asked (results.response_rate).
"""

from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from accounts.rules import is_programme_admin
from feedback.enums import SCALE_POINTS, QuestionKind
from feedback.models import Survey
from feedback.results import (
    QuestionResult,
    SurveyResults,
    percent,
    response_rate,
    rounded,
    surveys_results,
)
from sessions.selectors import session_access_of

MAX_COMPARED = 6
# One colour per survey compared, in their order: dark enough for white text and apart from
# each other (ColorBrewer's dark qualitative tones); the tables say the same without colour.
COLOURS = ["#2166ac", "#b2182b", "#1b7837", "#762a83", "#8c510a", "#4d4d4d"]

SHOWN, WITHHELD, HIDDEN, ABSENT = "shown", "withheld", "hidden", "absent"


def results_visible_to(*, user) -> QuerySet[Survey]:
    """The surveys whose results the person may read (feedback.view_survey_results in one
    filter): every one for a programme admin, else those of the cohorts they facilitate and of
    those cohorts' sessions."""
    surveys = Survey.objects.select_related("session", "cohort")
    if not user.is_authenticated:
        return surveys.none()
    if is_programme_admin(user):
        return surveys
    cohorts = sorted(session_access_of(user).facilitated_cohorts)
    return surveys.filter(Q(cohort_id__in=cohorts) | Q(session__cohort_id__in=cohorts))


def _words(text: str) -> str:
    return " ".join(text.split()).casefold()


def question_key(question) -> tuple:
    """What matches a question across copies of a template (the module's docstring)."""
    if question.template_key:
        return ("ref", question.template_key, question.kind)
    return ("text", _words(question.text), question.kind)


def option_key(option) -> str:
    return _words(option.template_ref or option.label)


@dataclass
class Column:
    """One survey compared."""

    survey: Survey
    results: SurveyResults
    colour: str
    asked: int | None = None
    rate: Decimal | None = None

    @property
    def place(self) -> str:
        """What the survey was about: its session, cohort or programme."""
        survey = self.survey
        if survey.session_id:
            return survey.session.title
        if survey.cohort_id:
            return survey.cohort.name
        return survey.get_programme_display()


@dataclass
class Figure:
    """One survey's figure on one line (an option, a point, a matrix row): `text` says it in
    words, `bar` is its length in the chart (0 to 1; None: no bar)."""

    state: str
    text: str
    bar: float | None = None


@dataclass
class Line:
    label: str
    figures: list[Figure]


@dataclass
class Side:
    """One survey's side of a compared question."""

    state: str
    result: QuestionResult | None = None

    @property
    def answered(self) -> int | None:
        return self.result.answered if self.result is not None else None

    @property
    def mean(self) -> Decimal | None:
        if self.state != SHOWN or self.result is None or self.result.distribution is None:
            return None
        return self.result.distribution.mean_display


@dataclass
class ComparedQuestion:
    key: tuple
    kind: str
    text: str
    section: str
    sides: list[Side]
    lines: list[Line] = field(default_factory=list)
    # The other wordings of the question among the surveys compared.
    wordings: list[str] = field(default_factory=list)

    @property
    def has_mean(self) -> bool:
        return self.kind in {QuestionKind.RATING, QuestionKind.SCALE_0_10, QuestionKind.EXTENT}

    @property
    def bar_meaning(self) -> str:
        if self.kind == QuestionKind.MATRIX:
            return _("Each bar is a survey's average on the row, against the top of the scale.")
        if self.kind == QuestionKind.RANKING:
            return _("Each bar is the share of a survey's answers that put the option first.")
        return _("Each bar is the share of a survey's answers, out of those who answered it.")


@dataclass
class Unmatched:
    column: Column
    result: QuestionResult


@dataclass
class Comparison:
    columns: list[Column]
    questions: list[ComparedQuestion]
    unmatched: list[Unmatched]


def survey_comparison(surveys: list[Survey]) -> Comparison:
    """The surveys side by side (the module's docstring), in the order given."""
    found = surveys_results(surveys)
    columns = []
    for index, survey in enumerate(surveys):
        results = found[survey.pk]
        column = Column(survey, results, COLOURS[index % len(COLOURS)])
        if results.shown:
            column.asked, column.rate = response_rate(survey, results.responses)
        columns.append(column)

    # Each question's key, in each survey; a key twice in one survey is told apart by its turn.
    keyed: dict[tuple, dict[int, QuestionResult]] = {}
    for index, column in enumerate(columns):
        seen: dict[tuple, int] = {}
        for result in column.results.questions:
            base = question_key(result.question)
            seen[base] = seen.get(base, 0) + 1
            keyed.setdefault((*base, seen[base]), {})[index] = result

    questions, unmatched = [], []
    for key, by_column in keyed.items():
        if len(by_column) < min(2, len(columns)):
            for index, result in by_column.items():
                unmatched.append(Unmatched(columns[index], result))
            continue
        questions.append(_compared(key, by_column, columns))
    return Comparison(columns, questions, unmatched)


def _side(column: Column, result: QuestionResult | None) -> Side:
    if result is None:
        return Side(ABSENT)
    if not column.results.shown:
        return Side(HIDDEN, result)
    if result.withheld:
        return Side(WITHHELD, result)
    return Side(SHOWN, result)


def _compared(key: tuple, by_column: dict, columns: list[Column]) -> ComparedQuestion:
    first = by_column[min(by_column)]
    question = first.question
    sides = [_side(column, by_column.get(index)) for index, column in enumerate(columns)]
    wordings = []
    for result in by_column.values():
        text = result.question.text
        if text != question.text and text not in wordings:
            wordings.append(text)
    compared = ComparedQuestion(
        key=key,
        kind=question.kind,
        text=question.text,
        section=question.section.title,
        sides=sides,
        wordings=wordings,
    )
    if question.kind in {QuestionKind.SINGLE_CHOICE, QuestionKind.MULTIPLE_CHOICE}:
        compared.lines = _option_lines(sides, _choice_figure)
    elif question.kind == QuestionKind.RANKING:
        compared.lines = _option_lines(sides, _rank_figure)
    elif question.kind == QuestionKind.MATRIX:
        compared.lines = _matrix_lines(sides)
    elif question.kind in SCALE_POINTS:
        compared.lines = _scale_lines(sides)
    return compared


def _blank(side: Side) -> Figure:
    """The figure of a survey that shows none on a line."""
    if side.state == ABSENT:
        return Figure(ABSENT, _("not asked"))
    if side.state == HIDDEN:
        return Figure(HIDDEN, _("too few responses"))
    if side.state == WITHHELD:
        return Figure(WITHHELD, _("too few answers"))
    return Figure(ABSENT, _("not offered"))


def _share(count: int, answered: int) -> Figure:
    share = percent(Fraction(count, answered)) if answered else None
    if share is None:
        return Figure(SHOWN, _("no answer yet"), 0.0)
    return Figure(
        SHOWN,
        _("%(count)s of %(answered)s (%(percent)s%%)")
        % {"count": count, "answered": answered, "percent": share},
        count / answered,
    )


def _choice_figure(option, answered: int) -> Figure:
    return _share(option.count, answered)


def _rank_figure(option, answered: int) -> Figure:
    if option.mean_rank is None:
        return Figure(SHOWN, _("not ranked"), 0.0)
    return Figure(
        SHOWN,
        _("average rank %(rank)s; first for %(first)s of %(answered)s")
        % {"rank": option.mean_rank_display, "first": option.first, "answered": answered},
        option.first / answered if answered else 0.0,
    )


def _matched(sides: list[Side], entries_of) -> tuple[dict[str, str], list[dict]]:
    """Each side's entries (its options' results, or its matrix rows) by option_key, and each
    key's label in the order met: one line per option of any survey."""
    labels: dict[str, str] = {}
    per_side = []
    for side in sides:
        found = {}
        if side.result is not None:
            by_id = {o.pk: o for o in getattr(side.result.question, "option_list", [])}
            for entry in entries_of(side.result):
                option = by_id.get(entry.option_id)
                key = option_key(option) if option is not None else _words(entry.label)
                labels.setdefault(key, entry.label)
                found[key] = entry
        per_side.append(found)
    return labels, per_side


def _option_lines(sides: list[Side], figure_of) -> list[Line]:
    labels, per_side = _matched(sides, lambda result: result.options)
    lines = []
    for key, label in labels.items():
        figures = []
        for side, options in zip(sides, per_side, strict=True):
            option = options.get(key)
            if side.state == SHOWN and option is not None:
                figures.append(figure_of(option, side.result.answered))
            else:
                figures.append(_blank(side))
        lines.append(Line(label, figures))
    return lines


def _scale_lines(sides: list[Side]) -> list[Line]:
    points: dict[int, str] = {}
    not_applicable = False
    for side in sides:
        if side.result is not None and side.result.distribution is not None:
            for point in side.result.distribution.points:
                points.setdefault(point.value, point.label)
            not_applicable |= side.result.question.allows_not_applicable
    lines = []
    for value, label in points.items():
        figures = []
        for side in sides:
            if side.state != SHOWN:
                figures.append(_blank(side))
                continue
            distribution = side.result.distribution
            count = next((p.count for p in distribution.points if p.value == value), 0)
            figures.append(_share(count, distribution.answered))
        lines.append(Line(label, figures))
    if not_applicable:
        figures = []
        for side in sides:
            if side.state != SHOWN:
                figures.append(_blank(side))
            elif not side.result.question.allows_not_applicable:
                figures.append(Figure(ABSENT, _("not offered")))
            else:
                distribution = side.result.distribution
                figures.append(_share(distribution.not_applicable, distribution.answered))
        lines.append(Line(str(_("Not applicable")), figures))
    return lines


def _matrix_lines(sides: list[Side]) -> list[Line]:
    labels, per_side = _matched(sides, lambda result: result.rows)
    lines = []
    for key, label in labels.items():
        figures = []
        for side, rows in zip(sides, per_side, strict=True):
            row = rows.get(key)
            if side.state != SHOWN or row is None:
                figures.append(_blank(side))
                continue
            distribution = row.distribution
            mean = distribution.mean
            top = max((p.value for p in distribution.points), default=1) or 1
            if mean is None:
                figures.append(Figure(SHOWN, _("no answer yet"), 0.0))
            else:
                figures.append(
                    Figure(
                        SHOWN,
                        _("average %(average)s (%(n)s)")
                        % {"average": rounded(mean), "n": distribution.rated},
                        float(mean) / top,
                    )
                )
        lines.append(Line(label, figures))
    return lines
