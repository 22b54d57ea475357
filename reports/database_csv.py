"""A data set's CSV lines written by PostgreSQL (Dataset.csv_body), the same bytes as the rows'
path (portal.spreadsheets.csv_lines over the rows).

How: the data set's query (aliased columns c0, c1, ..., reports/dataset_rows.py) becomes the
subquery of a statement that writes each row's CSV line in SQL, with csv.writer's rules: a
text someone typed gets the formula guard (a ' before =, +, -, @, a tab or a carriage return)
and is quoted when it holds a comma, a quote or a line break (its quotes doubled); a boolean
is True or False; a number its digits; NULL and an empty text an empty field. PostgreSQL's
COPY ... TO STDOUT sends those lines, in its text format, to a temporary file (memory stays
flat), which is then read back in blocks of whole lines: each record's end becomes the CSV's
\\r\\n, and the text format's escapes (\\n, \\r, \\t, \\\\, ...) are turned back into their
characters.

Decision: COPY rather than reading the lines through a cursor. Reading a row per answer made
the driver build a Python string and tuple per row; COPY hands the lines over in large blocks,
so a million survey answers cost about the COPY of those rows itself. The file is sent once
COPY has finished (the first byte waits for the last row): the price of the speed.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterator, Sequence

from django.core.exceptions import EmptyResultSet
from django.db import connection, transaction
from django.db.models import QuerySet

from portal.spreadsheets import FORMULA_STARTS
from reports.datasets import Column

BLOCK_SIZE = 1 << 20
# The kinds of column the database writes as the rows' path does.
WRITTEN_KINDS = frozenset({"text", "integer", "decimal", "boolean"})
# FORMULA_STARTS as character codes, compared with ascii() of the text (0 for an empty one).
_FORMULA_CODES = ", ".join(str(ord(start)) for start in FORMULA_STARTS)
# What makes csv.writer quote a field.
_QUOTED_BY = ("','", "'\"'", "chr(10)", "chr(13)")
# COPY's text format: a backslash and the character it stands for.
_ESCAPES = {
    b"\\": b"\\",
    b"n": b"\n",
    b"r": b"\r",
    b"t": b"\t",
    b"b": b"\b",
    b"f": b"\f",
    b"v": b"\v",
}
_ESCAPE = re.compile(rb"\\(.)", re.DOTALL)


def available() -> bool:
    return connection.vendor == "postgresql"


def _text_cell(expression: str) -> str:
    guarded = (
        f"CASE WHEN ascii({expression}) IN ({_FORMULA_CODES}) "
        f"THEN chr(39) || {expression} ELSE {expression} END"
    )
    quoted = " OR ".join(f"strpos({expression}, {each}) > 0" for each in _QUOTED_BY)
    return (
        f"COALESCE(CASE WHEN {quoted} "
        f"THEN '\"' || replace({guarded}, '\"', '\"\"') || '\"' ELSE {guarded} END, '')"
    )


def _cell(alias: str, kind: str) -> str:
    expression = f'q."{alias}"'
    if kind == "text":
        return _text_cell(expression)
    if kind == "boolean":
        return f"CASE WHEN {expression} THEN 'True' WHEN NOT {expression} THEN 'False' ELSE '' END"
    if kind in ("integer", "decimal"):
        return f"COALESCE({expression}::text, '')"
    raise ValueError(f"The database does not write {kind} columns as the rows' path does.")


def line_statement(
    queryset: QuerySet, columns: Sequence[Column], positions: Sequence[int]
) -> tuple[str, tuple]:
    """The statement of one CSV line per row of `queryset` (aliased as `columns`), of the
    columns at `positions`, in the queryset's order."""
    inner, params = queryset.query.sql_with_params()
    cells = " || ',' || ".join(_cell(f"c{index}", columns[index].kind) for index in positions)
    return f"SELECT {cells} FROM ({inner}) q", tuple(params)


def _unescaped(block: bytes) -> str:
    """A block of whole records of COPY's text format as CSV lines."""
    block = block.replace(b"\n", b"\r\n")  # a raw \n is only ever a record's end
    if b"\\" in block:
        block = _ESCAPE.sub(lambda match: _ESCAPES.get(match.group(1), match.group(1)), block)
    return block.decode()


def copied_lines(sql: str, params: tuple) -> Iterator[str]:
    """The lines `sql` (one text column per row) gives, through COPY into a temporary file,
    then read back in blocks of whole lines."""
    with tempfile.TemporaryFile() as file:
        with transaction.atomic(), connection.cursor() as cursor:
            # The planner's cost of a large statement passes jit_above_cost, and compiling
            # takes longer than running it (feedback/exports.py measured it).
            cursor.execute("SET LOCAL jit = off")
            statement = cursor.cursor.mogrify(f"COPY ({sql}) TO STDOUT", params).decode()
            cursor.cursor.copy_expert(statement, file, size=BLOCK_SIZE)
        file.seek(0)
        rest = b""
        while block := file.read(BLOCK_SIZE):
            block = rest + block
            end = block.rfind(b"\n") + 1
            rest = block[end:]
            if end:
                yield _unescaped(block[:end])
        if rest:
            yield _unescaped(rest)


def body(queryset: QuerySet, columns: Sequence[Column], positions: Sequence[int]):
    """The CSV body of `queryset` on PostgreSQL (Dataset.csv_body), None elsewhere or when a
    column's kind is one the database does not write."""
    if not available() or any(columns[index].kind not in WRITTEN_KINDS for index in positions):
        return None
    try:
        sql, params = line_statement(queryset, columns, positions)
    except EmptyResultSet:  # a condition that keeps nothing (no cohort reported on)
        return iter(())
    return copied_lines(sql, params)
