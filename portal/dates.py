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


def long_date(value: datetime.date) -> str:
    """A date as a sentence writes it: "1 November 2024" (localised)."""
    return date_format(value, "j F Y")
