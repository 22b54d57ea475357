"""What issue 9 (speed) changed in the roadmap pages, held: the cached parts (roadmaps.fragments:
keyed by what they show) show a change made through a service, the admin or a plain model save
on the next page, and two people asking for the same page one after the other each see their
own; the pages' and the autosave's queries are counted exactly."""

import datetime
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
from cities.services import climate_action_create
from cohorts import services as cohort_services
from cohorts.models import Phase
from roadmaps import pdf_files, services
from roadmaps.models import Roadmap, RoadmapChange, RoadmapComment, RoadmapValue
from tests import factories
from tests.queries import keep_facts_of, session_queries
from tests.roadmaps.conftest import fill, present

CHALLENGE = "phase1.challenge"
SCORE = "phase2_2.score.funding-financing"
# A number cell of the overview's summary tables (on a phone each is labelled by data-label).
NUMERIC_CELL = r'<td class="numeric"[^>]*>([^<]*)</td>'


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
    keep_facts_of(programme.ana)
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
    keep_facts_of(programme.ana)
    cold = edit_page_queries(client, programme.ana, programme)

    # user, the versions of the person's kept facts (which roadmaps they see and change) and
    # of what the roadmap's pages show (roadmaps.scopes), in one query
    # (roadmaps.selectors.roadmap_for_user), the roadmap's row (kept under those versions
    # after: each save raises them), values, phases, actions, services, comments (with their
    # authors), and the session. Comment and review are not asked: the officer gets the form,
    # and the roadmap is not submitted. And Phase 4's open Group Study Visit calls for the
    # city's officer (roadmaps.signals.roadmap_visit_calls, answered by visits: one query).
    assert one == many == cold == 9 + session_queries()
    # Cached sections and row: user, the versions, Phase 4's calls and the session.
    assert warm == 3 + session_queries()


def test_edit_page_of_a_returned_roadmap_reads_the_note_once(client, programme):
    """Issue 10: a returned roadmap's page shows the facilitator's note, one query more (the
    returning transition with who), only while it is returned; it does not grow."""
    fill(programme)
    services.roadmap_submit(roadmap=programme.roadmap, acting_user=programme.ana)
    services.roadmap_return(roadmap=programme.roadmap, acting_user=programme.lead, note="More")
    keep_facts_of(programme.ana)
    one = edit_page_queries(client, programme.ana, programme)
    services.roadmap_submit(roadmap=programme.roadmap, acting_user=programme.ana)
    services.roadmap_return(roadmap=programme.roadmap, acting_user=programme.lead, note="Again")
    keep_facts_of(programme.ana)
    many = edit_page_queries(client, programme.ana, programme)
    warm = edit_page_queries(client, programme.ana, programme)

    # As the draft's page (9), and the returning transition with its author.
    assert one == many == 9 + 1 + session_queries()
    # Cached sections and row: user, the versions, Phase 4's calls, the note and the session.
    assert warm == 3 + 1 + session_queries()


def history_queries(client, user, programme) -> int:
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("roadmap_history", args=[programme.roadmap.pk]))
    assert response.status_code == 200
    return len(queries)


def test_history_query_count_does_not_grow_with_changes(client, programme):
    save(programme, CHALLENGE, "Heating the old town")
    keep_facts_of(programme.ana)
    one = history_queries(client, programme.ana, programme)
    for n in range(60):
        save(programme, CHALLENGE, f"Heating the old town, take {n}", user=programme.rui)
    many = history_queries(client, programme.ana, programme)
    warm = history_queries(client, programme.ana, programme)

    # session, user, the versions of the person's kept facts and of the roadmap's scopes (one
    # query), the roadmap's row (each save raised its versions), count, the page of changes
    # (with who), fields changed
    assert RoadmapChange.objects.filter(roadmap=programme.roadmap).count() == 61
    assert one == many == 6 + session_queries()
    # Cached form, table and row: session, user, the versions.
    assert warm == 2 + session_queries()


def test_history_with_choices_reads_their_labels_once(client, programme):
    """Issue 10: the history shows the climate action's title and the services' names: one
    query each when the page has changes of those fields, whatever their number."""
    save(programme, "phase2_1.climate_action", str(programme.action.pk))
    save(programme, "phase3.services", str(programme.services[0].pk))
    keep_facts_of(programme.ana)
    one = history_queries(client, programme.ana, programme)
    for n in range(10):
        ids = [service.pk for service in programme.services[: n % 2 + 1]]
        save(programme, "phase3.services", ",".join(map(str, ids)))
    many = history_queries(client, programme.ana, programme)

    # As without choices (6), and the climate actions and the services named on the page.
    assert one == many == 6 + 2 + session_queries()


# The cohort overview.


def overview_rows(html: str) -> list[tuple[str, str]]:
    # The city's name links to its profile; its country code follows the link.
    rows = re.findall(
        r'<tr data-state="[^"]+">\s*<th scope="row"><a href="/cities/\d+/">([^<]+)</a> '
        r"([^<]+)</th>\s*<td[^>]*>([^<]+)<",
        html,
    )
    return [(f"{city} {country}", status) for city, country, status in rows]


def test_overview_shows_a_save_through_the_service_and_a_city_renamed(client, programme):
    assert overview_rows(overview(client, programme.lead, programme)) == [
        ("Lisbon (PT)", "Not started")
    ]
    save(programme, CHALLENGE, "Heating the old town")
    assert overview_rows(overview(client, programme.lead, programme)) == [("Lisbon (PT)", "Draft")]

    # Cities are renamed in the Django admin (a model save: roadmaps.scopes hears it).
    lisbon = City.objects.get(pk=programme.lisbon.pk)
    lisbon.name = "Lisboa"
    lisbon.save()

    assert overview_rows(overview(client, programme.lead, programme)) == [("Lisboa (PT)", "Draft")]


def test_overview_summary_shows_a_new_score(client, programme):
    html = overview(client, programme.lead, programme)
    row = re.search(r'<tr data-factor="funding-financing">.*?</tr>', html, re.S)[0]
    assert re.findall(NUMERIC_CELL, row) == ["0", "—", "0", "0", "0", "0", "0"]

    save(programme, SCORE, "4")
    html = overview(client, programme.lead, programme)

    row = re.search(r'<tr data-factor="funding-financing">.*?</tr>', html, re.S)[0]
    assert re.findall(NUMERIC_CELL, row) == [
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
    keep_facts_of(programme.ana)
    with CaptureQueriesContext(connection) as queries:
        response = client.post(
            reverse("roadmap_autosave", args=[programme.roadmap.pk]),
            data=json.dumps({"key": CHALLENGE, "value": "Cooling", "base_version": 1}),
            content_type="application/json",
        )

    assert (response.status_code, response.json()["version"]) == (200, 2)
    if connection.vendor == "postgresql":
        # The first autosave after the cache was emptied: the roadmap's city and cohort are not
        # kept yet, so the save is not tried before anything is read
        # (roadmaps.services.roadmap_field_save_presumed). user, the version of the person's
        # kept facts (who sees the roadmap and who may change it:
        # roadmaps.selectors.roadmap_to_write, then the service's rule), the roadmap's city and
        # cohort (kept in the cache from then on), and the save as one statement
        # (roadmaps.field_save_pg: the row locks, the checks with the cohort's phases, the
        # field's update, the history row, the roadmap's last change and the data versions);
        # the session. No BEGIN and COMMIT: the statement is its own transaction (in autocommit,
        # tests/roadmaps/test_field_save_pg.py counts it there too).
        assert len(queries) == 4 + session_queries()
        assert [is_the_statement(query["sql"]) for query in queries].count(True) == 1
        return
    # user, the version of the person's kept facts, the roadmap's city and cohort, the row
    # lock, the cohort's phases (Phase 1 opens with one), the field's row; its update, the
    # history row, the roadmap's last change (the share complete is unchanged: a filled field
    # stays filled) and the data versions of the roadmap, of its cohort and of the API's list
    # (roadmaps.scopes, in one statement: portal.fragments.bump); the session; the
    # transaction's two statements (BEGIN and COMMIT, a savepoint and its release inside a
    # test).
    assert len(queries) == 6 + 4 + 2 + session_queries()


def is_the_statement(sql: str) -> bool:
    """Whether a query string runs the field save's statement on PostgreSQL
    (roadmaps.field_save_pg, prepared in the query string of its first run on a connection)."""
    return "EXECUTE roadmaps_field_save_" in sql


def test_a_second_autosave_finds_the_roadmaps_city_and_cohort_kept(client, programme):
    """roadmaps.selectors.roadmap_to_write keeps a roadmap's city and cohort: only the first
    autosave after the cache was emptied reads them (on PostgreSQL the second does not read
    the version of the person's facts either: the statement checks it)."""
    save(programme, CHALLENGE, "Heating the old town")  # both saves below update the field
    client.force_login(programme.ana)
    keep_facts_of(programme.ana)
    url = reverse("roadmap_autosave", args=[programme.roadmap.pk])

    def autosave(value, base_version):
        with CaptureQueriesContext(connection) as queries:
            response = client.post(
                url,
                data=json.dumps({"key": CHALLENGE, "value": value, "base_version": base_version}),
                content_type="application/json",
            )
        assert response.status_code == 200
        return [query["sql"] for query in queries]

    first = autosave("Heating", 1)
    second = autosave("Cooling", 2)

    owner_reads = [sql for sql in first if '"city_id", "roadmaps_roadmap"."cohort_id"' in sql]
    assert len(owner_reads) == 1
    assert len(second) == len(first) - (2 if connection.vendor == "postgresql" else 1)
    assert not any(sql in second for sql in owner_reads)


# Data versions (roadmaps.scopes): each kind of row an edit page or the overview shows, changed
# through a service or as the Django admin does (a model save or delete), shows on the next page.


def choice_labels(html: str, key: str) -> list[str]:
    select = re.search(rf'<select id="input-{re.escape(key)}".*?</select>', html, re.S)[0]
    return re.findall(r'<option value="\d+"[^>]*>([^<]*)</option>', select)


def test_edit_page_shows_a_climate_action_renamed_and_a_new_presentation(client, programme):
    key = "phase2_1.climate_action"
    assert choice_labels(edit_page(client, programme.ana, programme), key) == [
        "Guimarães: Renewable energy communities"
    ]

    programme.action.title = "Energy communities"
    programme.action.save()
    assert choice_labels(edit_page(client, programme.ana, programme), key) == [
        "Guimarães: Energy communities"
    ]

    # A session with another presented action, through the sessions service.
    other = climate_action_create(
        acting_user=programme.lead,
        city=programme.mission_city,
        title="Bike lanes",
        sector=programme.action.sector,
    )
    present(
        cohort=programme.cohort,
        city=programme.mission_city,
        actions=[other],
        by=programme.lead,
        title="Mobility: bike lanes",
        day=11,
    )

    assert choice_labels(edit_page(client, programme.ana, programme), key) == [
        "Guimarães: Bike lanes",
        "Guimarães: Energy communities",
    ]


def test_edit_page_shows_a_service_renamed_in_the_admin(client, programme):
    assert "Climate Transition Map</label>" in edit_page(client, programme.ana, programme)
    service = programme.services[0]
    service.name = "Transition Map"
    service.save()

    html = edit_page(client, programme.ana, programme)

    assert "Climate Transition Map</label>" not in html
    assert "Transition Map</label>" in html


def test_edit_page_shows_a_phase_moved_and_a_comment_deleted(client, programme):
    html = edit_page(client, programme.ana, programme)
    assert 'data-locked="phase3"' not in html
    services.roadmap_comment_add(
        roadmap=programme.roadmap,
        section="phase1",
        body="Name the causes",
        acting_user=programme.lead,
    )
    assert "Name the causes" in edit_page(client, programme.ana, programme)

    phase = Phase.objects.get(cohort=programme.cohort, kind="study_visit")
    phase.starts_on = datetime.date(2025, 2, 20)
    phase.save()
    RoadmapComment.objects.get(body="Name the causes").delete()

    html = edit_page(client, programme.ana, programme)
    assert 'data-locked="phase4"' in html
    assert "Name the causes" not in html


def test_edit_page_shows_the_submission_to_the_officer(client, programme):
    fill(programme)
    assert "<textarea" in edit_page(client, programme.ana, programme)

    services.roadmap_submit(roadmap=programme.roadmap, acting_user=programme.ana)
    html = edit_page(client, programme.ana, programme)

    assert 'id="input-phase1.challenge"' not in html
    assert shown_value(html, CHALLENGE) == "Text of phase1.challenge"


def test_edit_page_heading_follows_the_kept_row_city_cohort_and_country_renamed(client, programme):
    """The roadmap's row, with its cohort, city and country, is kept under the versions of its
    scopes (roadmaps.selectors.roadmap_for_user): each change shows on the next page."""
    edit_page(client, programme.ana, programme)  # keeps the row

    city = programme.roadmap.city
    city.name = "Lisboa Renamed"
    city.save()
    country = city.country
    country.name = "Portugal Renamed"
    country.save()
    cohort = programme.roadmap.cohort
    cohort.name = "Cohort Renamed"
    cohort.save()
    Roadmap.objects.filter(pk=programme.roadmap.pk).get().save()  # as the admin saves a row
    html = edit_page(client, programme.ana, programme)

    assert "Reflection Roadmap of Lisboa Renamed" in html
    assert "<dd data-city-country>Portugal Renamed</dd>" in html
    assert "Cohort Renamed" in html


def test_versions_read_with_the_roadmap_are_read_again_after_a_change_in_this_process(programme):
    from roadmaps.scopes import roadmap_versions
    from roadmaps.selectors import roadmap_for_user

    roadmap = roadmap_for_user(user=programme.ana, pk=programme.roadmap.pk)
    read = roadmap_versions(roadmap)
    with CaptureQueriesContext(connection) as queries:
        assert roadmap_versions(roadmap) == read
    save(programme, CHALLENGE, "Heating the old town")

    assert len(queries) == 0
    assert roadmap_versions(roadmap) != read


def test_edit_page_officers_of_two_cities_each_see_their_own(client, programme):
    porto = factories.CityFactory(name="Porto", country=programme.lisbon.country)
    rita = factories.city_officer(city=porto, full_name="Rita Reis")
    cohort_services.enrolment_create_direct(
        cohort=programme.cohort,
        city=porto,
        acting_user=programme.lead,
        groups=[(programme.cohort.thematic_groups.get(), "")],
    )
    porto_roadmap = Roadmap.objects.get(cohort=programme.cohort, city=porto)
    save(programme, CHALLENGE, "Heating the old town")

    lisbon_html = edit_page(client, programme.ana, programme)
    client.force_login(rita)
    porto_html = client.get(reverse("roadmap_edit", args=[porto_roadmap.pk])).content.decode()
    rita_on_lisbon = client.get(reverse("roadmap_edit", args=[programme.roadmap.pk]))

    assert textarea(lisbon_html, CHALLENGE) == "Heating the old town"
    assert textarea(porto_html, CHALLENGE) == ""
    assert 'value="Rita" data-key="representative.first_name"' in porto_html
    assert rita_on_lisbon.status_code == 404


def test_overview_shows_a_new_enrolment_and_a_score_saved_in_the_admin(client, programme):
    overview(client, programme.lead, programme)
    porto = factories.CityFactory(name="Porto", country=programme.lisbon.country)
    cohort_services.enrolment_create_direct(
        cohort=programme.cohort,
        city=porto,
        acting_user=programme.lead,
        groups=[(programme.cohort.thematic_groups.get(), "")],
    )
    assert overview_rows(overview(client, programme.lead, programme)) == [
        ("Lisbon (PT)", "Not started"),
        ("Porto (PT)", "Not started"),
    ]

    RoadmapValue.objects.create(roadmap=programme.roadmap, key=SCORE, value="5", version=1)
    html = overview(client, programme.lead, programme)

    row = re.search(r'<tr data-factor="funding-financing">.*?</tr>', html, re.S)[0]
    assert re.findall(NUMERIC_CELL, row)[:2] == ["1", "5.00"]
    # Written past the services, the share complete stays 0: "Not started" (RoadmapStatus).
    assert overview_rows(html)[0] == ("Lisbon (PT)", "Not started")


def overview_queries(client, user, programme) -> int:
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("roadmap_cohort_overview", args=[programme.cohort.pk]))
    assert response.status_code == 200
    return len(queries)


def test_overview_cached_parts_skip_their_queries(client, programme):
    keep_facts_of(programme.lead)
    cold = overview_queries(client, programme.lead, programme)
    warm = overview_queries(client, programme.lead, programme)

    # The cached parts' queries: the roadmaps, the cities, the fields summarised and the
    # climate actions; and the cohort's row, kept under the versions read with the person's
    # facts (roadmaps.selectors.roadmap_cohort_run_by).
    assert cold - warm == 5


def test_overview_shows_the_cohort_renamed(client, programme):
    overview(client, programme.lead, programme)  # keeps the cohort's row
    cohort = programme.cohort
    cohort.name = "Cohort Renamed"
    cohort.save()

    assert "Cohort Renamed" in overview(client, programme.lead, programme)


# The PDF download (roadmaps.pdf_files.roadmap_pdf_file_remembered).


def pdf_queries(client, user, programme) -> tuple[int, bytes]:
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("roadmap_pdf", args=[programme.roadmap.pk]))
    assert response.status_code == 200
    return len(queries), response.content


def test_pdf_repeat_download_reads_the_versions_and_the_file(client, programme):
    fill(programme)
    keep_facts_of(programme.ana, programme.lead)
    _first_count, first = pdf_queries(client, programme.ana, programme)
    count, again = pdf_queries(client, programme.ana, programme)
    lead_count, lead_pdf = pdf_queries(client, programme.lead, programme)

    # user, the versions of the person's kept facts and of the roadmap's scopes in one query
    # (roadmaps.selectors.roadmap_for_user; the row and the file's name are kept under them),
    # and the session.
    assert count == lead_count == 2 + session_queries()
    assert again == first == lead_pdf


def test_pdf_download_after_a_save_is_the_new_version(client, programme, monkeypatch):
    fill(programme)
    _count, first = pdf_queries(client, programme.ana, programme)
    save(programme, CHALLENGE, "Cooling the old town")
    printed = []
    real = pdf_files.roadmap_pdf_from_data
    monkeypatch.setattr(
        pdf_files, "roadmap_pdf_from_data", lambda **kwargs: printed.append(1) or real(**kwargs)
    )

    _count, second = pdf_queries(client, programme.ana, programme)

    assert printed == [1]
    assert second != first


def test_history_shows_a_change_saved_in_the_admin_and_a_deleted_author(client, programme):
    save(programme, CHALLENGE, "Heating the old town", user=programme.rui)
    assert history_rows(client, programme.ana, programme) == [("Rui Costa", "version 1")]

    change = RoadmapChange.objects.get(roadmap=programme.roadmap)
    change.version = 7
    change.save()
    assert history_rows(client, programme.ana, programme) == [("Rui Costa", "version 7")]

    programme.rui.delete()
    assert history_rows(client, programme.ana, programme) == [("someone", "version 7")]


def test_history_officer_then_facilitator_then_other_officer(client, programme):
    save(programme, CHALLENGE, "Heating the old town")
    stranger = factories.city_officer(full_name="Sam Stranger")

    officer_rows = history_rows(client, programme.ana, programme)
    lead_rows = history_rows(client, programme.lead, programme)
    client.force_login(stranger)
    stranger_status = client.get(
        reverse("roadmap_history", args=[programme.roadmap.pk])
    ).status_code

    assert officer_rows == lead_rows == [("Ana Silva", "version 1")]
    assert stranger_status == 404


def compare_fields(client, programme) -> list[str]:
    response = client.get(reverse("roadmap_history", args=[programme.roadmap.pk]))
    select = re.search(r'<select id="compare-key".*?</select>', response.content.decode(), re.S)
    return re.findall(r'<option value="([^"]+)"', select[0])


def test_history_compare_form_offers_a_field_newly_saved(client, programme):
    save(programme, "phase1.overview", "Old town")
    client.force_login(programme.ana)
    assert compare_fields(client, programme) == ["phase1.overview"]

    save(programme, CHALLENGE, "Heating the old town")

    assert compare_fields(client, programme) == ["phase1.overview", CHALLENGE]


# The API's roadmap and comments (roadmaps.api._remembered).


def api_get(client, user, path: str):
    client.force_login(user)
    response = client.get(path)
    assert response.status_code == 200
    return response.json()


def api_value(client, user, programme, key: str) -> str:
    body = api_get(client, user, f"/api/v1/roadmaps/{programme.roadmap.pk}/")
    return {f["key"]: f["value"] for s in body["sections"] for f in s["fields"]}[key]


def test_api_roadmap_shows_a_save_a_comment_and_a_city_renamed(client, programme):
    save(programme, CHALLENGE, "Heating the old town")
    assert api_value(client, programme.ana, programme, CHALLENGE) == "Heating the old town"

    save(programme, CHALLENGE, "Cooling the old town", user=programme.rui)
    services.roadmap_comment_add(
        roadmap=programme.roadmap, section="phase1", body="Good", acting_user=programme.lead
    )
    lisbon = City.objects.get(pk=programme.lisbon.pk)
    lisbon.name = "Lisboa"
    lisbon.save()

    body = api_get(client, programme.ana, f"/api/v1/roadmaps/{programme.roadmap.pk}/")
    assert api_value(client, programme.ana, programme, CHALLENGE) == "Cooling the old town"
    assert body["city_name"] == "Lisboa"
    assert [(c["body"], c["author_name"]) for c in body["comments"]] == [("Good", "Lea Lead")]
    comments = api_get(client, programme.ana, f"/api/v1/roadmaps/{programme.roadmap.pk}/comments/")
    assert [(c["body"], c["author_name"]) for c in comments] == [("Good", "Lea Lead")]

    programme.lead.full_name = "Lea Leader"
    programme.lead.save()
    comments = api_get(client, programme.ana, f"/api/v1/roadmaps/{programme.roadmap.pk}/comments/")
    assert [(c["body"], c["author_name"]) for c in comments] == [("Good", "Lea Leader")]


def test_api_roadmap_officer_then_facilitator_then_stranger(client, programme):
    save(programme, CHALLENGE, "Heating the old town")
    stranger = factories.city_officer(full_name="Sam Stranger")
    path = f"/api/v1/roadmaps/{programme.roadmap.pk}/"

    officer_body = api_get(client, programme.ana, path)
    lead_body = api_get(client, programme.lead, path)
    client.force_login(stranger)
    statuses = [client.get(path).status_code, client.get(f"{path}comments/").status_code]

    assert officer_body == lead_body
    assert statuses == [404, 404]


def test_api_roadmap_cached_skips_its_queries(client, programme):
    save(programme, CHALLENGE, "Heating the old town")
    client.force_login(programme.ana)
    keep_facts_of(programme.ana)
    path = f"/api/v1/roadmaps/{programme.roadmap.pk}/"
    with CaptureQueriesContext(connection) as cold:
        client.get(path)
    with CaptureQueriesContext(connection) as warm:
        client.get(path)

    # The cached data's queries: the roadmap's row, the fields, the phases and the comments.
    assert len(cold) - len(warm) == 4


# The API's list and a roadmap's history (roadmaps.api: RoadmapViewSet.list, history).

LIST = "/api/v1/roadmaps/"


def listed(client, user, path: str = LIST) -> list[tuple]:
    body = api_get(client, user, path)
    return [(r["city_name"], r["status"], r["percent_complete"]) for r in body["results"]]


def api_history_rows(client, user, programme, query: str = "") -> list[tuple]:
    body = api_get(client, user, f"/api/v1/roadmaps/{programme.roadmap.pk}/history/{query}")
    return [(c["key"], c["new_value"], c["changed_by_name"]) for c in body["results"]]


def test_api_list_shows_a_save_a_status_set_in_the_admin_and_a_city_renamed(client, programme):
    assert listed(client, programme.lead) == [("Lisbon", "draft", 0)]

    save(programme, CHALLENGE, "Heating the old town")
    assert listed(client, programme.lead) == [("Lisbon", "draft", 3)]

    roadmap = Roadmap.objects.get(pk=programme.roadmap.pk)
    roadmap.status = "submitted"
    roadmap.save()
    lisbon = City.objects.get(pk=programme.lisbon.pk)
    lisbon.name = "Lisboa"
    lisbon.save()
    assert listed(client, programme.lead) == [("Lisboa", "submitted", 3)]
    assert listed(client, programme.lead, f"{LIST}?status=draft") == []


def test_api_list_shows_who_sees_what_changed(client, programme):
    """A membership, a lead facilitator and a group facilitator added or removed (through a
    model save and both sides of the many-to-many lists) change the list on the next GET."""
    other = factories.CityFactory(name="Porto")
    services.roadmap_open(cohort=programme.cohort, city=other)
    stranger = factories.city_officer(full_name="Sam Stranger")
    facilitator = factories.UserFactory(is_facilitator=True)
    assert listed(client, stranger) == []
    assert listed(client, facilitator) == []

    factories.CityMembershipFactory(user=stranger, city=other)
    programme.cohort.facilitators.add(facilitator)
    assert listed(client, stranger) == [("Porto", "draft", 0)]
    assert listed(client, facilitator) == [("Lisbon", "draft", 0), ("Porto", "draft", 0)]

    facilitator.facilitated_cohorts.remove(programme.cohort)
    assert listed(client, facilitator) == []
    programme.cohort.thematic_groups.get().facilitators.add(facilitator)
    assert listed(client, facilitator) == [("Lisbon", "draft", 0), ("Porto", "draft", 0)]


def test_api_list_lead_then_officer_then_stranger_each_see_their_own(client, programme):
    services.roadmap_open(cohort=programme.cohort, city=factories.CityFactory(name="Porto"))
    stranger = factories.city_officer(full_name="Sam Stranger")

    assert listed(client, programme.lead) == [("Lisbon", "draft", 0), ("Porto", "draft", 0)]
    assert listed(client, programme.ana) == [("Lisbon", "draft", 0)]
    assert listed(client, stranger) == []
    assert listed(client, programme.lead) == [("Lisbon", "draft", 0), ("Porto", "draft", 0)]


def test_api_list_cached_reads_the_person_and_the_versions(client, programme):
    client.force_login(programme.lead)
    client.get(LIST)
    with CaptureQueriesContext(connection) as warm:
        response = client.get(LIST)

    assert [r["city_name"] for r in response.json()["results"]] == ["Lisbon"]
    # The session, the user and the data versions (roadmaps.scopes, sessions' VISIBILITY).
    assert len(warm) == 2 + session_queries()


def test_api_list_cached_body_is_the_uncached_body(client, programme):
    save(programme, CHALLENGE, "Heating the old town")
    client.force_login(programme.lead)
    cold = client.get(f"{LIST}?ordering=-updated_at&search=lis")
    warm = client.get(f"{LIST}?ordering=-updated_at&search=lis")

    assert warm.content == cold.content
    assert [r["city_name"] for r in warm.json()["results"]] == ["Lisbon"]


def test_api_history_shows_a_save_a_rename_and_a_change_deleted(client, programme):
    save(programme, CHALLENGE, "Heating the old town")
    assert api_history_rows(client, programme.ana, programme) == [
        (CHALLENGE, "Heating the old town", "Ana Silva")
    ]

    save(programme, CHALLENGE, "Cooling the old town", user=programme.rui)
    assert api_history_rows(client, programme.ana, programme) == [
        (CHALLENGE, "Cooling the old town", "Rui Costa"),
        (CHALLENGE, "Heating the old town", "Ana Silva"),
    ]
    assert api_history_rows(client, programme.ana, programme, "?key=phase1.cause_1") == []

    programme.rui.full_name = "Rui Costa Santos"
    programme.rui.save()
    RoadmapChange.objects.filter(new_value="Heating the old town").get().delete()
    assert api_history_rows(client, programme.ana, programme) == [
        (CHALLENGE, "Cooling the old town", "Rui Costa Santos")
    ]


def test_api_history_officer_then_lead_then_stranger(client, programme):
    save(programme, CHALLENGE, "Heating the old town")
    stranger = factories.city_officer(full_name="Sam Stranger")
    path = f"/api/v1/roadmaps/{programme.roadmap.pk}/history/"

    officer_body = api_get(client, programme.ana, path)
    lead_body = api_get(client, programme.lead, path)
    client.force_login(stranger)

    assert officer_body == lead_body
    assert [c["new_value"] for c in officer_body["results"]] == ["Heating the old town"]
    assert client.get(path).status_code == 404


def test_api_history_cached_reads_the_person_the_roadmap_and_the_versions(client, programme):
    save(programme, CHALLENGE, "Heating the old town")
    client.force_login(programme.ana)
    path = f"/api/v1/roadmaps/{programme.roadmap.pk}/history/"
    cold = client.get(path)
    with CaptureQueriesContext(connection) as warm:
        response = client.get(path)

    assert response.content == cold.content
    # The session, the user, and the versions of the person's kept facts and of the roadmap's
    # scopes (one query; the row is kept under them).
    assert len(warm) == 2 + session_queries()
