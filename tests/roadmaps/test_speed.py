"""What issue 9 (speed) changed in the roadmap pages, held: the cached parts (roadmaps.fragments:
keyed by what they show) show a change made through a service, the admin or a plain model save
on the next page, and two people asking for the same page one after the other each see their
own; the pages' and the autosave's queries are counted exactly."""

import json
import re

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.middleware.csrf import _unmask_cipher_token
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cities.models import City
from roadmaps import services
from roadmaps.models import RoadmapChange, RoadmapValue
from tests import factories
from tests.queries import session_queries

CHALLENGE = "phase1.challenge"
SCORE = "phase2_2.score.funding-financing"


@pytest.fixture(autouse=True)
def warm_cache_between_requests():
    """A cache shared by the requests of a test, empty at its start."""
    cache.clear()
    yield
    cache.clear()


def save(programme, key, value, user=None):
    stored = RoadmapValue.objects.filter(roadmap=programme.roadmap, key=key).first()
    return services.roadmap_field_save(
        roadmap=programme.roadmap,
        key=key,
        value=value,
        base_version=stored.version if stored else 0,
        acting_user=user or programme.ana,
    )


def edit_page(client, user, programme) -> str:
    client.force_login(user)
    response = client.get(reverse("roadmap_edit", args=[programme.roadmap.pk]))
    assert response.status_code == 200
    return response.content.decode()


def overview(client, user, programme) -> str:
    client.force_login(user)
    response = client.get(reverse("roadmap_cohort_overview", args=[programme.cohort.pk]))
    assert response.status_code == 200
    return response.content.decode()


def textarea(html: str, key: str) -> str:
    return re.search(rf'<textarea id="input-{re.escape(key)}"[^>]*>([^<]*)</textarea>', html)[1]


def shown_value(html: str, key: str) -> str:
    return re.search(rf'<dd data-value-for="{re.escape(key)}">(.*?)</dd>', html)[1]


# The edit page.


def test_edit_page_shows_a_field_saved_through_the_service(client, programme):
    save(programme, CHALLENGE, "Heating the old town")
    assert textarea(edit_page(client, programme.ana, programme), CHALLENGE) == (
        "Heating the old town"
    )

    save(programme, CHALLENGE, "Cooling the old town", user=programme.rui)

    assert textarea(edit_page(client, programme.ana, programme), CHALLENGE) == (
        "Cooling the old town"
    )


def test_edit_page_shows_a_value_changed_by_a_model_save(client, programme):
    save(programme, CHALLENGE, "Heating the old town")
    edit_page(client, programme.ana, programme)
    value = RoadmapValue.objects.get(roadmap=programme.roadmap, key=CHALLENGE)
    value.value = "Changed in the admin"
    value.save()

    assert textarea(edit_page(client, programme.ana, programme), CHALLENGE) == (
        "Changed in the admin"
    )


def test_edit_page_shows_a_new_comment_and_its_author_renamed(client, programme):
    edit_page(client, programme.lead, programme)
    services.roadmap_comment_add(
        roadmap=programme.roadmap,
        section="phase1",
        body="Name the causes",
        acting_user=programme.lead,
    )
    html = edit_page(client, programme.ana, programme)
    assert "Name the causes" in html
    assert "Lea Lead ·" in html

    programme.lead.full_name = "Lea Leader"
    programme.lead.save()

    assert "Lea Leader ·" in edit_page(client, programme.ana, programme)


def test_edit_page_officer_then_facilitator_each_see_their_own(client, programme):
    save(programme, CHALLENGE, "Heating the old town")

    officer_html = edit_page(client, programme.ana, programme)
    facilitator_html = edit_page(client, programme.lead, programme)
    other_officer_html = edit_page(client, programme.rui, programme)

    # The officer gets the form, with their own name suggested as the representative.
    assert textarea(officer_html, CHALLENGE) == "Heating the old town"
    assert 'value="Ana" data-key="representative.first_name"' in officer_html
    assert 'name="body"' not in officer_html
    # The facilitator gets the values and a comment form per section, no inputs.
    assert shown_value(facilitator_html, CHALLENGE) == "Heating the old town"
    assert 'data-key="phase1.challenge"' not in facilitator_html
    assert facilitator_html.count('<textarea id="comment-') == 6
    assert 'value="Ana"' not in facilitator_html
    # A colleague of the same city gets the form with their own name suggested.
    assert 'value="Rui" data-key="representative.first_name"' in other_officer_html
    assert 'value="Ana"' not in other_officer_html


def test_edit_page_comment_forms_post_with_each_persons_token(programme):
    secrets = []
    for user in (programme.lead, programme.group_facilitator):
        client = Client()
        client.force_login(user)
        response = client.get(reverse("roadmap_edit", args=[programme.roadmap.pk]))
        html = response.content.decode()
        assert html.count('class="comment-form"') == 6  # a comment form per section
        tokens = re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
        cookie = client.cookies[settings.CSRF_COOKIE_NAME].value
        assert {_unmask_cipher_token(token) for token in tokens} == {cookie}
        secrets.append(cookie)

    assert secrets[0] != secrets[1]


def edit_page_queries(client, user, programme) -> int:
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("roadmap_edit", args=[programme.roadmap.pk]))
    assert response.status_code == 200
    return len(queries)


def test_edit_page_query_count_does_not_grow_with_fields_and_comments(client, programme):
    save(programme, CHALLENGE, "Heating the old town")
    one = edit_page_queries(client, programme.ana, programme)
    for key in ("phase1.overview", "phase1.cause_1", SCORE, "phase2_1.desirability"):
        save(programme, key, "4" if key == SCORE else "high" if "desir" in key else "Text")
    for section in ("phase1", "phase2_1", "phase3"):
        services.roadmap_comment_add(
            roadmap=programme.roadmap, section=section, body="Good", acting_user=programme.lead
        )
    many = edit_page_queries(client, programme.ana, programme)
    warm = edit_page_queries(client, programme.ana, programme)
    cache.clear()
    cold = edit_page_queries(client, programme.ana, programme)

    # user, roadmap, change (officer of the city), the data versions (roadmaps.scopes), values,
    # phases, actions, services, comments (with their authors), and the session. Comment and
    # review are not asked: the officer gets the form, and the roadmap is not submitted.
    assert one == many == cold == 9 + session_queries()
    # Cached sections: user, roadmap, change, the data versions and the session.
    assert warm == 4 + session_queries()


def history_queries(client, user, programme) -> int:
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("roadmap_history", args=[programme.roadmap.pk]))
    assert response.status_code == 200
    return len(queries)


def test_history_query_count_does_not_grow_with_changes(client, programme):
    save(programme, CHALLENGE, "Heating the old town")
    one = history_queries(client, programme.ana, programme)
    for n in range(60):
        save(programme, CHALLENGE, f"Heating the old town, take {n}", user=programme.rui)
    many = history_queries(client, programme.ana, programme)

    # session, user, roadmap, count, the page of changes (with who), fields changed
    assert RoadmapChange.objects.filter(roadmap=programme.roadmap).count() == 61
    assert one == many == 5 + session_queries()


# The cohort overview.


def overview_rows(html: str) -> list[tuple[str, str]]:
    return re.findall(
        r'<tr data-state="[^"]+">\s*<th scope="row">([^<]+)</th>\s*<td[^>]*>([^<]+)<', html
    )


def test_overview_shows_a_save_through_the_service_and_a_city_renamed(client, programme):
    assert overview_rows(overview(client, programme.lead, programme)) == [
        ("Lisbon (PT)", "Not started")
    ]
    save(programme, CHALLENGE, "Heating the old town")
    assert overview_rows(overview(client, programme.lead, programme)) == [
        ("Lisbon (PT)", "Draft, 2% complete")
    ]

    # Cities are renamed in the Django admin (a model save: roadmaps.scopes hears it).
    lisbon = City.objects.get(pk=programme.lisbon.pk)
    lisbon.name = "Lisboa"
    lisbon.save()

    assert overview_rows(overview(client, programme.lead, programme)) == [
        ("Lisboa (PT)", "Draft, 2% complete")
    ]


def test_overview_summary_shows_a_new_score(client, programme):
    html = overview(client, programme.lead, programme)
    assert (
        re.search(r'<tr data-factor="funding-financing">.*?</tr>', html, re.S)[0].count(
            '<td class="numeric">1</td>'
        )
        == 0
    )

    save(programme, SCORE, "4")
    html = overview(client, programme.lead, programme)

    row = re.search(r'<tr data-factor="funding-financing">.*?</tr>', html, re.S)[0]
    assert re.findall(r'<td class="numeric">([^<]*)</td>', row) == [
        "1",
        "4.00",
        "0",
        "0",
        "0",
        "1",
        "0",
    ]


def test_overview_lead_then_admin_then_other_facilitator(client, programme):
    admin = factories.UserFactory(is_programme_admin=True)
    other = factories.UserFactory(is_facilitator=True)
    factories.CohortFactory(number=77).facilitators.add(other)

    lead_html = overview(client, programme.lead, programme)
    admin_html = overview(client, admin, programme)
    client.force_login(other)
    other_status = client.get(
        reverse("roadmap_cohort_overview", args=[programme.cohort.pk])
    ).status_code

    assert overview_rows(lead_html) == overview_rows(admin_html) == [("Lisbon (PT)", "Not started")]
    assert other_status == 404


# The history page.


def history_rows(client, user, programme) -> list[tuple[str, str]]:
    client.force_login(user)
    response = client.get(reverse("roadmap_history", args=[programme.roadmap.pk]))
    assert response.status_code == 200
    return re.findall(
        r'<td data-label="Who">([^<]*)</td>\s*<td data-label="Field">[^<]*<span class="help">'
        r"([^<]*)</span>",
        response.content.decode(),
    )


def test_history_shows_a_new_change_and_who_saved_it_renamed(client, programme):
    save(programme, CHALLENGE, "Heating the old town")
    assert history_rows(client, programme.ana, programme) == [("Ana Silva", "version 1")]

    save(programme, CHALLENGE, "Cooling the old town", user=programme.rui)
    assert history_rows(client, programme.ana, programme) == [
        ("Rui Costa", "version 2"),
        ("Ana Silva", "version 1"),
    ]

    programme.rui.full_name = "Rui Costa Pereira"
    programme.rui.save()

    assert history_rows(client, programme.lead, programme) == [
        ("Rui Costa Pereira", "version 2"),
        ("Ana Silva", "version 1"),
    ]


# The autosave.


def test_autosave_queries_one_field_save(client, programme):
    save(programme, CHALLENGE, "Heating the old town")
    client.force_login(programme.ana)
    with CaptureQueriesContext(connection) as queries:
        response = client.post(
            reverse("roadmap_autosave", args=[programme.roadmap.pk]),
            data=json.dumps({"key": CHALLENGE, "value": "Cooling", "base_version": 1}),
            content_type="application/json",
        )

    assert (response.status_code, response.json()["version"]) == (200, 2)
    # user, roadmap (among those visible), officer of the city, the row lock, the cohort's
    # phases (Phase 1 opens with one), the field's row, its update, the history row, the
    # roadmap's last change (the share complete is unchanged: a filled field stays filled),
    # the data versions of the roadmap and of its cohort (roadmaps.scopes: raised once, by the
    # field's row, for the three rows written), and the session; the transaction's two
    # statements (BEGIN and COMMIT, a savepoint and its release inside a test).
    assert len(queries) == 9 + 2 + 2 + session_queries()
