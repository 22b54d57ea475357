"""A rule's timing as text: what the rules page reads, what it writes, and what it refuses."""

import pytest
from django.utils import translation

from reminders.catalogue import Timing
from reminders.timing import (
    TimingError,
    offsets_check,
    offsets_format,
    offsets_parse,
)


@pytest.mark.parametrize(
    ("text", "timing", "offsets"),
    [
        ("24h 1h", Timing.BEFORE, (1440, 60)),
        ("1h 24h", Timing.BEFORE, (1440, 60)),
        ("7d 2d", Timing.BEFORE, (10080, 2880)),
        ("7d, 2d", Timing.BEFORE, (10080, 2880)),
        ("30m", Timing.BEFORE, (30,)),
        ("  2d,5d  ", Timing.AFTER, (2880, 7200)),
        ("5d 2d", Timing.AFTER, (2880, 7200)),
        ("2 days, 1 hour, 90 min", Timing.BEFORE, (2880, 90, 60)),
        ("3D 12H", Timing.AFTER, (720, 4320)),
        ("2 jours 3 dias", Timing.AFTER, (2880, 4320)),
        ("1d", Timing.BEFORE, (1440,)),
        ("365d", Timing.AFTER, (525600,)),
        ("Monday 08:00", Timing.WEEKLY, (480,)),
        ("monday 8:00", Timing.WEEKLY, (480,)),
        ("Fri 17:30", Timing.WEEKLY, (4 * 1440 + 1050,)),
        ("Sunday 23:59", Timing.WEEKLY, (6 * 1440 + 1439,)),
        ("Thursday 8h30", Timing.WEEKLY, (3 * 1440 + 510,)),
    ],
)
def test_parse_reads_the_offsets_in_the_rules_order(text, timing, offsets):
    assert offsets_parse(text, timing) == offsets


@pytest.mark.parametrize(
    ("offsets", "timing", "text"),
    [
        ((1440, 60), Timing.BEFORE, "24h 1h"),
        ((60, 1440), Timing.BEFORE, "24h 1h"),
        ((10080, 2880), Timing.BEFORE, "7d 2d"),
        ((30,), Timing.BEFORE, "30m"),
        ((90,), Timing.BEFORE, "90m"),
        ((2160,), Timing.BEFORE, "36h"),
        ((7200, 2880), Timing.AFTER, "2d 5d"),
        ((480,), Timing.WEEKLY, "Monday 08:00"),
        ((4 * 1440 + 1050, 480), Timing.WEEKLY, "Monday 08:00, Friday 17:30"),
    ],
)
def test_format_writes_the_largest_exact_unit(offsets, timing, text):
    assert offsets_format(offsets, timing) == text


@pytest.mark.parametrize(
    ("offsets", "timing"),
    [
        ((1440, 60), Timing.BEFORE),
        ((10080, 2880), Timing.BEFORE),
        ((1, 59, 61, 1439, 1441, 2880, 2881), Timing.BEFORE),
        ((525600,), Timing.AFTER),
        ((2880, 7200), Timing.AFTER),
        ((0,), Timing.WEEKLY),
        ((6 * 1440 + 1439,), Timing.WEEKLY),
    ],
)
@pytest.mark.parametrize("language", ["en", "fr", "pt"])
def test_format_then_parse_gives_the_same_offsets_in_every_language(offsets, timing, language):
    with translation.override(language):
        text = offsets_format(offsets, timing)

        assert offsets_parse(text, timing) == tuple(
            sorted(offsets, reverse=timing == Timing.BEFORE)
        )


def test_weekly_day_in_the_pages_language_is_read_and_written():
    with translation.override("fr"):
        assert offsets_parse("vendredi 17:30", Timing.WEEKLY) == (6810,)
        assert offsets_format((480,), Timing.WEEKLY) == "lundi 08:00"
        # English is read in every language.
        assert offsets_parse("Tuesday 09:15", Timing.WEEKLY) == (1440 + 555,)


@pytest.mark.parametrize(
    ("text", "timing", "message"),
    [
        ("", Timing.BEFORE, "Give at least one time, such as 24h 1h, 7d 2d or 30m."),
        ("   ", Timing.AFTER, "Give at least one time, such as 24h 1h, 7d 2d or 30m."),
        (
            "tomorrow",
            Timing.BEFORE,
            "“tomorrow” is not a time we can read. Write each time as a number and a unit, d "
            "for days, h for hours or m for minutes, such as 24h 1h, 7d 2d or 30m.",
        ),
        (
            "24",
            Timing.BEFORE,
            "“24” is not a time we can read. Write each time as a number and a unit, d for "
            "days, h for hours or m for minutes, such as 24h 1h, 7d 2d or 30m.",
        ),
        (
            "2w",
            Timing.BEFORE,
            "“2w” is not a time we can read. Write each time as a number and a unit, d for "
            "days, h for hours or m for minutes, such as 24h 1h, 7d 2d or 30m.",
        ),
        (
            "1.5h",
            Timing.BEFORE,
            "“1.5h” is not a time we can read. Write each time as a number and a unit, d for "
            "days, h for hours or m for minutes, such as 24h 1h, 7d 2d or 30m.",
        ),
        ("-5h", Timing.BEFORE, "“-5h” is before zero: give how long, such as 5h."),
        ("0h", Timing.BEFORE, "“0h” is no time at all: give times of at least one minute."),
        ("1h 0m", Timing.AFTER, "“0m” is no time at all: give times of at least one minute."),
        ("366d", Timing.AFTER, "“366d” is too far: give times of at most 365 days."),
        ("24h 1d", Timing.BEFORE, "“24h” and “1d” are the same time: give each time once."),
        ("2d 2d", Timing.AFTER, "“2d” and “2d” are the same time: give each time once."),
        (
            " ".join(f"{hours}h" for hours in range(1, 12)),
            Timing.BEFORE,
            "Give at most 10 times; you gave 11.",
        ),
        ("", Timing.WEEKLY, "Give at least one time, such as Monday 08:00."),
        ("Monday", Timing.WEEKLY, "Write a day and a time for each digest, such as Monday 08:00."),
        (
            "Funday 08:00",
            Timing.WEEKLY,
            "“Funday” is not a day of the week. Write a day and a time, such as Monday 08:00.",
        ),
        (
            "Monday 24:00",
            Timing.WEEKLY,
            "“24:00” is not a time of day. Write hours and minutes from 00:00 to 23:59, such "
            "as Monday 08:00.",
        ),
        (
            "Monday 8",
            Timing.WEEKLY,
            "“8” is not a time of day. Write hours and minutes from 00:00 to 23:59, such as "
            "Monday 08:00.",
        ),
        (
            "Mon 08:00, Monday 8:00",
            Timing.WEEKLY,
            "“Mon 08:00” and “Monday 8:00” are the same time: give each time once.",
        ),
        # One digest a week (rules_digest plans one a week).
        (
            "Mon 08:00, Fri 17:30",
            Timing.WEEKLY,
            "The digest goes out once a week: give one day and time.",
        ),
    ],
)
def test_bad_text_is_refused_in_the_admins_words(text, timing, message):
    with pytest.raises(TimingError) as refused:
        offsets_parse(text, timing)

    assert refused.value.message == message


@pytest.mark.parametrize(
    ("offsets", "timing", "message"),
    [
        ([], Timing.BEFORE, "Give at least one time."),
        ([60, 60], Timing.BEFORE, "Give each time once."),
        ([60.5], Timing.BEFORE, "Each time is a whole number of minutes."),
        ([True], Timing.BEFORE, "Each time is a whole number of minutes."),
        ([-60], Timing.AFTER, "“-60” is no time at all: give times of at least one minute."),
        (list(range(1, 12)), Timing.AFTER, "Give at most 10 times; you gave 11."),
        (
            [7 * 1440],
            Timing.WEEKLY,
            "A weekly time is a day and a time between Monday and Sunday.",
        ),
    ],
)
def test_check_refuses_offsets_whatever_wrote_them(offsets, timing, message):
    with pytest.raises(TimingError) as refused:
        offsets_check(offsets, timing)

    assert refused.value.message == message
