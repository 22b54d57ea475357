"""seed_demo beyond cohort 1's calendar: the Mission Cities' climate actions, the enrolments of
cohort 1 with Braga's draft roadmap, and the illustrative cohort 2 in progress (its dates count
from the day the demo was first loaded: tests/seeds/test_demo_alive.py freezes that day)."""

import datetime
import re
import zoneinfo

import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from cities.models import City, ClimateAction, ClimateActionLever
from cohorts.models import Cohort, Enrolment, EnrolmentGroup
from cohorts.services import enrolment_accept
from devdata import demo_needs
from devdata.demo_cities import ANNEX_1_CITIES, MISSION_CITIES
from roadmaps.models import Roadmap, RoadmapChange, RoadmapValue
from roadmaps.selectors import climate_actions_for_roadmap
from roadmaps.services import roadmap_field_save
from sessions.models import Session, SessionPresentation
from tests.portal_pages.helpers import sign_in
from tests.seeds.snapshots import seed_demo, snapshot

BRUSSELS = zoneinfo.ZoneInfo("Europe/Brussels")
OFFICER = "officer@example.org"
FACILITATOR = "facilitator@example.org"


def cohort(number: int) -> Cohort:
    return Cohort.objects.get(programme="odg", number=number)


def braga_roadmap(number: int = 1) -> Roadmap:
    return Roadmap.objects.get(cohort=cohort(number), city__name="Braga")


# --- Climate actions ----------------------------------------------------------------------


def test_seed_demo_loads_the_nine_climate_actions_of_tables_2_and_4(demo_data):
    actions = ClimateAction.objects.select_related("city", "sector").order_by("city__name", "pk")

    assert [(a.city.name, a.title, a.sector.slug, a.implementation_stage) for a in actions] == [
        (
            "Aachen",
            "Circular City Aachen and collaboration with local business",
            "circular-economy",
            "implementing",
        ),
        ("Aachen", "Electromobility", "sustainable-mobility", "implementing"),
        ("Guimarães", "NZEB procurement for public buildings", "buildings", "implementing"),
        ("Lahti", "Urban carbon sinks", "nature-based-solutions", "implementing"),
        ("Leuven", "JUSTNature depavement case", "nature-based-solutions", "implementing"),
        (
            "Mannheim",
            "Decarbonising the district heating network and installing heat pumps",
            "energy",
            "implementing",
        ),
        (
            "Stockholm",
            "Congestion charges and low-emission zones to improve air quality",
            "sustainable-mobility",
            "implementing",
        ),
        ("Umeå", "Local marketplace for circular construction", "circular-economy", "piloting"),
        ("Valencia", "One-stop-shops for energy communities", "energy", "implementing"),
    ]
    assert list(actions.filter(description="")) == []


def test_seed_demo_gives_mannheim_and_valencia_the_recommendations_of_table_4(demo_data):
    recommendations = dict(
        ClimateAction.objects.filter(city__name__in=["Mannheim", "Valencia"]).values_list(
            "city__name", "recommendations"
        )
    )

    assert recommendations == {
        "Mannheim": [
            "Collaborate closely with energy suppliers.",
            "Communicate effectively with residents.",
            "Plan the city's heating supply in detail, street by street.",
            "Use funding programmes and advisory services.",
            "Seek an enabling legal framework at the federal level to ensure citizen acceptance.",
        ],
        "Valencia": [
            "Use the recent national and EU legal frameworks.",
            "Secure financial resources.",
            "Raise citizen awareness through targeted campaigns.",
            "Dedicate local staff with technical expertise and the motivation to drive these "
            "initiatives.",
        ],
    }
    # Table 4 gives no recommendation for the actions of the other sessions but Circular
    # Economy: none is made up.
    assert sorted(
        ClimateAction.objects.exclude(recommendations=[]).values_list("city__name", flat=True)
    ) == ["Aachen", "Mannheim", "Umeå", "Valencia"]
    assert max(len(a.recommendations) for a in ClimateAction.objects.all()) == 5


def test_seed_demo_gives_the_actions_the_levers_table_4_names(demo_data):
    levers = {}
    for lever in ClimateActionLever.objects.select_related("action__city", "factor"):
        key = f"{lever.action.city.name}: {lever.action.title}"
        levers.setdefault(key, []).append(lever.factor.slug)

    mobility = [
        "internal-governance",
        "stakeholder-engagement",
        "citizen-engagement",
        "procurement-practices",
        "funding-financing",
    ]
    assert levers == {
        "Guimarães: NZEB procurement for public buildings": [
            "procurement-practices",
            "funding-financing",
        ],
        "Mannheim: Decarbonising the district heating network and installing heat pumps": [
            "internal-governance",
            "stakeholder-engagement",
            "citizen-engagement",
            "funding-financing",
        ],
        "Valencia: One-stop-shops for energy communities": [
            "internal-governance",
            "citizen-engagement",
            "knowledge-capacities",
            "funding-financing",
        ],
        "Lahti: Urban carbon sinks": ["internal-governance", "knowledge-capacities"],
        "Leuven: JUSTNature depavement case": ["citizen-engagement"],
        "Aachen: Circular City Aachen and collaboration with local business": [
            "stakeholder-engagement"
        ],
        "Umeå: Local marketplace for circular construction": ["stakeholder-engagement"],
        "Stockholm: Congestion charges and low-emission zones to improve air quality": mobility,
        "Aachen: Electromobility": mobility,
    }
    leuven = ClimateActionLever.objects.get(action__city__name="Leuven")
    assert (leuven.key_drivers, leuven.key_barriers) == (
        "Citizens involved throughout the process of reintroducing nature.",
        "Different interests and expectations; road infrastructure had to be displaced.",
    )
    assert ClimateActionLever.objects.count() == 25


def presented(number: int) -> list[tuple[str, str, list[str]]]:
    presentations = (
        SessionPresentation.objects.filter(session__cohort=cohort(number))
        .select_related("session__thematic_group__sector", "city")
        .order_by("session__starts_at", "position")
    )
    return [
        (
            p.session.thematic_group.sector.slug,
            p.city.name,
            list(p.climate_actions.values_list("title", flat=True)),
        )
        for p in presentations
    ]


TABLE_4_PRESENTATIONS = [
    ("buildings", "Guimarães", ["NZEB procurement for public buildings"]),
    (
        "energy",
        "Mannheim",
        ["Decarbonising the district heating network and installing heat pumps"],
    ),
    ("energy", "Valencia", ["One-stop-shops for energy communities"]),
    ("nature-based-solutions", "Lahti", ["Urban carbon sinks"]),
    ("nature-based-solutions", "Leuven", ["JUSTNature depavement case"]),
    (
        "circular-economy",
        "Aachen",
        ["Circular City Aachen and collaboration with local business"],
    ),
    ("circular-economy", "Umeå", ["Local marketplace for circular construction"]),
    (
        "sustainable-mobility",
        "Stockholm",
        ["Congestion charges and low-emission zones to improve air quality"],
    ),
    ("sustainable-mobility", "Aachen", ["Electromobility"]),
]


def test_seed_demo_links_each_action_to_its_table_4_presentation(demo_data):
    assert presented(1) == TABLE_4_PRESENTATIONS


# --- Cohort 1: enrolments and Braga's roadmap ---------------------------------------------


def test_seed_demo_enrols_every_annex_1_city_but_the_mission_cities_in_cohort_1(demo_data):
    enrolments = Enrolment.objects.filter(cohort=cohort(1)).select_related("city", "decided_by")

    assert sorted((e.city.name, e.city.country.iso_code) for e in enrolments) == sorted(
        city for city in ANNEX_1_CITIES if city not in MISSION_CITIES
    )
    assert len(enrolments) == 62
    # The five Mission Cities of Annex 1 presented; they wrote no roadmap.
    assert sorted(
        City.objects.filter(is_mission_minded=True)
        .exclude(enrolments__cohort=cohort(1))
        .values_list("name", flat=True)
    ) == ["Guimarães", "Lahti", "Leuven", "Mannheim", "Umeå"]
    decided_at = datetime.datetime(2024, 9, 2, 9, 0, tzinfo=BRUSSELS)
    assert {
        (e.status, e.requested_by_id, e.decided_by.email, e.decided_at, e.created_at)
        for e in enrolments
    } == {("accepted", None, FACILITATOR, decided_at, decided_at)}
    assert all(e.city.is_mission_minded for e in enrolments)
    # București hosts a 2025 Group Study Visit as a Mission City (devdata/demo_visits.py).
    assert [e.city.name for e in enrolments if e.city.is_mission_city] == ["București"]


def test_seed_demo_puts_each_cohort_1_city_in_one_or_two_groups(demo_data):
    groups = {}
    for joined in (
        EnrolmentGroup.objects.filter(enrolment__cohort=cohort(1))
        .select_related("enrolment__city", "thematic_group__sector")
        .order_by("pk")  # the order the seed joined them in; the model has no ordering
    ):
        groups.setdefault(joined.enrolment.city.name, []).append(joined.thematic_group.sector.slug)

    assert sorted(groups["Braga"]) == ["buildings", "energy"]
    # The i-th city by name joins group i mod 5, and group i+2 mod 5 when i is even.
    assert groups["Adana"] == ["energy", "sustainable-mobility"]
    assert groups["Bruges"] == ["buildings"]
    assert groups["Ústí nad Labem"] == ["nature-based-solutions"]
    assert {len(slugs) for slugs in groups.values()} == {1, 2}
    # The 20 cities an earlier demo enrolled keep their positions (and groups); the other 41
    # follow, 21 of them in two groups: 32 + 62.
    assert groups["Aix-Marseille-Provence Metropolis"] == ["energy", "sustainable-mobility"]
    assert groups["Waterford"] == ["sustainable-mobility"]
    assert EnrolmentGroup.objects.filter(enrolment__cohort=cohort(1)).count() == 94
    assert dict(
        EnrolmentGroup.objects.filter(
            enrolment__cohort=cohort(1), enrolment__city__name="Braga"
        ).values_list("thematic_group__sector__slug", "needs")
    ) == {
        "buildings": (
            "Renovating the heritage buildings of the historic centre towards nearly-zero "
            "energy without losing their character, and criteria for procuring the renovation "
            "of public buildings."
        ),
        "energy": (
            "Solar energy and energy communities on public and historic buildings, and how to "
            "finance them."
        ),
    }


def test_seed_demo_opens_a_roadmap_for_each_city_enrolled(demo_data):
    assert sorted(
        Roadmap.objects.filter(cohort=cohort(1)).values_list("city__name", flat=True)
    ) == sorted(Enrolment.objects.filter(cohort=cohort(1)).values_list("city__name", flat=True))
    assert Roadmap.objects.filter(cohort=cohort(1)).count() == 62
    # Six applicants to the 2025 Group Study Visits completed theirs (devdata/demo_visits.py).
    completed = ["Bruges", "Enschede", "Karatay", "Munich", "Sunderland", "Ústí nad Labem"]
    assert sorted(
        Roadmap.objects.filter(cohort=cohort(1), status="accepted").values_list(
            "city__name", flat=True
        )
    ) == sorted(completed)
    assert set(
        Roadmap.objects.filter(cohort=cohort(1))
        .exclude(city__name__in=completed)
        .values_list("status", flat=True)
    ) == {"draft"}
    assert sorted(
        Roadmap.objects.filter(values__isnull=False)
        .distinct()
        .values_list("city__name", "cohort__number")
    ) == sorted(
        [("Braga", 1), ("Coimbra", 2), ("Ljubljana", 2)]
        # The needs assessment's respondents: their answers filled the overview (test_demo_needs).
        + [(name, 1) for name, _iso in demo_needs.NEEDS_CITIES if name != "Braga"]
        + [(name, 1) for name in ["Karatay", "Sunderland", "Ústí nad Labem"]]
    )


def test_seed_demo_fills_bragas_roadmap_as_a_draft_through_the_service(demo_data):
    roadmap = braga_roadmap()
    guimaraes = ClimateAction.objects.get(
        city__name="Guimarães", title="NZEB procurement for public buildings"
    )

    values = dict(roadmap.values.values_list("key", "value"))
    assert values == {
        "representative.first_name": "Demo",
        "representative.last_name": "Officer",
        "representative.role": "Climate and energy officer, City of Braga",
        "representative.email": "officer@example.org",
        "phase1.overview": (
            "Braga aims to become climate neutral, with planned actions in buildings "
            "(renovating municipal and historic buildings), energy (solar photovoltaics and "
            "energy communities) and mobility (public transport and cycling). The main levers "
            "are internal governance, procurement practices and funding."
        ),
        "phase1.challenge": (
            "Renovating the heritage buildings of the historic centre to cut their energy use "
            "and emissions while preserving their character."
        ),
        "phase1.cause_1": "Old building envelopes with poor insulation and single glazing.",
        "phase1.cause_2": "Heritage rules that limit changes to facades, roofs and windows.",
        "phase1.cause_3": "High renovation costs and fragmented ownership of the buildings.",
        "phase1.consequence_1": "High energy bills and energy poverty among residents.",
        "phase1.consequence_2": "High emissions from heating and cooling old buildings.",
        "phase1.consequence_3": "Buildings left empty and a historic centre losing residents.",
        "phase2_1.climate_action": str(guimaraes.pk),
        "phase2_1.desirability": "high",
        "phase2_1.explanation": (
            "Guimarães faces the same challenge in a UNESCO World Heritage centre: "
            "nearly-zero energy criteria in the procurement of public building renovation "
            "would let Braga start with its own historic buildings and show owners what is "
            "possible."
        ),
    }
    assert guimaraes in climate_actions_for_roadmap(roadmap=roadmap)
    # 15 of the 27 required fields (one general reasoning in Phase 2.2).
    assert (roadmap.status, roadmap.percent_complete) == ("draft", 55)
    # Written as the officer, one version and one history row per field.
    assert set(roadmap.values.values_list("version", "updated_by__email")) == {(1, OFFICER)}
    assert sorted(
        RoadmapChange.objects.filter(roadmap=roadmap).values_list("key", "old_value", "version")
    ) == sorted((key, "", 1) for key in values)
    assert set(
        RoadmapChange.objects.filter(roadmap=roadmap).values_list("changed_by__email", flat=True)
    ) == {OFFICER}


# --- Cohort 2 -----------------------------------------------------------------------------


def anchor() -> datetime.date:
    """The day cohort 2 was first loaded (the demo_data fixture's load: today, or yesterday
    when the tests run past midnight): 70 days after its start."""
    return cohort(2).starts_on + datetime.timedelta(days=70)


def days(n: int) -> datetime.date:
    return anchor() + datetime.timedelta(days=n)


def test_seed_demo_creates_cohort_2_with_four_phases_and_five_groups(demo_data):
    second = cohort(2)

    assert (second.name, second.starts_on, second.ends_on) == (
        "Online Discussion Groups cohort 2",
        days(-70),
        days(90),
    )
    assert list(second.phases.values_list("position", "kind", "starts_on", "ends_on")) == [
        (1, "onboarding", days(-70), days(-43)),
        (2, "thematic", days(-42), days(-8)),
        (3, "technical", days(-7), days(48)),
        (4, "study_visit", days(49), days(90)),
    ]
    assert list(second.thematic_groups.values_list("sector__slug", flat=True)) == [
        "energy",
        "buildings",
        "sustainable-mobility",
        "circular-economy",
        "nature-based-solutions",
    ]
    assert list(second.facilitators.values_list("email", flat=True)) == [FACILITATOR]


def weekday(n: int) -> datetime.date:
    """`days(n)`, or the Monday after it when it falls on a weekend."""
    day = days(n)
    return day + datetime.timedelta(days=(7 - day.weekday()) % 7 if day.weekday() >= 5 else 0)


def test_seed_demo_schedules_cohort_2_sessions_around_its_anchor(demo_data):
    sessions = (
        Session.objects.filter(cohort=cohort(2)).select_related("phase").order_by("starts_at")
    )

    def at_ten(n):
        return datetime.datetime.combine(weekday(n), datetime.time(10, 0), tzinfo=BRUSSELS)

    assert [
        (s.kind, s.phase.kind, s.starts_at, s.reported_participants, s.summary) for s in sessions
    ] == [
        ("onboarding", "onboarding", at_ten(-63), None, ""),
        ("onboarding", "onboarding", at_ten(-49), None, ""),
        ("thematic", "thematic", at_ten(-35), None, ""),
        ("thematic", "thematic", at_ten(-28), None, ""),
        ("thematic", "thematic", at_ten(-21), None, ""),
        ("thematic", "thematic", at_ten(-14), None, ""),
        ("thematic", "thematic", at_ten(-10), None, ""),
        ("technical", "technical", at_ten(6), None, ""),
        ("technical", "technical", at_ten(13), None, ""),
        ("technical", "technical", at_ten(20), None, ""),
        ("technical", "technical", at_ten(27), None, ""),
        ("technical", "technical", at_ten(34), None, ""),
        ("recap", "study_visit", at_ten(84), None, ""),
    ]
    assert [s.title for s in sessions if s.kind == "thematic"] == [
        "Thematic discussion: Built Environment",
        "Thematic discussion: Energy",
        "Thematic discussion: Nature-Based Solutions",
        "Thematic discussion: Circular Economy",
        "Thematic discussion: Mobility",
    ]
    # The same Mission Cities present the same actions.
    assert presented(2) == TABLE_4_PRESENTATIONS


def test_seed_demo_enrols_three_cities_in_cohort_2_and_leaves_three_requests(demo_data):
    enrolments = Enrolment.objects.filter(cohort=cohort(2)).select_related(
        "city", "requested_by", "decided_by"
    )

    assert [
        (
            e.city.name,
            e.status,
            e.requested_by.email if e.requested_by else None,
            e.decided_by.email if e.decided_by else None,
            sorted(e.groups.values_list("thematic_group__sector__slug", "needs")),
        )
        for e in enrolments
    ] == [
        (
            "Braga",
            "accepted",
            None,
            FACILITATOR,
            sorted(
                EnrolmentGroup.objects.filter(
                    enrolment__cohort=cohort(1), enrolment__city__name="Braga"
                ).values_list("thematic_group__sector__slug", "needs")
            ),
        ),
        (
            "Coimbra",
            "accepted",
            "coimbra.officer@example.org",
            FACILITATOR,
            [("energy", "Solar energy on municipal buildings.")],
        ),
        (
            "Limerick",
            "requested",
            "limerick.officer@example.org",
            None,
            [
                ("buildings", "Retrofitting Georgian terraces."),
                ("circular-economy", "Reusing construction materials."),
            ],
        ),
        (
            "Ljubljana",
            "accepted",
            "ljubljana.officer@example.org",
            FACILITATOR,
            [("energy", "Heat pumps in district heating.")],
        ),
        (
            "Porto",
            "requested",
            "porto.officer@example.org",
            None,
            [
                ("energy", "Energy communities in social housing."),
                ("sustainable-mobility", "Reducing car traffic in the city centre."),
            ],
        ),
        (
            "Strasbourg",
            "requested",
            "strasbourg.officer@example.org",
            None,
            [("nature-based-solutions", "Depaving school yards and squares.")],
        ),
    ]
    # Enrolled the day cohort 2 started.
    enrolled_at = datetime.datetime.combine(days(-70), datetime.time(9, 0), tzinfo=BRUSSELS)
    assert {(e.created_at, e.decided_at) for e in enrolments if e.status == "accepted"} == {
        (enrolled_at, enrolled_at)
    }
    assert sorted(Roadmap.objects.filter(cohort=cohort(2)).values_list("city__name", "status")) == [
        ("Braga", "draft"),
        ("Coimbra", "submitted"),
        ("Ljubljana", "returned"),
    ]
    assert braga_roadmap(2).values.count() == 0


def test_seed_demo_gives_the_other_cohort_2_cities_officers_without_password(demo_data):
    # Those of cohort 1's needs assessment are test_demo_needs'.
    officers = (
        User.objects.filter(
            email__endswith=".officer@example.org", cities__enrolments__cohort=cohort(2)
        )
        .exclude(email__in=[email for email, *_rest in demo_needs.NEEDS_OFFICERS.values()])
        .distinct()
        .order_by("email")
    )

    assert [
        (u.email, u.full_name, list(u.cities.values_list("name", flat=True)), u.roles)
        for u in officers
    ] == [
        ("coimbra.officer@example.org", "Coimbra city officer", ["Coimbra"], ["city_officer"]),
        ("limerick.officer@example.org", "Limerick city officer", ["Limerick"], ["city_officer"]),
        (
            "ljubljana.officer@example.org",
            "Ljubljana city officer",
            ["Ljubljana"],
            ["city_officer"],
        ),
        ("porto.officer@example.org", "Porto city officer", ["Porto"], ["city_officer"]),
        (
            "strasbourg.officer@example.org",
            "Strasbourg city officer",
            ["Strasbourg"],
            ["city_officer"],
        ),
    ]
    assert [u.has_usable_password() for u in officers] == [False] * 5


def _upcoming_titles(html: str) -> list[str]:
    block = re.search(
        r'<section[^>]*data-block="officer-upcoming"[^>]*>(.*?)</section>', html, re.S
    )
    assert block, "no upcoming block on the page"
    return re.findall(r'<th scope="row"><a href="/sessions/\d+/">([^<]+)</a></th>', block.group(1))


def test_demo_officer_sees_the_sessions_of_cohort_2_on_the_home_page(client, demo_data):
    # On the day cohort 2 was first loaded (signed in then: a session from today would have
    # expired).
    with time_machine.travel(datetime.datetime.combine(anchor(), datetime.time(9, 0), BRUSSELS)):
        sign_in(client, User.objects.get(email=OFFICER))
        response = client.get("/")

    assert response.status_code == 200
    # The technical sessions of cohort 2 and its recap; the thematic ones are past.
    assert _upcoming_titles(response.content.decode()) == [
        "Built Environment: Dealing with the retrofitting of historical areas by integrating "
        "renewable energy sources",
        "Energy: Exploring energy poverty reduction at the city scale",
        "Mobility: Reducing private mobility by changing modal split",
        "Nature-based solutions: Heat Island reduction through green and blue urban infrastructure",
        "Circular economy: Extending the lifecycle of building materials",
        "Final recap event",
    ]


def test_demo_facilitator_has_three_requests_to_decide_in_cohort_2(client, demo_data):
    sign_in(client, User.objects.get(email=FACILITATOR))

    html = client.get(f"/cohorts/{cohort(2).pk}/enrolments/").content.decode()

    assert re.findall(r'<button type="submit" class="small">Accept ([^<]+)</button>', html) == [
        "Limerick",
        "Porto",
        "Strasbourg",
    ]


# --- Demo users' work survives a second run -----------------------------------------------


def test_seed_demo_second_run_keeps_what_the_officer_wrote_in_the_roadmap(demo_data):
    roadmap = braga_roadmap()
    officer = User.objects.get(email=OFFICER)
    challenge = roadmap.values.get(key="phase1.challenge")
    roadmap_field_save(
        roadmap=roadmap,
        key="phase1.challenge",
        value="Flooding in the lower town.",
        base_version=challenge.version,
        acting_user=officer,
    )
    cause = roadmap.values.get(key="phase1.cause_3")
    roadmap_field_save(
        roadmap=roadmap,
        key="phase1.cause_3",
        value="",
        base_version=cause.version,
        acting_user=officer,
    )
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
    assert dict(
        roadmap.values.filter(key__in=["phase1.challenge", "phase1.cause_3"]).values_list(
            "key", "value"
        )
    ) == {"phase1.challenge": "Flooding in the lower town.", "phase1.cause_3": ""}
    writes = [q["sql"] for q in queries if q["sql"].split()[0] in {"INSERT", "UPDATE", "DELETE"}]
    assert writes == []


def test_seed_demo_fills_a_field_of_braga_still_missing(demo_data):
    roadmap = braga_roadmap()
    RoadmapValue.objects.filter(roadmap=roadmap, key="phase2_1.desirability").delete()

    output = seed_demo()

    assert output.splitlines()[1] == "Demo data: 1 created, 0 updated, 717 unchanged."
    assert roadmap.values.get(key="phase2_1.desirability").value == "high"


def test_seed_demo_second_run_keeps_a_decided_request(demo_data):
    porto = Enrolment.objects.get(cohort=cohort(2), city__name="Porto")
    enrolment_accept(enrolment=porto, acting_user=User.objects.get(email=FACILITATOR))
    before = snapshot()

    output = seed_demo()

    # Porto's roadmap, opened by the acceptance, is not one the seed opens: it is not counted.
    assert output.splitlines()[1] == "Demo data: 0 created, 0 updated, 718 unchanged."
    assert snapshot() == before
    porto.refresh_from_db()
    assert porto.status == "accepted"
