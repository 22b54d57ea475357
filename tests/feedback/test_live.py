"""Live mode's services (feedback/live.py): starting, moving, answering the question on screen
through answering's services, closing (which submits the complete drafts answered live), the
presenter's counts with the anonymous threshold, and the word cloud."""

import datetime
import re

import pytest
from django.utils import timezone

from cities.models import CityMembership
from feedback import live
from feedback.answering import AnswersInvalid
from feedback.enums import ResponseStatus, ResponseUnit
from feedback.models import Answer, LivePresentation, Participation, Response, Survey
from portal.errors import ApplicationError
from portal.permissions import PermissionRefused
from tests import factories
from tests.feedback.conftest import two_page_survey


@pytest.fixture
def survey(room):
    return two_page_survey(room.cohort)


def _answer(room, presentation, user, question, value):
    presentation.refresh_from_db()
    return live.live_answer_save(
        acting_user=user, presentation=presentation, question_id=question.pk, value=value
    )


def test_start_gives_a_code_of_unambiguous_characters_at_the_first_question(room, survey):
    presentation = live.live_start(acting_user=room.facilitator, survey=survey)

    assert re.fullmatch("[ACDEFHJKMNPQRTUVWXY3479]{6}", presentation.code)
    assert (presentation.question, presentation.started_by, presentation.closed_at) == (
        survey.q["format"],
        room.facilitator,
        None,
    )
    # Starting again (another tab) gives the presentation running.
    assert live.live_start(acting_user=room.facilitator, survey=survey) == presentation


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"is_published": False},
            "Publish the survey first: only the people a published survey asks can answer.",
        ),
        (
            {"closes_at": timezone.now() - datetime.timedelta(hours=1)},
            "The survey is not open now: change its dates to present it live.",
        ),
        (
            {"response_unit": ResponseUnit.CITY},
            "This survey takes one response per city: live mode takes one answer per person, "
            "from each phone.",
        ),
    ],
)
def test_start_is_refused_with_a_message(room, survey, change, message):
    Survey.objects.filter(pk=survey.pk).update(**change)
    survey.refresh_from_db()

    with pytest.raises(ApplicationError) as refusal:
        live.live_start(acting_user=room.facilitator, survey=survey)

    assert refusal.value.message == message
    assert LivePresentation.objects.count() == 0


def test_start_of_a_survey_without_questions_is_refused(room):
    survey = factories.SurveyFactory(cohort=room.cohort, is_published=True)

    with pytest.raises(ApplicationError) as refusal:
        live.live_start(acting_user=room.facilitator, survey=survey)

    assert refusal.value.message == "Add a question before presenting the survey."


def test_only_those_who_may_change_the_survey_present_it(room, survey):
    with pytest.raises(PermissionRefused):
        live.live_start(acting_user=room.officer, survey=survey)
    presentation = live.live_start(acting_user=room.facilitator, survey=survey)
    with pytest.raises(PermissionRefused):
        live.live_move(
            acting_user=room.officer, presentation=presentation, question_id=survey.q["topics"].pk
        )
    with pytest.raises(PermissionRefused):
        live.live_close(acting_user=room.bea, presentation=presentation)


def test_the_codes_of_presentations_running_differ(room, survey):
    other = two_page_survey(room.cohort)

    codes = {live.live_start(acting_user=room.facilitator, survey=s).code for s in (survey, other)}

    assert len(codes) == 2


def test_moving_to_a_question_of_another_survey_is_refused(room, survey):
    presentation = live.live_start(acting_user=room.facilitator, survey=survey)
    stranger = two_page_survey(room.cohort).q["format"]

    with pytest.raises(ApplicationError) as refusal:
        live.live_move(
            acting_user=room.facilitator, presentation=presentation, question_id=stranger.pk
        )

    assert refusal.value.message == "This question is not part of the survey."
    presentation.refresh_from_db()
    assert presentation.question == survey.q["format"]


def test_a_live_answer_lands_in_the_response_as_a_draft_and_keeps_the_page_s_other_answers(
    room, survey
):
    q, opt = survey.q, survey.opt
    # Ana had rated the sessions on the survey's own page before the session.
    response = Response.objects.create(
        survey=survey, user=room.officer, respondent=f"person:{room.officer.pk}"
    )
    Answer.objects.create(response=response, question=q["rating"], number=4)
    presentation = live.live_start(acting_user=room.facilitator, survey=survey)

    saved = _answer(room, presentation, room.officer, q["format"], {"option": opt["yes"].pk})

    assert saved == response
    assert saved.status == ResponseStatus.DRAFT
    assert sorted(
        Answer.objects.filter(response=response).values_list("question__text", "option", "number")
    ) == [("Rate the sessions", None, 4), ("Satisfied with the format?", opt["yes"].pk, None)]
    assert list(presentation.responses.all()) == [response]


def test_an_answer_is_changed_while_its_question_is_on_screen(room, survey):
    q, opt = survey.q, survey.opt
    presentation = live.live_start(acting_user=room.facilitator, survey=survey)

    _answer(room, presentation, room.officer, q["format"], {"option": opt["yes"].pk})
    _answer(room, presentation, room.officer, q["format"], {"option": opt["no"].pk})

    assert list(Answer.objects.values_list("question", "option")) == [
        (q["format"].pk, opt["no"].pk)
    ]
    assert presentation.responses.count() == 1


def test_answering_a_question_that_is_not_on_screen_is_refused(room, survey):
    q, opt = survey.q, survey.opt
    presentation = live.live_start(acting_user=room.facilitator, survey=survey)
    live.live_move(
        acting_user=room.facilitator, presentation=presentation, question_id=q["rating"].pk
    )

    with pytest.raises(ApplicationError) as refusal:
        _answer(room, presentation, room.officer, q["format"], {"option": opt["yes"].pk})

    assert refusal.value.code == "not_current"
    assert refusal.value.message == (
        "This question is no longer on screen: the presenter has moved on. Here is the question "
        "on screen now."
    )
    assert Answer.objects.count() == 0 and Response.objects.count() == 0


def test_a_bad_answer_is_refused_with_answering_s_message(room, survey):
    presentation = live.live_start(acting_user=room.facilitator, survey=survey)
    live.live_move(
        acting_user=room.facilitator,
        presentation=presentation,
        question_id=survey.q["rating"].pk,
    )

    with pytest.raises(AnswersInvalid) as refusal:
        _answer(room, presentation, room.officer, survey.q["rating"], {"number": 6})

    assert refusal.value.errors == {
        survey.q["rating"].pk: "“Rate the sessions”: choose a point from 1 to 5."
    }
    assert Answer.objects.count() == 0


def test_a_survey_closed_since_the_start_takes_no_answer(room, survey):
    presentation = live.live_start(acting_user=room.facilitator, survey=survey)
    Survey.objects.filter(pk=survey.pk).update(closes_at=timezone.now())
    presentation = LivePresentation.objects.select_related("survey").get(pk=presentation.pk)

    with pytest.raises(ApplicationError) as refusal:
        _answer(room, presentation, room.officer, survey.q["format"], {"option": 1})

    assert refusal.value.code == "closed"
    assert Response.objects.count() == 0


def test_an_ended_presentation_takes_no_answer(room, survey):
    presentation = live.live_start(acting_user=room.facilitator, survey=survey)
    live.live_close(acting_user=room.facilitator, presentation=presentation)

    with pytest.raises(ApplicationError) as refusal:
        _answer(room, presentation, room.officer, survey.q["format"], {"option": 1})

    assert refusal.value.message == "This live presentation has ended."


def test_someone_the_survey_does_not_ask_cannot_answer(room, survey):
    stranger = factories.city_officer(city=factories.CityFactory(name="Faro"))
    presentation = live.live_start(acting_user=room.facilitator, survey=survey)

    with pytest.raises(PermissionRefused):
        _answer(room, presentation, stranger, survey.q["format"], {"option": 1})
    with pytest.raises(PermissionRefused):
        _answer(room, presentation, room.facilitator, survey.q["format"], {"option": 1})

    assert Response.objects.count() == 0


def test_closing_submits_complete_drafts_and_leaves_the_others_drafts(room, survey):
    q, opt = survey.q, survey.opt
    presentation = live.live_start(acting_user=room.facilitator, survey=survey)
    # "No": nothing else is required. "Yes": "What worked?" (required, page 2) is then asked.
    _answer(room, presentation, room.officer, q["format"], {"option": opt["no"].pk})
    _answer(room, presentation, room.bea, q["format"], {"option": opt["yes"].pk})

    closing = live.live_close(acting_user=room.facilitator, presentation=presentation)

    assert (closing.submitted, closing.drafts) == (1, 1)
    assert dict(Response.objects.values_list("user", "status")) == {
        room.officer.pk: ResponseStatus.SUBMITTED,
        room.bea.pk: ResponseStatus.DRAFT,
    }
    presentation.refresh_from_db()
    assert presentation.closed_at is not None and presentation.question is None
    assert presentation.responses.count() == 0
    # The code is free again once the presentation has ended.
    assert live.state_for_code(presentation.code, version="after") is None


def test_closing_leaves_the_draft_of_someone_no_longer_asked(room, survey):
    q, opt = survey.q, survey.opt
    presentation = live.live_start(acting_user=room.facilitator, survey=survey)
    _answer(room, presentation, room.officer, q["format"], {"option": opt["no"].pk})
    _answer(room, presentation, room.bea, q["format"], {"option": opt["no"].pk})
    # Bea is no longer an officer of an enrolled city.
    CityMembership.objects.filter(user=room.bea).delete()

    closing = live.live_close(acting_user=room.facilitator, presentation=presentation)

    assert (closing.submitted, closing.drafts) == (1, 1)
    assert dict(Response.objects.values_list("user", "status")) == {
        room.officer.pk: ResponseStatus.SUBMITTED,
        room.bea.pk: ResponseStatus.DRAFT,
    }


def test_an_anonymous_response_answered_live_keeps_no_identity_once_closed(room):
    survey = two_page_survey(room.cohort, is_anonymous=True)
    presentation = live.live_start(acting_user=room.facilitator, survey=survey)
    _answer(room, presentation, room.officer, survey.q["format"], {"option": survey.opt["no"].pk})

    live.live_close(acting_user=room.facilitator, presentation=presentation)

    response = Response.objects.get()
    assert (response.user, response.city, response.respondent, response.status) == (
        None,
        None,
        "",
        ResponseStatus.SUBMITTED,
    )
    assert (response.created_at, response.updated_at, response.submitted_at) == (None, None, None)
    assert list(Participation.objects.values_list("user", flat=True)) == [room.officer.pk]
    assert LivePresentation.responses.through.objects.count() == 0
    # Answered once: a second live presentation refuses her.
    again = live.live_start(acting_user=room.facilitator, survey=survey)
    with pytest.raises(ApplicationError) as refusal:
        _answer(room, again, room.officer, survey.q["format"], {"option": survey.opt["no"].pk})
    assert refusal.value.message == "You have already answered this anonymous survey."


def test_a_submitted_named_response_answered_live_counts_once_and_is_submitted_again(room, survey):
    q, opt = survey.q, survey.opt
    response = Response.objects.create(
        survey=survey,
        user=room.officer,
        respondent=f"person:{room.officer.pk}",
        status=ResponseStatus.SUBMITTED,
    )
    Answer.objects.create(response=response, question=q["format"], option=opt["yes"])
    Answer.objects.create(response=response, question=q["why"], text="Breakouts")
    presentation = live.live_start(acting_user=room.facilitator, survey=survey)

    _answer(room, presentation, room.officer, q["format"], {"option": opt["no"].pk})
    during = live.live_result(
        presentation_id=presentation.pk, survey=survey, question=_with_options(survey, "format")
    )
    live.live_close(acting_user=room.facilitator, presentation=presentation)

    assert during.answered == 1
    assert [(o.label, o.count) for o in during.result.options] == [
        ("Yes", 0),
        ("No", 1),
        ("Other", 0),
    ]
    response.refresh_from_db()
    assert response.status == ResponseStatus.SUBMITTED
    # "What worked?" is asked only after "Yes": submitting dropped it.
    assert list(Answer.objects.values_list("question", "option")) == [
        (q["format"].pk, opt["no"].pk)
    ]


def _with_options(survey, name):
    question = survey.q[name]
    question.option_list = list(question.options.order_by("position"))
    return question


def test_the_presenter_s_counts_are_the_submitted_responses_and_the_drafts_answered_live(
    room, survey
):
    q, opt = survey.q, survey.opt
    # A draft begun on the survey's page, not live: not counted.
    elsewhere = Response.objects.create(
        survey=survey, user=room.caio, respondent=f"person:{room.caio.pk}"
    )
    Answer.objects.create(response=elsewhere, question=q["format"], option=opt["yes"])
    submitted = Response.objects.create(
        survey=survey, respondent="person:0", status=ResponseStatus.SUBMITTED
    )
    Answer.objects.create(response=submitted, question=q["format"], option=opt["yes"])
    presentation = live.live_start(acting_user=room.facilitator, survey=survey)
    _answer(room, presentation, room.officer, q["format"], {"option": opt["no"].pk})
    _answer(room, presentation, room.bea, q["format"], {"option": opt["no"].pk})

    found = live.live_result(
        presentation_id=presentation.pk, survey=survey, question=_with_options(survey, "format")
    )

    assert (found.answered, found.withheld) == (3, False)
    assert [(o.label, o.count) for o in found.result.ordered_options] == [
        ("No", 2),
        ("Yes", 1),
        ("Other", 0),
    ]


def test_an_anonymous_survey_s_counts_show_once_the_minimum_have_answered_the_question(room):
    survey = two_page_survey(room.cohort, is_anonymous=True, min_responses=3)
    presentation = live.live_start(acting_user=room.facilitator, survey=survey)
    question = _with_options(survey, "format")
    no = {"option": survey.opt["no"].pk}

    seen = []
    for person in (room.officer, room.bea, room.caio):
        _answer(room, presentation, person, survey.q["format"], no)
        found = live.live_result(presentation_id=presentation.pk, survey=survey, question=question)
        seen.append(
            (found.answered, found.withheld, [o.count for o in found.result.options] or None)
        )

    assert seen == [(1, True, None), (2, True, None), (3, False, [0, 3, 0])]


def test_a_short_text_question_s_word_cloud(room, survey):
    q = survey.q
    presentation = live.live_start(acting_user=room.facilitator, survey=survey)
    live.live_move(
        acting_user=room.facilitator, presentation=presentation, question_id=q["name"].pk
    )
    for person, text in [
        (room.officer, "Heat pumps"),
        (room.bea, "heat networks"),
        (room.caio, "The heat of it"),
    ]:
        _answer(room, presentation, person, q["name"], {"text": text})

    found = live.live_result(
        presentation_id=presentation.pk, survey=survey, question=_with_options(survey, "name")
    )

    assert found.answered == 3
    assert [(w.word, w.count, w.size) for w in found.cloud] == [
        ("heat", 3, 6),
        ("networks", 1, 1),
        ("pumps", 1, 1),
    ]


def test_word_cloud_counts_words_drops_stop_words_and_sizes_by_count():
    cloud = live.word_cloud(
        ["Données ouvertes", "les données, l'énergie", "Open data", "open data and DATA", "42 x"]
    )

    assert [(w.word, w.count, w.size) for w in cloud] == [
        ("data", 3, 6),
        ("données", 2, 3),
        ("l'énergie", 1, 1),
        ("open", 2, 3),
        ("ouvertes", 1, 1),
    ]
    assert live.word_cloud(["the", "", "a of"]) == []


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("KM4TXA", "KM4TXA"),
        (" km4-txa ", "KM4TXA"),
        ("km 4t xa", "KM4TXA"),
        ("KM4TX", None),
        ("KM4TXAA", None),
        ("KM0TXA", None),  # 0 is never in a code (it reads as O)
        ("", None),
        (None, None),
    ],
)
def test_normalize_code(raw, code):
    assert live.normalize_code(raw) == code
