"""feedback.answering: drafts page by page, every refused answer, display conditions, submit
(named and anonymous), closed surveys, and the email when a survey is published."""

import datetime
import threading

import pytest
from django.core import mail
from django.db import connection, connections
from django.utils import timezone

from feedback import answering, results
from feedback.enums import ResponseStatus, ResponseUnit
from feedback.models import Answer, Participation, Response, Survey
from notifications.models import OutboundEmail
from portal.errors import ApplicationError
from portal.permissions import PermissionRefused
from tests import factories
from tests.feedback.conftest import two_page_survey


def page_one(survey, **overrides):
    q, opt = survey.q, survey.opt
    data = {
        q["format"].pk: {"option": opt["yes"].pk, "other": ""},
        q["topics"].pk: {"options": [opt["topics"][0].pk], "other": ""},
        q["rating"].pk: {"number": 4, "not_applicable": False},
        q["name"].pk: {"text": "Ana"},
    }
    data.update({q[name].pk: value for name, value in overrides.items()})
    return data


def page_two(survey, **overrides):
    q, opt = survey.q, survey.opt
    ranks = opt["ranks"]
    data = {
        q["why"].pk: {"text": "The breakouts"},
        q["rank"].pk: {"ranks": {ranks[0].pk: 2, ranks[1].pk: 1}},
        q["matrix"].pk: {"rows": {opt["rows"][0].pk: 5, opt["rows"][1].pk: 3}},
        q["extent"].pk: {"number": None, "not_applicable": True},
        q["scale"].pk: {"number": 9, "not_applicable": False},
    }
    data.update({q[name].pk: value for name, value in overrides.items()})
    return data


def rows_of(response):
    return sorted(
        Answer.objects.filter(response=response).values_list(
            "question__text", "option__label", "number", "not_applicable", "text"
        ),
        key=lambda row: tuple(str(part) for part in row),
    )


def save(survey, user, page, data):
    response = answering.response_for(survey=survey, acting_user=user)
    return answering.response_page_save(
        response=response, section=survey.pages[page - 1], data=data, acting_user=user
    )


def test_a_draft_is_kept_page_by_page_and_resumes_at_the_last_page_saved(survey, asked):
    response = save(survey, asked.officer, 1, page_one(survey))

    assert response.respondent == f"person:{asked.officer.pk}"
    assert (response.user, response.status, response.page) == (asked.officer, "draft", 1)
    assert answering.response_for(survey=survey, acting_user=asked.officer).pk == response.pk
    assert rows_of(response) == [
        ("Nickname", None, None, False, "Ana"),
        ("Rate the sessions", None, 4, False, ""),
        ("Satisfied with the format?", "Yes", None, False, ""),
        ("Topics?", "Energy", None, False, ""),
    ]

    save(survey, asked.officer, 2, page_two(survey))
    # Page 1 again, changed: its rows are replaced, page 2's kept.
    response = save(
        survey, asked.officer, 1, page_one(survey, rating={"number": 2}, name={"text": ""})
    )

    assert response.page == 1
    assert [row for row in rows_of(response) if row[0] in ("Nickname", "Rate the sessions")] == [
        ("Rate the sessions", None, 2, False, "")
    ]
    assert ("Rank the formats", "Workshop", 1, False, "") in rows_of(response)
    assert ("How much did it help?", None, None, True, "") in rows_of(response)


def _refused(survey, user, page, data):
    with pytest.raises(ApplicationError) as refused:
        save(survey, user, page, data)
    return refused.value


BAD = [
    ("unknown option", 1, "format", {"option": 999_999}, "choose one of the options offered"),
    ("option of another question", 1, "format", "topic", "choose one of the options offered"),
    ("more than max_choices", 1, "topics", "three topics", "choose at most 2 options"),
    ("rating of 6", 1, "rating", {"number": 6}, "choose a point from 1 to 5"),
    ("rating of 0", 1, "rating", {"number": 0}, "choose a point from 1 to 5"),
    ("scale of 11", 2, "scale", {"number": 11}, "choose a point from 0 to 10"),
    ("text over max_length", 1, "name", {"text": "x" * 21}, "at most 20 characters"),
    ("other text without Other", 1, "format", "other text on yes", "choose “Other”"),
    ("repeated rank", 2, "rank", "repeated", "give each rank to one option only"),
    ("rank off the list", 2, "rank", "rank 4", "ranks go from 1 to 3"),
    ("unknown ranked option", 2, "rank", "unknown ranked", "rank only the options offered"),
    ("matrix row of another question", 2, "matrix", "foreign row", "answer only the rows"),
    ("matrix point 6", 2, "matrix", "matrix 6", "choose a point from 1 to 5"),
    ("not applicable not offered", 2, "scale", {"not_applicable": True}, "“Not applicable” is not"),
]


def _bad_value(survey, value):
    if not isinstance(value, str):
        return value
    opt = survey.opt
    ranks, rows = opt["ranks"], opt["rows"]
    return {
        "topic": {"option": opt["topics"][0].pk},
        "three topics": {"options": [o.pk for o in opt["topics"]]},
        "other text on yes": {"option": opt["yes"].pk, "other": "Longer"},
        "repeated": {"ranks": {ranks[0].pk: 1, ranks[1].pk: 1}},
        "rank 4": {"ranks": {ranks[0].pk: 4}},
        "unknown ranked": {"ranks": {opt["yes"].pk: 1}},
        "foreign row": {"rows": {ranks[0].pk: 3}},
        "matrix 6": {"rows": {rows[0].pk: 6}},
    }[value]


@pytest.mark.parametrize(("case", "page", "name", "value", "message"), BAD, ids=[b[0] for b in BAD])
def test_a_bad_answer_refuses_the_page_with_the_question_named_and_keeps_what_was_saved(
    survey, asked, case, page, name, value, message
):
    response = save(survey, asked.officer, 1, page_one(survey))
    save(survey, asked.officer, 2, page_two(survey))
    before = rows_of(response)
    data = (page_one if page == 1 else page_two)(survey, **{name: _bad_value(survey, value)})

    refusal = _refused(survey, asked.officer, page, data)

    assert isinstance(refusal, answering.AnswersInvalid)
    question = survey.q[name]
    assert list(refusal.errors) == [question.pk]
    assert refusal.errors[question.pk].startswith(f"“{question.text}”: {message}")
    assert rows_of(response) == before


def test_several_bad_answers_are_each_named(survey, asked):
    refusal = _refused(
        survey,
        asked.officer,
        1,
        page_one(survey, rating={"number": 6}, name={"text": "x" * 30}),
    )

    assert list(refusal.errors) == [survey.q["rating"].pk, survey.q["name"].pk]
    assert Answer.objects.count() == 0


def test_answers_for_a_question_of_another_page_are_refused(survey, asked):
    data = {**page_one(survey), survey.q["scale"].pk: {"number": 3}}

    refusal = _refused(survey, asked.officer, 1, data)

    assert refusal.code == "wrong_question"
    assert Answer.objects.count() == 0


def test_other_text_is_kept_on_the_other_option(survey, asked):
    other = survey.opt["other"]
    response = save(
        survey, asked.officer, 1, page_one(survey, format={"option": other.pk, "other": "Mixed"})
    )

    assert ("Satisfied with the format?", "Other", None, False, "Mixed") in rows_of(response)


def test_a_question_whose_condition_is_not_met_is_neither_required_nor_kept(survey, asked):
    officer, no = asked.officer, survey.opt["no"]
    save(survey, officer, 1, page_one(survey))
    response = save(survey, officer, 2, page_two(survey))
    assert ("What worked?", None, None, False, "The breakouts") in rows_of(response)

    # "No" on page 1 afterwards: "What worked?" is no longer asked; submit drops its answer.
    save(survey, officer, 1, page_one(survey, format={"option": no.pk}))
    response = answering.response_submit(response=response, acting_user=officer)

    assert response.status == ResponseStatus.SUBMITTED
    assert [row for row in rows_of(response) if row[0] == "What worked?"] == []


def test_a_hidden_question_answered_on_its_page_is_not_stored(survey, asked):
    officer = asked.officer
    save(survey, officer, 1, page_one(survey, format={"option": survey.opt["no"].pk}))

    response = save(survey, officer, 2, page_two(survey))

    assert [row for row in rows_of(response) if row[0] == "What worked?"] == []


def test_submit_lists_every_required_question_missing(survey, asked):
    officer = asked.officer
    response = save(survey, officer, 1, page_one(survey, format={"option": None}))
    save(survey, officer, 2, page_two(survey, why={"text": ""}))

    with pytest.raises(answering.ResponseIncomplete) as refused:
        answering.response_submit(response=response, acting_user=officer)

    assert refused.value.questions == [survey.q["format"]]
    # With "Yes", the conditional question is asked and missing too.
    save(survey, officer, 1, page_one(survey))
    with pytest.raises(answering.ResponseIncomplete) as refused:
        answering.response_submit(response=response, acting_user=officer)
    assert refused.value.questions == [survey.q["why"]]
    assert refused.value.message == ("Answer these questions before you submit: “What worked?”.")
    response.refresh_from_db()
    assert response.status == ResponseStatus.DRAFT


def test_named_submit_keeps_who_and_when_and_a_second_submit_is_refused(survey, asked):
    officer = asked.officer
    save(survey, officer, 1, page_one(survey))
    response = save(survey, officer, 2, page_two(survey))

    submitted = answering.response_submit(response=response, acting_user=officer)

    submitted.refresh_from_db()
    assert (submitted.status, submitted.user, submitted.respondent) == (
        "submitted",
        officer,
        f"person:{officer.pk}",
    )
    assert submitted.submitted_at is not None
    with pytest.raises(ApplicationError, match="already submitted"):
        answering.response_submit(response=response, acting_user=officer)
    assert Response.objects.count() == 1


def test_a_named_response_changed_after_submission_is_a_draft_until_submitted_again(survey, asked):
    officer = asked.officer
    save(survey, officer, 1, page_one(survey))
    response = save(survey, officer, 2, page_two(survey))
    answering.response_submit(response=response, acting_user=officer)

    again = answering.response_for(survey=survey, acting_user=officer)
    assert again.pk == response.pk and again.status == "submitted"
    changed = save(survey, officer, 2, page_two(survey, scale={"number": 3}))

    assert changed.status == ResponseStatus.DRAFT
    assert answering.response_submit(response=changed, acting_user=officer).status == "submitted"
    assert ("Recommend it?", None, 3, False, "") in rows_of(changed)


def test_anonymous_submit_clears_who_and_when_and_records_the_participation(asked):
    survey = two_page_survey(asked.cohort, is_anonymous=True)
    officer = asked.officer
    save(survey, officer, 1, page_one(survey))
    response = save(survey, officer, 2, page_two(survey))
    assert (response.user, response.respondent) == (officer, f"person:{officer.pk}")

    answering.response_submit(response=response, acting_user=officer)

    response.refresh_from_db()
    assert (response.status, response.user, response.city, response.respondent) == (
        "submitted",
        None,
        None,
        "",
    )
    assert (response.created_at, response.updated_at, response.submitted_at) == (None,) * 3
    assert list(Participation.objects.values_list("survey", "user")) == [(survey.pk, officer.pk)]
    # The answers stay, with nothing that leads back to the person.
    assert len(rows_of(response)) == 11
    # And the person cannot start a second one.
    with pytest.raises(ApplicationError, match="already answered this anonymous survey"):
        answering.response_for(survey=survey, acting_user=officer)


def test_a_survey_per_city_is_one_response_shared_by_the_citys_officers(asked):
    survey = two_page_survey(asked.cohort, response_unit=ResponseUnit.CITY)
    rui = factories.city_officer(city=asked.city)
    other_city = factories.CityFactory()
    factories.CityMembershipFactory(user=asked.officer, city=other_city)

    ana_draft = answering.response_for(survey=survey, acting_user=asked.officer, city=asked.city)
    rui_draft = answering.response_for(survey=survey, acting_user=rui, city=asked.city)

    assert ana_draft.pk == rui_draft.pk
    assert (ana_draft.respondent, ana_draft.city) == (f"city:{asked.city.pk}", asked.city)
    answering.response_page_save(
        response=rui_draft, section=survey.pages[0], data=page_one(survey), acting_user=rui
    )
    with pytest.raises(ApplicationError, match="Choose one of your cities"):
        answering.response_for(survey=survey, acting_user=rui, city=other_city)
    with pytest.raises(ApplicationError, match="Choose one of your cities"):
        answering.response_for(survey=survey, acting_user=rui)
    # Ana's other city is not enrolled in the cohort: not asked.
    with pytest.raises(ApplicationError, match="is not one of the cities this survey asks"):
        answering.response_for(survey=survey, acting_user=asked.officer, city=other_city)
    # Another city's officer may not write Lisbon's response.
    stranger = factories.city_officer()
    with pytest.raises(PermissionRefused):
        answering.response_page_save(
            response=ana_draft, section=survey.pages[0], data={}, acting_user=stranger
        )


def test_someone_a_survey_does_not_ask_is_refused(survey):
    with pytest.raises(PermissionRefused):
        answering.response_for(survey=survey, acting_user=factories.city_officer())


def test_another_persons_draft_is_not_theirs_to_change(survey, asked):
    response = save(survey, asked.officer, 1, page_one(survey))
    colleague = factories.city_officer(city=asked.city)

    with pytest.raises(ApplicationError, match="not yours"):
        answering.response_page_save(
            response=response, section=survey.pages[0], data={}, acting_user=colleague
        )
    with pytest.raises(ApplicationError, match="not yours"):
        answering.response_submit(response=response, acting_user=colleague)


def test_a_closed_survey_takes_no_answer_and_one_not_yet_open_neither(survey, asked):
    response = save(survey, asked.officer, 1, page_one(survey))
    now = timezone.now()
    Survey.objects.filter(pk=survey.pk).update(
        opens_at=now - datetime.timedelta(days=9), closes_at=now - datetime.timedelta(seconds=1)
    )
    survey.refresh_from_db()
    response.survey = survey

    for call in (
        lambda: answering.response_for(survey=survey, acting_user=asked.officer),
        lambda: answering.response_page_save(
            response=response, section=survey.pages[0], data={}, acting_user=asked.officer
        ),
        lambda: answering.response_submit(response=response, acting_user=asked.officer),
    ):
        with pytest.raises(ApplicationError, match="This survey closed on") as refused:
            call()
        assert refused.value.code == "closed"
    assert len(rows_of(response)) == 4

    Survey.objects.filter(pk=survey.pk).update(
        opens_at=now + datetime.timedelta(days=1), closes_at=now + datetime.timedelta(days=2)
    )
    survey.refresh_from_db()
    with pytest.raises(ApplicationError, match="This survey opens on"):
        answering.response_for(survey=survey, acting_user=asked.officer)


def test_an_unpublished_survey_is_answered_by_nobody(survey, asked):
    Survey.objects.filter(pk=survey.pk).update(is_published=False)
    survey.refresh_from_db()

    with pytest.raises(PermissionRefused):
        answering.response_for(survey=survey, acting_user=asked.officer)


@pytest.mark.django_db(transaction=True)
def test_two_submissions_at_once_make_one_submitted_response_and_one_refusal(asked):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL (SQLite's test database is one connection)")
    survey = two_page_survey(asked.cohort, is_anonymous=True)
    officer = asked.officer
    save(survey, officer, 1, page_one(survey))
    response = save(survey, officer, 2, page_two(survey))
    barrier = threading.Barrier(2)
    outcomes = []

    def submit():
        try:
            barrier.wait()
            answering.response_submit(
                response=Response.objects.get(pk=response.pk), acting_user=officer
            )
            outcomes.append("submitted")
        except ApplicationError as refusal:
            outcomes.append(refusal.message)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["This response is already submitted.", "submitted"]
    assert Participation.objects.count() == 1
    assert list(Response.objects.values_list("status", "respondent")) == [("submitted", "")]


def test_submit_locks_the_response_row(survey, asked):
    save(survey, asked.officer, 1, page_one(survey))
    response = save(survey, asked.officer, 2, page_two(survey))
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        answering.response_submit(response=response, acting_user=asked.officer)

    locking = [q["sql"] for q in queries if 'FROM "feedback_response"' in q["sql"]]
    if connection.features.has_select_for_update:
        assert "FOR UPDATE" in locking[0]
    else:
        # SQLite: the write transaction is the lock; the row is read inside it before any check.
        assert locking


@pytest.mark.django_db(transaction=True)
def test_publishing_writes_once_to_each_person_asked_in_their_language(asked):
    survey = two_page_survey(asked.cohort)
    asked.officer.language = "fr"
    asked.officer.save()
    other_city = factories.CityFactory()
    factories.enrolment_accepted(cohort=asked.cohort, city=other_city)
    piet = factories.city_officer(city=other_city, email="piet@gent.example", full_name="Piet")
    factories.city_officer(email="stranger@example.org")  # a city not enrolled: not asked
    factories.city_officer(city=other_city, is_active=False)  # left the programme

    from django.db import transaction

    with transaction.atomic():
        assert answering.survey_published_notify(survey=survey) == 2
        assert mail.outbox == []  # after the commit only
    with transaction.atomic():
        answering.survey_published_notify(survey=survey)  # published again: nobody twice

    assert sorted(OutboundEmail.objects.values_list("key", "to")) == sorted(
        [
            (f"survey:{survey.pk}:published:person:{asked.officer.pk}", "ana@lisboa.example"),
            (f"survey:{survey.pk}:published:person:{piet.pk}", "piet@gent.example"),
        ]
    )
    by_address = {message.to[0]: message for message in mail.outbox}
    assert len(mail.outbox) == 2
    assert by_address["piet@gent.example"].subject == 'Survey open: "Recap"'
    assert f"/surveys/{survey.pk}/" in by_address["piet@gent.example"].body


def test_a_session_survey_asks_the_registered_people_with_an_account(db):
    session = factories.SessionFactory()
    guest = factories.UserFactory(email="guest@example.org")
    factories.RegistrationFactory(session=session, email="Guest@example.org")
    factories.RegistrationFactory(session=session, email="no-account@example.org")
    survey = factories.SurveyFactory(
        scope="session", cohort=None, session=session, is_published=True
    )

    assert list(answering.people_asked(survey)) == [guest]


def test_a_named_response_speaks_for_the_persons_city_the_survey_asks(survey, asked):
    # The officer also works for a city the survey does not ask (not enrolled): the response
    # names the one it asks, so the results' filters and texts count it under that city.
    denmark = factories.CountryFactory(iso_code="DK", name="Denmark")
    elsewhere = factories.CityFactory(name="Aarhus", country=denmark)
    factories.CityMembershipFactory(user=asked.officer, city=elsewhere)

    response = save(survey, asked.officer, 1, page_one(survey))

    assert (response.city, response.respondent) == (asked.city, f"person:{asked.officer.pk}")
    country = results.ResultFilters(country_id=asked.city.country_id)
    save(survey, asked.officer, 2, page_two(survey))
    answering.response_submit(response=response, acting_user=asked.officer)
    assert results.survey_results(survey=survey, filters=country).responses == 1
    assert asked.city.country != denmark
    other = results.ResultFilters(country_id=denmark.pk)
    assert results.survey_results(survey=survey, filters=other).responses == 0


def test_a_session_guest_answers_for_the_city_that_registered_them_and_anonymous_for_none(db):
    session = factories.SessionFactory()
    city = factories.CityFactory(name="Guimarães")
    guest = factories.UserFactory(email="guest@example.org")
    factories.RegistrationFactory(session=session, city=city, email="Guest@example.org")
    named = factories.SurveyFactory(
        scope="session", cohort=None, session=session, is_published=True
    )
    anonymous = factories.SurveyFactory(
        scope="session", cohort=None, session=session, is_published=True, is_anonymous=True
    )

    assert answering.response_for(survey=named, acting_user=guest).city == city
    assert answering.response_for(survey=anonymous, acting_user=guest).city is None
