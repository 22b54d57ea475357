"""The answering pages: introduction, one page per section, confirmation; errors at their
question, what is missing on submit, closed surveys, the city chooser, query counts."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from feedback.enums import ResponseUnit
from feedback.models import Answer, Response, Survey
from tests import factories
from tests.feedback.conftest import two_page_survey
from tests.queries import keep_facts_of, session_queries


@pytest.fixture
def ana(asked):
    client = Client()
    client.force_login(asked.officer)
    return client


def url(survey, page=None):
    return f"/surveys/{survey.pk}/" + (f"answer/{page}/" if page else "")


def page_one_post(survey, action="next", **extra):
    q, opt = survey.q, survey.opt
    return {
        f"q{q['format'].pk}": str(opt["yes"].pk),
        f"q{q['topics'].pk}": [str(opt["topics"][0].pk), str(opt["topics"][2].pk)],
        f"q{q['rating'].pk}": "5",
        f"q{q['name'].pk}": "Ana",
        "action": action,
        **extra,
    }


def page_two_post(survey, action="submit", **extra):
    q, opt = survey.q, survey.opt
    ranks, rows = opt["ranks"], opt["rows"]
    return {
        f"q{q['why'].pk}": "Breakouts",
        f"q{q['rank'].pk}-o{ranks[0].pk}": "3",
        f"q{q['rank'].pk}-o{ranks[1].pk}": "1",
        f"q{q['rank'].pk}-o{ranks[2].pk}": "",
        f"q{q['matrix'].pk}-r{rows[0].pk}": "4",
        f"q{q['extent'].pk}": "na",
        f"q{q['scale'].pk}": "10",
        "action": action,
        **extra,
    }


def test_an_officer_starts_answers_two_pages_and_submits(survey, ana, asked):
    page = ana.get(url(survey)).content.decode()
    assert 'data-state="not_started"' in page
    assert "2 pages." in page

    assert ana.post(url(survey)).url == url(survey, 1)
    first = ana.get(url(survey, 1)).content.decode()
    assert "<legend>Satisfied with the format? <span" in first
    assert 'name="action" value="next"' in first and 'value="submit"' not in first

    assert ana.post(url(survey, 1), page_one_post(survey)).url == url(survey, 2)
    # Leaving now, she resumes at page 2 (the intro's Continue goes there).
    assert Response.objects.get().page == 2
    assert ana.post(url(survey)).url == url(survey, 2)
    second = ana.get(url(survey, 2)).content.decode()
    # "What worked?" is asked: "Yes" was chosen on page 1.
    assert "What worked?" in second and 'value="submit"' in second
    # The ranking without a script: a number per option.
    assert f'<select name="q{survey.q["rank"].pk}-o{survey.opt["ranks"][0].pk}"' in second

    done = ana.post(url(survey, 2), page_two_post(survey))

    assert done.url == f"/surveys/{survey.pk}/answer/done/"
    assert "Your answers are submitted." in ana.get(done.url).content.decode()
    response = Response.objects.get()
    assert (response.status, response.user) == ("submitted", asked.officer)
    assert sorted(
        Answer.objects.filter(question=survey.q["rank"]).values_list("option__label", "number")
    ) == [("Webinar", 3), ("Workshop", 1)]
    assert 'data-state="submitted"' in ana.get(url(survey)).content.decode()


def test_the_page_shows_saved_answers_again(survey, ana):
    ana.post(url(survey, 1), page_one_post(survey, action="save"))

    page = ana.get(url(survey, 1)).content.decode()

    yes = survey.opt["yes"]
    assert f'id="q{survey.q["format"].pk}-{yes.pk}" value="{yes.pk}" checked' in page
    assert 'value="Ana"' in page
    assert f'id="q{survey.q["rating"].pk}-5" value="5" checked' in page


def test_bad_answers_are_shown_at_each_question_and_in_a_summary_and_nothing_is_saved(survey, ana):
    data = page_one_post(survey, **{f"q{survey.q['rating'].pk}": "6"})
    data[f"q{survey.q['name'].pk}"] = "x" * 21

    page = ana.post(url(survey, 1), data)

    assert page.status_code == 200
    html = page.content.decode()
    assert "data-error-summary" in html
    rating, name = survey.q["rating"].pk, survey.q["name"].pk
    assert f'<a href="#q{rating}">“Rate the sessions”: choose a point from 1 to 5.</a>' in html
    assert f'<p class="field-error" id="q{name}-error">“Nickname”: at most 20 characters' in html
    # What was typed is shown again, to correct.
    assert 'value="' + "x" * 21 + '"' in html
    assert Answer.objects.count() == 0


def test_a_number_that_is_not_one_is_refused_at_its_question(survey, ana):
    html = ana.post(
        url(survey, 1), page_one_post(survey, **{f"q{survey.q['rating'].pk}": "five"})
    ).content.decode()

    assert "“Rate the sessions”: choose one of the options offered." in html
    assert Answer.objects.count() == 0


def test_submit_lists_what_is_missing_with_links_to_its_page(survey, ana):
    data = page_one_post(survey, action="next")
    del data[f"q{survey.q['format'].pk}"]
    ana.post(url(survey, 1), data)

    html = ana.post(url(survey, 2), page_two_post(survey)).content.decode()

    fmt = survey.q["format"].pk
    assert "Answer these questions before you submit: “Satisfied with the format?”." in html
    assert f'<a href="{url(survey, 1)}#q{fmt}">Satisfied with the format?</a>' in html
    assert Response.objects.get().status == "draft"
    # Page 2's answers were saved all the same.
    assert Answer.objects.filter(question=survey.q["scale"], number=10).exists()


def test_after_the_close_date_the_pages_say_so_and_take_nothing(survey, ana):
    ana.post(url(survey, 1), page_one_post(survey, action="save"))
    now = timezone.now()
    Survey.objects.filter(pk=survey.pk).update(
        opens_at=now - datetime.timedelta(days=3), closes_at=now - datetime.timedelta(minutes=1)
    )

    assert ana.get(url(survey, 1)).url == url(survey)
    assert ana.post(url(survey, 2), page_two_post(survey)).url == url(survey)
    html = ana.get(url(survey)).content.decode()
    assert 'data-state="closed"' in html and "Answers are no longer taken." in html
    assert ana.post(url(survey)).status_code == 200
    assert "answers are no longer taken" in ana.post(url(survey)).content.decode()
    assert Response.objects.get().status == "draft"


def test_a_survey_per_city_asks_which_city_when_the_officer_has_several(asked, ana):
    survey = two_page_survey(asked.cohort, response_unit=ResponseUnit.CITY)
    ghent = factories.CityFactory(name="Ghent")
    factories.enrolment_accepted(cohort=asked.cohort, city=ghent)
    factories.CityMembershipFactory(user=asked.officer, city=ghent)

    factories.CityMembershipFactory(user=asked.officer, city=factories.CityFactory(name="Oslo"))
    html = ana.get(url(survey)).content.decode()
    assert "<legend>Answer for which city?</legend>" in html
    # Only the cities the survey asks: Oslo is in no cohort.
    assert "Lisbon" in html and "Ghent" in html and "Oslo" not in html
    start = ana.post(url(survey), {"city": str(ghent.pk)})

    assert start.url == f"{url(survey, 1)}?city={ghent.pk}"
    assert ana.post(start.url, page_one_post(survey)).url == f"{url(survey, 2)}?city={ghent.pk}"
    response = Response.objects.get()
    assert (response.respondent, response.city) == (f"city:{ghent.pk}", ghent)
    # A city that is not theirs: not found.
    assert ana.get(f"{url(survey, 1)}?city={factories.CityFactory().pk}").status_code == 404


def test_an_anonymous_survey_once_answered_says_so(asked, ana):
    survey = two_page_survey(asked.cohort, is_anonymous=True)
    ana.post(url(survey, 1), page_one_post(survey))
    ana.post(url(survey, 2), page_two_post(survey))

    html = ana.get(url(survey)).content.decode()

    assert 'data-state="submitted"' in html and "data-anonymous" in html
    assert ana.get(url(survey, 1)).url == url(survey)


def test_a_page_that_does_not_exist_is_not_found(survey, ana):
    assert ana.get(url(survey, 3)).status_code == 404
    assert ana.get(f"/surveys/{survey.pk}/answer/0/").status_code == 404


# --- query counts ------------------------------------------------------------------------------


def _count(client, path, django_assert_num_queries, expected):
    with django_assert_num_queries(expected + session_queries()):
        assert client.get(path).status_code == 200


def test_queries_of_the_pages_do_not_grow_with_questions_or_answers(
    survey, ana, asked, django_assert_num_queries
):
    ana.post(url(survey, 1), page_one_post(survey))
    keep_facts_of(asked.officer)
    for page in (1, 2):
        ana.get(url(survey, page))  # the survey's structure, read once and kept
    ana.get(url(survey))  # its sections, for the introduction's number of pages
    # user, the versions of the facts, the structure and the survey (one query; the survey is
    # kept), response
    _count(ana, url(survey), django_assert_num_queries, 3)
    # user, the versions, the response with its answers (one query)
    _count(ana, url(survey, 1), django_assert_num_queries, 3)
    _count(ana, url(survey, 2), django_assert_num_queries, 3)
    # user, the versions
    _count(ana, f"/surveys/{survey.pk}/answer/done/", django_assert_num_queries, 2)

    # More questions and options: shown at once (the structure's version is raised), and the
    # same counts once read.
    extra = factories.QuestionFactory(section=survey.pages[1], position=9, text="Added later?")
    factories.OptionFactory(question=extra, label="Added option")
    assert "Added option" in ana.get(url(survey, 2)).content.decode()
    _count(ana, url(survey, 2), django_assert_num_queries, 3)


def test_the_kept_survey_follows_its_changes(survey, ana):
    """Closing the survey, or changing its title, shows at once on pages read before."""
    assert ana.get(url(survey, 1)).status_code == 200
    row = Survey.objects.get(pk=survey.pk)
    row.title = "Renamed survey"
    row.save()
    assert "Renamed survey" in ana.get(url(survey, 1)).content.decode()

    row.closes_at = timezone.now() - datetime.timedelta(minutes=1)
    row.save()
    assert ana.get(url(survey, 1)).url == url(survey)


def test_the_kept_structure_follows_a_wording_change_and_a_removed_option(survey, ana):
    assert "Satisfied with the format?" in ana.get(url(survey, 1)).content.decode()
    question = survey.q["format"]
    question.text = "Happy with the format?"
    question.save()
    other = survey.opt["other"].pk
    assert f'data-option="{other}"' in ana.get(url(survey, 1)).content.decode()
    survey.opt["other"].delete()

    html = ana.get(url(survey, 1)).content.decode()

    assert "Happy with the format?" in html
    assert f'data-option="{other}"' not in html
