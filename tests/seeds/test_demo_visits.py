"""seed_demo's Group Study Visits (devdata/demo_visits.py, devdata/visits_load.py): the 2025
call of 003 (Mannheim, Guimarães, Bucharest; 30 delegates) with applications in every state,
reviews, scores, a published allocation and a waitlist, and a call open now for cohort 2; and
what each demo login sees of them on a first run."""

import datetime
import zoneinfo
from decimal import Decimal

from django.db.models import Sum

from accounts.models import User
from cohorts.models import Cohort
from notifications.models import OutboundEmail
from tests.portal_pages.helpers import sign_in
from visits.models import Application, Call, Criterion, Review, ScoreLine, Visit

BRUSSELS = zoneinfo.ZoneInfo("Europe/Brussels")
OFFICER = "officer@example.org"
REVIEWER = "reviewer@example.org"
ADMIN = "admin@example.org"


def call_2025() -> Call:
    return Call.objects.get(title="Group Study Visits 2025")


def open_call() -> Call:
    return Call.objects.get(title="Group Study Visits for cohort 2")


def brussels(day: datetime.date, hour: int) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), BRUSSELS)


def test_the_2025_call_is_published_with_its_dates_for_cohort_1_mission_minded_cities(demo_data):
    call = call_2025()

    assert call.status == "published"
    assert list(call.eligible_cohorts.values_list("number", flat=True)) == [1]
    assert call.eligible_city_types == ["mission_minded"]
    assert (call.opens_at, call.closes_at, call.review_deadline, call.published_at) == (
        brussels(datetime.date(2025, 3, 17), 9),
        brussels(datetime.date(2025, 4, 14), 18),
        brussels(datetime.date(2025, 4, 28), 18),
        brussels(datetime.date(2025, 5, 5), 10),
    )
    assert call.created_by.email == ADMIN
    assert call.reviewers_per_application == 2


def test_the_2025_visits_are_mannheim_guimaraes_and_bucharest_for_30_delegates(demo_data):
    visits = Visit.objects.filter(call=call_2025()).select_related("host_city", "sector")

    assert [
        (
            v.host_city.name,
            v.host_city.is_mission_city,
            v.sector.slug,
            v.starts_on,
            v.ends_on,
            v.capacity_cities,
            v.delegates_per_city,
        )
        for v in visits
    ] == [
        (
            "Guimarães",
            True,
            "buildings",
            datetime.date(2025, 5, 22),
            datetime.date(2025, 5, 23),
            4,
            3,
        ),
        ("Mannheim", True, "energy", datetime.date(2025, 6, 25), datetime.date(2025, 6, 26), 3, 3),
        (
            "București",
            True,
            "sustainable-mobility",
            datetime.date(2025, 9, 24),
            datetime.date(2025, 9, 25),
            3,
            3,
        ),
    ]
    assert sum(v.capacity_cities * v.delegates_per_city for v in visits) == 30
    # Two weekdays each, between May and October 2025 (000's "Peer Cities").
    assert all(v.starts_on.weekday() < 4 for v in visits)


def test_both_calls_have_three_anchored_manual_criteria_one_independent_and_three_rules(
    demo_data,
):
    for call in (call_2025(), open_call()):
        criteria = Criterion.objects.filter(call=call).prefetch_related("anchors")

        assert [
            (c.name, c.kind, c.rule, c.weight, c.independent, c.scale_max, c.anchors.count())
            for c in criteria
        ] == [
            ("Relevance of the challenge to the visit", "manual", "", Decimal(2), False, 5, 6),
            ("Transferability and commitment", "manual", "", Decimal(1), False, 5, 6),
            ("Seniority of the delegation", "manual", "", Decimal(1), True, 3, 4),
            (
                "Completed Reflection Roadmap",
                "automatic",
                "roadmap_completed",
                Decimal(1),
                False,
                5,
                0,
            ),
            ("Sessions attended", "automatic", "sessions_attended", Decimal("0.5"), False, 5, 0),
            (
                "Thematic group matching the first choice",
                "automatic",
                "sector_match",
                Decimal(1),
                False,
                5,
                0,
            ),
        ]


def test_the_2025_applications_are_from_cohort_1_cities_in_every_state(demo_data):
    applications = Application.objects.filter(call=call_2025())
    cohort_1 = Cohort.objects.get(programme="odg", number=1)

    assert applications.count() == 25
    assert set(applications.values_list("city__enrolments__cohort", flat=True)) >= {cohort_1.pk}
    assert all(
        a.city.enrolments.filter(cohort=cohort_1, status="accepted").exists()
        for a in applications.select_related("city")
    )
    states = {}
    for status, decision in applications.values_list("status", "decision"):
        key = decision or status
        states[key] = states.get(key, 0) + 1
    assert states == {
        "selected": 10,
        "waitlisted": 10,
        "not_selected": 2,
        "withdrawn": 1,
        "draft": 2,
    }
    assert sorted(
        applications.filter(status__in=["draft", "withdrawn"]).values_list("city__name", "status")
    ) == [("Brussels", "draft"), ("Chișinău", "draft"), ("Vantaa", "withdrawn")]
    # Bucharest hosts: it does not apply.
    assert not applications.filter(city__name="București").exists()


def test_the_2025_allocation_fills_each_visit_and_keeps_a_waitlist_in_rank_order(demo_data):
    call = call_2025()
    selected = (
        Application.objects.filter(call=call, decision="selected")
        .order_by("rank")
        .values_list("allocated_visit__host_city__name", "city__name")
    )
    by_visit = {}
    for host, city in selected:
        by_visit.setdefault(host, []).append(city)

    assert by_visit == {
        "Guimarães": ["Braga", "Bruges", "Enschede", "Coimbra"],
        "Mannheim": ["Adana", "Liepāja", "Eskişehir"],
        "București": ["Bursa", "Gaziantep", "Karatay"],
    }
    waitlist = Application.objects.filter(call=call, decision="waitlisted").order_by(
        "waitlist_position"
    )
    assert [(a.waitlist_position, a.rank, a.city.name) for a in waitlist.select_related("city")][
        :3
    ] == [(1, 11, "Saray (Tekirdağ)"), (2, 12, "Maia"), (3, 13, "Ljubljana")]
    assert list(waitlist.values_list("waitlist_position", flat=True)) == list(range(1, 11))
    assert list(
        Application.objects.filter(call=call, decision="not_selected")
        .order_by("rank")
        .values_list("rank", "city__name")
    ) == [(21, "Vienna"), (22, "Bratislava")]
    # Ranked 1 to 22 without a gap; every decision was told once.
    assert sorted(
        Application.objects.filter(call=call, status="submitted").values_list("rank", flat=True)
    ) == list(range(1, 23))
    assert (
        Application.objects.filter(
            call=call, status="submitted", decision_notified_at=call.published_at
        ).count()
        == 22
    )


def test_braga_ranks_first_and_goes_to_guimaraes_its_first_choice(demo_data):
    braga = Application.objects.get(call=call_2025(), city__name="Braga")

    assert (braga.status, braga.rank, braga.decision) == ("submitted", 1, "selected")
    assert braga.allocated_visit.host_city.name == "Guimarães"
    assert list(braga.preferences.values_list("visit__host_city__name", flat=True)) == [
        "Guimarães",
        "Mannheim",
        "București",
    ]
    # Its spotlight challenge is the one of its roadmap (prefilled, not retyped).
    assert (
        braga.spotlight_challenge
        == braga.city.roadmaps.get(cohort__number=1).values.get(key="phase1.challenge").value
    )
    assert braga.delegates.count() == 3
    assert braga.created_by.email == OFFICER
    assert braga.submitted_by.email == OFFICER
    assert braga.submitted_at == brussels(datetime.date(2025, 3, 18), 11)


def test_braga_total_is_the_weighted_sum_of_its_lines(demo_data):
    braga = Application.objects.get(call=call_2025(), city__name="Braga")
    lines = {
        line.criterion.name: (line.points, line.weighted, line.reviewers)
        for line in ScoreLine.objects.filter(application=braga).select_related("criterion")
    }

    assert lines == {
        "Relevance of the challenge to the visit": (Decimal(5), Decimal(10), 2),
        "Transferability and commitment": (Decimal(4), Decimal(4), 2),
        "Seniority of the delegation": (Decimal("0.5"), Decimal(0), 2),
        "Completed Reflection Roadmap": (Decimal(0), Decimal(0), 0),
        "Sessions attended": (Decimal(2), Decimal(1), 0),
        "Thematic group matching the first choice": (Decimal(1), Decimal(1), 0),
    }
    assert braga.total == Decimal(16)
    assert ScoreLine.objects.filter(application=braga).aggregate(t=Sum("weighted"))["t"] == 16


def test_the_completed_roadmaps_give_their_point_and_one_application_shows_disagreement(
    demo_data,
):
    call = call_2025()
    roadmap_points = ScoreLine.objects.filter(
        application__call=call, criterion__rule="roadmap_completed", points=1
    ).values_list("application__city__name", flat=True)

    assert sorted(roadmap_points) == [
        "Bruges",
        "Enschede",
        "Karatay",
        "Munich",
        "Sunderland",
        "Ústí nad Labem",
    ]
    assert list(
        ScoreLine.objects.filter(application__call=call, disagreement=True).values_list(
            "application__city__name", "criterion__name", "deviation"
        )
    ) == [("Gaziantep", "Relevance of the challenge to the visit", Decimal("1.500"))]


def test_the_demo_reviewer_scored_five_recused_from_one_and_has_one_to_do(demo_data):
    reviewer = User.objects.get(email=REVIEWER)
    reviews = Review.objects.filter(reviewer=reviewer).select_related("application__city")

    assert sorted(
        (r.application.call.title, r.application.city.name, r.status) for r in reviews
    ) == [
        ("Group Study Visits 2025", "Adana", "submitted"),
        ("Group Study Visits 2025", "Braga", "submitted"),
        ("Group Study Visits 2025", "Bruges", "submitted"),
        ("Group Study Visits 2025", "Bursa", "submitted"),
        ("Group Study Visits 2025", "Coimbra", "submitted"),
        ("Group Study Visits 2025", "Enschede", "recused"),
        ("Group Study Visits for cohort 2", "Coimbra", "assigned"),
    ]
    recused = reviews.get(status="recused")
    assert recused.recusal_reason.startswith("I advised this city")
    assert recused.scores.count() == 0
    # Enschede still has two reviewers who scored it: the recusal was replaced.
    assert recused.application.reviews.filter(status="submitted").count() == 2
    assert Review.objects.filter(application__call=call_2025()).count() == 45
    assert set(
        Review.objects.filter(application__call=call_2025()).values_list(
            "reviewer__email", flat=True
        )
    ) == {REVIEWER, "reviewer.eurocities@example.org", "reviewer.iclei@example.org"}


def test_the_open_call_is_open_now_for_cohort_2_with_two_visits(demo_data):
    call = open_call()
    now = datetime.datetime.now(tz=datetime.UTC)

    assert call.status == "open"
    assert call.opens_at < now < call.closes_at
    assert list(call.eligible_cohorts.values_list("number", flat=True)) == [2]
    assert list(call.visits.values_list("host_city__name", "sector__slug", "capacity_cities")) == [
        ("Valencia", "energy", 5),
        ("Stockholm", "sustainable-mobility", 5),
    ]
    assert sorted(call.applications.values_list("city__name", "status")) == [
        ("Coimbra", "submitted"),
        ("Ljubljana", "draft"),
    ]


def test_the_decisions_were_queued_once_per_officer_and_none_delivered(demo_data):
    keys = list(
        OutboundEmail.objects.filter(key__startswith="visit-decision:").values_list(
            "key", flat=True
        )
    )

    assert len(keys) == 22
    assert len(set(keys)) == 22


# --- What each demo login sees on a first run --------------------------------------------------


def test_demo_officer_sees_the_open_call_and_braga_decision(client, demo_data):
    officer = User.objects.get(email=OFFICER)
    braga = officer.cities.get()
    sign_in(client, officer)

    home = client.get("/").content.decode()
    assert "Group Study Visits for cohort 2" in home
    page = client.get(f"/cities/{braga.pk}/").content.decode()
    assert "Group Study Visits 2025" in page
    assert "Guimarães" in page
    application = Application.objects.get(call=call_2025(), city=braga)
    assert client.get(f"/visits/applications/{application.pk}/").status_code == 200


def test_demo_reviewer_sees_their_applications_with_progress_on_their_home(client, demo_data):
    sign_in(client, User.objects.get(email=REVIEWER))

    home = client.get("/").content.decode()

    assert home.count("data-review=") == 7
    assert "3 of 3 scored" in home
    assert "0 of 3 scored" in home


def test_demo_admin_sees_the_calls_the_ranking_and_the_allocation(client, demo_data):
    sign_in(client, User.objects.get(email=ADMIN))
    call = call_2025()

    calls = client.get("/visits/").content.decode()
    assert "Group Study Visits 2025" in calls
    assert "Group Study Visits for cohort 2" in calls
    ranking = client.get(f"/visits/calls/{call.pk}/ranking/")
    assert ranking.status_code == 200
    assert "Braga" in ranking.content.decode()
    allocation = client.get(f"/visits/calls/{call.pk}/allocation/")
    assert allocation.status_code == 200
    assert "Saray (Tekirdağ)" in allocation.content.decode()
