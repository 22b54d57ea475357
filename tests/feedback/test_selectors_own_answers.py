"""feedback.selectors.own_answers: a person's (or their city's) response state and its answer
rows in one query, as the answering page reads them."""

import pytest
from django.utils import timezone

from feedback.models import Answer
from feedback.selectors import StoredAnswer, own_answers, own_response
from tests import factories

pytestmark = pytest.mark.django_db


def test_no_response_none_and_nothing(django_assert_num_queries):
    survey = factories.SurveyFactory()
    user = factories.UserFactory()

    with django_assert_num_queries(1):
        assert own_answers(survey=survey, user=user) == (None, [])


def test_a_draft_without_answers_and_a_submitted_response_with_its_rows_in_order():
    begun = factories.ResponseFactory()
    assert own_answers(survey=begun.survey, user=begun.user) == ("draft", [])

    response = factories.ResponseFactory(status="submitted")
    choice = factories.AnswerFactory(response=response)
    number = factories.AnswerFactory(response=response, option=None, number=4)
    extent = factories.AnswerFactory(response=response, option=None, not_applicable=True)
    text = factories.AnswerFactory(response=response, option=None, text="Heat pumps")
    # Another person's answers to the same survey are not theirs.
    factories.AnswerFactory(response=factories.ResponseFactory(survey=response.survey))

    status, rows = own_answers(survey=response.survey, user=response.user)

    assert status == "submitted"
    assert rows == [
        StoredAnswer(choice.question_id, choice.option_id, None, False, ""),
        StoredAnswer(number.question_id, None, 4, False, ""),
        StoredAnswer(extent.question_id, None, None, True, ""),
        StoredAnswer(text.question_id, None, None, False, "Heat pumps"),
    ]
    assert all(type(row.not_applicable) is bool for row in rows)
    assert Answer.objects.filter(response=response).count() == 4


def test_a_city_response_is_found_by_the_city():
    officer = factories.city_officer()
    city = officer.city_memberships.get().city
    response = factories.ResponseFactory(user=officer, respondent=f"city:{city.pk}")
    answer = factories.AnswerFactory(response=response)

    assert own_answers(survey=response.survey, user=officer) == (None, [])
    assert own_answers(survey=response.survey, user=officer, city=city) == (
        "draft",
        [StoredAnswer(answer.question_id, answer.option_id, None, False, "")],
    )


def test_own_response_is_the_model_with_its_aware_moments(django_assert_num_queries):
    response = factories.ResponseFactory(status="submitted", submitted_at=timezone.now())
    other = factories.UserFactory()

    with django_assert_num_queries(1):
        found = own_response(survey=response.survey, user=response.user)

    assert found == response
    assert found.submitted_at == response.submitted_at
    assert timezone.is_aware(found.submitted_at)
    assert (found.status, found.page, found.city_id) == ("submitted", 1, None)
    assert own_response(survey=response.survey, user=other) is None
