"""A rule's timing as the rules page writes it and reads it back.

The offsets of a rule are minutes (reminders.catalogue, `ReminderRule.offsets`); admins read and
type them as text:

- `Timing.BEFORE` and `Timing.AFTER`: durations, such as "24h 1h", "7d 2d" or "30m", separated
  by spaces or commas. Units: d (days), h (hours), m (minutes), also written out in English,
  French or Portuguese ("2 days", "2 jours", "2 dias"). Each at least a minute, at most 365
  days, each once, at most `MAX_OFFSETS` of them.
- `Timing.WEEKLY`: a day and a time in the recipient's zone, such as "Monday 08:00" (parsed
  from a list separated by commas, but `offsets_check` allows one: one digest a week). Days in
  English (full or three letters) or in the page's language.

Decision: `offsets_parse` gives the offsets in the order the rule uses them (before: the
earliest reminder first, so largest first; after: the soonest first; weekly: from Monday), and
`offsets_format` writes them in that order with the largest unit that is exact (24h stays
"24h", two days is "2d", 90 minutes "90m"), so `offsets_parse(offsets_format(x)) == x` for
every valid `x`, in every language.
"""

import re
import unicodedata

from django.utils.dates import WEEKDAYS, WEEKDAYS_ABBR
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from reminders.catalogue import Timing

MAX_OFFSETS = 10
MINUTE, HOUR, DAY = 1, 60, 24 * 60
WEEK = 7 * DAY
LONGEST = 365 * DAY

# Written-out units, lower case, without accents: English, French, Portuguese.
UNITS = {
    **dict.fromkeys(["d", "day", "days", "j", "jour", "jours", "dia", "dias"], DAY),
    **dict.fromkeys(["h", "hr", "hrs", "hour", "hours", "heure", "heures", "hora", "horas"], HOUR),
    **dict.fromkeys(
        ["m", "min", "mins", "minute", "minutes", "minuto", "minutos"],
        MINUTE,
    ),
}
ENGLISH_DAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]

DURATION_EXAMPLE = gettext_lazy("such as 24h 1h, 7d 2d or 30m")
WEEKLY_EXAMPLE = gettext_lazy("such as Monday 08:00")


class TimingError(ValueError):
    """Text the rules page cannot read as a timing; `message` says why, for the admin."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _plain(word: str) -> str:
    """Lower case without accents ("Março" and "marco" are one word to a reader)."""
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def _words(text: str) -> list[str]:
    return [word for word in re.split(r"[\s,;]+", text.strip()) if word]


# --- Durations (before, after) -----------------------------------------------------------------


def _duration(token: str) -> int:
    if token.startswith("-") and re.fullmatch(r"-\d+[^\d]+", token):
        raise TimingError(
            _("“%(token)s” is before zero: give how long, such as %(positive)s.")
            % {"token": token, "positive": token[1:]}
        )
    match = re.fullmatch(r"(\d+)([^\d]+)", token)
    if match is None or _plain(match[2]).rstrip(".") not in UNITS:
        raise TimingError(
            _(
                "“%(token)s” is not a time we can read. Write each time as a number and a "
                "unit, d for days, h for hours or m for minutes, %(example)s."
            )
            % {"token": token, "example": DURATION_EXAMPLE}
        )
    return int(match[1]) * UNITS[_plain(match[2]).rstrip(".")]


def _duration_tokens(text: str) -> list[str]:
    """The durations of `text`, a number and its unit joined ("24 hours" is one)."""
    tokens: list[str] = []
    for word in _words(text):
        if tokens and tokens[-1].isdigit() and not word[0].isdigit():
            tokens[-1] += word
        else:
            tokens.append(word)
    return tokens


def duration_format(minutes: int) -> str:
    if minutes % DAY == 0 and minutes >= 2 * DAY:
        return f"{minutes // DAY}d"
    if minutes % HOUR == 0:
        return f"{minutes // HOUR}h"
    return f"{minutes}m"


# --- Weekly ------------------------------------------------------------------------------------


def _day_names() -> dict[str, int]:
    """Every way the page accepts a day: English, and the page's language (full and short)."""
    names = {}
    for number, english in enumerate(ENGLISH_DAYS):
        names[english] = names[english[:3]] = number
        for local in (WEEKDAYS[number], WEEKDAYS_ABBR[number]):
            names.setdefault(_plain(str(local)).rstrip("."), number)
    return names


def _day(word: str) -> int:
    number = _day_names().get(_plain(word).rstrip("."))
    if number is None:
        raise TimingError(
            _("“%(word)s” is not a day of the week. Write a day and a time, %(example)s.")
            % {"word": word, "example": WEEKLY_EXAMPLE}
        )
    return number


def _clock(word: str) -> int:
    match = re.fullmatch(r"(\d{1,2})[:hH.](\d{2})", word)
    if match is None or int(match[1]) > 23 or int(match[2]) > 59:
        raise TimingError(
            _(
                "“%(word)s” is not a time of day. Write hours and minutes from 00:00 to 23:59, "
                "%(example)s."
            )
            % {"word": word, "example": WEEKLY_EXAMPLE}
        )
    return int(match[1]) * HOUR + int(match[2])


def weekly_format(minutes: int) -> str:
    day, rest = divmod(minutes, DAY)
    return f"{WEEKDAYS[day]} {rest // HOUR:02d}:{rest % HOUR:02d}"


def _weekly(text: str) -> list[int]:
    words = _words(text)
    if len(words) % 2:
        raise TimingError(
            _("Write a day and a time for each digest, %(example)s.") % {"example": WEEKLY_EXAMPLE}
        )
    return [
        _day(words[index]) * DAY + _clock(words[index + 1]) for index in range(0, len(words), 2)
    ]


# --- Both ways ---------------------------------------------------------------------------------


def offsets_parse(text: str, timing: str) -> tuple[int, ...]:
    """The offsets, in minutes, that `text` says, in the rule's order; TimingError if the text
    cannot be read or breaks a limit."""
    if not (text or "").strip():
        example = WEEKLY_EXAMPLE if timing == Timing.WEEKLY else DURATION_EXAMPLE
        raise TimingError(_("Give at least one time, %(example)s.") % {"example": example})
    if timing == Timing.WEEKLY:
        offsets = _weekly(text)
        words = [" ".join(pair) for pair in zip(*[iter(_words(text))] * 2, strict=True)]
    else:
        words = _duration_tokens(text)
        offsets = [_duration(word) for word in words]
    seen: dict[int, str] = {}
    for word, offset in zip(words, offsets, strict=True):
        if offset < MINUTE and timing != Timing.WEEKLY:
            raise TimingError(
                _("“%(time)s” is no time at all: give times of at least one minute.")
                % {"time": word}
            )
        if offset in seen:
            raise TimingError(
                _("“%(first)s” and “%(second)s” are the same time: give each time once.")
                % {"first": seen[offset], "second": word}
            )
        seen[offset] = word
    offsets_check(offsets, timing)
    return offsets_ordered(offsets, timing)


def offsets_ordered(offsets, timing: str) -> tuple[int, ...]:
    return tuple(sorted(offsets, reverse=timing == Timing.BEFORE))


def offsets_check(offsets, timing: str) -> None:
    """Raise TimingError unless `offsets` (minutes) are valid for `timing`: the service checks
    the same whatever wrote them."""
    if not offsets:
        raise TimingError(_("Give at least one time."))
    if len(offsets) > MAX_OFFSETS:
        raise TimingError(
            _("Give at most %(most)s times; you gave %(count)s.")
            % {"most": MAX_OFFSETS, "count": number_format(len(offsets))}
        )
    if len(set(offsets)) != len(offsets):
        raise TimingError(_("Give each time once."))
    # The digest goes out once a week (rules_digest plans one a week, at the earliest time).
    if timing == Timing.WEEKLY and len(offsets) > 1:
        raise TimingError(_("The digest goes out once a week: give one day and time."))
    for offset in offsets:
        if not isinstance(offset, int) or isinstance(offset, bool):
            raise TimingError(_("Each time is a whole number of minutes."))
        if timing == Timing.WEEKLY:
            if not 0 <= offset < WEEK:
                raise TimingError(_("A weekly time is a day and a time between Monday and Sunday."))
        elif offset < MINUTE:
            raise TimingError(
                _("“%(time)s” is no time at all: give times of at least one minute.")
                % {"time": duration_format(offset) if offset >= 0 else str(offset)}
            )
        elif offset > LONGEST:
            raise TimingError(
                _("“%(time)s” is too far: give times of at most 365 days.")
                % {"time": duration_format(offset)}
            )


def offsets_format(offsets, timing: str) -> str:
    """The text the rules page shows for `offsets` (minutes)."""
    ordered = offsets_ordered(offsets, timing)
    if timing == Timing.WEEKLY:
        return ", ".join(weekly_format(offset) for offset in ordered)
    return " ".join(duration_format(offset) for offset in ordered)


def timing_help(timing: str) -> str:
    """What the rules page says under the field."""
    if timing == Timing.WEEKLY:
        return gettext_lazy("A day and a time in each recipient's time zone, such as Monday 08:00.")
    before = gettext_lazy(
        "How long before the date each reminder goes out, such as 24h 1h: d for days, h for "
        "hours, m for minutes, separated by spaces; at most 10."
    )
    after = gettext_lazy(
        "How long after the date each reminder goes out, such as 2d 5d: d for days, h for "
        "hours, m for minutes, separated by spaces; at most 10."
    )
    return before if timing == Timing.BEFORE else after
