"""Reading meeting tools' attendance reports (sessions/attendance_reports.py): Zoom's
participants report with its meeting block, Teams' UTF-16 report in sections, and the files
that are refused with a message."""

import codecs
from pathlib import Path

import pytest

from sessions.attendance_reports import MAX_BYTES, MAX_PEOPLE, Participant, ReportError, parse

DATA = Path(__file__).parent / "data"
NOT_A_REPORT = (
    "This file is not a CSV text file. Upload the attendance report as Zoom or Microsoft Teams "
    "exports it (.csv)."
)


def test_zoom_report_skips_the_meeting_block_and_counts_a_rejoin_once():
    report = parse((DATA / "zoom_participants.csv").read_bytes())

    # The host's address in the meeting block ("User Email" without a name column) is not a
    # participant row; Ana joined twice, once with her address in capitals and a space.
    assert report.people == [
        Participant("Lea Lead", "lea@example.org"),
        Participant("Ana Silva (Lisboa)", "ana@lisboa.pt"),
        Participant("Bea Santos", "bea@lisboa.pt"),
        Participant("Rossi, Marta (Torino)", "marta.rossi@comune.torino.it"),
    ]
    assert (report.without_email, report.rows) == (["iPhone de João"], 6)


def test_teams_utf16_report_reads_the_participants_section_and_the_upn_without_email():
    data = (DATA / "teams_attendance.csv").read_bytes()

    report = parse(data)

    assert data.startswith(codecs.BOM_UTF16_LE)
    # Section 3 repeats Rui's joins: the table ends at the blank line before it.
    assert report.people == [
        Participant("Lea Lead", "lea@example.org"),
        Participant("Rui Costa", "rui@lisboa.pt"),
        Participant("Jan Novák (External)", "jan.novak@brno.cz"),
    ]
    assert (report.without_email, report.rows) == (["Guest Caller (Unverified)"], 4)


def test_teams_report_without_byte_order_mark_and_semicolons_in_windows_1252():
    utf16 = "Name\tEmail\r\nJan Novák\tjan@brno.cz\r\n".encode("utf-16-le")
    excel = "Name;E-mail\r\nJoão Sá;joao@porto.pt\r\n".encode("cp1252")

    assert parse(utf16).people == [Participant("Jan Novák", "jan@brno.cz")]
    assert parse(excel).people == [Participant("João Sá", "joao@porto.pt")]


def test_a_name_left_empty_is_shown_as_the_address_and_control_characters_are_dropped():
    report = parse(b"Name,Email\r\n,rui@lisboa.pt\r\nAna\x1b \x07Silva,ana@lisboa.pt\r\n")

    assert report.people == [
        Participant("rui@lisboa.pt", "rui@lisboa.pt"),
        Participant("Ana Silva", "ana@lisboa.pt"),
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The file is empty."),
        (b" \r\n", "The file is empty."),
        (
            b"Full Name,User Action,Timestamp\r\nRui Costa,Joined,12/4/2024\r\n",
            "No column of email addresses was found. The report needs a column of names (such "
            'as "Name") and one of email addresses (such as "Email" or "User Email").',
        ),
        (
            b"Name,Email\r\n\r\nRui Costa,rui@lisboa.pt\r\n",
            "The report lists nobody: its table of participants is empty.",
        ),
        (
            b"PK\x03\x04\x14\x00\x06\x00rest of a workbook",
            "This is a spreadsheet workbook, not a CSV file. Download the report as CSV, or "
            "save it from the spreadsheet as CSV, and upload that.",
        ),
        (
            b"%PDF-1.7\n\x00\x01\x02\xff\xfe binary",
            "This file is not a CSV text file. Upload the attendance report as Zoom or "
            "Microsoft Teams exports it (.csv).",
        ),
        (
            b"Name,Email\r\n" + b"x" * MAX_BYTES,
            "The file is larger than 2 MB; a meeting's attendance report is smaller.",
        ),
        # A cell over the csv module's field limit (128 KiB), in the header or below it.
        (b"Name,Email," + b"x" * 140_000 + b"\r\nRui,rui@lisboa.pt\r\n", NOT_A_REPORT),
        (b'Name,Email\r\nRui,rui@lisboa.pt,"' + b"x" * 140_000 + b'"\r\n', NOT_A_REPORT),
    ],
    ids=[
        "empty",
        "blank",
        "no-email-column",
        "no-rows",
        "xlsx",
        "binary",
        "too-big",
        "huge-header-cell",
        "huge-cell",
    ],
)
def test_a_file_that_is_not_a_report_is_refused_with_a_message(data, message):
    with pytest.raises(ReportError) as refused:
        parse(data)

    assert refused.value.message == message


def test_a_report_of_more_people_than_a_session_has_is_refused():
    rows = "".join(f"Person {i},p{i}@example.org\r\n" for i in range(MAX_PEOPLE + 1))

    with pytest.raises(ReportError) as refused:
        parse(("Name,Email\r\n" + rows).encode())

    assert refused.value.message == (
        "The report lists more than 400 people; a session's report lists fewer. Check that "
        "this is the report of one meeting."
    )


def test_an_address_longer_than_a_registration_holds_counts_as_none_and_names_are_cut():
    long_address = "a" * 64 + "@" + ".".join(["b" * 60] * 4) + ".eu"  # 312 characters
    assert len(long_address) > 254
    data = (
        f"Name,Email\r\nLong Address,{long_address}\r\n,{'c' * 60}@lisboa.pt\r\n"
        f"{'N' * 250},n@lisboa.pt\r\n"
    ).encode()

    report = parse(data)

    # The too-long address is no address: listed by name among those without one.
    assert report.without_email == ["Long Address"]
    assert report.people == [
        Participant(f"{'c' * 60}@lisboa.pt", f"{'c' * 60}@lisboa.pt"),
        Participant("N" * 200, "n@lisboa.pt"),
    ]
