"""Data sets: the programme's data as tables of rows, one definition each, shared by the list
exports (CSV and XLSX with the page's filters, built in the background) and the analysts'
read-only export (the CSV files and their data dictionary, issue 14).

A data set names its columns once (a stable snake_case name, the header of the analysts' CSV,
and a description for the data dictionary) and yields its rows as lists in that order, read
in chunks from the database so that memory stays flat however many rows there are. Its rows
are only those of the cohorts the person may report on (`ReportFilters.cohort_ids` is built
from `reports.selectors.reportable_cohorts`), and a column marked `personal` (an email
address) is left out for anyone without `reports.view_personal_data`.

A data set may also hand its CSV lines already written by the database (`csv_body`, on
PostgreSQL): the analysts' export of a million survey answers then costs little more than
PostgreSQL's COPY of those rows (reports/database_csv.py). The lines are the same bytes as the
rows' path writes (held so by tests/reports/test_datasets_postgres.py); XLSX and SQLite always
take the rows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.utils.functional import Promise

from portal.spreadsheets import csv_lines
from reports.filters import ReportFilters


@dataclass(frozen=True)
class Column:
    name: str  # snake_case, stable: scripts read it
    description: Promise | str  # the data dictionary's sentence
    personal: bool = False  # personal data: only for those allowed to see it
    kind: str = "text"  # text, integer, decimal, date, datetime, boolean (the dictionary says)


@dataclass(frozen=True)
class Dataset:
    key: str  # the file's name without ".csv": "cities", "survey-answers"
    title: Promise | str
    description: Promise | str  # what one row is
    columns: tuple[Column, ...]
    # rows(filters) -> each row as a list in the order of `columns`, read in chunks.
    rows: Callable[[ReportFilters], Iterator[list]]
    # count(filters) -> how many rows `rows` will give, for an export's progress bar; None:
    # the progress shows the rows written so far without a total.
    count: Callable[[ReportFilters], int] | None = None
    # csv_body(filters, positions) -> the CSV's lines after the header, written by the
    # database, of the columns at `positions` (visible_columns), in chunks of whole lines;
    # None when this database cannot (then the rows are written). Optional.
    csv_body: Callable[[ReportFilters, list[int]], Iterator[str] | None] | None = None

    def visible_columns(self, *, user) -> list[int]:
        """The positions of the columns this person may see."""
        personal_allowed = user.has_perm("reports.view_personal_data")
        return [
            index
            for index, column in enumerate(self.columns)
            if personal_allowed or not column.personal
        ]

    def header(self, *, user) -> list[str]:
        return [self.columns[index].name for index in self.visible_columns(user=user)]

    def rows_for(self, *, user, filters: ReportFilters) -> Iterator[list]:
        """The rows this person may see, with only the columns they may see."""
        positions = self.visible_columns(user=user)
        if len(positions) == len(self.columns):
            yield from self.rows(filters)
            return
        for row in self.rows(filters):
            yield [row[index] for index in positions]

    def csv_lines(self, *, user, filters: ReportFilters) -> Iterator[str]:
        """The CSV file this person gets, in chunks (portal.spreadsheets.csv_lines): a byte
        order mark and the header, then the lines the database wrote when it can, or a line
        per row."""
        positions = self.visible_columns(user=user)
        header = [self.columns[index].name for index in positions]
        body = self.csv_body(filters, positions) if self.csv_body is not None else None
        if body is not None:
            return csv_lines(header, (), body=lambda: body)
        return csv_lines(header, self.rows_for(user=user, filters=filters))


DATASETS: dict[str, Dataset] = {}


def dataset_register(dataset: Dataset) -> Dataset:
    DATASETS[dataset.key] = dataset
    return dataset
