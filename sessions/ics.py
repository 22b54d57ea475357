"""A small iCalendar (RFC 5545) writer for sessions: enough for VEVENTs, no extra package.

Times are written in UTC ("Z" form), so no VTIMEZONE block is needed and every calendar shows
the session at the right moment whatever the viewer's zone or daylight-saving rules.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.utils.translation import gettext as _

from sessions.enums import SessionStatus

PRODID = "-//City peer-learning portal//Sessions//EN"
MAX_LINE_OCTETS = 75
CRLF = "\r\n"
# The DTSTAMP of a calendar written to be kept and stamped on each request (`stamped`).
UNSTAMPED = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)


@dataclass(frozen=True)
class Event:
    uid: str
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    summary: str
    url: str = ""
    description: str = ""
    cancelled: bool = False
    # SEQUENCE: a calendar replaces the event it holds with one whose number is higher.
    sequence: int = 0


def escape_text(value: str) -> str:
    """Escape a TEXT value (RFC 5545 §3.3.11): backslash, semicolon, comma and newlines."""
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return value.replace("\r\n", "\\n").replace("\r", "\\n").replace("\n", "\\n")


def fold_line(line: str) -> str:
    """Fold a content line so that no physical line exceeds 75 octets (RFC 5545 §3.1).

    Continuation lines start with one space, which counts in their 75 octets. A multi-byte
    UTF-8 character is never split.
    """
    parts: list[str] = []
    current: list[str] = []
    size = 0
    limit = MAX_LINE_OCTETS
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > limit:
            parts.append("".join(current))
            current, size = [], 0
            limit = MAX_LINE_OCTETS - 1  # room for the leading space
        current.append(char)
        size += width
    parts.append("".join(current))
    return (CRLF + " ").join(parts)


def format_utc(value: datetime.datetime) -> str:
    """A DATE-TIME in UTC form, e.g. 20250330T080000Z. The value must be aware."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("iCalendar times must be timezone-aware.")
    return value.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")


def event_lines(event: Event, *, dtstamp: datetime.datetime) -> list[str]:
    lines = [
        "BEGIN:VEVENT",
        f"UID:{event.uid}",
        f"DTSTAMP:{format_utc(dtstamp)}",
        f"SEQUENCE:{event.sequence}",
        f"DTSTART:{format_utc(event.starts_at)}",
        f"DTEND:{format_utc(event.ends_at)}",
        f"SUMMARY:{escape_text(event.summary)}",
    ]
    if event.url:
        # URL is a URI (not escaped); LOCATION is TEXT, so the same link is escaped there.
        lines.append(f"URL:{event.url}")
        lines.append(f"LOCATION:{escape_text(event.url)}")
    if event.description:
        lines.append(f"DESCRIPTION:{escape_text(event.description)}")
    lines.append(f"STATUS:{'CANCELLED' if event.cancelled else 'CONFIRMED'}")
    lines.append("END:VEVENT")
    return lines


def calendar(
    events: Iterable[Event], *, dtstamp: datetime.datetime, name: str | None = None
) -> str:
    """A whole VCALENDAR: CRLF line ends, folded lines, ending with CRLF."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
    ]
    if name:
        lines.append(f"X-WR-CALNAME:{escape_text(name)}")
    for event in events:
        lines.extend(event_lines(event, dtstamp=dtstamp))
    lines.append("END:VCALENDAR")
    return "".join(fold_line(line) + CRLF for line in lines)


def session_description(session, *, page_url: str) -> str:
    """The event's DESCRIPTION, in the active language: the join link when the session has one,
    then the session's page, then its agenda.

    Why the join link is here as well as in URL and LOCATION: many calendar apps show neither
    property (or LOCATION as a place to map), while every one shows the description, with its
    links clickable. It stays on a cancelled session's event, like URL and LOCATION: the event
    is marked cancelled, and the email that says so names the session. The sentences are the
    emails' own ("Online meeting link: ...", "Session page: ...")."""
    lines = []
    if session.meeting_url:
        lines.append(_("Online meeting link: %(link)s") % {"link": session.meeting_url})
    lines.append(_("Session page: %(page_url)s") % {"page_url": page_url})
    description = "\n".join(lines)
    return f"{description}\n\n{session.agenda}" if session.agenda else description


def session_event(session, *, site_url: str, page_path: str) -> Event:
    """The calendar event of a session. The UID stays the same when the session moves, so a
    calendar updates the event instead of adding a second one; the session's revision, raised
    by every such change, tells the calendar that this version is the newer one."""
    host = urlsplit(site_url).hostname or "localhost"
    page_url = f"{site_url.rstrip('/')}{page_path}"
    description = session_description(session, page_url=page_url)
    return Event(
        uid=f"session-{session.pk}@{host}",
        starts_at=session.starts_at,
        ends_at=session.ends_at,
        summary=session.title,
        url=session.meeting_url,
        description=description,
        cancelled=session.status == SessionStatus.CANCELLED,
        sequence=session.revision,
    )


def stamped(body: str, *, dtstamp: datetime.datetime) -> str:
    """`body`, a calendar written with `dtstamp=UNSTAMPED`, with every DTSTAMP set to `dtstamp`.

    Why: a calendar kept in the cache is written once, but DTSTAMP says when it was sent. The
    property is replaced only as a whole line (a folded text's continuation starts with a
    space), and both times have the same length, so no line's folding changes."""
    return body.replace(
        f"{CRLF}DTSTAMP:{format_utc(UNSTAMPED)}{CRLF}", f"{CRLF}DTSTAMP:{format_utc(dtstamp)}{CRLF}"
    )
