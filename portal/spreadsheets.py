"""Files of rows for spreadsheets, CSV and XLSX, written as the rows come (the exports of
feedback's responses, issue 11, and of a Group Study Visits call's ranking and allocation,
issue 12): the formula guard, the CSV's lines, openpyxl's write-only workbook with fixed dates,
and the download responses.

Decisions (README):
- A text that begins with =, +, -, @, a tab or a carriage return would be run as a formula by a
  spreadsheet (CSV injection): the CSV writes a ' before it; the XLSX stores every text as text.
- The CSV begins with a byte order mark (spreadsheets then read it as UTF-8) and is sent in
  chunks of LINES_PER_CHUNK lines, streamed as they are written.
- The XLSX is written with openpyxl's write-only workbook (rows go to a temporary file as they
  come, not to memory), its parts and properties dated FILE_DATE rather than the clock, so the
  same rows give the same bytes; it is sent from that temporary file.
- Numbers stay numbers (Decimal and int cells in the XLSX, their digits in the CSV) so that a
  spreadsheet computes with them; None is an empty cell.
"""

from __future__ import annotations

import csv
import datetime
import os
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Iterator

from django.db import transaction
from django.http import FileResponse, StreamingHttpResponse

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Lines sent together: a chunk of the streamed response, not one per row.
LINES_PER_CHUNK = 200
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"


def guarded(value: str) -> str:
    """`value` with a ' before it when a spreadsheet would read it as a formula."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def rows_read(queryset, chunk_size: int) -> Iterator:
    """The query's rows, `chunk_size` at a time, read inside a transaction: outside one, Django
    declares PostgreSQL's server-side cursor WITH HOLD, which makes the database compute and
    store the whole result before the first row comes; inside, rows stream as they are found
    (measured on feedback's export: a quarter less time on a million answers). Closing the
    response early (a download cancelled) ends the transaction: it only read."""
    with transaction.atomic():
        yield from queryset.iterator(chunk_size=chunk_size)


# --- CSV -----------------------------------------------------------------------------------------


class _Line:
    """What csv.writer writes to: it hands back the line instead of keeping it."""

    def write(self, line: str) -> str:
        return line


def csv_field(value) -> str:
    """`value` as csv.writer writes it in a line of several fields (quoted if it must be)."""
    line = csv.writer(_Line()).writerow([value, ""])
    return line[: -len(",\r\n")]


def csv_lines(
    header: list[str],
    rows: Iterable[list],
    *,
    text_columns: Iterable[int] | None = None,
    body: Callable[[], Iterator[str]] | None = None,
) -> Iterator[str]:
    """The CSV file in chunks of LINES_PER_CHUNK lines: a byte order mark and the header, then a
    line per row (lists of cells; None is written empty).

    `text_columns`: the columns that may hold a text someone typed, the only ones the formula
    guard then checks (a large export's other columns are numbers); None: every text cell.
    `body`: the lines after the header already written as CSV (by the database), used instead
    of `rows`."""
    writer = csv.writer(_Line())
    yield "\ufeff" + writer.writerow([guarded(text) for text in header])
    if body is not None:
        yield from body()
        return
    columns = None if text_columns is None else tuple(text_columns)
    chunk = []
    for row in rows:
        if columns is None:
            row = [guarded(value) if isinstance(value, str) else value for value in row]
        else:
            for column in columns:
                value = row[column]
                if value and value.startswith(FORMULA_STARTS):
                    row[column] = "'" + value
        chunk.append(writer.writerow(row))
        if len(chunk) == LINES_PER_CHUNK:
            yield "".join(chunk)
            chunk = []
    if chunk:
        yield "".join(chunk)


def csv_response(lines: Iterator[str], filename: str) -> StreamingHttpResponse:
    """A download of the CSV `lines`, streamed as they are written. `filename`: ASCII."""
    response = StreamingHttpResponse((line.encode() for line in lines), content_type=CSV_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- XLSX ----------------------------------------------------------------------------------------


def xlsx_write(
    header: list[str], rows: Iterable[list], file, *, title: str, default_title: str = "Sheet"
) -> None:
    """Write the XLSX file to `file` (a path or a binary file): one sheet named after `title`,
    its header in bold and frozen, then a row at a time (openpyxl's write-only workbook keeps
    the rows in a temporary file, not in memory)."""
    xlsx_write_sheets([(title, header, rows)], file, default_title=default_title)


def xlsx_write_sheets(
    sheets: Iterable[tuple[str, list[str], Iterable[list]]], file, *, default_title: str = "Sheet"
) -> None:
    """Write an XLSX workbook of several sheets to `file`, each (title, header, rows) as
    `xlsx_write` writes its one sheet (a report's tables, one sheet each). Titles are made
    unique, as a workbook requires."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    used: set[str] = set()
    for title, header, rows in sheets:
        name = sheet_title(title, default_title)
        number = 2
        while name.lower() in used:
            suffix = f" {number}"
            name = sheet_title(title, default_title)[: 31 - len(suffix)] + suffix
            number += 1
        used.add(name.lower())
        _sheet_write(workbook.create_sheet(title=name), header, rows)
    _workbook_save(workbook, file)


def _sheet_write(sheet, header: list[str], rows: Iterable[list]) -> None:
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font

    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    cells = []
    for text in header:
        cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", text))
        cell.data_type = "s"
        cell.font = bold
        cells.append(cell)
    sheet.append(cells)
    clean = ILLEGAL_CHARACTERS_RE.sub
    for row in rows:
        cells = []
        for value in row:
            if isinstance(value, str):
                value = clean("", value)
                # openpyxl would read "=..." as a formula and "#N/A" as an error: such a text
                # is set as text. Any other text is stored as text as it is (and faster).
                if value.startswith("=") or value in ERROR_CODES:
                    cell = WriteOnlyCell(sheet, value=value)
                    cell.data_type = "s"
                    value = cell
            cells.append(value)
        sheet.append(cells)


def xlsx_response(write: Callable[[object], None], filename: str) -> FileResponse:
    """A download of the XLSX file `write(file)` writes, sent from a temporary file (removed
    once it is sent). `filename`: ASCII."""
    # Closed (and so removed) by FileResponse once it is sent.
    file = tempfile.TemporaryFile()  # noqa: SIM115
    try:
        write(file)
    except BaseException:
        file.close()
        raise
    file.seek(0)
    return FileResponse(file, as_attachment=True, filename=filename, content_type=XLSX_TYPE)


# The date of every part of the XLSX file and of its properties: a fixed one, so that the same
# rows give the same bytes (openpyxl would stamp the clock's).
FILE_DATE = datetime.datetime(2020, 1, 1)


class _DatedZipFile(zipfile.ZipFile):
    """A ZIP archive whose members all carry FILE_DATE."""

    def _member(self, name: str, size: int = 0) -> zipfile.ZipInfo:
        member = zipfile.ZipInfo(name, date_time=FILE_DATE.timetuple()[:6])
        member.compress_type = zipfile.ZIP_DEFLATED
        member.external_attr = 0o600 << 16
        member.file_size = size
        return member

    def writestr(self, zinfo_or_arcname, data, *args, **kwargs):
        if isinstance(zinfo_or_arcname, str):
            zinfo_or_arcname = self._member(zinfo_or_arcname)
        super().writestr(zinfo_or_arcname, data, *args, **kwargs)

    def write(self, filename, arcname=None, *args, **kwargs):
        """Copy the file in by chunks (the worksheet written a row at a time)."""
        size = os.path.getsize(filename)
        member = self._member(arcname or os.path.basename(filename), size)
        with open(filename, "rb") as source, self.open(member, "w") as target:
            shutil.copyfileobj(source, target, 1 << 20)


def _workbook_save(workbook, file) -> None:
    """openpyxl's save_workbook, with fixed dates (FILE_DATE)."""
    from openpyxl.writer.excel import ExcelWriter

    workbook.properties.created = workbook.properties.modified = FILE_DATE
    archive = _DatedZipFile(file, "w", zipfile.ZIP_DEFLATED, allowZip64=True)
    ExcelWriter(workbook, archive).save()


def sheet_title(title: str, default: str = "Sheet") -> str:
    """A worksheet's name: at most 31 characters, none of []:*?/\\."""
    cleaned = "".join(" " if char in "[]:*?/\\" else char for char in title).strip()
    return cleaned[:31] or default
