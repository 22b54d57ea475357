"""How dates and times are written for people, one module per language (Django's
FORMAT_MODULE_PATH points here, so these win over Django's own locale formats).

Decision: one way per language to write each kind of value, used on every page, email and PDF:

- a date: `DATE_FORMAT` ("1 December 2026", "1 décembre 2026");
- a date with a time: `DATETIME_FORMAT` ("1 December 2026, 13:57", "1 décembre 2026 à 13:57");
  a session's slot is that followed by an en dash and the end's `TIME_FORMAT`;
- a time: `TIME_FORMAT` ("13:57", 24-hour: the programme's cities are European);
- a month: `YEAR_MONTH_FORMAT` ("December 2026", "décembre 2026").

Templates and code name these formats (`|date:"DATE_FORMAT"`, `date_format(value,
"DATETIME_FORMAT")`) and never spell out a format; tests/portal/test_date_formats.py keeps it so.
Django's US-style English defaults ("Dec. 1, 2026", "12/01/2026 1:57 p.m.") are replaced; the
SHORT_ forms are the long ones (the admin and Django's own widgets use them), so there is no
second style. No weekday: the sessions' month view shows it where planning needs it.

Only the display formats are set: input formats, number separators and the first day of the
week fall through to Django's locale modules. A new language needs its own module here with the
same names (docs/i18n.md); a test checks every language of LANGUAGES has one.
"""
