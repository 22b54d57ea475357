"""Read the attendance report a meeting tool exports: who took part, by name and email address.

Reports understood:

- Zoom's participants report ("Export" on the meeting's participants in Usage reports):
  comma-separated UTF-8, often with a byte-order mark, with the columns "Name (Original
  Name)", "User Email", "Join Time", "Leave Time", "Duration (Minutes)", "Guest" (newer
  exports: "Name (original name)", "Email", ...). Exported "with meeting data", it starts with
  a block about the meeting ("Meeting ID", "Topic", ..., "User Email" of the host, ...) and a
  blank line before the participants' header.
- Microsoft Teams' attendance report: UTF-16 with tabs, in sections: "1. Summary" (the
  meeting), "2. Participants" ("Name", "First Join", "Last Leave", "In-Meeting Duration",
  "Email", "Participant ID (UPN)", "Role") and "3. In-Meeting Activities" (each join again).
- Any other table with a name column and an email column, comma, semicolon or tab separated,
  in UTF-8, UTF-16 or Windows-1252 (a report opened and saved again in Excel).

Decision: the participants' table is the first row with both a name and an email column (the
meeting block of Zoom has an email column but no name), and it ends at the first blank line
(Teams' next section). A person who left and joined again is listed several times: each
address counts once, with the first name given for it. Only names and addresses are kept; the
times are not: attendance is a yes or no (sessions.enums.Attendance), and who decides that the
report's people attended is the facilitator, on the confirmation page.
"""

import codecs
import csv
import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

# A session's report is a few hundred lines; Teams writes each join twice (sections 2 and 3).
MAX_BYTES = 2 * 1024 * 1024
# More people than any session has (a hundred at most). The confirmation form posts two fields
# for each person on no list: 400 keeps it under Django's DATA_UPLOAD_MAX_NUMBER_FIELDS (1000),
# which would otherwise answer the confirmation with a 400 error page.
MAX_PEOPLE = 400
# What a registration holds (sessions.models.Registration): a longer name is cut, a longer
# address is no address.
NAME_MAX = 200
EMAIL_MAX = 254

# Column titles, compared in lower case without spaces around them.
NAME_COLUMNS = (
    "name (original name)",
    "user name (original name)",
    "name",
    "full name",
    "participant",
    "participant name",
    "display name",
    "attendee name",
    "user name",
)
EMAIL_COLUMNS = (
    "user email",
    "email",
    "e-mail",
    "email address",
    "e-mail address",
    "participant email",
    "attendee email",
)
# Teams' sign-in name: the email address of most people, used when "Email" is empty.
UPN_COLUMNS = ("participant id (upn)", "upn")
DELIMITERS = (",", "\t", ";")

# Characters that no database stores (NUL) and the other control characters: a name comes
# from another program, and is shown and saved as typed text.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


class ReportError(ValueError):
    """The file is not a report this module can read; `message` says why, for the person."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Participant:
    name: str
    email: str  # trimmed and in lower case; "" when the report gives none


@dataclass
class Report:
    """The people a report lists, once each, in the report's order."""

    people: list[Participant] = field(default_factory=list)  # with an email address
    without_email: list[str] = field(default_factory=list)  # names only, once each
    rows: int = 0  # the table's rows read, repeats included


def decode(data: bytes) -> str:
    """The text of the file: UTF-8 or UTF-16 (by their byte-order marks, or UTF-16 without one
    when every other byte is NUL), else UTF-8, else Windows-1252."""
    if data.startswith(codecs.BOM_UTF8):
        return _decoded(data[len(codecs.BOM_UTF8) :], "utf-8")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _decoded(data, "utf-16")
    if data.startswith(b"PK\x03\x04"):
        raise ReportError(
            _(
                "This is a spreadsheet workbook, not a CSV file. Download the report as CSV, "
                "or save it from the spreadsheet as CSV, and upload that."
            )
        )
    head = data[:200]
    if len(head) >= 4 and head[1::2].count(0) > len(head) // 4:
        return _decoded(data, "utf-16-le")
    if len(head) >= 4 and head[0::2].count(0) > len(head) // 4:
        return _decoded(data, "utf-16-be")
    try:
        return _decoded(data, "utf-8")
    except ReportError:
        return _decoded(data, "cp1252")


def _decoded(data: bytes, encoding: str) -> str:
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise ReportError(_not_a_report()) from exc
    if "\x00" in text:  # a binary file that happened to decode
        raise ReportError(_not_a_report())
    return text


def _not_a_report() -> str:
    return _(
        "This file is not a CSV text file. Upload the attendance report as Zoom or Microsoft "
        "Teams exports it (.csv)."
    )


def _clean(cell: str) -> str:
    return " ".join(_CONTROL.sub("", cell).split())


def _column(cells: list[str], names: tuple[str, ...]) -> int | None:
    titles = [cell.strip().strip('"').lower() for cell in cells]
    for name in names:
        if name in titles:
            return titles.index(name)
    return None


@dataclass(frozen=True)
class _Header:
    line: int
    delimiter: str
    name: int
    email: int
    upn: int | None


def _find_header(lines: list[str]) -> _Header | None:
    for number, line in enumerate(lines):
        for delimiter in DELIMITERS:
            if delimiter not in line:
                continue
            try:
                cells = next(csv.reader([line], delimiter=delimiter), [])
            except csv.Error as exc:  # a cell over the csv module's field limit (128 KiB)
                raise ReportError(_not_a_report()) from exc
            email = _column(cells, EMAIL_COLUMNS)
            name = _column(cells, NAME_COLUMNS)
            if email is not None and name is not None:
                return _Header(number, delimiter, name, email, _column(cells, UPN_COLUMNS))
    return None


def _is_email(value: str) -> bool:
    try:
        validate_email(value)
    except ValidationError:
        return False
    return True


def parse(data: bytes) -> Report:
    """The people of the report in `data`, or a ReportError that says what is wrong."""
    if not data.strip():
        raise ReportError(_("The file is empty."))
    if len(data) > MAX_BYTES:
        raise ReportError(_too_big())
    lines = decode(data).splitlines()
    header = _find_header(lines)
    if header is None:
        raise ReportError(
            _(
                "No column of email addresses was found. The report needs a column of names "
                '(such as "Name") and one of email addresses (such as "Email" or "User Email").'
            )
        )
    body = lines[header.line + 1 :]
    try:
        return _people(body, header)
    except csv.Error as exc:  # a cell over the csv module's field limit (128 KiB)
        raise ReportError(_not_a_report()) from exc


def _people(body: list[str], header: _Header) -> Report:
    """The people of the table's rows below its header."""
    report = Report()
    seen_emails: set[str] = set()
    seen_names: set[str] = set()
    for cells in csv.reader(body, delimiter=header.delimiter):
        if not any(cell.strip() for cell in cells):
            break  # the end of the table: Teams' next section follows
        name = _clean(cells[header.name]) if header.name < len(cells) else ""
        email = _clean(cells[header.email]).lower() if header.email < len(cells) else ""
        if not email and header.upn is not None and header.upn < len(cells):
            email = _clean(cells[header.upn]).lower()
        report.rows += 1
        # An address longer than a registration holds (254, RFC 5321's path limit) matches
        # nobody and could not be added as a walk-in: it counts as no address.
        if email and len(email) <= EMAIL_MAX and _is_email(email):
            if email not in seen_emails:
                seen_emails.add(email)
                report.people.append(Participant(name=(name or email)[:NAME_MAX], email=email))
        elif name and name.lower() not in seen_names:
            # A guest who joined without an account: Zoom and Teams give no address.
            seen_names.add(name.lower())
            report.without_email.append(name[:NAME_MAX])
        if len(report.people) + len(report.without_email) > MAX_PEOPLE:
            raise ReportError(
                ngettext(
                    "The report lists more than %(count)d person; a session's report lists "
                    "fewer. Check that this is the report of one meeting.",
                    "The report lists more than %(count)d people; a session's report lists "
                    "fewer. Check that this is the report of one meeting.",
                    MAX_PEOPLE,
                )
                % {"count": MAX_PEOPLE}
            )
    if not report.people and not report.without_email:
        raise ReportError(_("The report lists nobody: its table of participants is empty."))
    return report


def _too_big() -> str:
    return _("The file is larger than %(size)d MB; a meeting's attendance report is smaller.") % {
        "size": MAX_BYTES // (1024 * 1024)
    }


def too_big_message() -> str:
    """The message for a file over MAX_BYTES, for the form that refuses it before reading."""
    return _too_big()
