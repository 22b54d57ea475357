"""The cached parts of the session pages (sessions/caching.py): the attendance list and the
presenting-city rows of the session form. A change through the services, the Django admin or a
model save shows on the next page; one person's cached page never reaches another."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cities.models import CityMembership, ClimateAction
from portal.fragments import versions
from sessions import caching, services
from sessions.models import Registration
from tests import factories
from tests.portal_pages.helpers import sign_in
from tests.queries import session_queries
from tests.sessions.conftest import AFTER_HEATING, enrol

pytestmark = pytest.mark.django_db


def _attendance_url(programme):
    return f"/sessions/{programme.heating.pk}/attendance/"


def _register(programme, *people):
    return services.registrations_create(
        session=programme.heating,
        city=programme.city,
        people=list(people),
        acting_user=programme.officer,
    )


def _radio(registration, value):
    """The markup of one attendance choice, `checked` or not."""
    index = 0 if value == "attended" else 1
    return (
        f'<input type="radio" name="attendance_{registration.pk}" value="{value}" '
        f'id="id_attendance_{registration.pk}_{index}"'
    )


def test_attendance_list_shows_marks_recorded_after_it_was_cached(client, programme, clock):
    (ana,) = _register(programme, ("Ana Marques", "ana.m@lisboa.pt"))
    clock.move_to(AFTER_HEATING)
    sign_in(client, programme.lead)
    before = client.get(_attendance_url(programme)).content.decode()
    assert f"{_radio(ana, 'attended')}>" in before

    services.attendance_record(
        session=programme.heating,
        marks={ana.pk: "attended"},
        walk_ins=[],
        acting_user=programme.lead,
    )
    after = client.get(_attendance_url(programme)).content.decode()

    assert f"{_radio(ana, 'attended')} checked>" in after
    assert f"{_radio(ana, 'no_show')}>" in after


def test_attendance_list_shows_a_walk_in_and_a_model_save_after_it_was_cached(
    client, programme, clock
):
    (ana,) = _register(programme, ("Ana Marques", "ana.m@lisboa.pt"))
    clock.move_to(AFTER_HEATING)
    sign_in(client, programme.lead)
    client.get(_attendance_url(programme))

    services.attendance_record(
        session=programme.heating,
        marks={},
        walk_ins=[("Walt Walker", "walt@example.org", None)],
        acting_user=programme.lead,
    )
    ana.full_name = "Ana Marques Silva"
    ana.save()  # as the Django admin saves it
    page = client.get(_attendance_url(programme)).content.decode()

    assert "Ana Marques Silva<br>" in page
    walk_in = Registration.objects.get(email="walt@example.org")
    assert f'<li data-walk-in="{walk_in.pk}">Walt Walker (walt@example.org)</li>' in page


def test_attendance_list_shows_a_renamed_city_after_it_was_cached(client, programme, clock):
    _register(programme, ("Ana Marques", "ana.m@lisboa.pt"))
    clock.move_to(AFTER_HEATING)
    sign_in(client, programme.lead)
    city_cell = '<td data-label="City"><a href="/cities/{}/">{}</a></td>'.format
    assert city_cell(programme.city.pk, "Lisbon") in client.get(_attendance_url(programme)).text

    programme.city.name = "Lisboa"
    programme.city.save()

    assert city_cell(programme.city.pk, "Lisboa") in client.get(_attendance_url(programme)).text


def test_attendance_list_cached_for_a_facilitator_is_refused_to_an_officer(
    client, programme, clock
):
    (ana,) = _register(programme, ("Ana Marques", "ana.m@lisboa.pt"))
    clock.move_to(AFTER_HEATING)
    admin = factories.UserFactory(is_programme_admin=True)
    sign_in(client, programme.lead)
    lead_page = client.get(_attendance_url(programme))
    sign_in(client, programme.officer)
    officer_page = client.get(_attendance_url(programme))
    sign_in(client, admin)
    admin_page = client.get(_attendance_url(programme))

    assert officer_page.status_code == 403
    assert "Ana Marques" not in officer_page.text
    assert (lead_page.status_code, admin_page.status_code) == (200, 200)
    assert lead_page.text.count(f'<tr data-registration="{ana.pk}">') == 1
    assert admin_page.text.count(f'<tr data-registration="{ana.pk}">') == 1


def _edit_url(programme):
    return f"/sessions/{programme.heating.pk}/edit/"


def _selected_city(programme):
    return f'<option value="{programme.mission_city.pk}" selected>Mannheim (DE)</option>'


def test_session_form_rows_show_presenting_cities_changed_after_they_were_cached(client, programme):
    sign_in(client, programme.lead)
    assert _selected_city(programme) not in client.get(_edit_url(programme)).text

    services.session_update(
        session=programme.heating,
        presentations=[(programme.mission_city, [programme.actions[1].pk], "Heat networks")],
        acting_user=programme.lead,
    )
    page = client.get(_edit_url(programme)).text

    assert _selected_city(programme) in page
    assert f'<option value="{programme.actions[1].pk}" selected>' in page
    assert 'value="Heat networks"' in page


def test_session_form_rows_show_climate_actions_changed_by_a_model_save(client, programme):
    services.session_update(
        session=programme.heating,
        presentations=[(programme.mission_city, [programme.actions[1].pk], "")],
        acting_user=programme.lead,
    )
    sign_in(client, programme.lead)
    create_url = f"/sessions/new/?cohort={programme.cohort.pk}"
    assert "Mannheim: District heating</option>" in client.get(create_url).text
    client.get(_edit_url(programme))

    action = ClimateAction.objects.get(pk=programme.actions[1].pk)
    action.title = "District heating network"
    action.save()
    # Taken off the presentation from the climate action's side.
    action.presentations.clear()

    assert "Mannheim: District heating network</option>" in client.get(create_url).text
    edit_page = client.get(_edit_url(programme)).text
    assert f'<option value="{action.pk}">Mannheim: District heating network</option>' in edit_page


def test_session_form_cached_for_the_lead_is_refused_to_a_facilitator_of_another_cohort(
    client, programme
):
    services.session_update(
        session=programme.heating,
        presentations=[(programme.mission_city, [], "")],
        acting_user=programme.lead,
    )
    outsider = factories.UserFactory(is_facilitator=True)
    admin = factories.UserFactory(is_programme_admin=True)
    sign_in(client, programme.lead)
    lead_page = client.get(_edit_url(programme))
    sign_in(client, outsider)
    outsider_page = client.get(_edit_url(programme))
    sign_in(client, admin)
    admin_page = client.get(_edit_url(programme))

    assert outsider_page.status_code == 404
    assert "Mannheim" not in outsider_page.text
    assert _selected_city(programme) in lead_page.text
    assert _selected_city(programme) in admin_page.text


def test_facilitators_changed_from_the_persons_side_bump_the_session(programme):
    scope = caching.session_scope(programme.heating.pk)
    seen = [versions(scope)]
    programme.lead.facilitated_sessions.remove(programme.heating)
    seen.append(versions(scope))
    programme.lead.facilitated_sessions.add(programme.heating)
    seen.append(versions(scope))
    programme.lead.facilitated_sessions.clear()
    seen.append(versions(scope))

    assert len(set(seen)) == 4  # each change gave the session a new version


# --- API lists ---------------------------------------------------------------------------------


def _sessions_api(client, user):
    client.force_login(user)
    response = client.get("/api/v1/sessions/")
    assert response.status_code == 200, response.content
    return [(row["title"], row["counts"]["registered"]) for row in response.json()["results"]]


def test_session_list_shows_registrations_and_an_admin_save_after_it_was_cached(client, programme):
    assert _sessions_api(client, programme.officer) == [("Energy: district heating", 0)]

    _register(programme, ("Ana Marques", "ana.m@lisboa.pt"))
    assert _sessions_api(client, programme.officer) == [("Energy: district heating", 1)]

    programme.heating.title = "Energy: heat networks"
    programme.heating.save()  # as the Django admin saves it
    assert _sessions_api(client, programme.officer) == [("Energy: heat networks", 1)]


def test_session_list_cached_for_one_officer_is_not_shown_to_another(client, programme):
    # An officer of a city that is not enrolled sees none of the cohort's sessions, right after
    # an enrolled city's officer filled the cache for the same address.
    porto = factories.CityFactory(name="Porto")
    other_officer = factories.city_officer(city=porto, full_name="Rui Costa")

    assert _sessions_api(client, programme.officer) == [("Energy: district heating", 0)]
    assert _sessions_api(client, other_officer) == []

    enrol(programme.cohort, porto)  # an accepted enrolment, saved as the admin saves it
    assert _sessions_api(client, other_officer) == [("Energy: district heating", 0)]


def test_session_list_follows_who_facilitates_the_cohort(client, programme):
    colleague = factories.UserFactory(is_facilitator=True)
    assert _sessions_api(client, colleague) == []

    programme.cohort.facilitators.add(colleague)
    assert _sessions_api(client, colleague) == [("Energy: district heating", 0)]

    programme.cohort.facilitators.remove(colleague)
    assert _sessions_api(client, colleague) == []


def test_session_list_served_from_the_cache_reads_only_the_versions(client, programme):
    _sessions_api(client, programme.officer)
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/api/v1/sessions/")

    assert [row["title"] for row in response.json()["results"]] == ["Energy: district heating"]

    # The session (none with Redis), the user, the data versions.
    assert len(queries) == session_queries() + 2


def _registrations_api(client, user, query=""):
    client.force_login(user)
    response = client.get(f"/api/v1/registrations/{query}")
    assert response.status_code == 200, response.content
    return [row["email"] for row in response.json()["results"]]


def test_registration_list_cached_per_person_and_follows_changes(client, programme):
    porto = factories.CityFactory(name="Porto")
    enrol(programme.cohort, porto)
    porto_officer = factories.city_officer(city=porto, full_name="Rui Costa")
    _register(programme, ("Ana Marques", "ana.m@lisboa.pt"))
    services.registrations_create(
        session=programme.heating,
        city=porto,
        people=[("Rita Porto", "rita@porto.pt")],
        acting_user=porto_officer,
    )

    assert _registrations_api(client, programme.lead) == ["ana.m@lisboa.pt", "rita@porto.pt"]
    assert _registrations_api(client, programme.officer) == ["ana.m@lisboa.pt"]
    assert _registrations_api(client, porto_officer) == ["rita@porto.pt"]

    registration = Registration.objects.get(email="rita@porto.pt")
    services.registration_delete(registration=registration, acting_user=porto_officer)
    assert _registrations_api(client, porto_officer) == []
    assert _registrations_api(client, programme.lead) == ["ana.m@lisboa.pt"]

    # Made an officer of Lisbon too (a membership saved as the admin saves it).
    CityMembership.objects.create(city=programme.city, user=porto_officer)
    assert _registrations_api(client, porto_officer) == ["ana.m@lisboa.pt"]


# --- Session page ------------------------------------------------------------------------------


def _detail(client, user, programme):
    sign_in(client, user)
    response = client.get(f"/sessions/{programme.heating.pk}/")
    assert response.status_code == 200
    return response.text


def test_session_page_shows_changes_made_after_it_was_cached(client, programme):
    page = _detail(client, programme.officer, programme)
    assert "<p>Facilitators: Lea Lead</p>" in page
    assert '<dd data-count="registered">0</dd>' in page

    services.session_update(
        session=programme.heating, agenda="Heat networks", acting_user=programme.lead
    )
    _register(programme, ("Ana Marques", "ana.m@lisboa.pt"))
    programme.lead.full_name = "Lea Leader"
    programme.lead.save(update_fields=["full_name"])
    programme.cohort.name = "Cohort One"
    programme.cohort.save()
    page = _detail(client, programme.officer, programme)

    assert "<p>Heat networks</p>" in page
    assert '<dd data-count="registered">1</dd>' in page
    assert "<p>Facilitators: Lea Leader</p>" in page
    assert f'· <a href="/cohorts/{programme.cohort.pk}/">Cohort One</a></p>' in page


def test_session_page_shows_presenting_cities_changed_by_a_model_save(client, programme):
    services.session_update(
        session=programme.heating,
        presentations=[(programme.mission_city, [programme.actions[0].pk], "")],
        acting_user=programme.lead,
    )
    assert "<li>Coal exit</li>" in _detail(client, programme.officer, programme)

    action = programme.actions[0]
    action.title = "Coal phase-out"
    action.save()

    assert "<li>Coal phase-out</li>" in _detail(client, programme.officer, programme)


def test_session_page_cached_for_the_facilitator_shows_the_officer_their_own(client, programme):
    (ana,) = _register(programme, ("Ana Marques", "ana.m@lisboa.pt"))
    edit_link = f'href="/sessions/{programme.heating.pk}/edit/"'
    register_link = f'href="/sessions/{programme.heating.pk}/register/"'

    lead_page = _detail(client, programme.lead, programme)
    officer_page = _detail(client, programme.officer, programme)

    assert edit_link in lead_page
    assert f'data-registration="{ana.pk}"' not in lead_page
    assert register_link not in lead_page
    assert edit_link not in officer_page
    assert register_link in officer_page
    assert (
        f'<li data-registration="{ana.pk}">Ana Marques (ana.m@lisboa.pt), '
        f'<a href="/cities/{ana.city_id}/">Lisbon</a></li>' in officer_page
    )
    # The shared part is the same for both.
    shared = "<p>Facilitators: Lea Lead</p>"
    assert shared in lead_page and shared in officer_page


def test_session_page_own_registrations_kept_per_cities_follow_changes(client, programme):
    (ana,) = _register(programme, ("Ana Marques", "ana.m@lisboa.pt"))
    porto = factories.CityFactory(name="Porto")
    enrol(programme.cohort, porto)
    porto_officer = factories.city_officer(city=porto)
    ana_row = (
        f'<li data-registration="{ana.pk}">Ana Marques (ana.m@lisboa.pt), '
        f'<a href="/cities/{ana.city_id}/">Lisbon</a></li>'
    )

    assert ana_row in _detail(client, programme.officer, programme)
    # Another city's officer: another key, not the Lisbon officer's list.
    assert 'data-registration="' not in _detail(client, porto_officer, programme)

    ana.full_name = "Ana M. Marques"
    ana.save()  # the session's scope is raised
    assert "Ana M. Marques" in _detail(client, programme.officer, programme)

    lisbon = programme.city
    lisbon.name = "Lisboa"
    lisbon.save()  # the cities' scope
    assert f'(ana.m@lisboa.pt), <a href="/cities/{lisbon.pk}/">Lisboa</a></li>' in _detail(
        client, programme.officer, programme
    )

    # Made an officer of Lisbon too: their cities, and so their key, change.
    CityMembership.objects.create(user=porto_officer, city=lisbon)
    assert f'data-registration="{ana.pk}"' in _detail(client, porto_officer, programme)


def test_a_sign_in_leaves_the_cached_session_pages_as_they_are(programme):
    before = versions(caching.NAMES)
    programme.lead.save(update_fields=["last_login"])

    assert versions(caching.NAMES) == before


def test_walk_in_rows_offer_a_city_enrolled_after_they_were_cached(client, programme, clock):
    clock.move_to(AFTER_HEATING)
    sign_in(client, programme.lead)
    porto = factories.CityFactory(name="Porto", country=programme.city.country)
    option = f'<option value="{porto.pk}">Porto (PT)</option>'
    assert option not in client.get(_attendance_url(programme)).text

    enrol(programme.cohort, porto)
    page = client.get(_attendance_url(programme)).text

    # One select per walk-in row, and one in the row "Add another walk-in" copies.
    assert page.count(option) == 4


def test_session_form_fields_show_changes_made_after_they_were_cached(client, programme):
    sign_in(client, programme.lead)
    page = client.get(_edit_url(programme)).text
    assert 'value="Energy: district heating"' in page
    assert "Lea Lead" in page

    services.session_update(
        session=programme.heating, title="Energy: heat networks", acting_user=programme.lead
    )
    programme.lead.full_name = "Lea Leader"
    programme.lead.save()
    page = client.get(_edit_url(programme)).text

    assert 'value="Energy: heat networks"' in page
    assert "Lea Leader" in page


# --- Who sees and runs a session (selectors.session_access_of) ---------------------------------


def _detail_status(client, user, programme, suffix=""):
    sign_in(client, user)
    return client.get(f"/sessions/{programme.heating.pk}/{suffix}").status_code


def test_session_page_follows_an_enrolment_and_a_membership_after_they_were_kept(client, programme):
    porto = factories.CityFactory(name="Porto")
    newcomer = factories.city_officer(city=porto)
    assert _detail_status(client, newcomer, programme) == 404

    enrolment = enrol(programme.cohort, porto)
    assert _detail_status(client, newcomer, programme) == 200

    enrolment.delete()  # as the Django admin does
    assert _detail_status(client, newcomer, programme) == 404

    # A membership in an enrolled city, then none.
    membership = CityMembership.objects.create(user=newcomer, city=programme.city)
    assert _detail_status(client, newcomer, programme) == 200
    membership.delete()
    assert _detail_status(client, newcomer, programme) == 404


def test_session_forms_follow_who_facilitates_after_it_was_kept(client, programme):
    colleague = factories.UserFactory(is_facilitator=True)
    create_url = f"/sessions/new/?cohort={programme.cohort.pk}"
    assert _detail_status(client, colleague, programme, "edit/") == 404
    assert client.get(create_url).status_code == 404

    # Named on the session: they see and edit it, but schedule nothing in the cohort.
    programme.heating.facilitators.add(colleague)
    assert _detail_status(client, colleague, programme, "edit/") == 200
    assert client.get(create_url).status_code == 404

    # A facilitator of the cohort, from the person's side: they schedule in it too.
    colleague.facilitated_sessions.clear()
    colleague.facilitated_cohorts.add(programme.cohort)
    assert _detail_status(client, colleague, programme, "edit/") == 200
    assert client.get(create_url).status_code == 200

    programme.cohort.facilitators.remove(colleague)
    assert _detail_status(client, colleague, programme, "edit/") == 404
    assert client.get(create_url).status_code == 404


def test_session_page_kept_for_the_lead_is_not_what_the_officer_or_a_stranger_may_do(
    client, programme
):
    stranger = factories.city_officer()
    sign_in(client, programme.lead)
    lead_page = client.get(f"/sessions/{programme.heating.pk}/").text
    sign_in(client, programme.officer)
    officer_page = client.get(f"/sessions/{programme.heating.pk}/").text

    assert "Edit or move" in lead_page
    assert "Register people" not in lead_page
    assert "Edit or move" not in officer_page
    assert "Register people" in officer_page
    assert _detail_status(client, stranger, programme) == 404
    assert _detail_status(client, programme.officer, programme, "edit/") == 403


def test_facts_read_in_a_rolled_back_transaction_are_not_kept(programme):
    from django.db import transaction

    from sessions.selectors import session_access_of

    porto = factories.CityFactory(name="Porto")
    newcomer = factories.city_officer(city=porto)
    assert session_access_of(newcomer).enrolled_cohorts == frozenset()

    class RolledBack(Exception):
        pass

    with pytest.raises(RolledBack), transaction.atomic():
        enrol(programme.cohort, porto)
        assert session_access_of(newcomer).enrolled_cohorts == {programme.cohort.pk}
        raise RolledBack
    # Another change raises the version to the one the rolled-back enrolment had.
    CityMembership.objects.create(user=factories.UserFactory(), city=programme.city)

    assert session_access_of(newcomer).enrolled_cohorts == frozenset()


def _warm_queries(client, user, url) -> int:
    """The queries of `url` as `user` sees it a second time: the person's facts and the cached
    parts kept."""
    sign_in(client, user)
    assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_session_page_kept_facts_cost_one_query(client, programme):
    url = f"/sessions/{programme.heating.pk}/"
    # The session (none with Redis), the user's row, the versions of the facts and of the
    # cached parts in one query (sessions.views._session_and_versions), the session's row: the
    # officer's own registrations are kept with the page's parts (keyed by their cities).
    assert _warm_queries(client, programme.officer, url) == session_queries() + 3
    assert _warm_queries(client, programme.lead, url) == session_queries() + 3


def test_attendance_page_kept_parts_cost_three_queries(client, programme):
    url = f"/sessions/{programme.heating.pk}/attendance/"
    # The session, the user's row, the versions (the facts', the counts' and lists'), the
    # session's row.
    assert _warm_queries(client, programme.lead, url) == session_queries() + 3


def test_session_form_pages_kept_parts_cost_three_queries(client, programme):
    # The session, the user's row, the versions (the facts', the fields' and rows'), the
    # session's row; for a new session, the cohort's row instead.
    assert _warm_queries(client, programme.lead, _edit_url(programme)) == session_queries() + 3
    new = f"/sessions/new/?cohort={programme.cohort.pk}"
    assert _warm_queries(client, programme.lead, new) == session_queries() + 3


def test_session_form_management_form_follows_the_presenting_cities(client, programme):
    sign_in(client, programme.lead)
    initial = 'name="presentations-INITIAL_FORMS" value="{}"'
    assert initial.format(0) in client.get(_edit_url(programme)).text

    services.session_update(
        session=programme.heating,
        presentations=[(programme.mission_city, [programme.actions[1].pk], "")],
        acting_user=programme.lead,
    )
    assert initial.format(1) in client.get(_edit_url(programme)).text


# --- Calendar feed -----------------------------------------------------------------------------


def _feed(client, user):
    feed = services.calendar_feed_get_or_create(user=user)
    response = client.get(f"/calendar/{feed.token}.ics")
    assert response.status_code == 200
    return response.content.decode()


def _summaries(body):
    return [line[len("SUMMARY:") :] for line in body.split("\r\n") if line.startswith("SUMMARY:")]


def test_calendar_feed_follows_changes_after_it_was_kept(client, programme, clock):
    assert _summaries(_feed(client, programme.officer)) == ["Energy: district heating"]

    services.session_update(
        session=programme.heating, title="Energy: heat networks", acting_user=programme.lead
    )
    assert _summaries(_feed(client, programme.officer)) == ["Energy: heat networks"]

    programme.heating.title = "Energy: saved in the admin"
    programme.heating.save()
    assert _summaries(_feed(client, programme.officer)) == ["Energy: saved in the admin"]

    programme.officer.city_memberships.all().delete()
    assert _summaries(_feed(client, programme.officer)) == []


def test_calendar_feed_kept_is_stamped_on_each_request(client, programme, clock):
    first = _feed(client, programme.officer)
    clock.shift(90)
    second = _feed(client, programme.officer)

    assert "\r\nDTSTAMP:20241101T090000Z\r\n" in first
    assert "\r\nDTSTAMP:20241101T090130Z\r\n" in second
    assert second.replace("T090130Z", "T090000Z") == first


def test_calendar_feed_kept_for_one_person_is_not_sent_for_another(client, programme):
    other_cohort = factories.CohortFactory(number=2)
    other_lead = factories.UserFactory(is_facilitator=True)
    other_cohort.facilitators.add(other_lead)
    services.session_create(
        cohort=other_cohort,
        title="Other cohort session",
        kind=programme.heating.kind,
        starts_at=datetime.datetime(2024, 12, 6, 10, 0),
        ends_at=datetime.datetime(2024, 12, 6, 11, 0),
        acting_user=other_lead,
    )

    assert _summaries(_feed(client, programme.officer)) == ["Energy: district heating"]
    assert _summaries(_feed(client, other_lead)) == ["Other cohort session"]
    assert _summaries(_feed(client, programme.lead)) == ["Energy: district heating"]


def test_attendance_counts_follow_marks_and_walk_ins_after_they_were_cached(
    client, programme, clock
):
    (ana,) = _register(programme, ("Ana Marques", "ana.m@lisboa.pt"))
    clock.move_to(AFTER_HEATING)
    sign_in(client, programme.lead)
    before = client.get(_attendance_url(programme)).content.decode()
    assert '<dd data-count="attended">0</dd>' in before

    services.attendance_record(
        session=programme.heating,
        marks={ana.pk: "attended"},
        walk_ins=[("Rui Costa", "rui@lisboa.pt", programme.city)],
        acting_user=programme.lead,
    )
    after = client.get(_attendance_url(programme)).content.decode()

    assert '<dd data-count="attended">1</dd>' in after
    assert '<dd data-count="walk_ins">1</dd>' in after

    Registration.objects.get(email="rui@lisboa.pt").delete()  # as the Django admin does
    again = client.get(_attendance_url(programme)).content.decode()
    assert '<dd data-count="walk_ins">0</dd>' in again


def _outcome(client, user, programme):
    sign_in(client, user)
    return client.get(f"/sessions/{programme.heating.pk}/outcome/")


def test_outcome_form_follows_the_texts_after_they_were_cached(client, programme, clock):
    clock.move_to(AFTER_HEATING)
    assert "Heat pumps first" not in _outcome(client, programme.lead, programme).text

    services.session_record_outcome(
        session=programme.heating,
        key_takeaways="Heat pumps first",
        requested_subtopics="Tariffs",
        acting_user=programme.lead,
    )
    page = _outcome(client, programme.lead, programme).text
    assert ">\nHeat pumps first</textarea>" in page
    assert ">\nTariffs</textarea>" in page

    programme.heating.refresh_from_db()
    programme.heating.requested_subtopics = "Grid fees"
    programme.heating.save()  # as the Django admin does
    assert ">\nGrid fees</textarea>" in _outcome(client, programme.lead, programme).text


def test_outcome_form_cached_for_the_lead_is_refused_to_the_officer(client, programme, clock):
    clock.move_to(AFTER_HEATING)
    services.session_record_outcome(
        session=programme.heating,
        key_takeaways="Heat pumps first",
        requested_subtopics="",
        acting_user=programme.lead,
    )
    lead_page = _outcome(client, programme.lead, programme)
    officer_page = _outcome(client, programme.officer, programme)

    assert ">\nHeat pumps first</textarea>" in lead_page.text
    assert officer_page.status_code == 403
    assert "Heat pumps first" not in officer_page.text


def test_own_registrations_follow_the_officers_cities_after_they_were_kept(client, programme):
    _register(programme, ("Ana Marques", "ana.m@lisboa.pt"))
    porto = factories.CityFactory(name="Porto")
    enrol(programme.cohort, porto)
    colleague = factories.city_officer(city=porto)
    assert "Ana Marques" not in _detail(client, colleague, programme)

    membership = CityMembership.objects.create(user=colleague, city=programme.city)
    assert "Ana Marques (ana.m@lisboa.pt), <a href" in _detail(client, colleague, programme)

    membership.delete()
    assert "Ana Marques" not in _detail(client, colleague, programme)
