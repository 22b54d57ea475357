"""The exports of a call's ranking, with every score line, and of its allocation (issue 12,
"Outputs and API"): CSV and XLSX files for programme admins (visits.views_exports).

The ranking: a row per application of the call. The submitted ones first, in the ranking
page's order (visits.scoring.ranked_applications: by rank, unscored ones last, then by id,
so the tie-break is scoring's, RANKING_ORDER); then the withdrawn ones and the drafts, by id,
without rank, total or lines (scoring keeps none for them), so that the file accounts for
every application of the call and its "Status" column says why a city is not ranked. Columns:
rank, city, country, status, the day and the time of day it was submitted, total, then for
each criterion of the call (in the call's order) its points, weight and weighted points and,
for a manual criterion, the reviewers counted, their standard deviation and whether they
disagree. An independent
criterion's columns say so in their header (its weighted points are 0: shown, not counted).

The allocation: a row per submitted application (those the allocation places, as the
allocation page lists them), in rank order: rank, city, country, the decision (selected,
waitlisted, not selected, or none yet), the visit a selected city goes to (its host city,
title, first and second day), the waitlist position, whether an admin placed it by hand, and
the city's preferences in order, a column per place (as many as the call has visits).

Decisions (README):
- Read in a fixed number of queries whatever the number of applications: the criteria (or the
  visits), then ONE query of the applications LEFT JOINed to their lines (or preferences), in
  the file's order, read in chunks through a server-side cursor (portal.spreadsheets.rows_read)
  and turned into rows one application at a time: memory holds a chunk, never the call. The
  CSV is streamed as it is written; the XLSX goes to a temporary file a row at a time.
- The lines are read from ScoreLine as scoring stored them (the pages show the same rows); the
  export computes nothing. visits/scoring.py and allocation.py are not called for the rows:
  their page reads load what one page shows, the file needs every row streamed.
- Numbers are numbers: points, weights and totals as the database holds them (to the
  thousandth; a Decimal cell in the XLSX, its digits with a point in the CSV), so a spreadsheet
  computes with them. Dates are written as the pages write them (portal.dates), in the
  reader's language, never a format spelt out: a submission as its day and its time of day in
  two columns ("1 March 2025", "10:00", in the portal's time zone; written once per distinct
  day and minute, where DATETIME_FORMAT for each row took half the file's time), a visit's
  days as "12 May 2025". Yes/No and the statuses and decisions are the
  pages' words, in the reader's language.
- Texts someone typed (city, country and visit names, a criterion's name in the header) go
  through the spreadsheets' formula guard (portal.spreadsheets); the other columns hold
  numbers and the portal's own words, and are not checked (800,000 cells of the ranking).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass

from django.db.models import Case, F, IntegerField, Value, When
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from portal import spreadsheets
from portal.dates import clock_time, long_date
from visits.enums import ApplicationStatus, CriterionKind, Decision
from visits.models import Application, Call, Criterion, Visit

# Rows fetched from the database at a time: a few round trips for a call of 20,000
# applications, and memory that does not follow the call's size.
CHUNK_SIZE = 5_000


@dataclass(frozen=True)
class ExportTable:
    """The header and an iterator of the rows (lists of str, int, Decimal or None)."""

    header: list[str]
    rows: Iterator[list]
    # The sheet's name in the XLSX.
    title: str
    # The columns that may hold a text someone typed (the CSV's formula guard checks those).
    text_columns: tuple[int, ...] = ()


def export_filename(call: Call, part: str, extension: str) -> str:
    """call-<id>-<part>.<extension> ("ranking", "allocation"): ASCII, so every browser keeps
    it."""
    return f"call-{call.pk}-{part}.{extension}"


def csv_lines(table: ExportTable) -> Iterator[str]:
    # The formula guard checks the columns of texts someone typed (names of cities, countries,
    # visits); the others hold numbers and the portal's own words.
    return spreadsheets.csv_lines(table.header, table.rows, text_columns=table.text_columns)


def xlsx_write(table: ExportTable, file) -> None:
    spreadsheets.xlsx_write(table.header, table.rows, file, title=table.title)


def _in_language(rows: Iterator[list], language: str | None) -> Iterator[list]:
    """`rows`, made in `language` (the reader's): a streamed file's rows are made after the
    view has returned, when the request's language may no longer be the active one."""
    with translation.override(language):
        yield from rows


def _yes_no() -> dict[bool, str]:
    return {True: _("Yes"), False: _("No")}


def _moment_writer():
    """A function giving a submission's day and time of day as the pages write them
    (portal.dates: long_date, clock_time), in the portal's time zone. Each is kept as written
    (a call has few days of submissions and a day 1,440 minutes): formatting every row's
    moment with DATETIME_FORMAT took half of a 20,000-row file's time."""
    days: dict = {}
    times: dict = {}
    zone = timezone.get_current_timezone()

    def write(moment) -> tuple[str | None, str | None]:
        if moment is None:
            return None, None
        local = moment.astimezone(zone)
        day = local.date()
        minute = (local.hour, local.minute)
        written_day = days.get(day)
        if written_day is None:
            written_day = days[day] = long_date(day)
        written_time = times.get(minute)
        if written_time is None:
            written_time = times[minute] = clock_time(datetime.time(*minute))
        return written_day, written_time

    return write


# --- The ranking -------------------------------------------------------------------------------


# The rows' order: submitted first (the ranking page's order within them), then withdrawn, then
# drafts.
_STATUS_ORDER = Case(
    When(status=ApplicationStatus.SUBMITTED, then=Value(0)),
    When(status=ApplicationStatus.WITHDRAWN, then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)
# Columns of a criterion: points, weight, weighted points; a manual one adds the reviewers
# counted, their deviation and the disagreement flag.
AUTOMATIC_COLUMNS = 3
MANUAL_COLUMNS = 6
FIXED_COLUMNS = 7  # rank, city, country, status, submitted on, at, total


def _criterion_header(criterion: Criterion) -> list[str]:
    name = criterion.name
    if criterion.independent:
        name = _("%(criterion)s (independent: not counted)") % {"criterion": name}
    header = [
        _("%(criterion)s: points") % {"criterion": name},
        _("%(criterion)s: weight") % {"criterion": name},
        _("%(criterion)s: weighted points") % {"criterion": name},
    ]
    if criterion.kind == CriterionKind.MANUAL:
        header += [
            _("%(criterion)s: reviewers") % {"criterion": name},
            _("%(criterion)s: deviation") % {"criterion": name},
            _("%(criterion)s: reviewers disagree") % {"criterion": name},
        ]
    return header


def ranking_rows_queryset(call: Call):
    """The one query of the ranking's rows: a row per score line of each application of the
    call (an application without lines: one row of NULLs), in the file's order."""
    return (
        Application.objects.filter(call=call)
        .annotate(status_order=_STATUS_ORDER)
        .order_by("status_order", F("rank").asc(nulls_last=True), "pk")
        .values_list(
            "pk",
            "status",
            "rank",
            "total",
            "submitted_at",
            "city__name",
            "city__country__name",
            "score_lines__criterion_id",
            "score_lines__points",
            "score_lines__weighted",
            "score_lines__reviewers",
            "score_lines__deviation",
            "score_lines__disagreement",
        )
    )


def ranking_table(*, call: Call) -> ExportTable:
    """The ranking's header and rows (module docstring). Reads the criteria, then the rows (one
    query, iterated as the file is written)."""
    criteria = list(Criterion.objects.filter(call=call).order_by("position", "pk"))
    header = [
        _("Rank"),
        _("City"),
        _("Country"),
        _("Status"),
        _("Submitted on"),
        _("Submitted at"),
        _("Total"),
    ]
    # Each criterion's first column, and whether it is manual.
    places: dict[int, tuple[int, bool]] = {}
    weights: list[tuple[int, object]] = []
    for criterion in criteria:
        manual = criterion.kind == CriterionKind.MANUAL
        places[criterion.pk] = (len(header), manual)
        weights.append((len(header) + 1, criterion.weight))
        header += _criterion_header(criterion)
    rows = _ranking_rows(
        spreadsheets.rows_read(ranking_rows_queryset(call), CHUNK_SIZE),
        width=len(header),
        places=places,
        weights=weights,
        statuses={value: str(label) for value, label in ApplicationStatus.choices},
        yes_no=_yes_no(),
    )
    return ExportTable(
        header=header,
        rows=_in_language(rows, translation.get_language()),
        title=_("Ranking"),
        text_columns=(1, 2),
    )


def _ranking_rows(
    records, *, width: int, places: dict, weights: list, statuses: dict, yes_no: dict
) -> Iterator[list]:
    """Turn the line rows, grouped by application, into one list per application."""
    moment = _moment_writer()
    template = [None] * width
    for column, weight in weights:
        template[column] = weight
    current = None
    cells: list = []
    submitted = False
    for record in records:
        pk, status, rank, total, submitted_at, city, country, criterion_id = record[:8]
        if pk != current:
            if current is not None:
                yield cells
            current = pk
            submitted = status == ApplicationStatus.SUBMITTED
            cells = template.copy()
            cells[0] = rank if submitted else None
            cells[1], cells[2] = city, country
            cells[3] = statuses.get(status, status)
            cells[4], cells[5] = moment(submitted_at)
            cells[6] = total if submitted else None
        place = places.get(criterion_id)
        # No line (not scored, or a criterion added since), or lines left from before a
        # withdrawal (scoring removes them on its next run): the cells stay empty.
        if place is None or not submitted:
            continue
        column, manual = place
        points, weighted, reviewers, deviation, disagreement = record[8:]
        cells[column] = points
        cells[column + 2] = weighted
        if manual:
            cells[column + 3] = reviewers
            cells[column + 4] = deviation
            cells[column + 5] = yes_no[bool(disagreement)]
    if current is not None:
        yield cells


# --- The allocation ----------------------------------------------------------------------------


def _visit_label(visit: Visit) -> str:
    """A visit as a preference cell names it: its host city, its title, its first day."""
    name = visit.host_city.name
    if visit.title:
        name = f"{name}: {visit.title}"
    return f"{name} ({long_date(visit.starts_on)})"


def allocation_rows_queryset(call: Call):
    """The one query of the allocation's rows: a row per preference of each submitted
    application of the call (none: one row of NULLs), by rank, then preference."""
    return (
        Application.objects.filter(call=call, status=ApplicationStatus.SUBMITTED)
        .order_by(F("rank").asc(nulls_last=True), "pk", "preferences__rank")
        .values_list(
            "pk",
            "rank",
            "city__name",
            "city__country__name",
            "decision",
            "allocated_visit_id",
            "waitlist_position",
            "allocated_by_hand",
            "preferences__visit_id",
        )
    )


def allocation_table(*, call: Call) -> ExportTable:
    """The allocation's header and rows (module docstring). Reads the visits with their hosts,
    then the rows (one query, iterated as the file is written)."""
    visits = list(
        Visit.objects.filter(call=call).select_related("host_city").order_by("starts_on", "pk")
    )
    header = [
        _("Rank"),
        _("City"),
        _("Country"),
        _("Decision"),
        _("Visit: host city"),
        _("Visit: title"),
        _("Visit: first day"),
        _("Visit: second day"),
        _("Waitlist position"),
        _("Placed by hand"),
    ]
    header += [_("Preference %(n)s") % {"n": n} for n in range(1, len(visits) + 1)]
    decisions = {value: str(label) for value, label in Decision.choices}
    decisions[""] = _("No decision yet")
    rows = _allocation_rows(
        spreadsheets.rows_read(allocation_rows_queryset(call), CHUNK_SIZE),
        width=len(header),
        visits={
            visit.pk: (
                visit.host_city.name,
                visit.title,
                long_date(visit.starts_on),
                long_date(visit.ends_on),
                _visit_label(visit),
            )
            for visit in visits
        },
        decisions=decisions,
        yes_no=_yes_no(),
    )
    return ExportTable(
        header=header,
        rows=_in_language(rows, translation.get_language()),
        title=_("Allocation"),
        # City, country, the visit's host and title, the preferences.
        text_columns=(1, 2, 4, 5, *range(PREFERENCES_FROM, len(header))),
    )


PREFERENCES_FROM = 10  # the first preference's column


def _allocation_rows(
    records, *, width: int, visits: dict, decisions: dict, yes_no: dict
) -> Iterator[list]:
    """Turn the preference rows, grouped by application, into one list per application."""
    current = None
    cells: list = []
    preference_column = PREFERENCES_FROM
    for record in records:
        pk, rank, city, country, decision, visit_id, position, by_hand, wanted = record
        if pk != current:
            if current is not None:
                yield cells
            current = pk
            cells = [None] * width
            cells[0], cells[1], cells[2] = rank, city, country
            cells[3] = decisions.get(decision, decision)
            visit = visits.get(visit_id) if decision == Decision.SELECTED else None
            if visit is not None:
                cells[4], cells[5], cells[6], cells[7] = visit[:4]
                # An untitled visit's title cell is empty, not "".
                cells[5] = cells[5] or None
            if decision == Decision.WAITLISTED:
                cells[8] = position
            cells[9] = yes_no[bool(by_hand)]
            preference_column = PREFERENCES_FROM
        if wanted in visits and preference_column < width:
            cells[preference_column] = visits[wanted][4]
            preference_column += 1
    if current is not None:
        yield cells
