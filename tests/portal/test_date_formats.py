"""One way per language to write a date, a date with a time, a time and a month
(portal/formats/): the formats themselves, and a scan of the templates and the code for a format
spelt out instead of named, which would bring back a second style."""

import ast
import datetime
import importlib
import re
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.utils import translation
from django.utils.formats import date_format, time_format

from portal.dates import clock_time, long_date, time_range

ROOT = Path(settings.BASE_DIR)
BRUSSELS = ZoneInfo("Europe/Brussels")
MOMENT = datetime.datetime(2026, 12, 1, 13, 57, tzinfo=BRUSSELS)

# What people read, per language and named format (the README lists the same).
EXPECTED = {
    "en": {
        "DATE_FORMAT": "1 December 2026",
        "DATETIME_FORMAT": "1 December 2026, 13:57",
        "TIME_FORMAT": "13:57",
        "YEAR_MONTH_FORMAT": "December 2026",
        "MONTH_DAY_FORMAT": "1 December",
        # The short forms are the long ones: Django's admin and widgets use them.
        "SHORT_DATE_FORMAT": "1 December 2026",
        "SHORT_DATETIME_FORMAT": "1 December 2026, 13:57",
    },
    "fr": {
        "DATE_FORMAT": "1 décembre 2026",
        "DATETIME_FORMAT": "1 décembre 2026 à 13:57",
        "TIME_FORMAT": "13:57",
        "YEAR_MONTH_FORMAT": "décembre 2026",
        "MONTH_DAY_FORMAT": "1 décembre",
        "SHORT_DATE_FORMAT": "1 décembre 2026",
        "SHORT_DATETIME_FORMAT": "1 décembre 2026 à 13:57",
    },
    # Django's Portuguese names the months with a capital.
    "pt": {
        "DATE_FORMAT": "1 de Dezembro de 2026",
        "DATETIME_FORMAT": "1 de Dezembro de 2026 às 13:57",
        "TIME_FORMAT": "13:57",
        "YEAR_MONTH_FORMAT": "Dezembro de 2026",
        "MONTH_DAY_FORMAT": "1 de Dezembro",
        "SHORT_DATE_FORMAT": "1 de Dezembro de 2026",
        "SHORT_DATETIME_FORMAT": "1 de Dezembro de 2026 às 13:57",
    },
}

# The formats templates and code may name: one per kind of value.
NAMED = {"DATE_FORMAT", "DATETIME_FORMAT", "TIME_FORMAT", "YEAR_MONTH_FORMAT"}
# Formats for machines, not people: ISO dates and months (links, `data-` attributes, the
# calendar's `?month=`), ISO 8601 (`<time datetime>`), the PDF's UTC metadata.
MACHINE = {"Y-m-d", "Y-m", "c", r"Y-m-d\TH:i:s\Z", "%Y-%m-%d", "%Y-%m"}
# Spelt-out formats kept on purpose, each with its reason.
ALLOWED_HERE = {
    # The month grid's day number, with the month name for screen readers only: a cell of
    # the calendar is one day, not a date written out.
    ("templates/sessions/_list_body.html", "j"),
    ("templates/sessions/_list_body.html", "F"),
    # An export's name in the admin (the admin is out of the scope), in ISO order.
    ("roadmaps/models.py", "%Y-%m-%d %H:%M"),
}
# Not scanned: tests and migrations, the benchmarks' file names, the calendar feed (RFC 5545
# asks for UTC stamps such as 20241204T090000Z).
SKIPPED_DIRS = {".venv", "node_modules", "tests", "migrations", "benchmarks", "staticfiles"}
SKIPPED_FILES = {"sessions/ics.py"}

FILTER = re.compile(r"""\|\s*(?:date|time)\s*:\s*("[^"]*"|'[^']*'|[\w.]+)""")
NOW_TAG = re.compile(r"""\{%\s*now\s+("[^"]*"|'[^']*')""")
# The calls whose format argument is checked, and where that argument is.
CALLS = {
    "date_format": 1,
    "time_format": 1,
    "strftime": 0,
    "format": 1,  # dateformat.format(value, fmt) only, see _format_argument
}


def template_format_problems(text: str) -> list[str]:
    """Each format in `text` (a template) that is neither named nor for machines."""
    found = [m.group(1) for pattern in (FILTER, NOW_TAG) for m in pattern.finditer(text)]
    problems = []
    for argument in found:
        if argument[0] not in "\"'":
            problems.append(argument)  # a variable: the format would be chosen elsewhere
        elif argument[1:-1] not in NAMED | MACHINE:
            problems.append(argument[1:-1])
    return problems


def _format_argument(call: ast.Call) -> ast.expr | None:
    func = call.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
    if name not in CALLS:
        return None
    if name == "format" and not (
        isinstance(func, ast.Attribute) and getattr(func.value, "id", None) == "dateformat"
    ):
        return None  # str.format and the like
    keyword = next((k.value for k in call.keywords if k.arg == "format"), None)
    if keyword is not None:
        return keyword
    index = CALLS[name]
    if name == "strftime" and isinstance(func, ast.Attribute):
        index = 0  # value.strftime(fmt) and time.strftime(fmt, t) both put it first
    return call.args[index] if len(call.args) > index else None


def python_format_problems(source: str) -> list[str]:
    """Each format in `source` (a module) that is neither named nor for machines: in a call of
    date_format, time_format, strftime or dateformat.format, or after the colon of an f-string."""
    problems = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and (argument := _format_argument(node)) is not None:
            if not isinstance(argument, ast.Constant):
                problems.append(ast.unparse(argument))
            elif argument.value not in NAMED | MACHINE:
                problems.append(argument.value)
        elif isinstance(node, ast.FormattedValue) and node.format_spec is not None:
            spec = "".join(
                part.value for part in node.format_spec.values if isinstance(part, ast.Constant)
            )
            if "%" in spec and spec not in MACHINE:
                problems.append(spec)
    return problems


def _files(suffixes: tuple[str, ...]):
    for path in sorted(ROOT.rglob("*")):
        relative = path.relative_to(ROOT)
        if (
            path.suffix in suffixes
            and not SKIPPED_DIRS.intersection(relative.parts)
            and relative.as_posix() not in SKIPPED_FILES
        ):
            yield relative.as_posix(), path.read_text(encoding="utf-8")


@pytest.mark.parametrize("language", ["en", "fr", "pt"])
def test_date_formats_write_each_kind_of_value_one_way(language):
    with translation.override(language):
        shown = {name: date_format(MOMENT, name) for name in EXPECTED[language]}

    assert shown == EXPECTED[language]


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        # Django's own English writes "Sept. 23, 2026", "Sept. 23, 2026, 9:05 a.m." and
        # "09/23/2026".
        ("en", ["23 September 2026", "23 September 2026, 09:05", "09:05", "September 2026"]),
        ("fr", ["23 septembre 2026", "23 septembre 2026 à 09:05", "09:05", "septembre 2026"]),
        (
            "pt",
            [
                "23 de Setembro de 2026",
                "23 de Setembro de 2026 às 09:05",
                "09:05",
                "Setembro de 2026",
            ],
        ),
    ],
)
def test_date_formats_spell_months_out_and_use_a_24_hour_clock(language, expected):
    moment = datetime.datetime(2026, 9, 23, 9, 5, tzinfo=BRUSSELS)

    with translation.override(language):
        shown = [
            date_format(moment.date(), "SHORT_DATE_FORMAT"),
            date_format(moment, "SHORT_DATETIME_FORMAT"),
            time_format(moment.time()),
            date_format(moment, "YEAR_MONTH_FORMAT"),
        ]

    assert shown == expected


def test_date_formats_every_language_has_its_module_with_every_name():
    # A custom module for each language: without one, a new language would get Django's own
    # formats for it, a second style.
    assert {code for code, _name in settings.LANGUAGES} == set(EXPECTED)
    for code in EXPECTED:
        module = importlib.import_module(f"portal.formats.{code}.formats")
        assert {name for name in EXPECTED[code] if getattr(module, name, None)} == set(
            EXPECTED[code]
        ), code


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", ["1 December 2026", "13:57", "1 December 2026, 13:57\N{EN DASH}15:00"]),
        ("fr", ["1 décembre 2026", "13:57", "1 décembre 2026 à 13:57\N{EN DASH}15:00"]),
        (
            "pt",
            ["1 de Dezembro de 2026", "13:57", "1 de Dezembro de 2026 às 13:57\N{EN DASH}15:00"],
        ),
    ],
)
def test_portal_dates_helpers_use_the_named_formats(language, expected):
    with translation.override(language):
        shown = [
            long_date(MOMENT.date()),
            clock_time(MOMENT),
            time_range(MOMENT, MOMENT.replace(hour=15, minute=0)),
        ]

    assert shown == expected


def test_portal_dates_time_range_across_midnight_writes_both_dates():
    starts = datetime.datetime(2026, 12, 1, 23, 30, tzinfo=BRUSSELS)

    with translation.override("en"):
        shown = time_range(starts, starts + datetime.timedelta(hours=1))

    assert shown == "1 December 2026, 23:30\N{EN DASH}2 December 2026, 00:30"


def test_date_formats_scan_finds_a_format_spelt_out():
    # The scans below pass only if these find what they look for.
    template = (
        '{{ a|date:"j F Y" }} {{ b|time:\'H:i\' }} {{ c|date:fmt }} {% now "Y" %} '
        '{{ d|date:"DATE_FORMAT" }} {{ e|date:"Y-m-d" }} {{ f|date }}'
    )
    module = (
        "from django.utils import dateformat\n"
        "date_format(a, 'j M Y')\n"
        "date_format(a, format='N j, Y')\n"
        "dateformat.format(a, 'D j M')\n"
        "a.strftime('%d/%m/%Y')\n"
        "f'{a:%H:%M}'\n"
        "date_format(a, 'DATETIME_FORMAT')\n"
        "a.strftime('%Y-%m-%d')\n"
        "'{}'.format(a)\n"
    )

    assert template_format_problems(template) == ["j F Y", "H:i", "fmt", "Y"]
    assert python_format_problems(module) == ["j M Y", "N j, Y", "D j M", "%d/%m/%Y", "%H:%M"]


def test_date_formats_templates_name_their_formats():
    problems = [
        (path, problem)
        for path, text in _files((".html", ".txt", ".xml", ".ics"))
        for problem in template_format_problems(text)
        if (path, problem) not in ALLOWED_HERE
    ]

    assert problems == []


def test_date_formats_code_names_its_formats():
    problems = [
        (path, problem)
        for path, source in _files((".py",))
        for problem in python_format_problems(source)
        if (path, problem) not in ALLOWED_HERE
    ]

    assert problems == []
