"""The post-session survey's chosen sub-topics sent to the technical session that follows
(feedback/subtopics.py): what is written, who may send it, and what the technical session's
page says of where they came from."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from feedback import answering
from feedback.models import Option, Question, Section, SubtopicsSent
from feedback.subtopics import survey_subtopics_send
from feedback.survey_templates import POST_SESSION, POST_SESSION_SUBTOPICS, survey_from_template
from portal.errors import ApplicationError
from portal.permissions import PermissionRefused
from sessions.enums import SessionKind, SessionStatus
from sessions.models import Session
from tests import factories

pytestmark = pytest.mark.django_db

ENERGY = POST_SESSION_SUBTOPICS["energy"]
EXPECTED = f"{ENERGY[1]} (3 of 3)\n{ENERGY[0]} (2 of 3)\n{ENERGY[2]} (1 of 3)"


class World:
    pass


@pytest.fixture
def world():
    return subtopics_world()


def subtopics_world() -> World:
    """A thematic session of the energy group, its post-session survey answered by three
    cities, and the technical session that follows (with sub-topics typed by hand)."""
    w = World()
    w.cohort = factories.CohortFactory()
    w.group = factories.ThematicGroupFactory(
        cohort=w.cohort, sector=factories.ThematicSectorFactory(slug="energy", name="Energy")
    )
    w.facilitator = factories.UserFactory(is_facilitator=True, full_name="Lea Lead")
    w.group.facilitators.add(w.facilitator)
    now = timezone.now()
    w.thematic = factories.SessionFactory(
        cohort=w.cohort,
        thematic_group=w.group,
        title="Energy: thematic discussion",
        starts_at=now - datetime.timedelta(days=3),
    )
    w.technical = factories.SessionFactory(
        cohort=w.cohort,
        thematic_group=w.group,
        kind=SessionKind.TECHNICAL_SUPPORT,
        title="Energy: technical session",
        starts_at=now + datetime.timedelta(days=20),
        requested_subtopics="Typed by hand",
    )
    # Named on the technical session only (the technical experts): not the survey's readers.
    w.expert = factories.UserFactory(is_facilitator=True)
    w.technical.facilitators.add(w.expert)
    w.survey = survey_from_template(
        template_key=POST_SESSION,
        target=w.thematic,
        opens_at=w.thematic.ends_at,
        closes_at=now + datetime.timedelta(days=5),
        is_anonymous=False,
        acting_user=w.facilitator,
    )
    w.survey.is_published = True
    w.survey.save(update_fields=["is_published"])
    question = Question.objects.get(section__survey=w.survey, template_key="subtopics")
    options = list(Option.objects.filter(question=question).order_by("position"))
    w.officers = {}
    for name, picks in (("Lisbon", [0, 1]), ("Porto", [1]), ("Braga", [0, 1, 2])):
        city = factories.CityFactory(name=name)
        factories.enrolment_accepted(cohort=w.cohort, city=city)
        officer = factories.city_officer(city=city, email=f"o@{name.lower()}.example")
        w.officers[name] = officer
        response = answering.response_for(survey=w.survey, acting_user=officer)
        answering.response_page_save(
            response=response,
            section=Section.objects.get(survey=w.survey, position=1),
            data={question.pk: {"options": [options[i].pk for i in picks]}},
            acting_user=officer,
        )
        answering.response_submit(response=response, acting_user=officer)
    return w


def send_url(survey):
    return reverse("survey_subtopics_send", args=[survey.pk])


def test_the_choices_become_the_technical_sessions_sub_topics_most_chosen_first(world):
    sent = survey_subtopics_send(survey=world.survey, acting_user=world.facilitator)

    world.technical.refresh_from_db()
    assert world.technical.requested_subtopics == EXPECTED
    assert world.technical.updated_by == world.facilitator
    assert (sent.survey, sent.session, sent.responses, sent.sent_by, sent.text) == (
        world.survey,
        world.technical,
        3,
        world.facilitator,
        EXPECTED,
    )
    # The thematic session keeps its own.
    world.thematic.refresh_from_db()
    assert world.thematic.requested_subtopics == ""


def test_sending_again_replaces_the_record(world):
    survey_subtopics_send(survey=world.survey, acting_user=world.facilitator)
    survey_subtopics_send(survey=world.survey, acting_user=world.facilitator)
    assert SubtopicsSent.objects.filter(survey=world.survey).count() == 1


def test_only_the_surveys_facilitators_and_admins_may_send(world):
    with pytest.raises(PermissionRefused):
        survey_subtopics_send(survey=world.survey, acting_user=world.officers["Lisbon"])
    other = factories.UserFactory(is_facilitator=True)
    factories.CohortFactory().facilitators.add(other)
    with pytest.raises(PermissionRefused):
        survey_subtopics_send(survey=world.survey, acting_user=other)
    # The technical experts change the technical session but do not read the survey.
    with pytest.raises(PermissionRefused):
        survey_subtopics_send(survey=world.survey, acting_user=world.expert)
    world.technical.refresh_from_db()
    assert world.technical.requested_subtopics == "Typed by hand"

    admin = factories.UserFactory(is_programme_admin=True)
    survey_subtopics_send(survey=world.survey, acting_user=admin)
    world.technical.refresh_from_db()
    assert world.technical.requested_subtopics == EXPECTED


def test_the_first_technical_session_after_the_thematic_one_is_fed(world):
    # A cancelled one is skipped; one of another group, or before, is not this one's.
    earlier = factories.SessionFactory(
        cohort=world.cohort,
        thematic_group=world.group,
        kind=SessionKind.TECHNICAL_SUPPORT,
        starts_at=world.thematic.starts_at - datetime.timedelta(days=1),
    )
    cancelled = factories.SessionFactory(
        cohort=world.cohort,
        thematic_group=world.group,
        kind=SessionKind.TECHNICAL_SUPPORT,
        starts_at=world.thematic.ends_at + datetime.timedelta(days=1),
        status=SessionStatus.CANCELLED,
    )
    other_group = factories.SessionFactory(
        cohort=world.cohort,
        thematic_group=factories.ThematicGroupFactory(cohort=world.cohort),
        kind=SessionKind.TECHNICAL_SUPPORT,
        starts_at=world.thematic.ends_at + datetime.timedelta(days=2),
    )

    sent = survey_subtopics_send(survey=world.survey, acting_user=world.facilitator)

    assert sent.session == world.technical
    assert set(
        Session.objects.filter(pk__in=[earlier.pk, cancelled.pk, other_group.pk]).values_list(
            "requested_subtopics", flat=True
        )
    ) == {""}


def test_without_a_technical_session_nothing_is_sent_and_the_reason_is_given(world):
    world.technical.delete()
    with pytest.raises(ApplicationError) as refused:
        survey_subtopics_send(survey=world.survey, acting_user=world.facilitator)
    assert refused.value.code == "no_technical_session"
    assert SubtopicsSent.objects.count() == 0


def test_another_kind_of_survey_is_refused(world):
    survey = factories.SurveyFactory(cohort=world.cohort, is_published=True)
    with pytest.raises(ApplicationError) as refused:
        survey_subtopics_send(survey=survey, acting_user=world.facilitator)
    assert refused.value.code == "not_post_session"


def test_the_page_shows_the_choices_with_counts_then_sends_them(client, world):
    client.force_login(world.facilitator)

    page = client.get(send_url(world.survey)).content.decode()

    assert re.findall(r'<li data-option="\d+">([^<]+)</li>', page) == [
        f"{ENERGY[1]}: 3 of 3 (100%)",
        f"{ENERGY[0]}: 2 of 3 (67%)",
        f"{ENERGY[2]}: 1 of 3 (33%)",
    ]
    assert "<p>Typed by hand</p>" in page
    results = client.get(reverse("survey_results", args=[world.survey.pk])).content.decode()
    assert f'<a href="{send_url(world.survey)}">' in results

    response = client.post(send_url(world.survey))

    assert response.status_code == 302
    assert response["Location"] == reverse("survey_results", args=[world.survey.pk])
    world.technical.refresh_from_db()
    assert world.technical.requested_subtopics == EXPECTED


def test_the_technical_sessions_page_says_where_its_sub_topics_came_from(client, world):
    survey_subtopics_send(survey=world.survey, acting_user=world.facilitator)
    url = reverse("session_detail", args=[world.technical.pk])
    date = timezone.localtime(SubtopicsSent.objects.get().sent_at)
    source = (
        "From the post-session survey “Which sub-topics should the technical session explore?” "
        f"of Energy: thematic discussion: 3 responses, sent on {date.day} {date:%B} {date.year}."
    )

    client.force_login(world.officers["Lisbon"])
    page = client.get(url).content.decode()
    block = page.split('data-block="requested-subtopics"')[1].split("</section>")[0]
    assert f"<p>{ENERGY[1]} (3 of 3)<br>" in block
    assert f'<p class="help" data-source>{source}</p>' in block  # no link: not a reader

    client.force_login(world.facilitator)
    page = client.get(url).content.decode()
    results = reverse("survey_results", args=[world.survey.pk])
    assert f'{source} <a href="{results}">See the survey\'s results</a>' in page

    # Changed by hand since: the page says so.
    world.technical.requested_subtopics = "Energy poverty only"
    world.technical.save()
    page = client.get(url).content.decode()
    assert "and changed since by the facilitators." in page
    assert "<p>Energy poverty only</p>" in page


def test_a_thematic_sessions_page_has_no_such_part(client, world):
    client.force_login(world.facilitator)
    page = client.get(reverse("session_detail", args=[world.thematic.pk])).content.decode()
    assert 'data-block="requested-subtopics"' not in page


def test_who_may_not_send_gets_403_or_404_and_nothing_changes(client, world):
    client.force_login(world.officers["Lisbon"])
    assert client.get(send_url(world.survey)).status_code == 403
    assert client.post(send_url(world.survey)).status_code == 403
    client.force_login(world.expert)
    assert client.post(send_url(world.survey)).status_code == 404
    world.technical.refresh_from_db()
    assert world.technical.requested_subtopics == "Typed by hand"


def _page_queries(client, url) -> int:
    client.get(url)  # its cached parts drawn
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_the_technical_sessions_page_asks_one_query_more_sent_or_not(client, world):
    client.force_login(world.officers["Lisbon"])
    thematic = _page_queries(client, reverse("session_detail", args=[world.thematic.pk]))
    url = reverse("session_detail", args=[world.technical.pk])
    before = _page_queries(client, url)
    survey_subtopics_send(survey=world.survey, acting_user=world.facilitator)
    after = _page_queries(client, url)
    # The hook's one query (feedback.receivers: the last sending, with its survey and thematic
    # session), whatever it finds.
    assert before == after == thematic + 1


def test_the_kept_page_shows_each_change_at_once(client, world):
    client.force_login(world.facilitator)
    url = send_url(world.survey)
    assert "<p>Typed by hand</p>" in client.get(url).content.decode()

    # The technical session changed (a model save).
    world.technical.requested_subtopics = "Heat pumps"
    world.technical.save()
    assert "<p>Heat pumps</p>" in client.get(url).content.decode()

    # A new response (through the services).
    city = factories.CityFactory(name="Faro")
    factories.enrolment_accepted(cohort=world.cohort, city=city)
    officer = factories.city_officer(city=city, email="o@faro.example")
    question = Question.objects.get(section__survey=world.survey, template_key="subtopics")
    response = answering.response_for(survey=world.survey, acting_user=officer)
    answering.response_page_save(
        response=response,
        section=question.section,
        data={question.pk: {"options": [question.options.order_by("position")[2].pk]}},
        acting_user=officer,
    )
    answering.response_submit(response=response, acting_user=officer)
    page = client.get(url).content.decode()
    assert f"{ENERGY[2]}: 2 of 4 (50%)" in page

    # The next reader gets their own page, not the facilitator's kept one: an admin, who may
    # change the technical session too, is offered the button.
    admin = factories.UserFactory(is_programme_admin=True)
    client.force_login(admin)
    page = client.get(url).content.decode()
    assert "data-refusal" not in page
    assert "Use as the technical session's requested sub-topics</button>" in page


def test_the_send_page_queries_do_not_grow_with_responses(client, world):
    from feedback.results import results_changed
    from tests.queries import keep_facts_of, session_queries

    client.force_login(world.facilitator)
    keep_facts_of(world.facilitator)
    url = send_url(world.survey)

    def count():
        results_changed(world.survey.pk)  # drawn afresh
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    few = count()
    question = Question.objects.get(section__survey=world.survey, template_key="subtopics")
    for n in range(5):
        city = factories.CityFactory(name=f"City {n}")
        factories.enrolment_accepted(cohort=world.cohort, city=city)
        officer = factories.city_officer(city=city, email=f"o{n}@example.org")
        response = answering.response_for(survey=world.survey, acting_user=officer)
        answering.response_page_save(
            response=response,
            section=question.section,
            data={question.pk: {"options": [question.options.order_by("position")[n % 3].pk]}},
            acting_user=officer,
        )
        answering.response_submit(response=response, acting_user=officer)
    keep_facts_of(world.facilitator)
    many = count()
    # The user, the versions, the survey; the technical session, the question, its options,
    # the response count, the counts and the denominators.
    assert few == many == session_queries() + 9
    with CaptureQueriesContext(connection) as kept:
        client.get(url)
    assert len(kept) == session_queries() + 3
