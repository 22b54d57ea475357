"""The results page, its SVG charts and the reminder action: who may open them, what they show,
and their query counts."""

import re
import xml.etree.ElementTree as ET

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from feedback.enums import QuestionKind, ResponseStatus
from feedback.models import Answer, Response
from feedback.results import results_changed
from notifications.models import OutboundEmail
from portal.links import site_url
from tests import factories
from tests.feedback.results_world import build, respond
from tests.queries import keep_facts_of, session_queries

pytestmark = pytest.mark.django_db

FULL = {
    "single": "Yes",
    "multiple": ["Funding", "Data"],
    "rating": 5,
    "scale": 10,
    "extent": 4,
    "short": "Heat pumps",
    "long": "More site visits.",
    "ranking": ["Heat", "Transport", "Waste"],
    "matrix": {"Format": 5, "Content": 4},
}


def results_url(survey, **query):
    url = reverse("survey_results", args=[survey.pk])
    if query:
        url += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    return url


@pytest.fixture
def named():
    world = build()
    respond(world, "lisboa", FULL)
    respond(world, "porto", {**FULL, "single": "No", "short": "Bike lanes"})
    return world


def test_facilitator_reads_counts_shares_and_who_has_not_answered(client, named):
    client.force_login(named.facilitator)
    response = client.get(results_url(named.survey))
    assert response.status_code == 200
    page = response.content.decode()
    single = named.questions["single"]
    yes = named.options[("single", "Yes")]
    assert f'<tr data-option="{yes.pk}"><th scope="row">Yes</th>' in page
    assert '<div data-stat="responses"><dt>Submitted responses</dt><dd>2</dd></div>' in page
    assert '<div data-stat="asked"><dt>People asked</dt><dd>3</dd></div>' in page
    assert '<div data-stat="rate"><dt>Response rate</dt><dd>67%</dd></div>' in page
    assert f'id="chart-q{single.pk}"' in page
    assert "<strong>Lisboa:</strong> Heat pumps" in page
    assert "<strong>Porto:</strong> Bike lanes" in page
    assert "Officer of Berlin" in page and "Officer of Lisboa" not in page
    assert reverse("survey_remind", args=[named.survey.pk]) in page
    # Every text question's free texts; no chart for them.
    assert f'id="chart-q{named.questions["short"].pk}"' not in page


def test_filter_narrows_and_hides_the_rate_and_the_list(client, named):
    client.force_login(named.facilitator)
    page = client.get(
        results_url(named.survey, country=named.cities["berlin"].country_id)
    ).content.decode()
    assert "<dt>Submitted responses (filtered)</dt><dd>0</dd>" in page
    assert 'data-stat="rate"' not in page and 'data-list="not-answered"' not in page


def test_bad_filter_is_a_message_not_an_error(client, named):
    client.force_login(named.facilitator)
    response = client.get(results_url(named.survey, cohort="999999", city_type="castle"))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="filter-errors"' in page
    assert 'data-stat="responses"' not in page and "data-question" not in page


def test_anonymous_under_threshold_shows_only_the_count_and_no_filters(client):
    world = build(anonymous=True, min_responses=3)
    respond(world, None, FULL)
    respond(world, None, FULL)
    client.force_login(world.facilitator)
    page = client.get(results_url(world.survey, country="1")).content.decode()
    assert "<dt>Submitted responses</dt><dd>2</dd>" in page
    assert "The results of this anonymous survey appear once 3 people have answered." in page
    assert 'data-question="' not in page and "Heat pumps" not in page
    assert 'role="search"' not in page
    assert 'data-notice="filters-ignored"' in page
    assert 'data-list="not-answered"' not in page and "survey_remind" not in page
    assert reverse("survey_remind", args=[world.survey.pk]) not in page
    svg = reverse("survey_results_svg", args=[world.survey.pk, world.questions["single"].pk])
    assert client.get(svg).status_code == 404

    respond(world, None, FULL)
    page = client.get(results_url(world.survey)).content.decode()
    assert f'data-question="{world.questions["single"].pk}"' in page
    assert "Heat pumps" in page and "Lisboa" not in page


def test_svg_download_is_the_chart_as_a_file(client, named):
    client.force_login(named.facilitator)
    question = named.questions["multiple"]
    response = client.get(reverse("survey_results_svg", args=[named.survey.pk, question.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert response["Content-Disposition"] == (
        f'attachment; filename="survey-{named.survey.pk}-question-{question.pk}.svg"'
    )
    root = ET.fromstring(response.content)
    assert root.find("{http://www.w3.org/2000/svg}title").text == question.text
    texts = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert "2 (100%)" in texts and "0 (0%)" in texts
    # A text question has no chart; a question of another survey is not found.
    short = named.questions["short"]
    assert (
        client.get(reverse("survey_results_svg", args=[named.survey.pk, short.pk])).status_code
        == 404
    )
    other = factories.QuestionFactory(kind=QuestionKind.RATING)
    assert (
        client.get(reverse("survey_results_svg", args=[named.survey.pk, other.pk])).status_code
        == 404
    )


def test_asked_officer_gets_403_and_others_404(client, named):
    outsider = factories.city_officer()
    other_facilitator = factories.UserFactory(is_facilitator=True)
    factories.CohortFactory().facilitators.add(other_facilitator)
    reviewer = factories.UserFactory(is_reviewer=True)
    admin = factories.UserFactory(is_programme_admin=True)
    svg = reverse("survey_results_svg", args=[named.survey.pk, named.questions["single"].pk])
    remind = reverse("survey_remind", args=[named.survey.pk])
    observed = {}
    for name, user in [
        ("officer", named.officers["lisboa"]),
        ("outsider", outsider),
        ("other facilitator", other_facilitator),
        ("reviewer", reviewer),
        ("admin", admin),
        ("facilitator", named.facilitator),
    ]:
        client.force_login(user)
        observed[name] = [
            client.get(url).status_code for url in (results_url(named.survey), svg, remind)
        ]
    assert observed == {
        "officer": [403, 403, 403],
        "outsider": [404, 404, 404],
        "other facilitator": [404, 404, 404],
        "reviewer": [404, 404, 404],
        "admin": [200, 200, 200],
        "facilitator": [200, 200, 200],
    }


def test_reminder_confirms_then_sends_once_a_day(client, named, django_capture_on_commit_callbacks):
    client.force_login(named.facilitator)
    remind = reverse("survey_remind", args=[named.survey.pk])
    page = client.get(remind).content.decode()
    assert 'data-count="1"' in page
    berlin = named.officers["berlin"]

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(remind, follow=True)
    assert response.redirect_chain == [(results_url(named.survey), 302)]
    assert [str(m) for m in response.context["messages"]] == ["1 reminder sent."]
    emails = list(OutboundEmail.objects.filter(key__startswith="survey_reminder:"))
    assert [email.to for email in emails] == [berlin.email]
    assert named.survey.title in emails[0].subject
    # The link opens the survey itself (the person's draft, or a new one).
    survey_page = site_url(f"/surveys/{named.survey.pk}/")
    assert f"\n\nAnswer the survey here: {survey_page}\n\n--\n" in emails[0].body
    # A reminder like the planned ones: its kind's unsubscribe link, in the footer and header.
    unsubscribe = emails[0].headers["List-Unsubscribe"].strip("<>")
    assert unsubscribe.startswith(site_url("/reminders/unsubscribe/"))
    assert f"Stop reminders of this kind: {unsubscribe}\n" in emails[0].body
    assert len(callbacks) == 1  # delivered once the request's transaction commits

    response = client.post(remind, follow=True)
    assert [str(m) for m in response.context["messages"]] == [
        "No reminder sent: everyone has answered, or each person who has not was reminded "
        "today already, has had as many reminders as the rules allow, or chose not to get "
        "survey reminders (the outbox says which)."
    ]
    assert OutboundEmail.objects.filter(key__startswith="survey_reminder:").count() == 1


def test_reminder_of_a_city_survey_goes_to_the_officers_of_cities_that_have_not_answered(client):
    world = build(unit="city")
    respond(world, "lisboa", {"single": "Yes"})
    colleague = factories.UserFactory()
    factories.CityMembershipFactory(city=world.cities["porto"], user=colleague)
    client.force_login(world.facilitator)
    client.post(reverse("survey_remind", args=[world.survey.pk]))
    assert sorted(OutboundEmail.objects.values_list("to", flat=True)) == sorted(
        [world.officers["porto"].email, colleague.email, world.officers["berlin"].email]
    )


def test_reminder_refused_for_an_anonymous_survey(client):
    world = build(anonymous=True)
    client.force_login(world.facilitator)
    response = client.post(reverse("survey_remind", args=[world.survey.pk]), follow=True)
    assert [str(m) for m in response.context["messages"]] == [
        "Reminders go to those who have not answered a named survey; this one is anonymous."
    ]
    assert not OutboundEmail.objects.exists()


def test_reminder_refused_for_a_survey_not_open(client):
    named = build()
    named.survey.is_published = False
    named.survey.save()
    client.force_login(named.facilitator)
    for method in (client.get, client.post):
        response = method(reverse("survey_remind", args=[named.survey.pk]), follow=True)
        assert response.redirect_chain == [(results_url(named.survey), 302)]
        assert [str(m) for m in response.context["messages"]] == [
            "Reminders are sent only while the survey is open."
        ]
    assert not OutboundEmail.objects.exists()


def _page_queries(client, url, *, survey, cached=False) -> int:
    if not cached:
        # A change to the survey: its cached part is drawn afresh.
        results_changed(survey.pk)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_results_page_queries_do_not_grow_with_responses_or_questions(client):
    world = build()
    respond(world, "lisboa", FULL)
    client.force_login(world.facilitator)
    keep_facts_of(world.facilitator)
    few = _page_queries(client, results_url(world.survey), survey=world.survey)

    respond(world, "porto", FULL)
    respond(world, "berlin", FULL)
    for n in range(5):
        # More questions, and more people who have not answered.
        factories.QuestionFactory(
            section=world.questions["single"].section, position=20 + n, kind=QuestionKind.RATING
        )
        officer = factories.UserFactory()
        factories.CityMembershipFactory(city=world.cities["berlin"], user=officer)
    # New officers change the facts the rules read: read once, as the first page after does.
    keep_facts_of(world.facilitator)
    many = _page_queries(client, results_url(world.survey), survey=world.survey)
    again = _page_queries(client, results_url(world.survey), survey=world.survey, cached=True)
    filtered = _page_queries(
        client,
        results_url(world.survey, country=world.cities["lisboa"].country_id),
        survey=world.survey,
    )
    assert few == many
    # The session, the user, the versions, the survey; on a miss
    # also the count, questions and options, 3 aggregations, the asked count, the list of who
    # has not answered and 3 for the filter choices.
    assert many == session_queries() + 14
    assert again == session_queries() + 3
    filtered_again = _page_queries(
        client,
        results_url(world.survey, country=world.cities["lisboa"].country_id),
        survey=world.survey,
        cached=True,
    )
    # Under a filter: no rate and no list (two fewer), and the chosen country is read (one more).
    assert filtered == many - 1
    assert filtered_again == again


def test_draft_responses_do_not_show(client, named):
    respond(named, "berlin", {"single": "Other"}, status=ResponseStatus.DRAFT)
    client.force_login(named.facilitator)
    page = client.get(results_url(named.survey)).content.decode()
    assert "<dt>Submitted responses</dt><dd>2</dd>" in page
    assert "Officer of Berlin" in page


def test_cached_results_show_each_change_at_once(client):
    world = build()
    respond(world, "lisboa", FULL)
    client.force_login(world.facilitator)
    url = results_url(world.survey)
    assert "<dt>Submitted responses</dt><dd>1</dd>" in client.get(url).content.decode()

    # A new response (its row saved: the survey's version is bumped).
    respond(world, "porto", FULL)
    page = client.get(url).content.decode()
    assert "<dt>Submitted responses</dt><dd>2</dd>" in page
    assert "Officer of Porto" not in page

    # A wording fix of an option.
    option = world.options[("single", "Yes")]
    option.label = "Yes, fully"
    option.save()
    assert '<th scope="row">Yes, fully</th>' in client.get(url).content.decode()

    # A named response edited in bulk, without a signal: the writer says so (results_changed).
    response = Response.objects.get(user=world.officers["porto"])
    Answer.objects.filter(response=response, question=world.questions["short"]).update(
        text="Cargo bikes"
    )
    Response.objects.filter(pk=response.pk).update(updated_at=timezone.now())
    assert "Cargo bikes" not in client.get(url).content.decode()
    results_changed(world.survey.pk)
    assert "<strong>Porto:</strong> Cargo bikes" in client.get(url).content.decode()

    # A filter is its own address, so its own entry.
    filtered = client.get(results_url(world.survey, country=world.cities["berlin"].country_id))
    assert "<dt>Submitted responses (filtered)</dt><dd>0</dd>" in filtered.content.decode()


def test_reminder_page_and_svg_query_counts(client):
    world = build()
    respond(world, "lisboa", FULL)
    client.force_login(world.facilitator)
    keep_facts_of(world.facilitator)
    remind = reverse("survey_remind", args=[world.survey.pk])
    svg = reverse("survey_results_svg", args=[world.survey.pk, world.questions["matrix"].pk])
    # The user, the versions, the survey; on a miss also the count (remind) or the question,
    # its options, the response count and the counts and denominators (svg: a matrix has no
    # texts to read).
    assert _page_queries(client, remind, survey=world.survey) == session_queries() + 4
    assert _page_queries(client, remind, survey=world.survey, cached=True) == (
        session_queries() + 3
    )
    assert _page_queries(client, svg, survey=world.survey) == session_queries() + 8
    assert _page_queries(client, svg, survey=world.survey, cached=True) == session_queries() + 3


def test_cached_group_filter_follows_a_city_joining_the_group(client, named):
    client.force_login(named.facilitator)
    url = results_url(named.survey, group=named.groups["mobility"].pk)
    assert "<dt>Submitted responses (filtered)</dt><dd>0</dd>" in client.get(url).content.decode()
    enrolment = named.cities["lisboa"].enrolments.get()
    factories.EnrolmentGroupFactory(enrolment=enrolment, thematic_group=named.groups["mobility"])
    assert "<dt>Submitted responses (filtered)</dt><dd>1</dd>" in client.get(url).content.decode()


def test_each_question_is_shown_under_its_sections_title(client):
    lead = factories.UserFactory(is_facilitator=True)
    survey = factories.SurveyFactory(is_published=True)
    survey.cohort.facilitators.add(lead)
    for position, title in enumerate(["Thematic sessions", "Technical sessions"], start=1):
        section = factories.SectionFactory(survey=survey, position=position, title=title)
        factories.QuestionFactory(section=section, position=1, text="Are you satisfied?")
    client.force_login(lead)

    page = client.get(results_url(survey)).content.decode()

    assert re.findall(r'<p class="help" data-section>([^<]+)</p>', page) == [
        "Thematic sessions",
        "Technical sessions",
    ]
