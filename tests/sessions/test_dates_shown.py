"""Dates and times as people read them, in English and in French (portal/formats/): the session
page, the sessions list and month, the cohort page and a message written in Python. The
"Energy: district heating" session is on 4 Dec 2024, 10:00-11:30 in Brussels."""

import datetime
import re

import pytest
from django.conf import settings
from django.utils import translation

from portal.errors import ApplicationError
from sessions import services
from tests.portal_pages.helpers import sign_in

DASH = "\N{EN DASH}"


def text(fragment: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", fragment).split())


def page(client, user, url: str, language: str) -> str:
    sign_in(client, user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    html = client.get(url).content.decode()
    assert f'<html lang="{language}">' in html
    return html


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", f"4 December 2024, 10:00{DASH}11:30 (Europe/Brussels)"),
        ("fr", f"4 décembre 2024 à 10:00{DASH}11:30 (Europe/Brussels)"),
    ],
)
def test_session_page_writes_the_slot_in_the_pages_language(client, programme, language, expected):
    html = page(client, programme.officer, f"/sessions/{programme.heating.pk}/", language)

    assert text(re.search(r"<p data-when>(.*?)</p>", html, re.S).group(1)) == expected


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", f"4 December 2024, 10:00{DASH}11:30"),
        ("fr", f"4 décembre 2024 à 10:00{DASH}11:30"),
    ],
)
def test_sessions_list_writes_the_slot_as_the_session_page_does(
    client, programme, language, expected
):
    html = page(client, programme.officer, "/sessions/", language)

    row = re.search(rf'<tr data-session="{programme.heating.pk}">.*?</tr>', html, re.S).group(0)
    assert text(re.search(r"<time [^>]*>(.*?)</time>", row, re.S).group(1)) == expected


@pytest.mark.parametrize(
    ("language", "heading", "caption"),
    [
        ("en", "December 2024", "Sessions in December 2024"),
        ("fr", "Décembre 2024", "Sessions en décembre 2024"),
    ],
)
def test_sessions_month_writes_the_month_and_the_times(
    client, programme, language, heading, caption
):
    html = page(client, programme.officer, "/sessions/?view=month&month=2024-12", language)

    assert f'<h2 id="month-heading">{heading}</h2>' in html
    assert f'<caption class="visually-hidden">{caption}</caption>' in html
    day = re.search(r'<td data-day="2024-12-04">(.*?)</td>', html, re.S).group(1)
    assert re.search(r'<li data-session="\d+">(\d\d:\d\d) ', day).group(1) == "10:00"


@pytest.mark.parametrize(
    ("language", "phase", "slot"),
    [
        ("en", "1 September 2024", f"4 December 2024, 10:00{DASH}11:30"),
        ("fr", "1 septembre 2024", f"4 décembre 2024 à 10:00{DASH}11:30"),
    ],
)
def test_cohort_page_writes_dates_and_slots_in_the_pages_language(
    client, programme, language, phase, slot
):
    html = page(client, programme.officer, f"/cohorts/{programme.cohort.pk}/", language)

    cohort_dates = text(re.search(r"<h1>.*?</p>", html, re.S).group(0))
    assert phase in cohort_dates
    row = re.search(r"<tr[^>]*>(?:(?!</tr>).)*Energy: district heating.*?</tr>", html, re.S)
    assert slot in text(row.group(0))


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "en",
            f"This slot overlaps 'Energy: district heating' (4 December 2024, 10:00{DASH}11:30).",
        ),
        (
            "fr",
            f"Ce créneau chevauche « Energy: district heating » "
            f"(4 décembre 2024 à 10:00{DASH}11:30).",
        ),
    ],
)
def test_session_overlap_message_writes_the_slot_in_the_readers_language(
    programme, language, expected
):
    with translation.override(language), pytest.raises(ApplicationError) as refused:
        services.session_create(
            cohort=programme.cohort,
            title="Clash",
            starts_at=datetime.datetime(2024, 12, 4, 11, 0),
            ends_at=datetime.datetime(2024, 12, 4, 12, 0),
            kind=programme.heating.kind,
            acting_user=programme.lead,
        )

    assert refused.value.message == expected
