"""A roadmap's times of change in English and in French (portal/formats/): the history, the
cohort overview and the PDF. The change is saved on 15 Feb 2025 at 10:00 in Brussels."""

import re

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from roadmaps import services
from roadmaps.models import Roadmap
from roadmaps.pdf import roadmap_pdf_html

DATE_TIME_CELL = re.compile(r'<td data-label="[^"]*">([^<]*\d\d:\d\d)</td>')
CHANGED = {"en": "15 February 2025, 10:00", "fr": "15 février 2025 à 10:00"}


@pytest.fixture
def changed(programme):
    services.roadmap_field_save(
        roadmap=programme.roadmap,
        key="phase1.cause_1",
        value="Old housing stock",
        base_version=0,
        acting_user=programme.ana,
    )
    return programme


def page(client, user, url: str, language: str) -> str:
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    html = client.get(url).content.decode()
    assert f'<html lang="{language}">' in html
    return html


@pytest.mark.parametrize("language", ["en", "fr"])
def test_roadmap_history_writes_when_in_the_pages_language(client, changed, language):
    html = page(client, changed.lead, f"/roadmaps/{changed.roadmap.pk}/history/", language)

    assert DATE_TIME_CELL.findall(html) == [CHANGED[language]]


@pytest.mark.parametrize("language", ["en", "fr"])
def test_roadmap_overview_writes_the_last_change_in_the_pages_language(client, changed, language):
    url = reverse("roadmap_cohort_overview", args=[changed.cohort.pk])

    html = page(client, changed.lead, url, language)

    # Django's US English wrote "02/15/2025 10 a.m." here.
    assert DATE_TIME_CELL.findall(html) == [CHANGED[language]]


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "Last change: 15 February 2025, 10:00."),
        ("fr", "Dernière modification : 15 février 2025 à 10:00."),
    ],
)
def test_roadmap_pdf_writes_the_last_change_in_its_language(changed, language, expected):
    with translation.override(language):
        html = roadmap_pdf_html(roadmap=Roadmap.objects.get(pk=changed.roadmap.pk))

    printed = re.search(r'<p class="printed">(.*?)</p>', html, re.S).group(1)
    assert " ".join(printed.split()) == expected
