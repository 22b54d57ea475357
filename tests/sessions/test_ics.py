"""sessions.ics: RFC 5545 text escaping, line folding, UTC times across a DST change."""

import datetime

import pytest
from django.utils import translation

from sessions import ics
from sessions.enums import SessionStatus
from sessions.models import Session
from tests.sessions.conftest import BRUSSELS

DTSTAMP = datetime.datetime(2025, 1, 15, 12, 0, tzinfo=datetime.UTC)


def test_escape_text_escapes_backslash_semicolon_comma_and_newlines():
    assert ics.escape_text("a\\b; c, d\ne\r\nf\rg") == "a\\\\b\\; c\\, d\\ne\\nf\\ng"


def test_fold_line_of_75_octets_is_not_folded():
    line = "X" * 75

    assert ics.fold_line(line) == line


def test_fold_line_of_76_octets_folds_the_last_octet():
    assert ics.fold_line("X" * 76) == "X" * 75 + "\r\n X"


def test_fold_line_continuation_lines_hold_74_octets_after_the_space():
    folded = ics.fold_line("Y" * 75 + "Z" * 74 + "W")

    assert folded.split("\r\n") == ["Y" * 75, " " + "Z" * 74, " W"]


def test_fold_line_never_splits_a_multibyte_character():
    line = "SUMMARY:" + "é" * 40  # 8 + 80 octets

    physical = ics.fold_line(line).split("\r\n")

    assert physical == ["SUMMARY:" + "é" * 33, " " + "é" * 7]
    assert [len(part.encode()) for part in physical] == [74, 15]
    assert "".join(part.removeprefix(" ") for part in physical) == line


def test_format_utc_refuses_a_naive_time():
    with pytest.raises(ValueError, match="timezone-aware"):
        ics.format_utc(datetime.datetime(2025, 3, 30, 10, 0))


def _session(pk, title, starts, minutes=90, **fields) -> Session:
    return Session(
        pk=pk,
        title=title,
        starts_at=starts,
        ends_at=starts + datetime.timedelta(minutes=minutes),
        time_zone="Europe/Brussels",
        **fields,
    )


def test_calendar_for_sessions_either_side_of_the_dst_change_is_exact():
    winter = _session(
        7,
        "Energy: heat, power; storage",
        datetime.datetime(2025, 2, 1, 10, 0, tzinfo=BRUSSELS),
        meeting_url="https://meet.example.org/a?x=1,2",
        agenda="Welcome\nCase studies and Q&A",
    )
    summer = _session(
        8,
        "Recap",
        datetime.datetime(2025, 3, 30, 10, 0, tzinfo=BRUSSELS),
        status=SessionStatus.CANCELLED,
        revision=1,
    )
    events = [
        ics.session_event(s, site_url="https://portal.example.org", page_path=f"/sessions/{s.pk}/")
        for s in (winter, summer)
    ]

    text = ics.calendar(events, dtstamp=DTSTAMP, name="My sessions")

    assert text == (
        "BEGIN:VCALENDAR\r\n"
        "VERSION:2.0\r\n"
        "PRODID:-//City peer-learning portal//Sessions//EN\r\n"
        "CALSCALE:GREGORIAN\r\n"
        "METHOD:PUBLISH\r\n"
        "X-WR-CALNAME:My sessions\r\n"
        "BEGIN:VEVENT\r\n"
        "UID:session-7@portal.example.org\r\n"
        "DTSTAMP:20250115T120000Z\r\n"
        "SEQUENCE:0\r\n"
        "DTSTART:20250201T090000Z\r\n"
        "DTEND:20250201T103000Z\r\n"
        "SUMMARY:Energy: heat\\, power\\; storage\r\n"
        "URL:https://meet.example.org/a?x=1,2\r\n"
        "LOCATION:https://meet.example.org/a?x=1\\,2\r\n"
        # The join link first, escaped as TEXT (its comma), then the page and the agenda; the
        # continuation lines start with one space, and "Session page" keeps its own space.
        "DESCRIPTION:Online meeting link: https://meet.example.org/a?x=1\\,2\\nSession\r\n"
        "  page: https://portal.example.org/sessions/7/\\n\\nWelcome\\nCase studies and\r\n"
        "  Q&A\r\n"
        "STATUS:CONFIRMED\r\n"
        "END:VEVENT\r\n"
        "BEGIN:VEVENT\r\n"
        "UID:session-8@portal.example.org\r\n"
        "DTSTAMP:20250115T120000Z\r\n"
        "SEQUENCE:1\r\n"
        "DTSTART:20250330T080000Z\r\n"
        "DTEND:20250330T093000Z\r\n"
        "SUMMARY:Recap\r\n"
        "DESCRIPTION:Session page: https://portal.example.org/sessions/8/\r\n"
        "STATUS:CANCELLED\r\n"
        "END:VEVENT\r\n"
        "END:VCALENDAR\r\n"
    )
    assert max(len(line.encode()) for line in text.split("\r\n")) == 75


# --- The join link in the description ----------------------------------------------------------


def _description(session: Session) -> str:
    """The DESCRIPTION property of the session's event as the calendar writes it, unfolded."""
    event = ics.session_event(
        session, site_url="https://portal.example.org", page_path=f"/sessions/{session.pk}/"
    )
    text = ics.calendar([event], dtstamp=DTSTAMP).replace("\r\n ", "")
    (line,) = [line for line in text.split("\r\n") if line.startswith("DESCRIPTION:")]
    return line


def test_description_carries_the_join_link_before_the_page_and_the_agenda():
    session = _session(
        9,
        "Mobility",
        datetime.datetime(2025, 5, 6, 10, 0, tzinfo=BRUSSELS),
        meeting_url="https://meet.example.org/j/123;pwd=a,b",
        agenda="Two case studies",
    )

    assert _description(session) == (
        "DESCRIPTION:Online meeting link: https://meet.example.org/j/123\\;pwd=a\\,b"
        "\\nSession page: https://portal.example.org/sessions/9/"
        "\\n\\nTwo case studies"
    )


def test_description_without_a_join_link_names_only_the_page():
    session = _session(10, "Recap", datetime.datetime(2025, 5, 6, 10, 0, tzinfo=BRUSSELS))

    assert _description(session) == (
        "DESCRIPTION:Session page: https://portal.example.org/sessions/10/"
    )


def test_description_of_a_cancelled_session_keeps_its_join_link_as_url_does():
    session = _session(
        11,
        "Recap",
        datetime.datetime(2025, 5, 6, 10, 0, tzinfo=BRUSSELS),
        meeting_url="https://meet.example.org/recap",
        status=SessionStatus.CANCELLED,
    )

    assert _description(session) == (
        "DESCRIPTION:Online meeting link: https://meet.example.org/recap"
        "\\nSession page: https://portal.example.org/sessions/11/"
    )


def test_description_is_written_in_the_active_language():
    session = _session(
        12,
        "Mobilité",
        datetime.datetime(2025, 5, 6, 10, 0, tzinfo=BRUSSELS),
        meeting_url="https://meet.example.org/mobilite",
    )

    with translation.override("fr"):
        description = _description(session)

    assert description == (
        "DESCRIPTION:Lien de la réunion en ligne : https://meet.example.org/mobilite"
        "\\nPage de la session : https://portal.example.org/sessions/12/"
    )


def test_description_with_a_long_join_link_folds_within_75_octets_and_unfolds_exactly():
    link = "https://meet.example.org/" + "é-" * 40
    session = _session(
        13, "Long", datetime.datetime(2025, 5, 6, 10, 0, tzinfo=BRUSSELS), meeting_url=link
    )
    event = ics.session_event(
        session, site_url="https://portal.example.org", page_path="/sessions/13/"
    )

    text = ics.calendar([event], dtstamp=DTSTAMP)

    assert max(len(line.encode()) for line in text.split("\r\n")) <= 75
    assert _description(session) == (
        f"DESCRIPTION:Online meeting link: {link}\\nSession page: "
        "https://portal.example.org/sessions/13/"
    )
