"""How dates are written in messages to people, in one place so every message agrees."""

import datetime
import functools
import zoneinfo

from django.utils.formats import date_format

# The canonical IANA regions; leaves out legacy aliases such as "US/Eastern" or "Etc/GMT+1".
# The programme's cities are in Europe and its neighbours, so the list offers Europe's zones, the
# Atlantic islands of EU countries and Iceland, and UTC: about 70 choices instead of ~490.
EXTRA_ZONES = (
    "Atlantic/Azores",
    "Atlantic/Canary",
    "Atlantic/Madeira",
    "Atlantic/Reykjavik",
    "UTC",
)


def time_zone_choices() -> list[tuple[str, str]]:
    """The time zones a session or a person may choose (the session form, the account page)."""
    return list(_time_zone_choices())


# Once per process: available_timezones() walks the whole tz database on disk (a few ms), and
# the zones installed do not change while the process runs.
@functools.cache
def _time_zone_choices() -> tuple[tuple[str, str], ...]:
    names = sorted(n for n in zoneinfo.available_timezones() if n.startswith("Europe/"))
    return tuple((name, name) for name in [*names, *EXTRA_ZONES])


# The formats are named, never spelt out: portal/formats/ holds one per language and kind.


def long_date(value: datetime.date) -> str:
    """A date as a sentence writes it: "1 November 2024", "1 novembre 2024"."""
    return date_format(value, "DATE_FORMAT")


def clock_time(value: datetime.datetime | datetime.time) -> str:
    """A time of day as written in the given value's own zone: "13:57"."""
    return date_format(value, "TIME_FORMAT")


def time_range(starts: datetime.datetime, ends: datetime.datetime) -> str:
    """A span as pages write a session's slot, in the values' own zone: "4 December 2024, 10:00"
    and "11:30" joined by an en dash (U+2013; "4 décembre 2024 à 10:00" in French), with the
    end's date too when it ends on another day."""
    end = clock_time(ends) if starts.date() == ends.date() else date_format(ends, "DATETIME_FORMAT")
    return f"{date_format(starts, 'DATETIME_FORMAT')}\N{EN DASH}{end}"
