"""The charts of a survey's results: horizontal bars drawn as the roadmap summary's are
(roadmaps.summary's Chart, its SVG templates and its narrow drawing for phones), one chart per
question, with the table of the same numbers beside it on the page.

- Choice: a bar per option, the most chosen the longest; its count and share written after it.
- Rating, 0-10 and extent scales: a bar per point (and "Not applicable"), the same way.
- Ranking: a bar per option, how many put it first; the average rank written after it.
- Matrix: a bar per row, split by point in the roadmap summary's colours; the row's mean.
Free-text questions have no chart (the texts are listed).

The comparison page (feedback/comparison.py) draws a grouped bar chart per question: per
option, one bar per survey in its colour, each a share of that survey's own answers.
"""

from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from feedback.results import QuestionResult
from roadmaps.summary import (
    CHART_BAR_WIDTH,
    CHART_LABEL_WIDTH,
    CHART_ROW_HEIGHT,
    CHART_TOP,
    SCORE_COLOURS,
    Chart,
    ChartRow,
    Segment,
)

BAR_COLOUR = "#2166ac"  # dark: the counts written on it are white (roadmaps.summary.DARK_FILLS)


def _bar(label: str, count: int, scale: float, index: int, value_text: str) -> ChartRow:
    segments = []
    if count:
        segments = [
            Segment(
                "count", label, count, float(CHART_LABEL_WIDTH), round(count * scale, 2), BAR_COLOUR
            )
        ]
    return ChartRow(
        label=label,
        y=CHART_TOP + index * CHART_ROW_HEIGHT,
        segments=segments,
        value_text=value_text,
    )


def _share_text(count: int, percent) -> str:
    if percent is None:
        return str(count)
    return _("%(count)s (%(percent)s%%)") % {"count": count, "percent": percent}


def question_chart(result: QuestionResult) -> Chart | None:
    """The chart of one question's results, or None (free text, or nothing to show)."""
    if result.is_text or result.withheld:
        return None
    # The longest bar is the most chosen, as in the narrow drawing (roadmaps.summary
    # narrow_chart), so that both drawings look alike; the share is written after each bar.
    most = max(
        [o.count for o in result.options]
        + (
            [p.count for p in result.distribution.points] + [result.distribution.not_applicable]
            if result.distribution
            else []
        ),
        default=0,
    )
    scale = CHART_BAR_WIDTH / (most or 1)
    rows: list[ChartRow] = []
    legend: list[tuple[str, str, float, float]] = []
    if result.is_choice:
        for index, option in enumerate(result.ordered_options):
            rows.append(
                _bar(
                    option.label,
                    option.count,
                    scale,
                    index,
                    _share_text(option.count, option.percent),
                )
            )
    elif result.kind == "ranking":
        for index, option in enumerate(result.ordered_options):
            value = (
                _("average rank %(rank)s") % {"rank": option.mean_rank_display}
                if option.mean_rank is not None
                else _("not ranked")
            )
            rows.append(_bar(option.label, option.first, scale, index, value))
    elif result.is_scale:
        points = [(p.label, p.count) for p in result.distribution.points]
        if result.question.allows_not_applicable:
            points.append((str(_("Not applicable")), result.distribution.not_applicable))
        for index, (label, count) in enumerate(points):
            share = result.distribution.share_of(count)
            rows.append(_bar(label, count, scale, index, _share_text(count, share)))
    elif result.rows:
        most = max((row.distribution.answered for row in result.rows), default=0) or 1
        row_scale = CHART_BAR_WIDTH / most
        colours = list(SCORE_COLOURS.values())
        points = result.rows[0].distribution.points
        for index, row in enumerate(result.rows):
            segments, x = [], float(CHART_LABEL_WIDTH)
            for point, colour in zip(row.distribution.points, colours, strict=False):
                if point.count:
                    width = round(point.count * row_scale, 2)
                    segments.append(
                        Segment(
                            str(point.value), point.label, point.count, round(x, 2), width, colour
                        )
                    )
                    x += width
            mean = row.distribution.mean_display
            rows.append(
                ChartRow(
                    label=row.label,
                    y=CHART_TOP + index * CHART_ROW_HEIGHT,
                    segments=segments,
                    value_text=(
                        _("average %(average)s (%(n)s)")
                        % {"average": mean, "n": row.distribution.rated}
                        if mean is not None
                        else _("no answer yet")
                    ),
                )
            )
        step = (CHART_LABEL_WIDTH + CHART_BAR_WIDTH) / max(len(points), 1)
        legend = [
            (str(point.value), colour, round(i * step, 2), round(i * step + 16, 2))
            for i, (point, colour) in enumerate(zip(points, colours, strict=False))
        ]
    else:
        return None
    return Chart(rows=rows, legend=legend)


# --- Comparisons (feedback/comparison.py) --------------------------------------------------------

GROUP_BAR_HEIGHT = 14
GROUP_BAR_STEP = 18  # a bar and the gap under it
GROUP_GAP = 12  # between two options' groups
LEGEND_LINE = 18


@dataclass(frozen=True)
class GroupedBar:
    y: float
    width: float
    colour: str
    value_text: str
    survey: str

    @property
    def text_y(self) -> float:
        return round(self.y + GROUP_BAR_HEIGHT - 3, 2)

    @property
    def bottom(self) -> float:
        return round(self.y + GROUP_BAR_HEIGHT, 2)


@dataclass(frozen=True)
class BarGroup:
    label: str
    y: float
    bars: list[GroupedBar]

    @property
    def text_y(self) -> float:
        return round(self.y + GROUP_BAR_HEIGHT - 3, 2)

    @property
    def short_label(self) -> str:
        return ChartRow(self.label, 0, [], "").short_label


@dataclass(frozen=True)
class GroupedChart:
    """A grouped bar chart: per option (point, matrix row) one bar per survey, in the
    survey's colour (the legend), its figure written after it."""

    groups: list[BarGroup]
    # The survey's title, its colour, the y of its swatch and of its text.
    legend: list[tuple[str, str, float, float]]
    height: float
    width: int = CHART_LABEL_WIDTH + CHART_BAR_WIDTH + 240  # room for the longest figure
    bar_x: int = CHART_LABEL_WIDTH
    legend_text_x: int = CHART_LABEL_WIDTH + 18
    value_x: int = CHART_LABEL_WIDTH + CHART_BAR_WIDTH + 6
    bar_height: int = GROUP_BAR_HEIGHT


def grouped_chart(compared, columns) -> GroupedChart | None:
    """The chart of one compared question (feedback.comparison.ComparedQuestion), or None
    (free text: nothing to draw). Bars are shares (or, for a matrix, averages against the top
    of the scale), so surveys of different sizes are drawn alike."""
    if not compared.lines:
        return None
    legend = [
        (column.survey.title, column.colour, 6 + index * LEGEND_LINE, 16 + index * LEGEND_LINE)
        for index, column in enumerate(columns)
    ]
    y = 6 + len(columns) * LEGEND_LINE + 8
    groups = []
    for line in compared.lines:
        bars = []
        for index, (figure, column) in enumerate(zip(line.figures, columns, strict=True)):
            bars.append(
                GroupedBar(
                    y=round(y + index * GROUP_BAR_STEP, 2),
                    width=round((figure.bar or 0) * CHART_BAR_WIDTH, 2)
                    if figure.bar is not None
                    else 0,
                    colour=column.colour,
                    value_text=figure.text,
                    survey=column.survey.title,
                )
            )
        groups.append(BarGroup(line.label, y, bars))
        y += len(columns) * GROUP_BAR_STEP + GROUP_GAP
    return GroupedChart(groups=groups, legend=legend, height=round(y, 2))


def chart_context(result: QuestionResult, chart: Chart) -> dict:
    """What the chart templates (roadmaps/summary_chart.html) draw one question's chart with: on
    the results page, in its SVG and PNG files and in the PDF report alike."""
    question = result.question
    return {
        "chart": chart,
        "chart_id": f"chart-q{question.pk}",
        "title": question.text,
        "description": ngettext(
            "%(n)s person answered this question. Each bar is how many chose it; the table "
            "beside the chart has every number.",
            "%(n)s people answered this question. Each bar is how many chose it; the table "
            "beside the chart has every number.",
            result.answered,
        )
        % {"n": result.answered},
    }


def chart_png(svg: str) -> bytes:
    """The chart's SVG drawing as a PNG of the same size (CairoSVG, on the system's cairo)."""
    # Imported here: cairocffi loads libcairo, which no page needs.
    import cairosvg

    return cairosvg.svg2png(bytestring=svg.encode(), unsafe=False)
