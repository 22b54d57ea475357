"""The officer's home page lists the surveys open to them with the state of their answer and
the close date; the cached page follows a new survey, an answer's state and the clock; and the
selector behind it."""

import datetime
import re

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from feedback import answering
from feedback.models import Survey
from feedback.selectors import open_surveys_for
from tests import factories
from tests.feedback.conftest import two_page_survey
from tests.feedback.test_answering_services import page_one, page_two, save


@pytest.fixture
def ana(asked):
    client = Client()
    client.force_login(asked.officer)
    return client


def _rows(client) -> list[tuple[str, str]]:
    html = client.get("/").content.decode()
    block = re.search(r'data-block="officer-surveys">(.*?)</section>', html, re.S).group(1)
    return re.findall(
        r'<a href="/surveys/\d+/">([^<]+)</a></th>\s*<td[^>]*data-answer-state="(\w+)"', block
    )


def test_the_home_page_lists_open_surveys_with_the_state_of_the_answer(asked, ana):
    assert _rows(ana) == []
    survey = two_page_survey(asked.cohort)

    assert _rows(ana) == [("Recap", "not_started")]
    save(survey, asked.officer, 1, page_one(survey))
    assert _rows(ana) == [("Recap", "draft")]
    response = save(survey, asked.officer, 2, page_two(survey))
    answering.response_submit(response=response, acting_user=asked.officer)
    assert _rows(ana) == [("Recap", "submitted")]


def test_an_anonymous_survey_answered_shows_as_submitted(asked, ana):
    survey = two_page_survey(asked.cohort, is_anonymous=True)
    save(survey, asked.officer, 1, page_one(survey))
    response = save(survey, asked.officer, 2, page_two(survey))
    answering.response_submit(response=response, acting_user=asked.officer)

    assert _rows(ana) == [("Recap", "submitted")]


def test_the_cached_list_follows_the_clock_without_any_change_of_data(asked, ana):
    now = timezone.now()
    with time_machine.travel(now, tick=False) as clock:
        closing = two_page_survey(asked.cohort)
        Survey.objects.filter(pk=closing.pk).update(closes_at=now + datetime.timedelta(hours=1))
        opening = two_page_survey(asked.cohort)
        Survey.objects.filter(pk=opening.pk).update(
            title="Later", opens_at=now + datetime.timedelta(hours=2)
        )
        assert _rows(ana) == [("Recap", "not_started")]

        # Three hours on: one has closed, the other opened; no row was saved meanwhile.
        clock.move_to(now + datetime.timedelta(hours=3))

        assert _rows(ana) == [("Later", "not_started")]


def test_surveys_not_asking_not_published_or_not_open_are_not_listed(asked):
    now = timezone.now()
    asked_survey = two_page_survey(asked.cohort)
    two_page_survey(factories.CohortFactory())  # a cohort the city is not in
    unpublished = two_page_survey(asked.cohort)
    Survey.objects.filter(pk=unpublished.pk).update(is_published=False)
    later = two_page_survey(asked.cohort)
    Survey.objects.filter(pk=later.pk).update(
        opens_at=now + datetime.timedelta(days=1), closes_at=now + datetime.timedelta(days=2)
    )
    programme = factories.SurveyFactory(
        scope="programme", cohort=None, programme=asked.cohort.programme, is_published=True
    )
    session = factories.SessionFactory(cohort=asked.cohort)
    of_session = factories.SurveyFactory(
        scope="session", cohort=None, session=session, is_published=True
    )

    found = open_surveys_for(user=asked.officer, now=now)

    assert sorted(s.pk for s in found) == sorted([asked_survey.pk, programme.pk, of_session.pk])


def test_a_registered_person_of_a_session_is_asked_by_its_survey(db):
    guest = factories.UserFactory(email="guest@example.org")
    session = factories.SessionFactory()
    factories.RegistrationFactory(session=session, email="GUEST@example.org")
    survey = factories.SurveyFactory(
        scope="session", cohort=None, session=session, is_published=True
    )

    assert [s.pk for s in open_surveys_for(user=guest, now=timezone.now())] == [survey.pk]
    assert guest.has_perm("feedback.answer_survey", survey)
