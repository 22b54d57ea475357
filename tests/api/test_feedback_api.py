"""/api/v1/surveys/ (feedback/api.py): surveys and their questions, the caller's own response
through feedback.answering, and the builders' responses and results through feedback.results.

The world: a cohort led by Lea, with Lisbon and Porto (Portugal) and Sevilla (Spain) enrolled,
each with one officer (Ana, Rui, Eva); Oto is an officer of a city in another cohort. The survey
asks one page: a required single choice (Yes, No), a multiple choice of at most two, a rating
with a label per point and a short text of at most 20 characters.
"""

import datetime
import threading
from dataclasses import dataclass

import pytest
import time_machine
from django.db import connection, connections
from django.test import Client
from django.utils import timezone

from feedback import answering
from feedback.enums import QuestionKind, ResponseStatus, ResponseUnit, SurveyScope
from feedback.models import Answer, Option, Participation, Question, Response, Section, Survey
from tests import factories
from tests.queries import keep_facts_of, session_queries

RATING_LABELS = ["Poor", "Fair", "Good", "Very good", "Excellent"]


@dataclass
class Place:
    cohort: object
    lead: object
    lisbon: object
    porto: object
    sevilla: object
    ana: object
    rui: object
    eva: object
    oto: object

    def client(self, user) -> Client:
        client = Client()
        client.force_login(user)
        return client


@pytest.fixture
def place(db):
    cohort = factories.CohortFactory()
    lead = factories.UserFactory(is_facilitator=True, full_name="Lea Lead")
    cohort.facilitators.add(lead)
    portugal = factories.CountryFactory(iso_code="PT")
    spain = factories.CountryFactory(iso_code="ES")
    cities, officers = [], []
    for name, country, person in (
        ("Lisbon", portugal, "Ana Silva"),
        ("Porto", portugal, "Rui Costa"),
        ("Sevilla", spain, "Eva Ruiz"),
    ):
        city = factories.CityFactory(name=name, country=country)
        factories.enrolment_accepted(cohort=cohort, city=city)
        cities.append(city)
        officers.append(factories.city_officer(city=city, full_name=person))
    elsewhere = factories.CityFactory(name="Braga", country=portugal)
    factories.enrolment_accepted(city=elsewhere)
    oto = factories.city_officer(city=elsewhere, full_name="Oto Elsewhere")
    return Place(cohort, lead, *cities, *officers, oto)


def make_survey(cohort, **fields) -> Survey:
    now = timezone.now()
    fields = {
        "title": "After the session",
        "introduction": "Five minutes.",
        "scope": SurveyScope.COHORT,
        "cohort": cohort,
        "opens_at": now - datetime.timedelta(days=1),
        "closes_at": now + datetime.timedelta(days=7),
        "is_published": True,
        **fields,
    }
    survey = Survey.objects.create(**fields)
    section = Section.objects.create(survey=survey, position=1, title="Format")
    q = {
        "format": Question.objects.create(
            section=section,
            position=1,
            kind=QuestionKind.SINGLE_CHOICE,
            text="Satisfied with the format?",
            is_required=True,
        ),
        "topics": Question.objects.create(
            section=section,
            position=2,
            kind=QuestionKind.MULTIPLE_CHOICE,
            text="Topics?",
            max_choices=2,
        ),
        "rating": Question.objects.create(
            section=section,
            position=3,
            kind=QuestionKind.RATING,
            text="Rate the session",
            scale_labels=RATING_LABELS,
        ),
        "idea": Question.objects.create(
            section=section,
            position=4,
            kind=QuestionKind.SHORT_TEXT,
            text="One idea",
            max_length=20,
        ),
    }
    opt = {}
    for key, labels in (("format", ["Yes", "No"]), ("topics", ["Energy", "Mobility", "Buildings"])):
        opt[key] = [
            Option.objects.create(question=q[key], position=n, label=label)
            for n, label in enumerate(labels, start=1)
        ]
    survey.q, survey.opt, survey.section = q, opt, section
    return survey


def answer(survey, user, *, yes=True, topics=(0,), rating=None, idea="", city=None, submit=True):
    """A response written and submitted through the services, as the pages do."""
    data = {
        survey.q["format"].pk: {"option": survey.opt["format"][0 if yes else 1].pk, "other": ""},
        survey.q["topics"].pk: {"options": [survey.opt["topics"][n].pk for n in topics]},
        survey.q["rating"].pk: {"number": rating, "not_applicable": False},
        survey.q["idea"].pk: {"text": idea},
    }
    response = answering.response_for(survey=survey, acting_user=user, city=city)
    answering.response_page_save(
        response=response, section=survey.section, data=data, acting_user=user
    )
    if submit:
        answering.response_submit(response=response, acting_user=user)
    return response


def moment(value) -> str:
    return timezone.localtime(value).isoformat()


def put(client, survey, body):
    return client.put(
        f"/api/v1/surveys/{survey.pk}/response/", body, content_type="application/json"
    )


def submit(client, survey, body=None):
    return client.post(
        f"/api/v1/surveys/{survey.pk}/response/submit/", body or {}, content_type="application/json"
    )


# --- Surveys and their questions -----------------------------------------------------------------


def test_a_survey_with_its_questions_is_exact_json(place):
    survey = make_survey(place.cohort)
    q, opt = survey.q, survey.opt

    response = place.client(place.ana).get(f"/api/v1/surveys/{survey.pk}/")

    assert response.status_code == 200
    question = {
        "help_text": "",
        "is_required": False,
        "max_choices": None,
        "max_length": None,
        "allows_not_applicable": False,
        "scale": [],
        "shown_if": None,
        "options": [],
    }
    assert response.json() == {
        "id": survey.pk,
        "title": "After the session",
        "introduction": "Five minutes.",
        "scope": "cohort",
        "session": None,
        "cohort": place.cohort.pk,
        "programme": "",
        "opens_at": moment(survey.opens_at),
        "closes_at": moment(survey.closes_at),
        "is_open": True,
        "is_anonymous": False,
        "min_responses": 3,
        "response_unit": "person",
        "is_published": True,
        "template_key": "",
        "sections": [
            {
                "id": survey.section.pk,
                "position": 1,
                "title": "Format",
                "description": "",
                "questions": [
                    {
                        **question,
                        "id": q["format"].pk,
                        "position": 1,
                        "kind": "single",
                        "text": "Satisfied with the format?",
                        "is_required": True,
                        "options": [
                            {
                                "id": opt["format"][0].pk,
                                "position": 1,
                                "label": "Yes",
                                "is_other": False,
                            },
                            {
                                "id": opt["format"][1].pk,
                                "position": 2,
                                "label": "No",
                                "is_other": False,
                            },
                        ],
                    },
                    {
                        **question,
                        "id": q["topics"].pk,
                        "position": 2,
                        "kind": "multiple",
                        "text": "Topics?",
                        "max_choices": 2,
                        "options": [
                            {"id": o.pk, "position": n, "label": o.label, "is_other": False}
                            for n, o in enumerate(opt["topics"], start=1)
                        ],
                    },
                    {
                        **question,
                        "id": q["rating"].pk,
                        "position": 3,
                        "kind": "rating",
                        "text": "Rate the session",
                        "scale": [
                            {"value": n, "label": label}
                            for n, label in enumerate(RATING_LABELS, start=1)
                        ],
                    },
                    {
                        **question,
                        "id": q["idea"].pk,
                        "position": 4,
                        "kind": "short_text",
                        "text": "One idea",
                        "max_length": 20,
                    },
                ],
            }
        ],
    }


def test_the_list_shows_builders_theirs_and_others_the_published_surveys_asking_them(place):
    now = timezone.now()
    published = make_survey(
        place.cohort, title="Published", opens_at=now - datetime.timedelta(hours=1)
    )
    draft = make_survey(
        place.cohort,
        title="Draft",
        is_published=False,
        opens_at=now - datetime.timedelta(hours=2),
    )
    session = factories.SessionFactory(cohort=place.cohort)
    closed = make_survey(
        None,
        title="Closed, of a session",
        scope=SurveyScope.SESSION,
        session=session,
        opens_at=timezone.now() - datetime.timedelta(days=10),
        closes_at=timezone.now() - datetime.timedelta(days=1),
    )

    def titles(user, query=""):
        response = place.client(user).get(f"/api/v1/surveys/{query}")
        assert response.status_code == 200, response.content
        return [row["title"] for row in response.json()["results"]]

    # Newest opening first.
    assert titles(place.lead) == ["Published", "Draft", "Closed, of a session"]
    assert titles(place.ana) == ["Published", "Closed, of a session"]
    assert titles(place.oto) == []
    assert titles(place.lead, "?open=false") == ["Closed, of a session"]
    assert titles(place.lead, "?open=true&ordering=title") == ["Draft", "Published"]
    assert titles(place.lead, f"?cohort={place.cohort.pk}&scope=session") == [closed.title]
    assert titles(place.lead, f"?session={session.pk}") == [closed.title]
    assert (published.pk, draft.pk) != (None, None)
    refused = place.client(place.lead).get("/api/v1/surveys/?scope=city")
    assert (refused.status_code, refused.json()["error"]["fields"]) == (
        400,
        {"scope": ["“city” is not one of the choices: session, cohort, programme."]},
    )


def test_the_kept_survey_follows_a_wording_change_and_its_closing(place):
    survey = make_survey(place.cohort)
    ana = place.client(place.ana)
    path = f"/api/v1/surveys/{survey.pk}/"
    assert ana.get(path).json()["sections"][0]["questions"][0]["text"] == (
        "Satisfied with the format?"
    )

    survey.q["format"].text = "Happy with the format?"
    survey.q["format"].save()
    changed = ana.get(path).json()
    with time_machine.travel(survey.closes_at + datetime.timedelta(seconds=1)):
        closed = ana.get(path).json()

    assert changed["sections"][0]["questions"][0]["text"] == "Happy with the format?"
    assert (changed["is_open"], closed["is_open"]) == (True, False)


def test_a_survey_is_not_found_by_those_it_does_not_concern(place):
    survey = make_survey(place.cohort)
    draft = make_survey(place.cohort, is_published=False)

    assert place.client(place.oto).get(f"/api/v1/surveys/{survey.pk}/").status_code == 404
    assert place.client(place.ana).get(f"/api/v1/surveys/{draft.pk}/").status_code == 404
    assert place.client(place.lead).get(f"/api/v1/surveys/{draft.pk}/").status_code == 200
    assert place.client(place.ana).get("/api/v1/surveys/99999999999999999999/").status_code == 404


# --- The caller's own response -----------------------------------------------------------------


def test_a_draft_is_saved_read_back_and_submitted(place):
    survey = make_survey(place.cohort)
    q, opt = survey.q, survey.opt
    ana = place.client(place.ana)
    body = {
        "answers": {
            str(q["format"].pk): {"option": opt["format"][0].pk, "other": ""},
            str(q["topics"].pk): {
                "options": [opt["topics"][2].pk, opt["topics"][0].pk],
                "other": "",
            },
            str(q["rating"].pk): {"number": 4, "not_applicable": False},
            str(q["idea"].pk): {"text": "  More visits  "},
        }
    }

    before = ana.get(f"/api/v1/surveys/{survey.pk}/response/").json()
    saved = put(ana, survey, body)
    read = ana.get(f"/api/v1/surveys/{survey.pk}/response/")
    draft_saved_at = Response.objects.get(survey=survey).updated_at
    submitted = submit(ana, survey)

    assert before == {
        "survey": survey.pk,
        "city": None,
        "status": "not_started",
        "page": 1,
        "updated_at": None,
        "submitted_at": None,
        "answers": {},
    }
    response = Response.objects.get(survey=survey)
    answers = {
        str(q["format"].pk): {"option": opt["format"][0].pk, "other": ""},
        str(q["topics"].pk): {
            "options": sorted([opt["topics"][0].pk, opt["topics"][2].pk]),
            "other": "",
        },
        str(q["rating"].pk): {"number": 4, "not_applicable": False},
        str(q["idea"].pk): {"text": "More visits"},
    }
    assert saved.status_code == 200
    assert saved.json() == read.json()
    assert read.json() == {
        "survey": survey.pk,
        "city": None,
        "status": "draft",
        "page": 1,
        "updated_at": moment(draft_saved_at),
        "submitted_at": None,
        "answers": answers,
    }
    assert submitted.status_code == 200
    assert submitted.json() == {
        **read.json(),
        "status": "submitted",
        "updated_at": moment(response.updated_at),
        "submitted_at": moment(response.submitted_at),
    }
    # What a GET gives, a PUT takes as it is.
    assert put(ana, survey, {"answers": read.json()["answers"]}).json()["answers"] == answers


def test_a_put_is_the_whole_draft(place):
    survey = make_survey(place.cohort)
    answer(survey, place.ana, rating=5, idea="Visits", submit=False)
    q, opt = survey.q, survey.opt

    response = put(
        place.client(place.ana),
        survey,
        {"answers": {str(q["format"].pk): {"option": opt["format"][1].pk}}},
    )

    assert response.status_code == 200
    assert response.json()["answers"] == {
        str(q["format"].pk): {"option": opt["format"][1].pk, "other": ""}
    }
    assert Answer.objects.filter(response__survey=survey).count() == 1


BAD_ANSWERS = [
    pytest.param(
        "format",
        {"option": 999_999},
        "“Satisfied with the format?”: choose one of the options offered.",
        id="an option that does not exist",
    ),
    pytest.param(
        "topics",
        {"options": "all three"},
        "“Topics?”: choose at most 2 options.",
        id="more than N choices",
    ),
    pytest.param(
        "rating",
        {"number": 6},
        "“Rate the session”: choose a point from 1 to 5.",
        id="a rating of 6",
    ),
    pytest.param(
        "idea",
        {"text": "x" * 21},
        "“One idea”: at most 20 characters (you wrote 21).",
        id="text over the limit",
    ),
]


@pytest.mark.parametrize(("question", "value", "message"), BAD_ANSWERS)
def test_a_refused_answer_keeps_nothing_of_the_request_and_loses_nothing_saved(
    place, question, value, message
):
    survey = make_survey(place.cohort)
    q, opt = survey.q, survey.opt
    if value.get("options") == "all three":
        value = {"options": [option.pk for option in opt["topics"]]}
    answer(survey, place.ana, rating=3, idea="Visits", submit=False)
    saved = sorted(Answer.objects.values_list("question_id", "option_id", "number", "text"))
    body = {
        "answers": {
            # A valid change beside the refused answer (for the first question, replaced by
            # the refused one): not kept either.
            str(q["format"].pk): {"option": opt["format"][1].pk},
            str(q[question].pk): value,
        }
    }

    response = put(place.client(place.ana), survey, body)

    assert response.status_code == 400
    assert response.json() == {
        "error": {
            "status": 400,
            "code": "invalid_answers",
            "message": message,
            "fields": {"answers": {str(q[question].pk): [message]}},
        }
    }
    assert sorted(Answer.objects.values_list("question_id", "option_id", "number", "text")) == saved


def test_every_refused_answer_is_named_at_once_and_nothing_is_begun(place):
    survey = make_survey(place.cohort)
    q = survey.q

    response = put(
        place.client(place.ana),
        survey,
        {"answers": {str(q["rating"].pk): {"number": 0}, str(q["idea"].pk): {"text": "y" * 30}}},
    )

    assert response.json()["error"]["fields"] == {
        "answers": {
            str(q["rating"].pk): ["“Rate the session”: choose a point from 1 to 5."],
            str(q["idea"].pk): ["“One idea”: at most 20 characters (you wrote 30)."],
        }
    }
    assert not Response.objects.exists()


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        (
            {"answers": {"999999": {"text": "x"}}},
            {"answers": {"999999": ["This is not a question of this survey."]}},
        ),
        (
            {"answers": {"rating": {"number": 3}}},
            {"answers": {"rating": ["This is not a question of this survey."]}},
        ),
        (
            {"answers": {"RATING": {"number": "six"}}},
            {"answers": {"RATING": {"number": ["A valid integer is required."]}}},
        ),
        ({"answers": []}, {"answers": ['Expected a dictionary of items but got type "list".']}),
        ({"page": 2}, {"page": ["Give a page from 1 to 1."]}),
    ],
)
def test_answers_that_cannot_be_read_are_refused(place, body, fields):
    survey = make_survey(place.cohort)
    if "RATING" in body.get("answers", {}):
        body = {"answers": {str(survey.q["rating"].pk): body["answers"]["RATING"]}}
        fields = {"answers": {str(survey.q["rating"].pk): fields["answers"]["RATING"]}}

    response = put(place.client(place.ana), survey, body)

    assert (response.status_code, response.json()["error"]["fields"]) == (400, fields)
    assert not Response.objects.exists()


def test_a_closed_survey_takes_no_answer(place):
    survey = make_survey(
        place.cohort,
        opens_at=timezone.now() - datetime.timedelta(days=10),
        closes_at=timezone.now() - datetime.timedelta(days=1),
    )
    closed_on = answering.date_format(timezone.localtime(survey.closes_at), "DATETIME_FORMAT")
    message = f"This survey closed on {closed_on}: answers are no longer taken."
    ana = place.client(place.ana)

    saved = put(ana, survey, {"answers": {str(survey.q["rating"].pk): {"number": 3}}})
    submitted = submit(ana, survey)

    for refused in (saved, submitted):
        assert refused.json() == {"error": {"status": 400, "code": "closed", "message": message}}
    assert not Response.objects.exists()


def test_submitting_twice_is_refused_and_keeps_one_response(place):
    survey = make_survey(place.cohort)
    answer(survey, place.ana, rating=4, submit=False)
    ana = place.client(place.ana)

    first, second = submit(ana, survey), submit(ana, survey)

    assert first.status_code == 200
    assert second.json() == {
        "error": {
            "status": 400,
            "code": "already_submitted",
            "message": "This response is already submitted.",
        }
    }
    assert list(Response.objects.values_list("status", flat=True)) == [ResponseStatus.SUBMITTED]


def test_an_anonymous_survey_is_answered_once(place):
    survey = make_survey(place.cohort, is_anonymous=True)
    answer(survey, place.ana, rating=4, submit=False)
    ana = place.client(place.ana)

    first, second = submit(ana, survey), submit(ana, survey)
    again = put(ana, survey, {"answers": {}})
    read = ana.get(f"/api/v1/surveys/{survey.pk}/response/")

    assert first.json()["status"] == "submitted"
    refusal = {
        "error": {
            "status": 400,
            "code": "already_answered",
            "message": "You have already answered this anonymous survey.",
        }
    }
    assert (second.json(), again.json()) == (refusal, refusal)
    # Submitted, it is nobody's: none of its answers is read back as theirs.
    assert read.json() == {
        "survey": survey.pk,
        "city": None,
        "status": "submitted",
        "page": 1,
        "updated_at": None,
        "submitted_at": None,
        "answers": {},
    }
    assert first.json() == read.json()
    assert list(Response.objects.values_list("user", "city", "respondent", "status")) == [
        (None, None, "", ResponseStatus.SUBMITTED)
    ]
    assert Participation.objects.filter(survey=survey).count() == 1


def test_submitting_with_a_required_question_unanswered_lists_it(place):
    survey = make_survey(place.cohort)
    ana = place.client(place.ana)
    put(ana, survey, {"answers": {str(survey.q["rating"].pk): {"number": 2}}})

    response = submit(ana, survey)

    assert response.json() == {
        "error": {
            "status": 400,
            "code": "incomplete",
            "message": "Answer these questions before you submit: “Satisfied with the format?”.",
            "fields": {"answers": {str(survey.q["format"].pk): ["Required to submit."]}},
        }
    }
    assert list(Response.objects.values_list("status", flat=True)) == [ResponseStatus.DRAFT]


def test_an_officer_never_reads_nor_writes_another_citys_response(place):
    """A survey answered once per city: Rui (Porto) names Lisbon's response; he is refused,
    and Lisbon's draft stays as Ana wrote it. The builders' reads are refused to officers."""
    survey = make_survey(place.cohort, response_unit=ResponseUnit.CITY)
    answer(survey, place.ana, city=place.lisbon, idea="Lisbon's idea", submit=False)
    rui = place.client(place.rui)
    refused_city = {"city": ["Choose one of your cities: this survey takes one response per city."]}

    read = rui.get(f"/api/v1/surveys/{survey.pk}/response/?city={place.lisbon.pk}")
    written = put(rui, survey, {"city": place.lisbon.pk, "answers": {}})
    submitted = submit(rui, survey, {"city": place.lisbon.pk})
    own = rui.get(f"/api/v1/surveys/{survey.pk}/response/")
    responses = rui.get(f"/api/v1/surveys/{survey.pk}/responses/")
    results = rui.get(f"/api/v1/surveys/{survey.pk}/results/")

    for response in (read, written, submitted):
        assert (response.status_code, response.json()["error"]["fields"]) == (400, refused_city)
    assert own.json()["city"] == place.porto.pk
    assert own.json()["status"] == "not_started"
    assert (responses.status_code, results.status_code) == (403, 403)
    assert list(Answer.objects.filter(text__gt="").values_list("text", flat=True)) == [
        "Lisbon's idea"
    ]
    lisbon = place.client(place.ana).get(f"/api/v1/surveys/{survey.pk}/response/").json()
    assert (lisbon["city"], lisbon["answers"][str(survey.q["idea"].pk)]) == (
        place.lisbon.pk,
        {"text": "Lisbon's idea"},
    )


# --- Builders' reads: responses and results -------------------------------------------------------


def test_named_responses_list_who_and_which_city(place):
    survey = make_survey(place.cohort)
    first = answer(survey, place.ana, rating=5, idea="Visits")
    second = answer(survey, place.eva, yes=False, topics=(1, 2))
    answer(survey, place.rui, submit=False)  # a draft: not listed
    first.refresh_from_db()
    second.refresh_from_db()
    q, opt = survey.q, survey.opt

    response = place.client(place.lead).get(f"/api/v1/surveys/{survey.pk}/responses/")

    assert response.json() == {
        "count": 2,
        "next": None,
        "previous": None,
        "results": [
            {
                "id": first.pk,
                "respondent": {"id": place.ana.pk, "name": "Ana Silva"},
                # A person's response speaks for their city the survey asks.
                "city": {"id": place.lisbon.pk, "name": "Lisbon"},
                "submitted_at": moment(first.submitted_at),
                "answers": {
                    str(q["format"].pk): {"option": opt["format"][0].pk, "other": ""},
                    str(q["topics"].pk): {"options": [opt["topics"][0].pk], "other": ""},
                    str(q["rating"].pk): {"number": 5, "not_applicable": False},
                    str(q["idea"].pk): {"text": "Visits"},
                },
            },
            {
                "id": second.pk,
                "respondent": {"id": place.eva.pk, "name": "Eva Ruiz"},
                "city": {"id": place.sevilla.pk, "name": "Sevilla"},
                "submitted_at": moment(second.submitted_at),
                "answers": {
                    str(q["format"].pk): {"option": opt["format"][1].pk, "other": ""},
                    str(q["topics"].pk): {
                        "options": [opt["topics"][1].pk, opt["topics"][2].pk],
                        "other": "",
                    },
                },
            },
        ],
    }


def test_a_citys_response_names_the_city(place):
    survey = make_survey(place.cohort, response_unit=ResponseUnit.CITY)
    answer(survey, place.rui, city=place.porto)

    row = place.client(place.lead).get(f"/api/v1/surveys/{survey.pk}/responses/").json()

    assert [(r["respondent"], r["city"]) for r in row["results"]] == [
        ({"id": place.rui.pk, "name": "Rui Costa"}, {"id": place.porto.pk, "name": "Porto"})
    ]


def test_results_are_exact_json(place):
    survey = make_survey(place.cohort)
    answer(survey, place.ana, rating=5, topics=(0, 1), idea="Visits")
    answer(survey, place.rui, rating=4, topics=(0,), idea="Data")
    answer(survey, place.eva, yes=False, topics=(), rating=None)
    q, opt = survey.q, survey.opt

    response = place.client(place.lead).get(f"/api/v1/surveys/{survey.pk}/results/")

    empty = {
        "withheld": False,
        "options": [],
        "top": [],
        "distribution": None,
        "rows": [],
        "texts": [],
        "more_texts": 0,
    }

    def option(o, count, percent):
        return {
            "id": o.pk,
            "label": o.label,
            "is_other": False,
            "count": count,
            "percent": percent,
            "mean_rank": None,
            "ranks": {},
        }

    yes, no = opt["format"]
    energy, mobility, buildings = opt["topics"]
    points = [0, 0, 0, 1, 1]
    assert response.json() == {
        "survey": survey.pk,
        "responses": 3,
        "shown": True,
        "threshold": None,
        "filtered": False,
        "asked": 3,
        "response_rate": 100,
        "questions": [
            {
                **empty,
                "id": q["format"].pk,
                "kind": "single",
                "text": "Satisfied with the format?",
                "answered": 3,
                "options": [option(yes, 2, 67), option(no, 1, 33)],
                "top": [yes.pk, no.pk],
            },
            {
                **empty,
                "id": q["topics"].pk,
                "kind": "multiple",
                "text": "Topics?",
                "answered": 2,
                "options": [
                    option(energy, 2, 100),
                    option(mobility, 1, 50),
                    option(buildings, 0, 0),
                ],
                "top": [energy.pk, mobility.pk],
            },
            {
                **empty,
                "id": q["rating"].pk,
                "kind": "rating",
                "text": "Rate the session",
                "answered": 2,
                "distribution": {
                    "points": [
                        {
                            "value": n,
                            "label": f"{n} · {label}",
                            "count": count,
                            "percent": 50 * count,
                        }
                        for n, label, count in zip(range(1, 6), RATING_LABELS, points, strict=True)
                    ],
                    "not_applicable": 0,
                    "not_applicable_percent": 0,
                    "answered": 2,
                    "mean": 4.5,
                },
            },
            {
                **empty,
                "id": q["idea"].pk,
                "kind": "short_text",
                "text": "One idea",
                "answered": 2,
                # By city (a person's response speaks for their city), then alphabetically.
                "texts": [
                    {"text": "Visits", "city": "Lisbon", "option": ""},
                    {"text": "Data", "city": "Porto", "option": ""},
                ],
            },
        ],
    }


def test_results_take_the_pages_filters(place):
    survey = make_survey(place.cohort, response_unit=ResponseUnit.CITY)
    answer(survey, place.ana, city=place.lisbon, rating=5, idea="Lisbon")
    answer(survey, place.eva, city=place.sevilla, rating=1, idea="Sevilla")
    spain = place.sevilla.country_id
    lead = place.client(place.lead)

    results = lead.get(f"/api/v1/surveys/{survey.pk}/results/?country={spain}").json()
    responses = lead.get(f"/api/v1/surveys/{survey.pk}/responses/?country={spain}").json()
    refused = lead.get(f"/api/v1/surveys/{survey.pk}/results/?country=999999&group=")
    unknown_type = lead.get(f"/api/v1/surveys/{survey.pk}/responses/?city_type=town")

    assert (results["responses"], results["filtered"], results["asked"]) == (1, True, None)
    assert results["questions"][3]["texts"] == [
        {"text": "Sevilla", "city": "Sevilla", "option": ""}
    ]
    assert results["questions"][2]["distribution"]["mean"] == 1.0
    assert [row["city"]["name"] for row in responses["results"]] == ["Sevilla"]
    # A country none of the asked cities is in: refused as the page's form refuses it; an
    # empty id is no filter.
    assert (refused.status_code, refused.json()["error"]["fields"]) == (
        400,
        {"country": ["Select a valid choice. That choice is not one of the available choices."]},
    )
    assert (unknown_type.status_code, unknown_type.json()["error"]["fields"]) == (
        400,
        {"city_type": ["“town” is not one of the choices: mission, mission_minded, pilot, twin."]},
    )


def test_anonymous_responses_carry_no_identity(place):
    survey = make_survey(place.cohort, is_anonymous=True)
    for person, idea in ((place.ana, "Visits"), (place.rui, "Data"), (place.eva, "Apps")):
        answer(survey, person, rating=4, idea=idea)
    lead = place.client(place.lead)

    responses = lead.get(f"/api/v1/surveys/{survey.pk}/responses/").json()
    results = lead.get(f"/api/v1/surveys/{survey.pk}/results/").json()
    filtered = lead.get(f"/api/v1/surveys/{survey.pk}/results/?country={place.lisbon.country_id}")

    assert responses["count"] == 3
    assert [
        (row["id"], row["respondent"], row["city"], row["submitted_at"])
        for row in responses["results"]
    ] == [(None, None, None, None)] * 3
    assert sorted(
        row["answers"][str(survey.q["idea"].pk)]["text"] for row in responses["results"]
    ) == [
        "Apps",
        "Data",
        "Visits",
    ]
    # Listed in alphabetical order, never in the order written; no city.
    assert results["questions"][3]["texts"] == [
        {"text": text, "city": "", "option": ""} for text in ("Apps", "Data", "Visits")
    ]
    assert (results["threshold"], results["asked"]) == (3, 3)
    assert filtered.json() == {
        "error": {
            "status": 400,
            "code": "invalid",
            "message": "Some of the data is not valid.",
            "fields": {
                "country": [
                    "An anonymous survey keeps no city with its answers, so its results cannot "
                    "be filtered."
                ]
            },
        }
    }
    stored = Response.objects.filter(survey=survey)
    identities = stored.order_by().values_list("user", "city", "respondent", "created_at")
    assert list(identities.distinct()) == [(None, None, "", None)]


def test_an_anonymous_survey_under_its_threshold_shows_nothing(place):
    survey = make_survey(place.cohort, is_anonymous=True)
    answer(survey, place.ana, rating=4, idea="Visits")
    answer(survey, place.rui, rating=2, idea="Data")
    lead = place.client(place.lead)

    results = lead.get(f"/api/v1/surveys/{survey.pk}/results/")
    responses = lead.get(f"/api/v1/surveys/{survey.pk}/responses/")

    assert results.json() == {
        "survey": survey.pk,
        "responses": 2,
        "shown": False,
        "threshold": 3,
        "filtered": False,
        "asked": None,
        "response_rate": None,
        "questions": [],
    }
    assert responses.json() == {
        "error": {
            "status": 403,
            "code": "permission_denied",
            "message": "Fewer than 3 people have answered this anonymous survey: its responses "
            "are not shown yet.",
        }
    }


def test_results_follow_a_new_response(place):
    """Kept in the cache, they are read again once a response is submitted."""
    survey = make_survey(place.cohort)
    answer(survey, place.ana, rating=5)
    lead = place.client(place.lead)
    assert lead.get(f"/api/v1/surveys/{survey.pk}/results/").json()["responses"] == 1

    answer(survey, place.rui, rating=1)

    again = lead.get(f"/api/v1/surveys/{survey.pk}/results/").json()
    assert (again["responses"], again["questions"][2]["distribution"]["mean"]) == (2, 3.0)
    listed = lead.get(f"/api/v1/surveys/{survey.pk}/responses/").json()
    assert listed["count"] == 2


# --- Query counts ------------------------------------------------------------------------------


def _queries(client, path, django_assert_num_queries, expected):
    with django_assert_num_queries(expected + session_queries()):
        response = client.get(path)
    assert response.status_code == 200, response.content
    return response


@pytest.mark.parametrize("many", [1, 12])
def test_list_queries_do_not_grow_with_surveys(place, django_assert_num_queries, many):
    for n in range(many):
        make_survey(place.cohort, title=f"Survey {n}")
    keep_facts_of(place.ana)
    ana = place.client(place.ana)
    # user, versions of the list (with the person's facts'), next moment a survey opens or
    # closes, count, page of surveys
    response = _queries(ana, "/api/v1/surveys/", django_assert_num_queries, 5)
    assert response.json()["count"] == many
    # Kept: user, versions (the next moment is kept under them).
    again = _queries(ana, "/api/v1/surveys/", django_assert_num_queries, 2)
    assert again.content == response.content


def test_the_kept_list_follows_a_new_survey_and_the_clock(place):
    now = timezone.now()
    make_survey(place.cohort, title="Soon", opens_at=now + datetime.timedelta(minutes=5))
    ana, lead = place.client(place.ana), place.client(place.lead)
    assert [s["is_open"] for s in lead.get("/api/v1/surveys/").json()["results"]] == [False]
    assert ana.get("/api/v1/surveys/").json()["count"] == 1

    make_survey(place.cohort, title="Draft", is_published=False)
    with time_machine.travel(now + datetime.timedelta(minutes=6)):
        listed = lead.get("/api/v1/surveys/").json()["results"]

    assert [(s["title"], s["is_open"]) for s in listed] == [("Soon", True), ("Draft", True)]
    assert [s["title"] for s in ana.get("/api/v1/surveys/").json()["results"]] == ["Soon"]


@pytest.mark.parametrize("many", [1, 3])
def test_responses_and_results_queries_do_not_grow_with_responses(
    place, django_assert_num_queries, many
):
    survey = make_survey(place.cohort)
    for person in (place.ana, place.rui, place.eva)[:many]:
        answer(survey, person, rating=4, idea="Visits")
    keep_facts_of(place.lead)
    lead = place.client(place.lead)
    base = f"/api/v1/surveys/{survey.pk}"
    lead.get(f"{base}/")  # the survey's structure, read once and kept

    # user, versions (with the person's facts'), survey, count, page of responses (with
    # people and cities), their answers (with their questions' kinds)
    responses = _queries(lead, f"{base}/responses/", django_assert_num_queries, 6)
    # user, versions, count, questions, options, counts, denominators, texts, people asked
    # (the survey's row is kept under its version since the responses' page)
    results = _queries(lead, f"{base}/results/", django_assert_num_queries, 9)
    # Kept: user, versions.
    _queries(lead, f"{base}/results/", django_assert_num_queries, 2)
    _queries(lead, f"{base}/responses/", django_assert_num_queries, 2)
    assert responses.json()["count"] == results.json()["responses"] == many


def test_a_survey_and_ones_own_response_queries(place, django_assert_num_queries):
    survey = make_survey(place.cohort)
    answer(survey, place.ana, rating=4, submit=False)
    keep_facts_of(place.ana)
    ana = place.client(place.ana)
    base = f"/api/v1/surveys/{survey.pk}"
    ana.get(f"{base}/")
    ana.get(f"{base}/response/")

    # Kept: user, versions (with the person's facts'); the survey's row is kept under them.
    _queries(ana, f"{base}/", django_assert_num_queries, 2)
    draft = _queries(ana, f"{base}/response/", django_assert_num_queries, 2)
    assert draft.json()["answers"][str(survey.q["rating"].pk)] == {
        "number": 4,
        "not_applicable": False,
    }
    # A page saved elsewhere (another device) shows at once.
    answer(survey, place.ana, rating=2, submit=False)
    again = ana.get(f"{base}/response/").json()
    assert again["answers"][str(survey.q["rating"].pk)]["number"] == 2


def test_the_kept_survey_row_follows_its_changes(place):
    survey = make_survey(place.cohort)
    ana, lead = place.client(place.ana), place.client(place.lead)
    base = f"/api/v1/surveys/{survey.pk}"
    for path in (f"{base}/", f"{base}/response/"):
        assert ana.get(path).status_code == 200
    assert lead.get(f"{base}/results/").status_code == 200

    survey.is_published = False
    survey.save()

    assert [ana.get(path).status_code for path in (f"{base}/", f"{base}/response/")] == [404, 404]
    survey.cohort = factories.CohortFactory()
    survey.save()
    assert lead.get(f"{base}/results/").status_code == 404


@pytest.mark.parametrize("pk", ["0", "abc", "9" * 20, "9" * 5000])
def test_an_id_that_is_no_survey_is_not_found(place, pk):
    ana = place.client(place.ana)
    for path in ("", "response/", "responses/", "results/"):
        response = ana.get(f"/api/v1/surveys/{pk}/{path}")
        assert (response.status_code, response.json()["error"]["code"]) == (404, "not_found")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("anonymous", [False, True], ids=["named", "anonymous"])
def test_two_submissions_at_once_make_one_response_and_one_refusal(place, anonymous):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL (SQLite's test database is one connection)")
    survey = make_survey(place.cohort, is_anonymous=anonymous)
    answer(survey, place.ana, rating=4, submit=False)
    clients = [place.client(place.ana), place.client(place.ana)]
    barrier = threading.Barrier(2)
    outcomes = []

    def post(client):
        try:
            barrier.wait()
            response = submit(client, survey)
            outcomes.append(
                "submitted" if response.status_code == 200 else response.json()["error"]["message"]
            )
        finally:
            connections.close_all()

    threads = [threading.Thread(target=post, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    refusals = ["This response is already submitted."]
    if anonymous:
        # The second may find the first's participation already committed, before the lock.
        refusals.append("You have already answered this anonymous survey.")
    refused, submitted = sorted(outcomes)
    assert (refused in refusals, submitted) == (True, "submitted")
    assert list(Response.objects.values_list("status", flat=True)) == [ResponseStatus.SUBMITTED]
    assert Participation.objects.count() == (1 if anonymous else 0)


def test_a_question_answered_by_too_few_of_an_anonymous_survey_is_withheld(place):
    survey = make_survey(place.cohort, is_anonymous=True)
    answer(survey, place.ana, rating=4, idea="Visits")
    answer(survey, place.rui, rating=2, idea="Data")
    answer(survey, place.eva, rating=5)

    results = place.client(place.lead).get(f"/api/v1/surveys/{survey.pk}/results/").json()

    idea = results["questions"][3]
    assert (results["shown"], results["responses"]) == (True, 3)
    assert idea == {
        "id": survey.q["idea"].pk,
        "kind": "short_text",
        "text": "One idea",
        "answered": 2,
        "withheld": True,
        "options": [],
        "top": [],
        "distribution": None,
        "rows": [],
        "texts": [],
        "more_texts": 0,
    }
    assert results["questions"][2]["distribution"]["mean"] == 3.67
