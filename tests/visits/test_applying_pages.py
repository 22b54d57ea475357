"""The pages of applying (visits/views_applying.py): the call's "Apply", the application's
page and its form, the autosave."""

import datetime
import json

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from roadmaps.enums import RoadmapStatus
from tests import factories
from tests.queries import session_queries
from tests.visits.applying_world import SPOTLIGHT, applying_world
from visits import applying
from visits.enums import ApplicationStatus
from visits.models import Application


@pytest.fixture
def world(db):
    return applying_world(
        questions=[{"key": "budget", "text": "Who pays the travel?", "required": True}]
    )


@pytest.fixture
def ana(world):
    client = Client()
    client.force_login(world.officer)
    return client


def page(application):
    return f"/visits/applications/{application.pk}/"


def start(ana, world) -> Application:
    response = ana.post(f"/visits/calls/{world.call.pk}/apply/")
    application = Application.objects.get(call=world.call, city=world.city)
    assert response.status_code == 302
    assert response["Location"] == page(application)
    return application


def form(world, **changes) -> dict:
    data = {
        "action": "save",
        "choice_1": str(world.visits[1].pk),
        "choice_2": str(world.visits[0].pk),
        "choice_3": "",
        "motivation": "We want to learn how to cool our streets.",
        "spotlight_challenge": SPOTLIGHT,
        "delegate-0-name": "Ana Silva",
        "delegate-0-role": "Climate officer",
        "delegate-0-email": "ana@lisboa.example",
        "delegate-1-name": "",
        "delegate-1-role": "",
        "delegate-1-email": "",
        "question-budget": "The city",
    }
    data.update(changes)
    return data


def test_apply_starts_the_draft_and_the_page_shows_the_prefilled_challenge(ana, world):
    application = start(ana, world)

    content = ana.get(page(application)).content.decode()

    assert f'name="spotlight_challenge" rows="6">{SPOTLIGHT}</textarea>' in content.replace(
        "&#x27;", "'"
    )
    assert "A completed Reflection Roadmap gives your application 1 additional point" in content
    assert 'data-roadmap-completed="no"' in content


def test_the_page_says_a_completed_roadmap_counts(ana, world):
    world.roadmap.status = RoadmapStatus.ACCEPTED
    world.roadmap.save()
    application = start(ana, world)

    content = ana.get(page(application)).content.decode()

    assert 'data-roadmap-completed="yes"' in content
    assert "Reflection Roadmap is completed: the point is counted." in content


def test_apply_twice_goes_to_the_same_draft(ana, world):
    first = start(ana, world)
    second = start(ana, world)

    assert first.pk == second.pk


def test_apply_to_an_ineligible_call_is_404_and_creates_nothing(ana, world):
    # A call of another cohort: not one the officer sees at all (visits.selectors).
    other = factories.CallFactory(status="open")
    other.eligible_cohorts.add(factories.CohortFactory())

    assert ana.post(f"/visits/calls/{other.pk}/apply/").status_code == 404
    assert not Application.objects.exists()


def test_apply_for_a_city_type_the_call_does_not_take_says_so(ana, world):
    world.call.eligible_city_types = ["mission"]
    world.call.save()

    response = ana.post(f"/visits/calls/{world.call.pk}/apply/", {"next": "/visits/elsewhere/"})

    assert response.status_code == 302
    assert response["Location"] == "/visits/elsewhere/"
    followed = ana.get("/")
    assert [str(m) for m in followed.context["messages"]] == [
        "Your city is not eligible for this call."
    ]
    assert not Application.objects.exists()


def test_apply_after_the_deadline_says_so(ana, world):
    with time_machine.travel(world.call.closes_at + datetime.timedelta(hours=1), tick=False):
        response = ana.post(f"/visits/calls/{world.call.pk}/apply/", follow=True)

    assert response.status_code == 200
    (message,) = [str(m) for m in response.context["messages"]]
    assert message.startswith("This call closed on ")
    assert not Application.objects.exists()


def test_save_draft_without_script_then_submit(ana, world):
    application = start(ana, world)

    saved = ana.post(page(application), form(world))
    submitted = ana.post(page(application), form(world, action="submit"), follow=True)

    assert saved.status_code == 302
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    assert list(application.preferences.values_list("visit_id", flat=True)) == [
        world.visits[1].pk,
        world.visits[0].pk,
    ]
    content = submitted.content.decode()
    assert "Your application is submitted. Thank you!" in content
    assert "data-read-only" in content
    assert '<form method="post" class="card survey-page"' not in content


def test_submit_twice_one_submission_and_a_clear_message(ana, world):
    application = start(ana, world)
    ana.post(page(application), form(world, action="submit"), follow=True)

    again = ana.post(page(application), form(world, action="submit"), follow=True)

    messages = [str(m) for m in again.context["messages"]]
    assert messages == ["This application is submitted: it can no longer be changed."]
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED


def test_submit_incomplete_lists_what_is_missing_and_keeps_what_was_typed(ana, world):
    application = start(ana, world)

    response = ana.post(
        page(application), form(world, action="submit", motivation="", **{"question-budget": ""})
    )

    assert response.status_code == 400
    assert response.context["missing"] == ["Motivation", "Who pays the travel?"]
    application.refresh_from_db()
    # The draft was saved with what was typed; only the submission waits.
    assert application.status == ApplicationStatus.DRAFT
    assert application.delegates.count() == 1


def test_ranking_a_visit_twice_shows_the_message_and_keeps_the_typing(ana, world):
    application = start(ana, world)
    ana.post(page(application), form(world))

    response = ana.post(
        page(application),
        form(world, choice_2=str(world.visits[1].pk), motivation="A new motivation"),
    )

    assert response.status_code == 400
    content = response.content.decode()
    assert "You ranked “Visit to Guimarães” twice (choices 1 and 2)" in content
    assert "A new motivation</textarea>" in content
    application.refresh_from_db()
    assert application.motivation == "We want to learn how to cool our streets."


def test_too_many_delegates_and_a_bad_email_are_told(ana, world):
    application = start(ana, world)
    extra = {
        "delegate-1-name": "Rui",
        "delegate-1-email": "rui@lisboa.example",
        "delegate-2-name": "Eva",
        "delegate-2-email": "eva-at-lisboa",
    }

    response = ana.post(page(application), form(world, **extra))

    assert response.status_code == 400
    errors = response.context["errors"]
    assert errors == {
        "delegates": "A city may send at most 2 delegates to the visits you ranked: you named 3.",
        "delegate-2-email": "“eva-at-lisboa” is not an email address.",
    }
    # The third row is shown again with what was typed.
    assert 'value="eva-at-lisboa"' in response.content.decode()
    assert application.delegates.count() == 0


def test_a_malformed_choice_is_a_message_not_a_500(ana, world):
    application = start(ana, world)

    response = ana.post(page(application), form(world, choice_1="abc"))

    assert response.status_code == 400
    assert response.context["errors"] == {"choice_1": "Choose one of the visits this call offers."}


def test_after_the_deadline_the_page_is_read_only_and_a_post_is_refused(ana, world):
    application = start(ana, world)
    ana.post(page(application), form(world))

    with time_machine.travel(world.call.closes_at + datetime.timedelta(hours=1), tick=False):
        content = ana.get(page(application)).content.decode()
        posted = ana.post(page(application), form(world, motivation="Late"), follow=True)

    assert "data-read-only" in content
    assert "this application is read-only." in content
    assert 'name="motivation"' not in content
    (message,) = [str(m) for m in posted.context["messages"]]
    assert message.startswith("This call closed on ")
    application.refresh_from_db()
    assert application.motivation == "We want to learn how to cool our streets."


def test_withdraw(ana, world):
    application = start(ana, world)

    response = ana.post(page(application), {"action": "withdraw"}, follow=True)

    assert [str(m) for m in response.context["messages"]] == ["Your application is withdrawn."]
    application.refresh_from_db()
    assert application.status == ApplicationStatus.WITHDRAWN


def test_an_officer_of_another_city_gets_404(world):
    application = applying.application_start(acting_user=world.officer, call=world.call)
    rui = Client()
    rui.force_login(world.other_officer)

    assert rui.get(page(application)).status_code == 404
    assert rui.post(page(application), {"action": "withdraw"}).status_code == 404
    assert (
        rui.post(
            page(application) + "autosave/", data="{}", content_type="application/json"
        ).status_code
        == 404
    )
    application.refresh_from_db()
    assert application.status == ApplicationStatus.DRAFT


def test_autosave_saves_and_refuses_with_field_messages(ana, world):
    application = start(ana, world)
    url = page(application) + "autosave/"

    saved = ana.post(url, data=json.dumps(form(world)), content_type="application/json")
    refused = ana.post(
        url,
        data=json.dumps(form(world, **{"delegate-0-email": "nope"})),
        content_type="application/json",
    )
    broken = ana.post(url, data="[1, 2", content_type="application/json")

    assert saved.status_code == 200
    assert saved.json()["saved"] is True
    assert refused.status_code == 400
    assert refused.json()["error"]["fields"] == {
        "delegate-0-email": ["“nope” is not an email address."]
    }
    assert broken.status_code == 400
    application.refresh_from_db()
    assert application.motivation == "We want to learn how to cool our streets."


def test_autosave_after_the_deadline_is_blocked(ana, world):
    application = start(ana, world)
    with time_machine.travel(world.call.closes_at, tick=False):
        response = ana.post(
            page(application) + "autosave/", data="{}", content_type="application/json"
        )

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "closed"


def page_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_the_page_reads_as_many_queries_with_one_or_many_preferences_and_delegates(ana, world):
    application = start(ana, world)
    ana.post(page(application), form(world, choice_2=""))
    one = page_queries(ana, page(application))
    again = page_queries(ana, page(application))
    many_form = form(
        world,
        choice_3=str(world.visits[2].pk),
        **{"delegate-1-name": "Rui", "delegate-1-email": "rui@lisboa.example"},
    )
    # Guimarães and Bucharest take 3 delegates: name three.
    many_form.update(
        choice_1=str(world.visits[1].pk),
        choice_2=str(world.visits[2].pk),
        choice_3="",
        **{"delegate-2-name": "Eva", "delegate-2-email": "eva@lisboa.example"},
    )
    assert ana.post(page(application), many_form).status_code == 302
    assert application.delegates.count() == 3
    many = page_queries(ana, page(application))

    # user, the application with its call and city, whether the person is an officer of its
    # city (may change) and whether its roadmap is completed; the versions of what the form
    # shows; after a save, the call's visits with the application's preferences and the
    # delegates. Read again unchanged, the form is the cached fragment.
    assert one == many == 5 + session_queries()
    assert again == 3 + session_queries()


def test_the_read_only_page_reads_as_many_queries(ana, world):
    application = start(ana, world)
    ana.post(page(application), form(world, choice_2="", action="submit"))
    one = page_queries(ana, page(application))
    factories.DelegateFactory(application=application, position=1)
    factories.PreferenceFactory(application=application, visit=world.visits[2], rank=2)
    # As application_save does with every change of the preferences and delegates.
    application.save(update_fields=["updated_at"])
    many = page_queries(ana, page(application))
    again = page_queries(ana, page(application))

    assert one == many == 5 + session_queries()
    assert again == 3 + session_queries()


def test_reviewer_reads_the_application_without_the_form(world):
    application = applying.application_start(acting_user=world.officer, call=world.call)
    reviewer = factories.UserFactory()
    factories.ReviewFactory(application=application, reviewer=reviewer)
    client = Client()
    client.force_login(reviewer)

    content = client.get(page(application)).content.decode()

    assert "data-application-answers" in content
    assert "data-withdraw" not in content
    assert "data-roadmap-point" not in content
    assert timezone.now() < world.call.closes_at
