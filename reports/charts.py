"""The dashboard's and the cohort report's charts: horizontal bars drawn as every chart of the
portal is (roadmaps.summary's Chart and its SVG templates, wide on a screen, narrow on a
phone), each with the table of the same numbers beside it and a download of the SVG."""

from __future__ import annotations

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from reports.figures import CallFigures, Month, ProgrammeFigures, Share
from roadmaps.summary import (
    CHART_BAR_WIDTH,
    CHART_ROW_HEIGHT,
    CHART_TOP,
    Chart,
    ChartRow,
    chart_legend,
    stacked_segments,
)

BAR_COLOUR = "#2166ac"  # dark: the counts written on it are white (roadmaps.summary.DARK_FILLS)
DECISION_COLOURS = {
    "selected": "#2166ac",
    "waitlisted": "#67a9cf",
    "not_selected": "#ef8a62",
    "undecided": "#d9d9d9",
}
FUNNEL_COLOURS = ["#d9d9d9", "#fddbc7", "#ef8a62", "#67a9cf", "#2166ac"]


def chart_rows(items: list[tuple[str, list[tuple[str, str, int, str]], str]]) -> list[ChartRow]:
    most = max((sum(part[2] for part in parts) for _label, parts, _value in items), default=0)
    scale = CHART_BAR_WIDTH / (most or 1)
    return [
        ChartRow(
            label=label,
            y=CHART_TOP + index * CHART_ROW_HEIGHT,
            segments=stacked_segments(parts, scale),
            value_text=value_text,
        )
        for index, (label, parts, value_text) in enumerate(items)
    ]


def _percent_of(count: int, total: int) -> str:
    if not total:
        return str(count)
    return _("%(count)s (%(percent)s%%)") % {
        "count": count,
        "percent": round(100 * count / total),
    }


def share_chart(shares: list[Share], *, colours: list[str] | None = None) -> Chart:
    """A bar per share, its count and its part of the total written after it."""
    total = sum(share.count for share in shares)
    items = []
    for index, share in enumerate(shares):
        colour = colours[index] if colours else BAR_COLOUR
        items.append(
            (
                share.label,
                [("count", share.label, share.count, colour)],
                _percent_of(share.count, total),
            )
        )
    return Chart(rows=chart_rows(items), legend=[])


def countries_chart(figures: ProgrammeFigures) -> Chart:
    return share_chart(figures.by_country)


def types_chart(figures: ProgrammeFigures) -> Chart:
    # A city of several types counts in each: each bar's share is of the cities, not the bars.
    items = [
        (
            share.label,
            [("count", share.label, share.count, BAR_COLOUR)],
            _percent_of(share.count, figures.cities),
        )
        for share in figures.by_type
    ]
    return Chart(rows=chart_rows(items), legend=[])


def month_label(month: Month) -> str:
    return date_format(month.month, "YEAR_MONTH_FORMAT")


def sessions_chart(figures: ProgrammeFigures) -> Chart:
    """A bar per month: its participants; how many sessions and participants per session."""
    items = [
        (
            month_label(month),
            [("participants", _("Participants"), month.participants, BAR_COLOUR)],
            ngettext("%(sessions)s session", "%(sessions)s sessions", month.sessions)
            % {"sessions": month.sessions},
        )
        for month in figures.months
    ]
    return Chart(rows=chart_rows(items), legend=[])


def funnel_chart(figures: ProgrammeFigures) -> Chart:
    return share_chart(figures.funnel, colours=FUNNEL_COLOURS)


def satisfaction_chart(figures: ProgrammeFigures) -> Chart:
    """A bar per measure of satisfaction: the satisfied answers, then the others."""
    items = [
        (
            row.label,
            [
                ("satisfied", _("Satisfied"), row.satisfied, DECISION_COLOURS["selected"]),
                (
                    "other",
                    _("Other answers"),
                    row.answered - row.satisfied,
                    DECISION_COLOURS["not_selected"],
                ),
            ],
            _percent_of(row.satisfied, row.answered),
        )
        for row in figures.satisfaction
    ]
    legend = chart_legend(
        [
            (_("Satisfied"), DECISION_COLOURS["selected"]),
            (_("Other answers"), DECISION_COLOURS["not_selected"]),
        ]
    )
    return Chart(rows=chart_rows(items), legend=legend)


def _decision_parts(call: CallFigures) -> list[tuple[str, str, int, str]]:
    undecided = call.submitted - call.selected - call.waitlisted - call.not_selected
    return [
        ("selected", _("Selected"), call.selected, DECISION_COLOURS["selected"]),
        ("waitlisted", _("Waitlisted"), call.waitlisted, DECISION_COLOURS["waitlisted"]),
        ("not_selected", _("Not selected"), call.not_selected, DECISION_COLOURS["not_selected"]),
        ("undecided", _("Not decided yet"), undecided, DECISION_COLOURS["undecided"]),
    ]


def visits_chart(figures: ProgrammeFigures) -> Chart:
    """A stacked bar per call: its applications by decision (undecided before publication)."""
    items = [
        (
            call.title,
            _decision_parts(call),
            ngettext("%(n)s application", "%(n)s applications", call.submitted)
            % {"n": call.submitted},
        )
        for call in figures.calls
    ]
    legend = chart_legend(
        [
            (_("Selected"), DECISION_COLOURS["selected"]),
            (_("Waitlisted"), DECISION_COLOURS["waitlisted"]),
            (_("Not selected"), DECISION_COLOURS["not_selected"]),
            (_("Not decided yet"), DECISION_COLOURS["undecided"]),
        ]
    )
    return Chart(rows=chart_rows(items), legend=legend)
