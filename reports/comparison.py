"""Cohorts side by side (issue 14, "a cohort comparison: the same figures for two or more
cohorts"; 001 §2 compares the cohorts' attendance): each cohort's dashboard figures
(reports.figures) in one table, a column per cohort, and its roadmaps in one chart.

Decisions (README): two to MAX_COMPARED cohorts at once, among those the person may report on
(a cohort outside them is refused by the form, as any bad value is, with a message). Each
cohort's figures are read apart (a fixed number of queries per cohort compared).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from cohorts.models import Cohort
from reports.charts import FUNNEL_COLOURS, chart_rows
from reports.figures import FUNNEL, ProgrammeFigures, programme_figures
from reports.filters import ReportFilters
from reports.selectors import reportable_cohorts
from roadmaps.summary import Chart, chart_legend

MAX_COMPARED = 6


class CompareForm(forms.Form):
    cohort = forms.TypedMultipleChoiceField(
        label=gettext_lazy("Cohorts to compare"),
        coerce=int,
        choices=[],
        help_text=gettext_lazy("Choose two to six cohorts."),
    )

    def __init__(self, data=None, *, user, **kwargs):
        super().__init__(data, **kwargs)
        self.cohorts = {
            cohort.pk: cohort
            for cohort in reportable_cohorts(user=user)
            .order_by("starts_on", "number")
            .only("pk", "programme", "number", "name", "starts_on")
        }
        self.fields["cohort"].choices = [(pk, str(c)) for pk, c in self.cohorts.items()]

    def clean_cohort(self):
        chosen = list(dict.fromkeys(self.cleaned_data["cohort"]))
        if not 2 <= len(chosen) <= MAX_COMPARED:
            raise forms.ValidationError(
                _("Choose between two and %(most)s cohorts to compare.") % {"most": MAX_COMPARED}
            )
        return [self.cohorts[pk] for pk in chosen]


@dataclass(frozen=True)
class Compared:
    cohort: Cohort
    figures: ProgrammeFigures


def cohorts_compared(cohorts: list[Cohort], *, now: datetime.datetime) -> list[Compared]:
    return [
        Compared(cohort, programme_figures(ReportFilters(cohort_ids=(cohort.pk,)), now=now))
        for cohort in cohorts
    ]


def _percent(value: int | None) -> str:
    return "—" if value is None else f"{value}%"


def _per_session(figures: ProgrammeFigures) -> str:
    if not figures.sessions_held:
        return "—"
    return str(round(figures.participants / figures.sessions_held, 1))


def _funnel_count(key: str) -> Callable[[ProgrammeFigures], int]:
    return lambda figures: next((s.count for s in figures.funnel if s.key == key), 0)


# The table's rows: a label and what each cohort's column shows.
MEASURES: list[tuple[str, object, Callable[[ProgrammeFigures], object]]] = [
    ("cities", gettext_lazy("Cities taking part"), lambda f: f.cities),
    ("sessions", gettext_lazy("Sessions held"), lambda f: f.sessions_held),
    ("participants", gettext_lazy("Participants"), lambda f: f.participants),
    ("per_session", gettext_lazy("Participants per session"), _per_session),
    ("attendance", gettext_lazy("Attendance rate"), lambda f: _percent(f.attendance_rate)),
    *[(f"roadmaps_{key}", label, _funnel_count(key)) for key, label in FUNNEL],
    ("satisfied", gettext_lazy("Satisfied"), lambda f: _percent(f.satisfied_share)),
    ("applications", gettext_lazy("Study visit applications"), lambda f: f.applications),
    ("selected", gettext_lazy("Cities selected for a visit"), lambda f: f.selected),
]


def comparison_table(compared: list[Compared]) -> list[tuple[str, str, list]]:
    return [
        (key, str(label), [value(item.figures) for item in compared])
        for key, label, value in MEASURES
    ]


def funnel_comparison_chart(compared: list[Compared]) -> Chart:
    """A stacked bar per cohort: its enrolled cities' roadmaps by status."""
    items = []
    for item in compared:
        parts = [
            (share.key, share.label, share.count, colour)
            for share, colour in zip(item.figures.funnel, FUNNEL_COLOURS, strict=True)
        ]
        total = sum(share.count for share in item.figures.funnel)
        items.append(
            (str(item.cohort), parts, ngettext("%(n)s city", "%(n)s cities", total) % {"n": total})
        )
    legend = chart_legend(
        [(str(label), colour) for (_key, label), colour in zip(FUNNEL, FUNNEL_COLOURS, strict=True)]
    )
    return Chart(rows=chart_rows(items), legend=legend)
