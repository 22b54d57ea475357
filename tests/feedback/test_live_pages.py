"""Live mode's pages (feedback/views_live.py): the code page, the participant's question and its
poll, the presenter's screen, its poll and controls; bad input; who gets 403 and 404; the
queries of the polled fragments and of the participant's page."""

import pytest
from django.test import Client

from feedback import live
from feedback.models import Answer, LivePresentation, Response
from tests import factories
from tests.feedback.conftest import two_page_survey
from tests.queries import keep_facts_of, session_queries

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def survey(room):
    return two_page_survey(room.cohort)


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def presentation(room, survey):
    return live.live_start(acting_user=room.facilitator, survey=survey)


def _post_format(survey, option="yes", question=None, **extra):
    question = question or survey.q["format"]
    return {"question": str(question.pk), f"q{question.pk}": str(survey.opt[option].pk), **extra}


# --- the code page -------------------------------------------------------------------------------


def test_the_code_page_needs_no_sign_in_and_sends_a_good_code_to_its_question(presentation):
    anonymous = Client()

    page = anonymous.get("/live/")
    typed = anonymous.get(
        "/live/", {"code": f" {presentation.code.lower()[:3]}-{presentation.code.lower()[3:]} "}
    )

    assert page.status_code == 200
    assert '<label for="live-code">Code on the presenter\'s screen</label>' in page.content.decode()
    assert typed.url == f"/live/{presentation.code}/"
    # Not signed in: to sign-in, and back to the code's page.
    assert anonymous.get(typed.url).url == f"/accounts/login/?next=/live/{presentation.code}/"


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("K4", "A code is six letters and digits, as shown on the presenter&#x27;s screen."),
        (
            "KMKMKM",
            "No live survey is running with the code “KMKMKM”. Check the code on the "
            "presenter&#x27;s screen: the presentation may have ended.",
        ),
    ],
)
def test_a_wrong_code_is_told_clearly(db, typed, message):
    page = Client().get("/live/", {"code": typed})

    html = page.content.decode()
    assert page.status_code == 200
    assert (
        f'<p class="field-error" id="live-code-error" role="alert" data-live-error>{message}</p>'
        in html
    )
    assert 'aria-invalid="true"' in html


def test_the_address_of_an_unknown_or_ended_code_says_so(room, presentation):
    live.live_close(acting_user=room.facilitator, presentation=presentation)

    page = _client(room.officer).get(f"/live/{presentation.code}/")

    assert page.status_code == 404
    assert (
        f"No live survey is running with the code “{presentation.code}”." in page.content.decode()
    )


def test_a_code_typed_in_lower_case_in_the_address_is_redirected(room, presentation):
    page = _client(room.officer).get(f"/live/{presentation.code.lower()}/")

    assert page.url == f"/live/{presentation.code}/"


# --- the participant -----------------------------------------------------------------------------


def test_a_participant_sees_the_question_on_screen_and_answers_it(room, survey, presentation):
    ana = _client(room.officer)
    url = f"/live/{presentation.code}/"

    page = ana.get(url).content.decode()
    assert "<legend>Satisfied with the format? <span" in page
    assert f'name="question" value="{survey.q["format"].pk}"' in page
    assert "Topics?" not in page  # only the question on screen

    saved = ana.post(url, _post_format(survey), follow=True)

    assert saved.redirect_chain == [(url, 302)]
    html = saved.content.decode()
    assert "Your answer is saved." in html
    yes = survey.opt["yes"]
    assert f'value="{yes.pk}" checked' in html
    assert "You have answered this question." in html
    assert list(Answer.objects.values_list("question", "option")) == [
        (survey.q["format"].pk, yes.pk)
    ]


def test_with_htmx_the_answer_comes_back_as_the_area_only(room, survey, presentation):
    ana = _client(room.officer)

    area = ana.post(f"/live/{presentation.code}/", _post_format(survey, "no"), **HTMX)

    html = area.content.decode()
    assert area.status_code == 200
    assert html.startswith('<div id="live-area"')
    assert "<h1>" not in html
    assert "Your answer is saved. You can change it while this question is on screen." in html
    assert Answer.objects.get().option == survey.opt["no"]


def test_answering_a_question_no_longer_on_screen_shows_the_current_one(room, survey, presentation):
    ana = _client(room.officer)
    live.live_move(
        acting_user=room.facilitator, presentation=presentation, question_id=survey.q["rating"].pk
    )

    page = ana.post(f"/live/{presentation.code}/", _post_format(survey))

    html = page.content.decode()
    assert page.status_code == 200
    assert "This question is no longer on screen: the presenter has moved on." in html
    assert "<legend>Rate the sessions</legend>" in html
    assert Answer.objects.count() == 0


def test_a_bad_answer_is_shown_at_its_question_and_nothing_is_saved(room, survey, presentation):
    live.live_move(
        acting_user=room.facilitator, presentation=presentation, question_id=survey.q["rating"].pk
    )
    rating = survey.q["rating"].pk

    page = _client(room.officer).post(
        f"/live/{presentation.code}/", {"question": str(rating), f"q{rating}": "6"}
    )

    assert (
        f'<p class="field-error" id="q{rating}-error">“Rate the sessions”: choose a point from 1 '
        "to 5.</p>"
    ) in page.content.decode()
    assert Answer.objects.count() == 0


def test_a_closed_survey_says_so_and_offers_no_form(room, survey, presentation):
    type(survey).objects.filter(pk=survey.pk).update(
        opens_at=survey.opens_at.replace(year=1999), closes_at=survey.opens_at.replace(year=2000)
    )

    html = _client(room.officer).get(f"/live/{presentation.code}/").content.decode()

    assert "This survey is closed: answers are no longer taken." in html
    assert "data-live-form" not in html


def test_a_question_for_those_who_chose_another_answer_is_not_offered(room, survey, presentation):
    ana = _client(room.officer)
    ana.post(f"/live/{presentation.code}/", _post_format(survey, "no"))
    live.live_move(
        acting_user=room.facilitator, presentation=presentation, question_id=survey.q["why"].pk
    )

    html = ana.get(f"/live/{presentation.code}/").content.decode()

    assert "This question is for those who answered “Yes” earlier: wait for the next one." in html
    assert "data-live-form" not in html


def test_who_is_not_asked_gets_404_and_who_builds_gets_403(room, presentation):
    stranger = factories.city_officer(city=factories.CityFactory(name="Faro"))

    assert _client(stranger).get(f"/live/{presentation.code}/").status_code == 404
    assert _client(room.facilitator).get(f"/live/{presentation.code}/").status_code == 403
    assert _client(stranger).post(f"/live/{presentation.code}/", {}).status_code == 404
    assert Response.objects.count() == 0


def test_the_participant_s_poll_is_204_until_the_presenter_moves(room, survey, presentation):
    ana = _client(room.officer)
    page = ana.get(f"/live/{presentation.code}/").content.decode()
    poll = _attribute(page, "hx-get")

    assert ana.get(poll).status_code == 204
    live.live_move(
        acting_user=room.facilitator, presentation=presentation, question_id=survey.q["topics"].pk
    )
    moved = ana.get(poll)

    assert moved.status_code == 200
    assert "<legend>Topics?</legend>" in moved.content.decode()
    assert ana.get(_attribute(moved.content.decode(), "hx-get")).status_code == 204
    live.live_close(acting_user=room.facilitator, presentation=presentation)
    ended = ana.get(poll).content.decode()
    assert "Live mode has ended. Thank you for your answers." in ended
    assert f'<a href="/surveys/{survey.pk}/">Open the survey</a>' in ended
    assert "hx-get" not in ended


def _attribute(html: str, name: str) -> str:
    start = html.index(f'{name}="') + len(name) + 2
    return html[start : html.index('"', start)].replace("&amp;", "&")


# --- the presenter -------------------------------------------------------------------------------


def test_the_presenter_starts_live_mode_and_sees_the_code_and_the_question(room, survey):
    fay = _client(room.facilitator)
    assert "Start live mode" in fay.get(f"/surveys/{survey.pk}/live/").content.decode()

    started = fay.post(f"/surveys/{survey.pk}/live/start/")

    code = LivePresentation.objects.get().code
    assert started.url == f"/surveys/{survey.pk}/live/"
    html = fay.get(started.url).content.decode()
    assert f'<span aria-hidden="true">{code}</span>' in html
    assert "Go to <strong>http://testserver/live/</strong> and type the code" in html
    assert f'<a href="http://testserver/live/{code}/">' in html
    assert "Question 1 of 9" in html
    assert '<p class="live-count" data-live-count>0 answers</p>' in html
    assert f'name="question" value="{survey.q["topics"].pk}"' in html  # Next


def test_start_refused_is_a_message_on_the_presenter_page(room):
    survey = two_page_survey(room.cohort, response_unit="city")

    page = _client(room.facilitator).post(f"/surveys/{survey.pk}/live/start/", follow=True)

    assert "This survey takes one response per city: live mode takes one answer per person" in (
        page.content.decode()
    )
    assert LivePresentation.objects.count() == 0


def test_the_presenter_s_area_shows_new_answers_and_is_204_otherwise(room, survey, presentation):
    fay = _client(room.facilitator)
    page = fay.get(f"/surveys/{survey.pk}/live/").content.decode()
    poll = _attribute(page, "hx-get")
    assert fay.get(poll).status_code == 204

    _client(room.officer).post(f"/live/{presentation.code}/", _post_format(survey, "no"))
    _client(room.bea).post(f"/live/{presentation.code}/", _post_format(survey, "no"))
    area = fay.get(poll)

    html = area.content.decode()
    assert area.status_code == 200
    assert '<p class="live-count" data-live-count>2 answers</p>' in html
    assert "No: 2 (100%)" in html  # the bar's text
    assert fay.get(_attribute(html, "hx-get")).status_code == 204


def test_an_anonymous_survey_s_area_shows_counts_from_the_minimum(room):
    survey = two_page_survey(room.cohort, is_anonymous=True, min_responses=2)
    presentation = live.live_start(acting_user=room.facilitator, survey=survey)
    fay = _client(room.facilitator)

    _client(room.officer).post(f"/live/{presentation.code}/", _post_format(survey, "no"))
    one = fay.get(f"/surveys/{survey.pk}/live/area/").content.decode()
    _client(room.bea).post(f"/live/{presentation.code}/", _post_format(survey, "no"))
    two = fay.get(f"/surveys/{survey.pk}/live/area/").content.decode()

    assert "1 answer</p>" in one
    assert "the answers appear once 2 people have answered this question." in one
    assert "<svg" not in one
    assert "2 answers</p>" in two and "<svg" in two and "data-withheld" not in two


def test_the_word_cloud_of_a_short_text_question(room, survey, presentation):
    name = survey.q["name"]
    live.live_move(acting_user=room.facilitator, presentation=presentation, question_id=name.pk)
    for person, text in [(room.officer, "Heat pumps"), (room.bea, "heat")]:
        _client(person).post(
            f"/live/{presentation.code}/", {"question": str(name.pk), f"q{name.pk}": text}
        )

    html = _client(room.facilitator).get(f"/surveys/{survey.pk}/live/area/").content.decode()

    assert (
        '<li class="word-size-6" data-count="2">heat<span class="visually-hidden"> (2 times)'
        "</span></li>"
    ) in html
    assert (
        '<li class="word-size-1" data-count="1">pumps<span class="visually-hidden"> (1 time)'
        in html
    )


def test_next_previous_and_end(room, survey, presentation):
    fay = _client(room.facilitator)
    _client(room.officer).post(f"/live/{presentation.code}/", _post_format(survey, "no"))

    moved = fay.post(f"/surveys/{survey.pk}/live/move/", {"question": survey.q["topics"].pk})
    assert moved.url == f"/surveys/{survey.pk}/live/"
    assert "Question 2 of 9" in fay.get(moved.url).content.decode()
    bad = fay.post(f"/surveys/{survey.pk}/live/move/", {"question": "x"}, follow=True)
    assert "This question is not part of the survey." in bad.content.decode()

    ended = fay.post(f"/surveys/{survey.pk}/live/close/", follow=True)

    assert ended.redirect_chain == [(f"/surveys/{survey.pk}/results/", 302)]
    assert "Live mode has ended. 1 response answered live is submitted." in ended.content.decode()
    assert Response.objects.get().status == "submitted"
    again = fay.post(f"/surveys/{survey.pk}/live/close/", follow=True)
    assert "This live presentation has ended." in again.content.decode()


def test_the_presenter_pages_are_refused_to_others(room, survey, presentation):
    other = factories.UserFactory(is_facilitator=True)
    factories.CohortFactory().facilitators.add(other)

    assert _client(room.officer).get(f"/surveys/{survey.pk}/live/").status_code == 403
    assert _client(other).get(f"/surveys/{survey.pk}/live/").status_code == 404
    assert _client(other).post(f"/surveys/{survey.pk}/live/close/").status_code == 404
    assert _client(room.officer).post(f"/surveys/{survey.pk}/live/close/").status_code == 403
    presentation.refresh_from_db()
    assert presentation.is_running


def test_the_edit_and_results_pages_offer_live_mode(room, survey):
    fay = _client(room.facilitator)
    link = f'<a href="/surveys/{survey.pk}/live/" data-live-link>Present live</a>'

    assert link in fay.get(f"/surveys/{survey.pk}/edit/").content.decode()
    assert link in fay.get(f"/surveys/{survey.pk}/results/").content.decode()


# --- queries -----------------------------------------------------------------------------------


def _count(client, path, django_assert_num_queries, expected, status=200):
    with django_assert_num_queries(expected + session_queries()):
        assert client.get(path).status_code == status


def test_queries_of_the_presenter_s_area(room, survey, presentation, django_assert_num_queries):
    fay = _client(room.facilitator)
    keep_facts_of(room.facilitator)
    area = f"/surveys/{survey.pk}/live/area/"
    fay.get(area)
    # user, versions (the results', the presentation's, the person's facts): nothing changed
    poll = _attribute(fay.get(area).content.decode(), "hx-get")
    _count(fay, poll, django_assert_num_queries, 2, status=204)
    # user, versions, survey, structure version (the counts are kept)
    _count(fay, area, django_assert_num_queries, 4)

    # After an answer, drawn again: + responses counted, counts, denominators, the texts of
    # "Other" (results' own reading; the screen shows only the bars)
    for person in (room.officer, room.bea, room.caio):
        _client(person).post(f"/live/{presentation.code}/", _post_format(survey, "no"))
        _count(fay, area, django_assert_num_queries, 8)


def test_queries_of_the_participant_s_page_and_poll(
    room,
    survey,
    presentation,
    django_assert_num_queries,
):
    ana = _client(room.officer)
    keep_facts_of(room.officer)
    url = f"/live/{presentation.code}/"
    page = ana.get(url).content.decode()
    poll = _attribute(page, "hx-get")
    # user, versions (the code's, the person's facts): the same question on screen
    _count(ana, poll, django_assert_num_queries, 2, status=204)
    # user, versions, survey, structure version, own answers
    _count(ana, url, django_assert_num_queries, 5)
    ana.post(url, _post_format(survey, "no"))
    _count(ana, url, django_assert_num_queries, 5)


# --- what is kept in the cache -------------------------------------------------------------------


def test_a_change_saved_on_the_model_shows_on_the_next_poll(room, survey, presentation):
    ana, fay = _client(room.officer), _client(room.facilitator)
    poll = _attribute(ana.get(f"/live/{presentation.code}/").content.decode(), "hx-get")
    area = _attribute(fay.get(f"/surveys/{survey.pk}/live/").content.decode(), "hx-get")

    # As the admin or the shell would: no service.
    presentation.question = survey.q["scale"]
    presentation.save()

    assert "<legend>Recommend it?</legend>" in ana.get(poll).content.decode()
    assert "Question 9 of 9" in fay.get(area).content.decode()


def test_two_participants_one_after_the_other_each_see_their_own_answer(room, survey, presentation):
    ana, bea = _client(room.officer), _client(room.bea)
    url = f"/live/{presentation.code}/"
    ana.post(url, _post_format(survey, "yes"))
    bea.post(url, _post_format(survey, "no"))
    yes, no = survey.opt["yes"].pk, survey.opt["no"].pk

    first, second = ana.get(url).content.decode(), bea.get(url).content.decode()

    assert f'value="{yes}" checked' in first and f'value="{no}" checked' not in first
    assert f'value="{no}" checked' in second and f'value="{yes}" checked' not in second


def test_queries_of_the_presenter_s_page_and_the_code_page(
    room, survey, presentation, django_assert_num_queries
):
    fay = _client(room.facilitator)
    keep_facts_of(room.facilitator)
    fay.get(f"/surveys/{survey.pk}/live/")
    # user, versions, survey, structure version (the state and the counts are kept)
    _count(fay, f"/surveys/{survey.pk}/live/", django_assert_num_queries, 4)

    anonymous = Client()
    with django_assert_num_queries(0):
        assert anonymous.get("/live/").status_code == 200
    anonymous.get("/live/", {"code": presentation.code})
    # the code's version (its presentation is kept since the first reading)
    with django_assert_num_queries(1):
        assert anonymous.get("/live/", {"code": presentation.code}).status_code == 302
