"""How a data set reads its rows: one query, its columns as aliases (`c0`, `c1`, ...) in the
order of the data set's columns, read in chunks inside a transaction
(portal.spreadsheets.rows_read), never a query per row.

Decisions (README, "The analysts' data sets"):
- Values as the database holds them: ids and counts as integers, booleans as True/False,
  decimals with their digits, dates as YYYY-MM-DD, codes (statuses, kinds) as the portal
  stores them (the data dictionary says which), never a translated label, so that a script
  reads the same file whatever the language of the person who exported it.
- A moment (a datetime) as ISO 8601 in UTC to the second ("2025-03-01T10:00:00Z"): one zone
  for every row, whoever exports.
- Empty is empty: None and an empty text are both an empty cell.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator, Sequence

from django.db.models import Count, F, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.expressions import BaseExpression
from django.db.models.functions import Coalesce

from cohorts.enums import EnrolmentStatus
from cohorts.models import EnrolmentGroup
from portal.spreadsheets import rows_read
from reports.datasets import Column
from reports.filters import ReportFilters

# Rows fetched from the database at a time: few round trips, memory that does not follow
# the number of rows.
CHUNK_SIZE = 5_000


def moment(value: datetime.datetime | None) -> str | None:
    """A moment as ISO 8601 in UTC, to the second, with a Z."""
    if value is None:
        return None
    utc = value.astimezone(datetime.UTC).replace(microsecond=0, tzinfo=None)
    return utc.isoformat() + "Z"


def aliased(queryset: QuerySet, fields: Sequence[str | BaseExpression]) -> QuerySet:
    """`queryset` with each of `fields` (a path or an expression) as c0, c1, ... and only
    those selected, as a values_list in that order."""
    expressions = {
        f"c{index}": F(field) if isinstance(field, str) else field
        for index, field in enumerate(fields)
    }
    return queryset.annotate(**expressions).values_list(*expressions)


def read(queryset: QuerySet, columns: Sequence[Column]) -> Iterator[list]:
    """The rows of `queryset` (aliased, in the order of `columns`) as lists, read in chunks,
    each moment written as `moment` does."""
    moments = [index for index, column in enumerate(columns) if column.kind == "datetime"]
    for record in rows_read(queryset, CHUNK_SIZE):
        row = list(record)
        for index in moments:
            row[index] = moment(row[index])
        yield row


def queried(queryset_of: Callable[[ReportFilters], QuerySet], columns: Sequence[Column]) -> dict:
    """A data set's `rows` and `count` from the one query that lists its rows (aliased, as
    `read` takes it): the count is that query's, so an export's progress shows "N of M rows"
    (one COUNT before the build: about 0.1 s for a million survey answers on PostgreSQL)."""
    return {
        "rows": lambda filters: read(queryset_of(filters), columns),
        "count": lambda filters: queryset_of(filters).count(),
    }


# --- The filters every data set shares (reports/filters.py says what each one keeps) ----------


def group_city_ids(group_id: int) -> QuerySet:
    """The cities enrolled (accepted) in a thematic group, as a subquery of ids."""
    return EnrolmentGroup.objects.filter(
        thematic_group_id=group_id, enrolment__status=EnrolmentStatus.ACCEPTED
    ).values("enrolment__city_id")


def city_condition(filters: ReportFilters, prefix: str = "") -> Q:
    """The cities kept by the country, the city type and the thematic group chosen, as a
    condition on the model queried; `prefix` is the path to the city ("city__"), empty when
    the model is the city."""
    condition = Q(**filters.city_lookups(prefix))
    if filters.thematic_group_id:
        condition &= Q(
            **{f"{prefix}in" if prefix else "pk__in": group_city_ids(filters.thematic_group_id)}
        )
    return condition


def narrows_cities(filters: ReportFilters) -> bool:
    """Whether a filter chooses cities (country, city type, thematic group)."""
    return bool(filters.country_id or filters.city_type or filters.thematic_group_id)


def counted(queryset: QuerySet, by: str, outer: str = "pk"):
    """The number of rows of `queryset` whose `by` is the outer row's `outer`, as an
    expression (a correlated subquery: one query for every row), 0 when none."""
    rows = (
        queryset.filter(**{by: OuterRef(outer)})
        .order_by()
        .values(by)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows), 0, output_field=IntegerField())
