"""The survey builder's pages (feedback.views_builder): forms through to the services, refusals
shown next to their field or as a message, and query counts that do not grow with the survey."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from feedback import building
from feedback.enums import QuestionKind, SurveyScope
from feedback.models import Question, Survey
from tests import factories
from tests.feedback.test_building_services import BuilderWorld, _update, answered, question_input
from tests.portal_pages.helpers import sign_in
from tests.queries import keep_facts_of, session_queries

pytestmark = pytest.mark.django_db

LOCAL = "%Y-%m-%dT%H:%M"


@pytest.fixture
def world():
    return BuilderWorld()


def _survey_post(world, **fields):
    now = timezone.localtime(timezone.now())
    data = {
        "title": "After the session",
        "introduction": "",
        "about": f"cohort:{world.cohort.pk}",
        "opens_at": now.strftime(LOCAL),
        "closes_at": (now + datetime.timedelta(days=14)).strftime(LOCAL),
        "min_responses": "3",
        "response_unit": "person",
    }
    data.update(fields)
    return data


def test_the_list_shows_the_surveys_one_builds_and_new_survey(client, world):
    own = world.survey(title="Ours")
    world.survey(
        acting_user=world.elsewhere,
        title="Theirs",
        attachment=building.Attachment(scope=SurveyScope.COHORT, cohort=world.other_cohort),
    )
    sign_in(client, world.lead)

    page = client.get("/surveys/").content.decode()

    assert f'<tr data-survey="{own.pk}">' in page
    assert "Theirs" not in page
    assert 'href="/surveys/new/"' in page


def test_the_list_in_pages_of_25_each_counted_in_its_own_query(client, world):
    now = timezone.now()
    surveys = [
        world.survey(title=f"Survey {n:02d}", opens_at=now - datetime.timedelta(days=n))
        for n in range(27)
    ]
    sign_in(client, world.lead)
    keep_facts_of(world.lead)

    def rows(url):
        count, page = _queries(client, url)
        return count, [pk for pk in (s.pk for s in surveys) if f'data-survey="{pk}"' in page], page

    first_count, first, first_page = rows("/surveys/")
    second_count, second, second_page = rows("/surveys/?page=2")

    # Latest opening first: the page of 25, then the two left.
    assert first == [s.pk for s in surveys[:25]]
    assert second == [s.pk for s in surveys[25:]]
    assert "Page 1 of 2" in first_page and 'rel="next"' in first_page
    assert "Page 2 of 2" in second_page and 'rel="prev"' in second_page
    assert first_count == second_count == session_queries() + 3
    # Past the end: the last page; not a number: the first (the paginator's way, counted).
    past_count, past, _page = rows("/surveys/?page=9")
    assert (past, past_count) == ([s.pk for s in surveys[25:]], session_queries() + 5)
    # Kept: each page's own.
    assert rows("/surveys/?page=2")[:2] == (session_queries() + 2, second)
    assert rows("/surveys/?page=two")[1] == [s.pk for s in surveys[:25]]
    assert rows("/surveys/?page=0")[1] == [s.pk for s in surveys[25:]]


def test_an_officer_builds_nothing(client, world):
    sign_in(client, world.officer)

    assert client.get("/surveys/").status_code == 403
    assert client.get("/surveys/new/").status_code == 403


def test_new_survey_offers_only_what_one_may_build_for(client, world):
    other_session = factories.SessionFactory(cohort=world.other_cohort)
    sign_in(client, world.lead)

    page = client.get("/surveys/new/").content.decode()

    assert f'value="cohort:{world.cohort.pk}"' in page
    assert f'value="session:{world.session.pk}"' in page
    assert f'value="cohort:{world.other_cohort.pk}"' not in page
    assert f'value="session:{other_session.pk}"' not in page
    assert 'value="programme:' not in page
    # A value outside the choices is an error on the field, not a survey.
    response = client.post("/surveys/new/", _survey_post(world, about="programme:odg"))
    assert response.status_code == 200
    assert "Select a valid choice." in response.content.decode()
    assert Survey.objects.count() == 0


def test_a_survey_is_created_in_the_persons_time_zone(client, world):
    world.lead.time_zone = "Europe/Helsinki"
    world.lead.save()
    sign_in(client, world.lead)

    response = client.post(
        "/surveys/new/",
        _survey_post(
            world,
            about=f"session:{world.session.pk}",
            opens_at="2026-12-03T09:00",
            closes_at="2026-12-17T17:00",
        ),
    )

    survey = Survey.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/surveys/{survey.pk}/edit/"
    assert (survey.scope, survey.session) == (SurveyScope.SESSION, world.session)
    assert survey.opens_at == datetime.datetime(2026, 12, 3, 7, 0, tzinfo=datetime.UTC)


def test_a_service_refusal_is_shown_on_its_field(client, world):
    sign_in(client, world.lead)

    response = client.post(
        "/surveys/new/", _survey_post(world, is_anonymous="on", response_unit="city")
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "An anonymous survey has one response per person" in page
    assert Survey.objects.count() == 0


def test_a_survey_is_started_from_a_ready_template(client, world):
    sign_in(client, world.lead)

    page = client.get("/surveys/new/").content.decode()
    response = client.post(
        "/surveys/new/",
        _survey_post(world, title="Cohort recap", template_key="final_recap"),
    )

    assert '<option value="final_recap">Final recap survey</option>' in page
    survey = Survey.objects.get()
    assert response["Location"] == f"/surveys/{survey.pk}/edit/"
    assert (survey.title, survey.template_key, survey.cohort) == (
        "Cohort recap",
        "final_recap",
        world.cohort,
    )
    # The template's four sections and five questions, copied.
    assert survey.sections.count() == 4
    assert Question.objects.filter(section__survey=survey).count() == 5


def test_a_template_refused_for_its_subject_says_why_on_the_form(client, world):
    sign_in(client, world.lead)

    response = client.post("/surveys/new/", _survey_post(world, template_key="post_session"))

    assert response.status_code == 200
    assert "The post-session survey is about a thematic session: choose one." in (
        response.content.decode()
    )
    assert Survey.objects.count() == 0


def test_a_question_is_added_through_its_form(client, world):
    survey = world.survey()
    section = survey.sections.get()
    sign_in(client, world.lead)
    url = f"/surveys/{survey.pk}/sections/{section.pk}/questions/new/"

    page = client.get(url, {"kind": "multiple"}).content.decode()
    response = client.post(
        url + "?kind=multiple",
        {
            "drawn_kind": "multiple",
            "kind": "multiple",
            "text": "Which support service?",
            "options": "Technical support\r\nFunding advice\r\n\r\nPeer exchange",
            "has_other": "on",
            "max_choices": "1",
            "is_required": "on",
            "shown_if": "",
        },
    )

    assert 'name="max_choices"' in page and 'name="scale_labels"' not in page
    question = Question.objects.get()
    assert response["Location"] == f"/surveys/{survey.pk}/edit/#question-{question.pk}"
    assert (question.kind, question.max_choices, question.is_required) == (
        QuestionKind.MULTIPLE_CHOICE,
        1,
        True,
    )
    assert list(question.options.values_list("label", "is_other")) == [
        ("Technical support", False),
        ("Funding advice", False),
        ("Peer exchange", False),
        ("Other, please specify", True),
    ]


def test_changing_the_kind_shows_the_new_kinds_fields_before_saving(client, world):
    survey = world.survey()
    question = building.question_add(
        section=survey.sections.get(), acting_user=world.lead, data=question_input()
    )
    sign_in(client, world.lead)

    response = client.post(
        f"/surveys/{survey.pk}/questions/{question.pk}/edit/",
        {"drawn_kind": "single", "kind": "rating", "text": "How satisfied?", "options": "A\nB"},
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert 'name="scale_labels"' in page and 'name="options"' not in page
    assert "How satisfied?" in page
    question.refresh_from_db()
    assert question.kind == QuestionKind.SINGLE_CHOICE


def test_a_refusal_after_answers_is_shown_on_the_question_form(client, world):
    survey = world.survey()
    question = building.question_add(
        section=survey.sections.get(),
        acting_user=world.lead,
        data=question_input(options=["Heat pumps", "Grids", "Storage"]),
    )
    answered(question, option=question.options.get(label="Grids"))
    sign_in(client, world.lead)

    response = client.post(
        f"/surveys/{survey.pk}/questions/{question.pk}/edit/",
        {
            "drawn_kind": "single",
            "kind": "single",
            "text": "Which?",
            "options": "Heat pumps\nStorage",
        },
    )

    assert response.status_code == 200
    assert "“Grids” was chosen in 1 response: it cannot be removed." in response.content.decode()


def test_edit_page_actions_answer_with_a_message(client, world):
    survey = world.survey()
    sign_in(client, world.lead)

    response = client.post(f"/surveys/{survey.pk}/publish/", follow=True)

    assert response.redirect_chain == [(f"/surveys/{survey.pk}/edit/", 302)]
    assert "Add a question before publishing the survey." in response.content.decode()


def _structure(world, survey, sections: int, questions: int):
    """`sections` sections of `questions` questions each, of every kind in turn, with a
    condition and a wording change, and answers."""
    kinds = list(QuestionKind)
    labels = ["1", "2", "3", "4", "5"]
    gate = None
    for number in range(sections):
        section = (
            survey.sections.get()
            if number == 0
            else building.section_add(survey=survey, acting_user=world.lead, title=f"S{number}")
        )
        for index in range(questions):
            kind = kinds[index % len(kinds)]
            question = building.question_add(
                section=section,
                acting_user=world.lead,
                data=question_input(
                    kind=kind,
                    text=f"Q{number}.{index}?",
                    scale_labels=labels,
                    shown_if=gate.options.first() if gate and index == 1 else None,
                ),
            )
            gate = gate or question
    answered(gate, option=gate.options.first())
    building.question_update(
        question=gate,
        acting_user=world.lead,
        data=question_input(text="Reworded?", options=["Heat pumps", "Grids"]),
    )


def _queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response.content.decode()


def test_edit_page_query_count_does_not_grow(client, world):
    small, large = world.survey(title="Small"), world.survey(title="Large")
    _structure(world, small, 1, 2)
    _structure(world, large, 3, 9)
    sign_in(client, world.lead)
    keep_facts_of(world.lead)

    few, page_few = _queries(client, f"/surveys/{small.pk}/edit/")
    many, page_many = _queries(client, f"/surveys/{large.pk}/edit/")

    counts = [(p.count("data-question="), p.count("data-change=")) for p in (page_few, page_many)]
    assert counts == [(2, 1), (27, 1)]
    assert many == few
    # Kept: the user, the versions of what the page keeps and of the rules' facts (one query),
    # and the survey.
    assert _queries(client, f"/surveys/{large.pk}/edit/")[0] == session_queries() + 3


def test_the_edit_page_says_answers_exist_from_the_first_answer(client, world):
    survey = world.survey()
    _structure(world, survey, 1, 2)
    fresh = world.survey(title="Fresh")
    building.question_add(
        section=fresh.sections.get(), acting_user=world.lead, data=question_input()
    )
    sign_in(client, world.lead)
    note = "Answers exist: you may reword questions"

    assert note in client.get(f"/surveys/{survey.pk}/edit/").content.decode()
    assert note not in client.get(f"/surveys/{fresh.pk}/edit/").content.decode()
    answered(Question.objects.get(section__survey=fresh), option=None, text="")
    assert note in client.get(f"/surveys/{fresh.pk}/edit/").content.decode()


def test_list_and_question_pages_query_counts_do_not_grow(client, world):
    survey = world.survey()
    _structure(world, survey, 1, 2)
    sign_in(client, world.lead)
    keep_facts_of(world.lead)
    question = Question.objects.filter(section__survey=survey).last()
    question_url = f"/surveys/{survey.pk}/questions/{question.pk}/edit/"

    list_few, _page = _queries(client, "/surveys/")
    form_few, _page = _queries(client, question_url)
    new_few, _page = _queries(client, "/surveys/new/")
    for number in range(5):
        other = world.survey(title=f"More {number}")
        _structure(world, other, 2, 3)
    _structure(world, survey, 2, 9)
    list_many, page = _queries(client, "/surveys/")
    form_many, _page = _queries(client, question_url)
    new_many, _page = _queries(client, "/surveys/new/")

    assert page.count("<tr data-survey=") == 6
    assert (list_many, form_many, new_many) == (list_few, form_few, new_few)
    # The list: the session, the user, the versions of what it shows (which give the kept facts
    # theirs), and the page's rows (each with its number of questions, and the number of all
    # rows, in the same query); kept, no rows.
    assert list_few == session_queries() + 3
    assert _queries(client, "/surveys/")[0] == session_queries() + 2


def test_the_kept_list_shows_each_change_of_what_it_shows(client, world):
    survey = world.survey(title="Before")
    sign_in(client, world.lead)
    row = f'<tr data-survey="{survey.pk}">'

    def cells():
        page = client.get("/surveys/").content.decode()
        start = page.index(row)
        return page[start : page.index("</tr>", start)]

    assert "Before" in cells() and '<td data-label="Questions" class="numeric">0</td>' in cells()

    section = survey.sections.get()
    building.question_add(
        section=section, acting_user=world.lead, data=question_input(text="One more?")
    )
    assert '<td data-label="Questions" class="numeric">1</td>' in cells()

    survey = _update(world, Survey.objects.get(pk=survey.pk), title="After")
    assert "After" in cells() and "Before" not in cells()

    building.survey_publish(survey=survey, acting_user=world.lead)
    assert "Published" in cells()

    world.cohort.name = "Renamed cohort"
    world.cohort.save()
    assert "Renamed cohort" in cells()

    # No longer facilitating the cohort (another one still): its survey is not listed.
    world.other_cohort.facilitators.add(world.lead)
    world.cohort.facilitators.remove(world.lead)
    page = client.get("/surveys/").content.decode()
    assert row not in page and "No survey yet." in page


def test_sessions_long_past_are_not_offered_unless_the_survey_is_about_one(client, world):
    long_ago = timezone.now() - datetime.timedelta(days=90)
    old = factories.SessionFactory(
        cohort=world.cohort, starts_at=long_ago, ends_at=long_ago + datetime.timedelta(hours=1)
    )
    survey = world.survey(attachment=building.Attachment(scope=SurveyScope.SESSION, session=old))
    sign_in(client, world.lead)

    new_page = client.get("/surveys/new/").content.decode()
    edit_page = client.get(f"/surveys/{survey.pk}/edit/").content.decode()

    assert f'value="session:{old.pk}"' not in new_page
    assert f'value="session:{world.session.pk}"' in new_page
    assert f'<option value="session:{old.pk}" selected>' in edit_page


def test_edit_page_keeps_its_structure_until_the_survey_changes(client, world):
    survey = world.survey()
    _structure(world, survey, 2, 3)
    question = Question.objects.filter(section__survey=survey).last()
    sign_in(client, world.lead)
    keep_facts_of(world.lead)
    url = f"/surveys/{survey.pk}/edit/"

    drawn, _page = _queries(client, url)
    kept, page_kept = _queries(client, url)
    building.question_update(
        question=question,
        acting_user=world.lead,
        data=question_input(kind=question.kind, text="Renamed?", scale_labels=["1"] * 5),
    )
    redrawn, page_after = _queries(client, url)

    # Sections, questions, options, history, the settings form's cohorts and sessions, and
    # whether answers exist: seven queries fewer when kept.
    assert (drawn - kept, redrawn) == (7, drawn)
    assert page_kept.count("data-question=") == 6
    assert "Renamed?" in page_after and "Renamed?" not in page_kept


def test_the_history_shows_times_in_each_readers_zone(client, world):
    survey = world.survey()
    _structure(world, survey, 1, 2)
    change = survey.sections.get().questions.first().changes.get()
    world.admin.time_zone = "Asia/Tokyo"
    world.admin.save()
    world.lead.time_zone = "UTC"
    world.lead.save()
    url = f"/surveys/{survey.pk}/edit/"

    sign_in(client, world.lead)
    utc_page = client.get(url).content.decode()
    sign_in(client, world.admin)
    tokyo_page = client.get(url).content.decode()

    for page, zone in ((utc_page, "UTC"), (tokyo_page, "Asia/Tokyo")):
        shown = timezone.localtime(change.changed_at, ZoneInfo(zone))
        assert f'<time datetime="{shown.isoformat()}">' in page
