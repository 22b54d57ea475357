"""roadmaps.selectors: who sees which roadmap, values, history, phase dates, the climate actions
a city may pick, and the cohort overview (query count)."""

import datetime

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q

from cities.services import climate_action_create
from cohorts import services as cohort_services
from cohorts.models import Cohort
from cohorts.selectors import cohorts_facilitated_by, cohorts_run_by
from roadmaps import selectors, services
from roadmaps.models import Roadmap
from sessions.models import Session
from sessions.services import session_cancel
from tests import factories
from tests.roadmaps.conftest import NOW, cohort_create, fill, present

D = datetime.date


def visible(user):
    return list(
        selectors.roadmaps_visible_to(user=user).values_list("city__name", "cohort__number")
    )


def enrol(cohort, city, lead):
    cohort_services.enrolment_create_direct(
        cohort=cohort, city=city, acting_user=lead, groups=[(cohort.thematic_groups.get(), "")]
    )
    return Roadmap.objects.get(cohort=cohort, city=city)


def test_roadmaps_visible_to_officers_facilitators_of_the_cohort_and_admins_only(programme):
    energy = programme.cohort.thematic_groups.get().sector
    other_lead = factories.UserFactory(is_facilitator=True)
    other = cohort_create(number=2, lead=other_lead, sector=energy)
    porto = factories.CityFactory(name="Porto")
    enrol(other, porto, other_lead)
    enrol(other, programme.lisbon, other_lead)

    assert visible(programme.ana) == [("Lisbon", 1), ("Lisbon", 2)]
    assert visible(programme.lead) == [("Lisbon", 1)]
    assert visible(programme.group_facilitator) == [("Lisbon", 1)]
    assert visible(other_lead) == [("Lisbon", 2), ("Porto", 2)]
    assert visible(factories.city_officer(city=porto)) == [("Porto", 2)]
    assert visible(factories.UserFactory(is_reviewer=True)) == []
    assert visible(factories.city_officer()) == []
    assert visible(AnonymousUser()) == []
    admin = factories.UserFactory(is_programme_admin=True)
    assert sorted(visible(admin)) == [("Lisbon", 1), ("Lisbon", 2), ("Porto", 2)]
    assert selectors.roadmap_for_user(user=programme.lead, pk=programme.roadmap.pk) == (
        programme.roadmap
    )
    assert selectors.roadmap_for_user(user=other_lead, pk=programme.roadmap.pk) is None


def test_roadmap_values_and_history_by_field_newest_first(programme):
    services.roadmap_field_save(
        roadmap=programme.roadmap,
        key="phase1.cause_1",
        value="A",
        base_version=0,
        acting_user=programme.ana,
    )
    services.roadmap_field_save(
        roadmap=programme.roadmap,
        key="phase1.cause_2",
        value="B",
        base_version=0,
        acting_user=programme.rui,
    )
    services.roadmap_field_save(
        roadmap=programme.roadmap,
        key="phase1.cause_1",
        value="AA",
        base_version=1,
        acting_user=programme.rui,
    )

    values = selectors.roadmap_values(roadmap=programme.roadmap)
    assert {key: (value.value, value.version) for key, value in values.items()} == {
        "phase1.cause_1": ("AA", 2),
        "phase1.cause_2": ("B", 1),
    }
    every = selectors.roadmap_history(roadmap=programme.roadmap)
    assert [(c.key, c.old_value, c.new_value, c.version) for c in every] == [
        ("phase1.cause_1", "A", "AA", 2),
        ("phase1.cause_2", "", "B", 1),
        ("phase1.cause_1", "", "A", 1),
    ]
    one = selectors.roadmap_history(roadmap=programme.roadmap, key="phase1.cause_1")
    assert [(c.version, c.changed_by) for c in one] == [(2, programme.rui), (1, programme.ana)]


def test_section_opens_on_gives_the_dates_still_ahead(programme):
    opens = selectors.section_opens_on(roadmap=programme.roadmap, today=D(2024, 10, 31))

    assert opens == {
        "representative": None,
        "phase1": None,
        "phase2_1": D(2024, 11, 1),
        "phase2_2": D(2024, 11, 1),
        "phase3": D(2025, 1, 1),
        "phase4": D(2025, 2, 1),
    }
    on_first_day = selectors.section_opens_on(roadmap=programme.roadmap, today=D(2025, 1, 1))
    assert on_first_day["phase3"] is None
    assert on_first_day["phase4"] == D(2025, 2, 1)


def test_climate_actions_for_roadmap_only_those_presented_in_the_cohort(programme, clock):
    energy = programme.cohort.thematic_groups.get().sector
    other = cohort_create(number=2, lead=programme.lead, sector=energy)
    mannheim = factories.CityFactory(name="Mannheim", is_mission_city=True)
    elsewhere = climate_action_create(
        acting_user=programme.lead, city=mannheim, title="District heating", sector=energy
    )
    present(cohort=other, city=mannheim, actions=[elsewhere], by=programme.lead)
    cancelled_action = climate_action_create(
        acting_user=programme.lead, city=mannheim, title="Heat pumps", sector=energy
    )
    present(
        cohort=programme.cohort,
        city=mannheim,
        actions=[cancelled_action],
        by=programme.lead,
        title="Cancelled",
        day=5,
    )
    # A session is cancelled before it starts, by the cohort's lead facilitator.
    clock.move_to(datetime.datetime(2024, 12, 1, 9, 0, tzinfo=datetime.UTC))
    session_cancel(session=Session.objects.get(title="Cancelled"), acting_user=programme.lead)
    clock.move_to(NOW)
    climate_action_create(
        acting_user=programme.lead,
        city=programme.mission_city,
        title="Never presented",
        sector=energy,
    )

    actions = selectors.climate_actions_for_roadmap(roadmap=programme.roadmap)

    assert [str(action) for action in actions] == ["Guimarães: Renewable energy communities"]


def test_roadmaps_of_cohort_with_status_labels_in_one_query(programme, django_assert_num_queries):
    def overview():
        with django_assert_num_queries(1):
            return [
                (
                    roadmap.city.name,
                    roadmap.city.country.name,
                    selectors.roadmap_status_label(roadmap),
                )
                for roadmap in selectors.roadmaps_of_cohort(cohort=programme.cohort)
            ]

    assert overview() == [("Lisbon", "Portugal", "Not started")]

    portugal = programme.lisbon.country
    cities = {
        name: factories.CityFactory(name=name, country=portugal)
        for name in ["Braga", "Faro", "Setubal", "Porto"]
    }
    for city in cities.values():
        enrol(programme.cohort, city, programme.lead)
        factories.city_officer(city=city)
    fill(programme)
    services.roadmap_submit(roadmap=programme.roadmap, acting_user=programme.ana)
    braga = Roadmap.objects.get(city=cities["Braga"])
    officer = braga.city.officers.get()
    services.roadmap_field_save(
        roadmap=braga, key="phase1.cause_1", value="Cars", base_version=0, acting_user=officer
    )
    faro = Roadmap.objects.get(city=cities["Faro"])
    services.roadmap_field_save(
        roadmap=faro,
        key="phase3.note",
        value="Optional",
        base_version=0,
        acting_user=faro.city.officers.get(),
    )

    assert overview() == [
        # One word for a status everywhere (issue 10); the share complete is shown apart.
        ("Braga", "Portugal", "Draft"),
        # Only an optional field written: nothing required is filled, not started.
        ("Faro", "Portugal", "Not started"),
        ("Lisbon", "Portugal", "Submitted"),
        ("Porto", "Portugal", "Not started"),
        ("Setubal", "Portugal", "Not started"),
    ]


def test_roadmap_status_label_of_returned_and_completed(programme):
    fill(programme)
    services.roadmap_submit(roadmap=programme.roadmap, acting_user=programme.ana)
    returned = services.roadmap_return(roadmap=programme.roadmap, acting_user=programme.lead)
    assert selectors.roadmap_status_label(returned) == "Returned"

    services.roadmap_submit(roadmap=returned, acting_user=programme.ana)
    accepted = services.roadmap_accept(roadmap=returned, acting_user=programme.lead)
    assert selectors.roadmap_status_label(accepted) == "Completed"


def test_roadmap_visibility_and_cohorts_run_by_match_the_cohorts_selectors(programme):
    """roadmaps.selectors asks who facilitates a cohort in its own cheaper query: the same
    cohorts as cohorts.selectors, for every kind of person."""
    other_lead = factories.UserFactory(is_facilitator=True)
    other_cohort = cohort_create(
        number=2, lead=other_lead, sector=programme.cohort.thematic_groups.get().sector
    )
    factories.RoadmapFactory(cohort=other_cohort, city=factories.CityFactory())
    people = [
        programme.ana,
        programme.lead,
        programme.group_facilitator,
        other_lead,
        factories.UserFactory(is_reviewer=True),
        factories.UserFactory(is_programme_admin=True),
    ]
    for person in people:
        expected_roadmaps = Roadmap.objects.all()
        if not person.is_programme_admin:
            expected_roadmaps = expected_roadmaps.filter(
                Q(city__memberships__user=person)
                | Q(cohort__in=cohorts_facilitated_by(user=person).values("pk"))
            )
        assert set(selectors.roadmaps_visible_to(user=person)) == set(expected_roadmaps)
        # A page's one roadmap and one cohort, asked through the person's kept facts.
        assert {
            roadmap
            for roadmap in Roadmap.objects.all()
            if selectors.roadmap_for_user(user=person, pk=roadmap.pk)
        } == set(expected_roadmaps)
        # The autosave's roadmap: the same answers, from its kept city and cohort.
        to_write = [
            selectors.roadmap_to_write(user=person, pk=roadmap.pk)
            for roadmap in Roadmap.objects.all()
        ]
        assert {
            (roadmap.pk, roadmap.city_id, roadmap.cohort_id) for roadmap in to_write if roadmap
        } == {(roadmap.pk, roadmap.city_id, roadmap.cohort_id) for roadmap in expected_roadmaps}
        assert {
            cohort
            for cohort in Cohort.objects.all()
            if selectors.roadmap_cohort_run_by(user=person, pk=cohort.pk)
        } == set(cohorts_run_by(user=person))
