"""Writing many rows of one model in ONE statement, whatever their number: an insert
(`rows_insert`) and an update by primary key (`rows_update`).

Why: Django's `bulk_create(update_conflicts=True)` and `bulk_update` build a model per row and
send one statement per batch; `bulk_update` writes `CASE WHEN id = 1 THEN ... WHEN id = 2 ...`
for each field, which PostgreSQL evaluates row by row against every WHEN of the batch. On the
scale call of issue 12 (PostgreSQL, a loaded machine), a first scoring that way took 20 s, most
of it writing 140,000 score lines and 20,000 totals, and a first allocation another 20 s,
writing 20,000 placements; with this module, the same scoring took about 8 s and the
allocation 1 s (the same hour).

On PostgreSQL each column's values travel as ONE array parameter in PostgreSQL's text form
(`'{1,2,NULL}'::integer[]`, read by the server's array parser, not as 140,000 SQL literals)
and `unnest(...)` turns the arrays back into rows:

    INSERT INTO t (a, b, c) SELECT * FROM unnest(%s::bigint[], %s::bigint[], %s::numeric[])
    UPDATE t SET c = v.c FROM unnest(%s::bigint[], %s::numeric[]) AS v (id, c) WHERE t.id = v.id

Elsewhere (SQLite) the same rows go through Django's bulk methods (`portable=True` forces that
path on PostgreSQL too, so tests can show both give the same rows). Either way no model's
`save()` runs and no signal is sent: the callers write derived columns only.

Values are Python values the columns' fields hold (None, bool, int, Decimal, str, dates and
aware datetimes; not JSON); each row is a tuple in the order of the `fields` given.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from django.db import connection

# Batches of Django's portable path: under SQLite's and PostgreSQL's parameter limits for a
# few columns per row.
PORTABLE_BATCH = 2_000


def sql_path(portable: bool = False) -> bool:
    """Whether the one-statement path is used: PostgreSQL, unless the caller asks otherwise."""
    return not portable and connection.vendor == "postgresql"


def rows_insert(
    model, fields: Sequence[str], rows: Sequence[tuple], *, portable: bool = False
) -> None:
    """Insert `rows` (values of `fields`)."""
    if not rows:
        return
    if not sql_path(portable):
        model.objects.bulk_create(
            [model(**dict(zip(fields, row, strict=True))) for row in rows],
            batch_size=PORTABLE_BATCH,
        )
        return
    quote = connection.ops.quote_name
    columns = [model._meta.get_field(name) for name in fields]
    names = ", ".join(quote(field.column) for field in columns)
    arrays, params = _arrays(columns, rows)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(model._meta.db_table)} ({names}) SELECT * FROM unnest({arrays})",
            params,
        )


def rows_update(
    model, fields: Sequence[str], rows: Sequence[tuple], *, portable: bool = False
) -> None:
    """Set `fields` of the rows whose primary key is each row's first value: each row is
    (pk, *values of `fields`)."""
    if not rows:
        return
    if not sql_path(portable):
        model.objects.bulk_update(
            [model(pk=row[0], **dict(zip(fields, row[1:], strict=True))) for row in rows],
            list(fields),
            batch_size=PORTABLE_BATCH,
        )
        return
    quote = connection.ops.quote_name
    key = model._meta.pk
    columns = [key] + [model._meta.get_field(name) for name in fields]
    aliases = ", ".join(quote(field.column) for field in columns)
    assignments = ", ".join(
        f"{quote(field.column)} = v.{quote(field.column)}" for field in columns[1:]
    )
    table = quote(model._meta.db_table)
    arrays, params = _arrays(columns, rows)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET {assignments} FROM unnest({arrays}) AS v ({aliases}) "
            f"WHERE {table}.{quote(key.column)} = v.{quote(key.column)}",
            params,
        )


def _arrays(columns: list, rows: Sequence[tuple]) -> tuple[str, list[str]]:
    """The `unnest` arguments (`%s::type[]` per column) and their parameters: each column's
    values as one array literal."""
    placeholders = []
    params = []
    for field, values in zip(columns, zip(*rows, strict=True), strict=True):
        # A foreign key's column has the type of the key it points to.
        placeholders.append(f"%s::{field.cast_db_type(connection)}[]")
        params.append(array_literal(values, _element_of(field, values)))
    return ", ".join(placeholders), params


def array_literal(values, element=None) -> str:
    """PostgreSQL's text form of a one-dimensional array of `values`, each written by
    `element` (by default: as `_element` says)."""
    return "{" + ",".join(map(element or _element, values)) + "}"


NUMBER_TYPES = {
    "AutoField",
    "BigAutoField",
    "SmallAutoField",
    "IntegerField",
    "BigIntegerField",
    "SmallIntegerField",
    "PositiveIntegerField",
    "PositiveBigIntegerField",
    "PositiveSmallIntegerField",
    "DecimalField",
}
_BOOLEANS = {True: "t", False: "f", None: "NULL"}


def _element_of(field, values: tuple):
    """The element writer of a column of `values`: the fast ones for numbers and booleans (a
    call's write has a million values), the general one otherwise."""
    kind = (field.target_field if field.is_relation else field).get_internal_type()
    if kind in NUMBER_TYPES:
        # `is None`, not `None in values`: the latter compares each Decimal with None through
        # Decimal's slow path (about a third of the time to write the arrays of 140,000 lines).
        return _number if any(value is None for value in values) else str
    if kind == "BooleanField":
        return _BOOLEANS.__getitem__
    return _element


def _number(value) -> str:
    return "NULL" if value is None else str(value)


def _element(value) -> str:
    """Numbers as they are, booleans as t/f, None as NULL, anything else (text, dates)
    double-quoted with its quotes and backslashes escaped."""
    if value is None:
        return "NULL"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, int | Decimal):
        return str(value)
    text = str(value).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{text}"'
