"""The cohort roadmap overview: each city's roadmap status and the cohort summary.

`summarise()` is a pure function over saved field rows, so its arithmetic is tested on its own:
averages are exact fractions, shown rounded half up to two decimals (3.125 -> 3.13, where float
rounding would give 3.12). The `cohort_*` functions load the rows in a fixed number of queries
whatever the size of the cohort.

Decision: the summary counts every score and rating saved so far, drafts included, so that
facilitators see where the cohort stands before the deadline; each row says how many roadmaps
answered, which is the denominator of its average.
"""

import textwrap
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cities.models import City, ClimateAction
from cohorts.enums import EnrolmentStatus
from cohorts.models import Cohort, Enrolment
from roadmaps.enums import NOT_STARTED_LABEL, Desirability, RoadmapStatus
from roadmaps.models import Roadmap, RoadmapValue
from roadmaps.selectors import roadmap_status_label, roadmaps_of_cohort
from roadmaps.services import SCORES
from sessions.enums import SessionStatus
from sessions.models import SessionPresentation
from taxonomy.reference import ENABLING_FACTORS

SCORE_PREFIX = "phase2_2.score."
ACTION_KEY = "phase2_1.climate_action"
DESIRABILITY_KEY = "phase2_1.desirability"
TWO_PLACES = Decimal("0.01")


@dataclass(frozen=True)
class FactorSummary:
    slug: str
    name: str
    # How many roadmaps gave each score, for scores 1 to 5.
    counts: tuple[int, int, int, int, int]

    @property
    def answered(self) -> int:
        return sum(self.counts)

    @property
    def average(self) -> Fraction | None:
        if not self.answered:
            return None
        total = sum(score * count for score, count in zip(SCORES, self.counts, strict=True))
        return Fraction(total, self.answered)

    @property
    def average_display(self) -> Decimal | None:
        """The average rounded half up to two decimals."""
        average = self.average
        if average is None:
            return None
        exact = Decimal(average.numerator) / Decimal(average.denominator)
        return exact.quantize(TWO_PLACES, rounding=ROUND_HALF_UP)

    @property
    def distribution(self) -> list[tuple[int, int]]:
        return list(zip(SCORES, self.counts, strict=True))


@dataclass(frozen=True)
class ActionSummary:
    action_id: int
    title: str
    city_name: str
    high: int
    medium: int
    low: int
    # The Mission City's id, for the link to its profile (None in summaries built by hand).
    city_id: int | None = None

    @property
    def answered(self) -> int:
        return self.high + self.medium + self.low

    @property
    def ratings(self) -> list[tuple[str, str, int]]:
        return [
            (Desirability.HIGH.value, Desirability.HIGH.label, self.high),
            (Desirability.MEDIUM.value, Desirability.MEDIUM.label, self.medium),
            (Desirability.LOW.value, Desirability.LOW.label, self.low),
        ]


@dataclass(frozen=True)
class CohortSummary:
    factors: list[FactorSummary]
    actions: list[ActionSummary]


@dataclass(frozen=True)
class ActionRef:
    """A climate action as the summary names it."""

    action_id: int
    title: str
    city_name: str
    city_id: int | None = None


def summarise(
    *, rows: Iterable[tuple[int, str, str]], actions: Sequence[ActionRef]
) -> CohortSummary:
    """Summarise saved roadmap fields, given as (roadmap id, field key, value) rows.

    Each enabling factor gets the count of each score 1-5 and the average; each action in
    `actions` (in that order) gets the count of High, Medium and Low ratings of the roadmaps
    that chose it. A value that is not a valid score or rating is left out rather than skew
    the figures; so is a rating without a chosen action.
    """
    scores: dict[str, list[int]] = {
        factor["slug"]: [0] * len(SCORES) for factor in ENABLING_FACTORS
    }
    chosen_action: dict[int, str] = {}
    rating: dict[int, str] = {}
    for roadmap_id, key, value in rows:
        value = value.strip()
        if key.startswith(SCORE_PREFIX):
            slug = key.removeprefix(SCORE_PREFIX)
            if slug in scores and value in {str(score) for score in SCORES}:
                scores[slug][int(value) - 1] += 1
        elif key == ACTION_KEY:
            chosen_action[roadmap_id] = value
        elif key == DESIRABILITY_KEY:
            rating[roadmap_id] = value

    ratings_per_action: dict[str, dict[str, int]] = {}
    for roadmap_id, action_id in chosen_action.items():
        if rating.get(roadmap_id) in Desirability.values:
            per_action = ratings_per_action.setdefault(
                action_id, dict.fromkeys(Desirability.values, 0)
            )
            per_action[rating[roadmap_id]] += 1

    factors = [
        FactorSummary(
            slug=factor["slug"], name=factor["name"], counts=tuple(scores[factor["slug"]])
        )
        for factor in ENABLING_FACTORS
    ]
    action_rows = []
    for action in actions:
        counts = ratings_per_action.get(str(action.action_id), {})
        action_rows.append(
            ActionSummary(
                action_id=action.action_id,
                title=action.title,
                city_name=action.city_name,
                city_id=action.city_id,
                high=counts.get(Desirability.HIGH, 0),
                medium=counts.get(Desirability.MEDIUM, 0),
                low=counts.get(Desirability.LOW, 0),
            )
        )
    return CohortSummary(factors=factors, actions=action_rows)


def cohort_summary(*, cohort: Cohort) -> CohortSummary:
    """The summary of a cohort's roadmaps, in two queries.

    The actions listed are those presented in the cohort's sessions, plus any action a roadmap
    chose that is no longer on the programme (its ratings stay visible).
    """
    rows = list(
        RoadmapValue.objects.filter(roadmap__cohort=cohort)
        .filter(Q(key__startswith=SCORE_PREFIX) | Q(key__in=[ACTION_KEY, DESIRABILITY_KEY]))
        .values_list("roadmap_id", "key", "value")
    )
    # As roadmaps.selectors.climate_actions_for_roadmap: cancelled sessions presented nothing.
    presented = SessionPresentation.objects.filter(session__cohort=cohort).exclude(
        session__status=SessionStatus.CANCELLED
    )
    chosen_ids = {int(value) for _, key, value in rows if key == ACTION_KEY and value.isdigit()}
    actions = [
        ActionRef(action_id=pk, title=title, city_name=city_name, city_id=city_id)
        for pk, title, city_name, city_id in ClimateAction.objects.filter(
            Q(pk__in=presented.values("climate_actions")) | Q(pk__in=chosen_ids)
        )
        .order_by("city__name", "title", "pk")
        .values_list("pk", "title", "city__name", "city_id")
    ]
    return summarise(rows=rows, actions=actions)


# Each city's roadmap status.

NOT_STARTED = "not_started"
STATE_LABELS = {
    NOT_STARTED: NOT_STARTED_LABEL,
    **{status: status.label for status in RoadmapStatus},
}


@dataclass
class CityRoadmap:
    """One row of the overview: an enrolled city and its roadmap (None: not opened)."""

    city: City
    roadmap: Roadmap | None
    state: str = field(init=False)

    def __post_init__(self):
        roadmap = self.roadmap
        # A draft with nothing required filled is "not started", like a missing roadmap: the
        # same word as on every page (roadmaps.enums.RoadmapStatus).
        if roadmap is None or roadmap.is_not_started:
            self.state = NOT_STARTED
        else:
            self.state = roadmap.status

    @property
    def state_label(self) -> str:
        if self.roadmap is None:
            return str(STATE_LABELS[NOT_STARTED])
        return roadmap_status_label(self.roadmap)

    @property
    def percent_complete(self) -> int:
        return self.roadmap.percent_complete if self.roadmap else 0


def cohort_city_roadmaps(*, cohort: Cohort) -> list[CityRoadmap]:
    """The enrolled cities of a cohort with their roadmaps, in two queries.

    A city that has a roadmap but is no longer enrolled keeps its row: its work is not lost
    from the facilitator's view.
    """
    # The roadmaps without their cities, and the cities (enrolled, or with a roadmap) with only
    # what a row shows: the rows are built from about half as many model instances.
    roadmaps = {
        roadmap.city_id: roadmap
        for roadmap in roadmaps_of_cohort(cohort=cohort).select_related(None).order_by()
    }
    enrolled = Enrolment.objects.filter(cohort=cohort, status=EnrolmentStatus.ACCEPTED)
    cities = {
        city.pk: city
        for city in City.objects.filter(
            Q(pk__in=enrolled.values("city_id"))
            | Q(pk__in=Roadmap.objects.filter(cohort=cohort).values("city_id"))
        )
        .select_related("country")
        .only("name", "country__iso_code")
        .order_by()
    }
    rows = [
        CityRoadmap(city=city, roadmap=roadmaps.get(city_id)) for city_id, city in cities.items()
    ]
    return sorted(rows, key=lambda row: (alphabetical(row.city.name), row.city.pk))


def alphabetical(name: str) -> str:
    """A sort key that files Čačak under C and Liepāja under L, as readers expect (the
    database's order puts every accented initial after Z)."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def summary_table(summary: CohortSummary, chart: str) -> tuple[list[str], list[list]]:
    """The numbers behind a chart ("factors" or "actions"): a header and one row per bar."""
    if chart == "factors":
        header = [
            str(_("Enabling factor")),
            str(_("Roadmaps that scored it")),
            str(_("Average score")),
            *(str(_("Score %(n)s") % {"n": n}) for n in SCORES),
        ]
        rows = [
            [factor.name, factor.answered, factor.average_display, *factor.counts]
            for factor in summary.factors
        ]
        return header, rows
    header = [
        str(_("Climate action")),
        str(_("Mission City")),
        *(str(choice.label) for choice in Desirability),
        str(_("Roadmaps that rated it")),
    ]
    rows = [
        [action.title, action.city_name, action.high, action.medium, action.low, action.answered]
        for action in summary.actions
    ]
    return header, rows


def state_counts(rows: Iterable[CityRoadmap]) -> list[tuple[str, str, int]]:
    """(state, label, number of cities) for every state, in the order of the programme."""
    counts = dict.fromkeys(STATE_LABELS, 0)
    for row in rows:
        counts[row.state] += 1
    return [(state, STATE_LABELS[state], count) for state, count in counts.items()]


# Charts: the geometry of the server-rendered SVG bar charts (templates/roadmaps/summary_*).

# A red-to-blue scale that colour-blind readers can tell apart; numbers are written on the bars
# in white on the two dark ends and in near-black on the others (contrast 4.5:1 or more).
SCORE_COLOURS = {1: "#b2182b", 2: "#ef8a62", 3: "#d9d9d9", 4: "#67a9cf", 5: "#2166ac"}
DARK_FILLS = {"#b2182b", "#2166ac"}
RATING_COLOURS = {
    Desirability.HIGH.value: "#2166ac",
    Desirability.MEDIUM.value: "#67a9cf",
    Desirability.LOW.value: "#ef8a62",
}
CHART_LABEL_WIDTH = 300
CHART_BAR_WIDTH = 330
CHART_VALUE_WIDTH = 110
CHART_ROW_HEIGHT = 26
CHART_TOP = 34  # room for the legend
CHART_BAR_HEIGHT = 16
# A segment narrower than this has no number written in it (the table has every number).
MIN_LABELLED_WIDTH = 14
# What fits in CHART_LABEL_WIDTH at the charts' 12px type.
LABEL_CHARACTERS = 46


@dataclass(frozen=True)
class Segment:
    key: str
    label: str
    count: int
    x: float
    width: float
    colour: str

    @property
    def text_x(self) -> float:
        return round(self.x + self.width / 2, 2)

    @property
    def text_colour(self) -> str:
        return "#ffffff" if self.colour in DARK_FILLS else "#111111"

    @property
    def labelled(self) -> bool:
        return self.width >= MIN_LABELLED_WIDTH


@dataclass(frozen=True)
class ChartRow:
    label: str
    y: float
    segments: list[Segment]
    value_text: str

    @property
    def short_label(self) -> str:
        """The label cut to fit the label column (the full label is the row's tooltip)."""
        if len(self.label) <= LABEL_CHARACTERS:
            return self.label
        return self.label[: LABEL_CHARACTERS - 1].rstrip() + "…"

    @property
    def bottom(self) -> float:
        return self.y + CHART_ROW_HEIGHT

    @property
    def bar_y(self) -> float:
        return self.y + (CHART_ROW_HEIGHT - CHART_BAR_HEIGHT) / 2

    @property
    def text_y(self) -> float:
        return self.y + CHART_ROW_HEIGHT / 2 + 4


@dataclass(frozen=True)
class Chart:
    rows: list[ChartRow]
    legend: list[tuple[str, str, float, float]]  # label, colour, x of the swatch, x of the text
    width: int = CHART_LABEL_WIDTH + CHART_BAR_WIDTH + CHART_VALUE_WIDTH
    label_width: int = CHART_LABEL_WIDTH
    bar_x: int = CHART_LABEL_WIDTH
    value_x: int = CHART_LABEL_WIDTH + CHART_BAR_WIDTH + 6
    bar_height: int = CHART_BAR_HEIGHT

    @property
    def height(self) -> int:
        return CHART_TOP + CHART_ROW_HEIGHT * max(len(self.rows), 1) + 8


def stacked_segments(
    parts: list[tuple[str, str, int, str]], scale: float, start: float = CHART_LABEL_WIDTH
) -> list[Segment]:
    segments, x = [], float(start)
    for key, label, count, colour in parts:
        if count:
            width = round(count * scale, 2)
            segments.append(Segment(key, label, count, round(x, 2), width, colour))
            x += width
    return segments


def chart_legend(items: list[tuple[str, str]]) -> list[tuple[str, str, float, float]]:
    step = (CHART_LABEL_WIDTH + CHART_BAR_WIDTH) / len(items)
    return [
        (label, colour, round(index * step, 2), round(index * step + 16, 2))
        for index, (label, colour) in enumerate(items)
    ]


def factor_chart(summary: CohortSummary) -> Chart:
    """One stacked bar per enabling factor: how many roadmaps gave each score; the average."""
    most = max((factor.answered for factor in summary.factors), default=0) or 1
    scale = CHART_BAR_WIDTH / most
    rows = []
    for index, factor in enumerate(summary.factors):
        parts = [
            (str(score), str(score), count, SCORE_COLOURS[score])
            for score, count in factor.distribution
        ]
        average = factor.average_display
        rows.append(
            ChartRow(
                label=factor.name,
                y=CHART_TOP + index * CHART_ROW_HEIGHT,
                segments=stacked_segments(parts, scale),
                value_text=(
                    _("average %(average)s (%(n)s)") % {"average": average, "n": factor.answered}
                    if average is not None
                    else _("no score yet")
                ),
            )
        )
    legend = chart_legend([(_("Score %(n)s") % {"n": n}, SCORE_COLOURS[n]) for n in SCORES])
    return Chart(rows=rows, legend=legend)


def action_chart(summary: CohortSummary) -> Chart:
    """One stacked bar per climate action: how many roadmaps rated it High, Medium, Low."""
    most = max((action.answered for action in summary.actions), default=0) or 1
    scale = CHART_BAR_WIDTH / most
    rows = []
    for index, action in enumerate(summary.actions):
        parts = [(key, label, count, RATING_COLOURS[key]) for key, label, count in action.ratings]
        rows.append(
            ChartRow(
                label=f"{action.city_name}: {action.title}",
                y=CHART_TOP + index * CHART_ROW_HEIGHT,
                segments=stacked_segments(parts, scale),
                value_text=_("%(n)s rated") % {"n": action.answered},
            )
        )
    legend = chart_legend([(choice.label, RATING_COLOURS[choice.value]) for choice in Desirability])
    return Chart(rows=rows, legend=legend)


# The narrow drawing of the same charts, shown on a phone instead of the wide one (the wide one,
# 740 units across, shrinks there to a third of its size and its 12px type to 4px). The label
# gets its own line(s) above its bar, the legend wraps, and the drawing is about as wide as a
# phone's column, so that its type is shown at about its own size. The downloaded SVG and the
# PDF keep the wide drawing.
NARROW_WIDTH = 320
NARROW_FONT_SIZE = 13
# The advance of an average character at 13px in DejaVu Sans / Verdana, a little generous, so
# that an estimated width is never short.
NARROW_CHARACTER = 7.4
NARROW_LINE = 16
NARROW_BAR_HEIGHT = 18
NARROW_ROW_GAP = 10
NARROW_LABEL_LINES = 2
NARROW_LEGEND_ROW = 20
NARROW_SWATCH = 12
NARROW_LEGEND_GAP = 14
# The bars keep at least this width, whatever the length of the values written after them.
NARROW_MIN_BAR_WIDTH = 150


def _text_width(text: str) -> float:
    return len(text) * NARROW_CHARACTER


def _label_lines(label: str) -> list[str]:
    """The label broken at spaces into lines that fit NARROW_WIDTH, at most NARROW_LABEL_LINES;
    the last line is cut with an ellipsis when the label is longer (the row's tooltip and the
    table below the chart have it whole)."""
    fit = int(NARROW_WIDTH // NARROW_CHARACTER)
    lines = textwrap.wrap(label, width=fit, break_long_words=True) or [""]
    if len(lines) <= NARROW_LABEL_LINES:
        return lines
    kept = lines[: NARROW_LABEL_LINES - 1]
    rest = " ".join(lines[NARROW_LABEL_LINES - 1 :])
    return [*kept, rest[: fit - 1].rstrip() + "…"]


@dataclass(frozen=True)
class LegendItem:
    label: str
    colour: str
    x: float
    y: float  # top of the swatch

    @property
    def text_x(self) -> float:
        return self.x + NARROW_SWATCH + 4

    @property
    def text_y(self) -> float:
        return self.y + NARROW_SWATCH - 1


@dataclass(frozen=True)
class NarrowRow:
    label: str
    lines: list[tuple[str, float]]  # each line of the label and the y of its baseline
    bar_y: float
    segments: list[Segment]
    value_text: str

    @property
    def text_y(self) -> float:
        """The baseline of the numbers in the bar and of the value after it."""
        return self.bar_y + NARROW_BAR_HEIGHT / 2 + 4.5

    @property
    def axis_top(self) -> float:
        return self.bar_y - 2

    @property
    def axis_bottom(self) -> float:
        return self.bar_y + NARROW_BAR_HEIGHT + 2


@dataclass(frozen=True)
class NarrowChart:
    rows: list[NarrowRow]
    legend: list[LegendItem]
    height: float
    value_x: float
    width: int = NARROW_WIDTH
    bar_height: int = NARROW_BAR_HEIGHT
    font_size: int = NARROW_FONT_SIZE

    @property
    def empty_y(self) -> float:
        """The baseline of "Nothing to show yet." under the legend."""
        return self.height - NARROW_ROW_GAP


def _narrow_legend(items: list[tuple[str, str, float, float]]) -> tuple[list[LegendItem], float]:
    """The legend items left to right, wrapped onto a new line when the next would not fit;
    and the height the legend takes."""
    legend, x, y = [], 0.0, 2.0
    for label, colour, *_positions in items:
        width = NARROW_SWATCH + 4 + _text_width(str(label))
        if x and x + width > NARROW_WIDTH:
            x, y = 0.0, y + NARROW_LEGEND_ROW
        legend.append(LegendItem(str(label), colour, round(x, 2), y))
        x += width + NARROW_LEGEND_GAP
    return legend, y + NARROW_LEGEND_ROW + 4


def narrow_chart(chart: Chart) -> NarrowChart:
    """`chart` drawn for a narrow screen: the same rows, segments, numbers and legend."""
    legend, top = _narrow_legend(chart.legend)
    value_width = max((_text_width(str(row.value_text)) for row in chart.rows), default=0)
    bar_width = max(NARROW_WIDTH - value_width - 6, NARROW_MIN_BAR_WIDTH)
    most = max((sum(s.count for s in row.segments) for row in chart.rows), default=0) or 1
    scale = bar_width / most
    rows, y = [], top
    for row in chart.rows:
        lines = [
            (line, y + NARROW_FONT_SIZE + index * NARROW_LINE)
            for index, line in enumerate(_label_lines(str(row.label)))
        ]
        bar_y = y + len(lines) * NARROW_LINE + 4
        parts = [(s.key, s.label, s.count, s.colour) for s in row.segments]
        rows.append(
            NarrowRow(
                label=str(row.label),
                lines=lines,
                bar_y=bar_y,
                segments=stacked_segments(parts, scale, start=0.0),
                value_text=str(row.value_text),
            )
        )
        y = bar_y + NARROW_BAR_HEIGHT + NARROW_ROW_GAP
    height = y if rows else top + NARROW_LINE + NARROW_ROW_GAP
    return NarrowChart(rows=rows, legend=legend, height=height, value_x=round(bar_width + 6, 2))
