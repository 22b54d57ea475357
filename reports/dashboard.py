"""The programme dashboard's charts, by name: the page draws each with its table, and each is
downloadable as an SVG file for slides (the same drawing, with the filters in its title)."""

from __future__ import annotations

import datetime
import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.core.cache import cache
from django.utils.functional import Promise
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from reports import charts
from reports.figures import ProgrammeFigures, programme_figures
from reports.filters import ReportFilters
from roadmaps.summary import Chart

# The dashboard's figures are kept this long (seconds) for the same filters: reading them on
# EU-scale data takes longer than drawing a page, and a programme dashboard may be a few
# minutes behind. The page says when its figures were read.
FIGURES_MAX_AGE = 300


@dataclass(frozen=True)
class DashboardChart:
    key: str
    title: Promise
    description: Promise
    draw: Callable[[ProgrammeFigures], Chart]


DASHBOARD_CHARTS = {
    chart.key: chart
    for chart in [
        DashboardChart(
            "countries",
            _("Cities taking part, by country"),
            _("How many cities are enrolled in the cohorts reported on, by country."),
            charts.countries_chart,
        ),
        DashboardChart(
            "types",
            _("Cities taking part, by type"),
            _("How many of those cities are of each type; a city of several types counts in each."),
            charts.types_chart,
        ),
        DashboardChart(
            "sessions",
            _("Sessions held and participants, by month"),
            _(
                "For each month, the participants of the sessions held, how many sessions and "
                "the participants per session."
            ),
            charts.sessions_chart,
        ),
        DashboardChart(
            "roadmaps",
            _("Reflection Roadmaps: where each stands"),
            _(
                "The roadmap of each enrolled city: not started, draft, returned, submitted or "
                "completed."
            ),
            charts.funnel_chart,
        ),
        DashboardChart(
            "satisfaction",
            _("Feedback: satisfaction"),
            _(
                "Of those who answered each satisfaction question of the surveys reported on, "
                "how many said they were satisfied; for 1 to 5 ratings, the answers of 4 or 5."
            ),
            charts.satisfaction_chart,
        ),
        DashboardChart(
            "visits",
            _("Group Study Visits: applications and selections"),
            _(
                "For each call, the applications submitted and, once decisions are published, "
                "how many were selected, waitlisted or not selected."
            ),
            charts.visits_chart,
        ),
    ]
}


def kept_figures(filters: ReportFilters, *, now: datetime.datetime) -> ProgrammeFigures:
    """The figures under `filters`, read at most once per FIGURES_MAX_AGE period and language
    (a chart's download reads the page's figures, not its own)."""
    key = (
        "reports:figures:"
        + hashlib.sha256(
            repr(
                (
                    filters.cohort_ids,
                    filters.programme,
                    filters.thematic_group_id,
                    filters.country_id,
                    filters.city_type,
                    filters.date_from,
                    filters.date_to,
                    get_language(),
                    figures_period(),
                )
            ).encode()
        ).hexdigest()
    )
    figures = cache.get(key)
    if figures is None:
        figures = programme_figures(filters, now=now)
        cache.set(key, figures, FIGURES_MAX_AGE)
    return figures


def figures_period(now: float | None = None) -> int:
    """The number of the FIGURES_MAX_AGE period we are in: part of the cached page's key, so
    the figures are read again at most every FIGURES_MAX_AGE seconds."""
    return int((time.time() if now is None else now) // FIGURES_MAX_AGE)
