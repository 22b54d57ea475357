"""How dates are written in messages to people, in one place so every message agrees."""

import datetime

from django.utils.formats import date_format


def long_date(value: datetime.date) -> str:
    """A date as a sentence writes it: "1 November 2024" (localised)."""
    return date_format(value, "j F Y")
