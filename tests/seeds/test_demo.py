import datetime
import itertools
import re
import zoneinfo

import pytest
from allauth.account.models import EmailAddress
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from cities.models import City
from cohorts.models import Cohort, Phase, ThematicGroup
from devdata.demo_accounts import DEMO_LOGINS, DEMO_PASSWORD
from devdata.demo_cities import ANNEX_1_CITIES
from sessions.models import Session
from tests.seeds.snapshots import seed_demo, snapshot

BRUSSELS = zoneinfo.ZoneInfo("Europe/Brussels")

# The people 000 Table 2 names as facilitators: no seeded account may carry their names.
TABLE_2_PEOPLE = {
    "meline",
    "gonzalez",
    "piloyan",
    "ida",
    "jusic",
    "janne",
    "rinne",
    "chiara",
    "cecchin",
    "craig",
    "laird",
    "lina",
    "forsman",
}


def brussels(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=BRUSSELS)


def cohort_1() -> Cohort:
    return Cohort.objects.get(programme="odg", number=1)


def test_seed_demo_creates_cohort_1_with_its_four_phases(demo_data):
    cohort = cohort_1()

    assert (cohort.name, cohort.starts_on, cohort.ends_on) == (
        "Online Discussion Groups cohort 1",
        datetime.date(2024, 9, 1),
        datetime.date(2025, 4, 30),
    )
    assert list(cohort.phases.values_list("position", "kind", "starts_on", "ends_on")) == [
        (1, "onboarding", datetime.date(2024, 9, 1), datetime.date(2024, 10, 31)),
        (2, "thematic", datetime.date(2024, 11, 1), datetime.date(2024, 12, 31)),
        (3, "technical", datetime.date(2025, 1, 1), datetime.date(2025, 2, 28)),
        (4, "study_visit", datetime.date(2025, 3, 1), datetime.date(2025, 4, 30)),
    ]


def test_seed_demo_creates_five_thematic_groups_without_industry(demo_data):
    assert list(cohort_1().thematic_groups.values_list("sector__slug", flat=True)) == [
        "energy",
        "buildings",
        "sustainable-mobility",
        "circular-economy",
        "nature-based-solutions",
    ]


def test_seed_demo_creates_the_eight_mission_cities_and_bucharest_with_their_label(demo_data):
    mission_cities = City.objects.filter(is_mission_city=True).order_by("name")

    # The eight of cohort 1 and București, host of a 2025 Group Study Visit (demo_visits).
    assert [
        (city.name, city.country.iso_code, city.contract_status) for city in mission_cities
    ] == [
        ("Aachen", "DE", "mission_label"),
        ("București", "RO", "mission_label"),
        ("Guimarães", "PT", "mission_label"),
        ("Lahti", "FI", "mission_label"),
        ("Leuven", "BE", "mission_label"),
        ("Mannheim", "DE", "mission_label"),
        ("Stockholm", "SE", "mission_label"),
        ("Umeå", "SE", "mission_label"),
        ("Valencia", "ES", "mission_label"),
    ]


def test_seed_demo_creates_67_annex_1_cities_after_merging_duplicates(demo_data):
    assert len(ANNEX_1_CITIES) == 67
    assert City.objects.filter(is_mission_minded=True).count() == 67
    # 67 from Annex 1 plus the Mission Cities that are not in it: Aachen, Stockholm, Valencia.
    assert City.objects.count() == 70
    assert sorted(
        City.objects.filter(is_mission_city=True, is_mission_minded=True).values_list(
            "name", flat=True
        )
    ) == ["București", "Guimarães", "Lahti", "Leuven", "Mannheim", "Umeå"]


def test_seed_demo_loads_ghent_and_umea_once(demo_data):
    assert list(City.objects.filter(name__in=["Gent", "Ghent"]).values_list("name", flat=True)) == [
        "Ghent"
    ]
    assert list(City.objects.filter(name__in=["Umea", "Umeå"]).values_list("name", flat=True)) == [
        "Umeå"
    ]


def test_seed_demo_gives_annex_1_cities_their_countries(demo_data):
    cities = {city.name: city.country.name for city in City.objects.select_related("country")}

    assert {
        name: cities[name] for name in ("Adana", "Chișinău", "Čačak", "Sunderland", "Lviv")
    } == {
        "Adana": "Türkiye",
        "Chișinău": "Moldova",
        "Čačak": "Serbia",
        "Sunderland": "United Kingdom",
        "Lviv": "Ukraine",
    }
    assert cities["Aix-Marseille-Provence Metropolis"] == "France"


def test_seed_demo_gives_populations_where_they_are_known(demo_data):
    populations = {
        (city.name, city.country.iso_code): city.population
        for city in City.objects.select_related("country").filter(
            name__in=["Guimarães", "Istanbul", "Brussels", "Lisboa", "Vienna", "Essen"]
        )
    }

    assert populations == {
        ("Guimarães", "PT"): 157_000,
        ("Istanbul", "TR"): 15_656_000,
        ("Lisboa", "PT"): 546_000,
        ("Vienna", "AT"): 1_982_000,
        # Not known reliably: "Not known" on the profile.
        ("Brussels", "BE"): None,
        ("Essen", "DE"): None,
    }
    assert City.objects.exclude(population=None).count() == 49
    assert City.objects.filter(population=None).count() == 21


def test_seed_demo_nature_based_solutions_session_of_10_december(demo_data):
    session = Session.objects.get(cohort=cohort_1(), kind="thematic", starts_at__date="2024-12-10")

    assert session.title == "Thematic discussion: Nature-Based Solutions"
    assert session.reported_participants == 67
    assert session.thematic_group.sector.slug == "nature-based-solutions"
    assert session.phase.kind == "thematic"
    assert (session.starts_at, session.ends_at) == (
        brussels(2024, 12, 10, 10, 0),
        brussels(2024, 12, 10, 11, 30),
    )
    assert list(session.presentations.values_list("city__name", "topics")) == [
        (
            "Lahti",
            "Urban carbon sinks: inventory of forests and restoration of city-owned peatlands",
        ),
        ("Leuven", "JUSTNature depavement case and the LIFE Pact project"),
    ]


def test_seed_demo_thematic_sessions_match_table_4(demo_data):
    sessions = Session.objects.filter(cohort=cohort_1(), kind="thematic").order_by("starts_at")

    assert [
        (s.thematic_group.sector.slug, s.starts_at, s.reported_participants) for s in sessions
    ] == [
        ("buildings", brussels(2024, 12, 3, 10, 0), 48),
        ("energy", brussels(2024, 12, 4, 10, 0), 41),
        ("nature-based-solutions", brussels(2024, 12, 10, 10, 0), 67),
        ("circular-economy", brussels(2024, 12, 11, 10, 0), 36),
        ("sustainable-mobility", brussels(2024, 12, 11, 14, 0), 60),
    ]
    assert [list(s.presentations.values_list("city__name", flat=True)) for s in sessions] == [
        ["Guimarães"],
        ["Mannheim", "Valencia"],
        ["Lahti", "Leuven"],
        ["Aachen", "Umeå"],
        ["Stockholm", "Aachen"],
    ]


def test_seed_demo_technical_sessions_match_table_5(demo_data):
    sessions = Session.objects.filter(cohort=cohort_1(), kind="technical").order_by("starts_at")

    assert [
        (s.thematic_group.sector.slug, s.phase.kind, s.starts_at, s.reported_participants)
        for s in sessions
    ] == [
        ("buildings", "technical", brussels(2025, 2, 6, 10, 0), 39),
        ("energy", "technical", brussels(2025, 2, 13, 10, 0), 35),
        ("sustainable-mobility", "technical", brussels(2025, 2, 18, 10, 0), 24),
        ("nature-based-solutions", "technical", brussels(2025, 2, 18, 14, 0), 26),
        ("circular-economy", "technical", brussels(2025, 2, 28, 10, 0), 39),
    ]
    assert [s.presentations.count() for s in sessions] == [0, 0, 0, 0, 0]


def test_seed_demo_onboarding_sessions_have_no_headcount(demo_data):
    sessions = Session.objects.filter(cohort=cohort_1(), kind="onboarding").order_by("starts_at")

    assert [(s.starts_at, s.reported_participants, s.thematic_group) for s in sessions] == [
        (brussels(2024, 9, 24, 10, 0), None, None),
        (brussels(2024, 10, 22, 10, 0), None, None),
    ]
    assert {s.phase.kind for s in sessions} == {"onboarding"}


def test_seed_demo_sessions_last_90_minutes_never_overlap_and_fit_their_phase(demo_data):
    sessions = list(Session.objects.select_related("phase").order_by("starts_at"))

    # 13 in each cohort: 2 onboarding, 5 thematic, 5 technical sessions and the recap.
    assert len(sessions) == 26
    assert {s.ends_at - s.starts_at for s in sessions} == {datetime.timedelta(minutes=90)}
    assert all(a.ends_at <= b.starts_at for a, b in itertools.pairwise(sessions))
    outside = [
        s.title
        for s in sessions
        if not s.phase.starts_on <= s.starts_at.astimezone(BRUSSELS).date() <= s.phase.ends_on
    ]
    assert outside == []


def test_seed_demo_final_recap_event_of_13_march_2025_is_a_session(demo_data):
    recap = Session.objects.get(cohort=cohort_1(), kind="recap")

    assert (recap.title, recap.starts_at, recap.reported_participants, recap.phase.kind) == (
        "Final recap event",
        brussels(2025, 3, 13, 10, 0),
        45,
        "study_visit",
    )
    assert recap.thematic_group is None
    assert recap.summary.startswith("Feedback from cities on the thematic and technical sessions")
    assert list(recap.facilitators.values_list("email", flat=True)) == ["facilitator@example.org"]


def test_seed_demo_phases_fit_inside_the_cohort(demo_data):
    for cohort in Cohort.objects.all():
        assert (
            list(
                Phase.objects.filter(cohort=cohort)
                .exclude(starts_on__gte=cohort.starts_on, ends_on__lte=cohort.ends_on)
                .values_list("kind", flat=True)
            )
            == []
        )
    assert Phase.objects.count() == 8


@pytest.mark.parametrize("number", [1, 2])
def test_seed_demo_facilitates_each_group_and_its_sessions(demo_data, number):
    groups = ThematicGroup.objects.filter(cohort__number=number).select_related("sector")

    facilitators = {
        group.sector.slug: sorted(group.facilitators.values_list("email", flat=True))
        for group in groups
    }
    assert facilitators == {
        "energy": ["energy.facilitator@example.org", "facilitator@example.org"],
        "buildings": ["buildings.facilitator@example.org"],
        "sustainable-mobility": ["mobility.facilitator@example.org"],
        "circular-economy": [
            "circular-economy.facilitator-2@example.org",
            "circular-economy.facilitator@example.org",
        ],
        "nature-based-solutions": ["nature-based-solutions.facilitator@example.org"],
    }
    # Technical sessions are Tecnalia's and CARTIF's only (000 §2.3 and §3.3).
    technical = ["cartif.facilitator@example.org", "tecnalia.facilitator@example.org"]
    for group in groups:
        for session in group.sessions.all():
            expected = technical if session.kind == "technical" else facilitators[group.sector.slug]
            assert sorted(session.facilitators.values_list("email", flat=True)) == expected


def test_seed_demo_facilitators_are_not_named_after_people(demo_data):
    facilitators = User.objects.filter(is_facilitator=True).exclude(email="facilitator@example.org")

    assert sorted(facilitators.values_list("full_name", "organisation")) == [
        ("Built Environment facilitator", "Eurocities"),
        ("Circular economy facilitator 1", "Eurocities"),
        ("Circular economy facilitator 2", "Eurocities"),
        ("Energy facilitator", "Eurocities"),
        ("Nature-based solutions facilitator", "Demos Helsinki"),
        ("Sustainable mobility facilitator", "Demos Helsinki"),
        ("Technical facilitator, CARTIF", "CARTIF"),
        ("Technical facilitator, Tecnalia", "Tecnalia"),
    ]
    for user in User.objects.all():
        words = set(re.findall(r"[a-z]+", f"{user.full_name} {user.email}".lower()))
        assert words & TABLE_2_PEOPLE == set(), user.email


def test_seed_demo_gives_each_demo_login_one_role(demo_data):
    roles = {email: User.objects.get(email=email).roles for email, _ in DEMO_LOGINS}

    assert roles == {
        "officer@example.org": ["city_officer"],
        "facilitator@example.org": ["facilitator"],
        "reviewer@example.org": ["reviewer"],
        "admin@example.org": ["programme_admin"],
    }


def test_seed_demo_officer_represents_one_mission_minded_city(demo_data):
    officer = User.objects.get(email="officer@example.org")

    cities = list(officer.cities.all())
    assert [(c.name, c.country.iso_code, c.is_mission_minded) for c in cities] == [
        ("Braga", "PT", True)
    ]
    assert officer.facilitated_groups.count() == 0
    assert officer.facilitated_cohorts.count() == 0


def test_seed_demo_facilitator_leads_cohorts_1_and_2(demo_data):
    facilitator = User.objects.get(email="facilitator@example.org")

    assert list(facilitator.facilitated_cohorts.values_list("name", flat=True)) == [
        "Online Discussion Groups cohort 2",
        "Online Discussion Groups cohort 1",
    ]
    assert list(
        facilitator.facilitated_groups.order_by("cohort__number").values_list(
            "cohort__number", "sector__slug"
        )
    ) == [(1, "energy"), (2, "energy")]


def test_seed_demo_gives_every_account_a_verified_primary_email(demo_data):
    # 4 demo logins, 8 facilitators of cohort 1, and the officers of the 2 other cities
    # enrolled in cohort 2 and of the 3 cities that asked to join it, and of the 5 cities of
    # cohort 1 that answer the needs assessment (devdata/demo_needs.py); the officers of the
    # 17 other cities that applied to the 2025 Group Study Visits and its 2 other reviewers
    # (devdata/demo_visits.py).
    assert User.objects.count() == 41
    assert sorted(
        EmailAddress.objects.filter(verified=True, primary=True).values_list("email", flat=True)
    ) == sorted(User.objects.values_list("email", flat=True))


def test_seed_demo_sets_the_demo_password_and_no_other(demo_data):
    for email, _ in DEMO_LOGINS:
        assert User.objects.get(email=email).check_password(DEMO_PASSWORD)
    assert not User.objects.get(email="energy.facilitator@example.org").has_usable_password()


def test_seed_demo_first_run_output(db):
    assert seed_demo() == (
        "Reference data: 67 created, 0 updated, 0 unchanged.\n"
        "Demo data: 718 created, 0 updated, 0 unchanged.\n"
        "Demo surveys: 938 created, 0 updated, 0 unchanged.\n"
        "Demo visits: 808 created, 1 updated, 5 unchanged.\n"
    )


def test_seed_demo_second_run_creates_and_changes_nothing(demo_data):
    before = snapshot()

    with CaptureQueriesContext(connection) as queries:
        output = seed_demo()

    assert output == (
        "Reference data: 0 created, 0 updated, 67 unchanged.\n"
        "Demo data: 0 created, 0 updated, 718 unchanged.\n"
        "Demo surveys: 0 created, 0 updated, 938 unchanged.\n"
        "Demo visits: 0 created, 0 updated, 814 unchanged.\n"
    )
    assert snapshot() == before
    writes = [q["sql"] for q in queries if q["sql"].split()[0] in {"INSERT", "UPDATE", "DELETE"}]
    assert writes == []


def test_seed_demo_keeps_a_changed_password(demo_data):
    officer = User.objects.get(email="officer@example.org")
    officer.set_password("a-password-the-officer-chose")
    officer.save()

    seed_demo()

    officer.refresh_from_db()
    assert officer.check_password("a-password-the-officer-chose")
    assert not officer.check_password(DEMO_PASSWORD)


def test_seed_demo_keeps_a_population_the_officers_wrote(demo_data):
    guimaraes = City.objects.get(name="Guimarães")
    guimaraes.population = 158_123
    guimaraes.save()

    output = seed_demo()

    guimaraes.refresh_from_db()
    assert guimaraes.population == 158_123
    assert "Demo data: 0 created, 0 updated, 718 unchanged." in output


def test_seed_demo_fills_the_populations_of_a_demo_loaded_without_them(demo_data):
    City.objects.update(population=None)

    output = seed_demo()

    assert "Demo data: 0 created, 49 updated, 669 unchanged." in output
    assert City.objects.get(name="Lisboa").population == 546_000
    assert City.objects.exclude(population=None).count() == 49


def test_seed_demo_removes_only_the_group_facilitators_an_earlier_demo_linked_to_technical_sessions(
    demo_data,
):
    session = Session.objects.get(cohort=cohort_1(), kind="technical", starts_at__date="2025-02-13")
    extra = User.objects.create_user("added.by.admin@example.org", is_facilitator=True)
    earlier_demo = User.objects.filter(
        email__in=["energy.facilitator@example.org", "facilitator@example.org"]
    )
    session.facilitators.add(extra, *earlier_demo)

    output = seed_demo(verbosity=2)

    assert sorted(session.facilitators.values_list("email", flat=True)) == [
        "added.by.admin@example.org",
        "cartif.facilitator@example.org",
        "tecnalia.facilitator@example.org",
    ]
    assert "Demo data: 0 created, 0 updated, 718 unchanged, 2 removed.\n" in output
    assert (
        "  peer_sessions.Session.facilitators: 0 created, 0 updated, 40 unchanged, 2 removed\n"
        in output
    )


def test_seed_demo_does_not_remove_facilitators_an_admin_added(demo_data):
    extra = User.objects.create_user("added.by.admin@example.org", is_facilitator=True)
    group = ThematicGroup.objects.get(cohort=cohort_1(), sector__slug="buildings")
    group.facilitators.add(extra)

    seed_demo()

    assert sorted(group.facilitators.values_list("email", flat=True)) == [
        "added.by.admin@example.org",
        "buildings.facilitator@example.org",
    ]
