"""The home page's cohort and session blocks: what a city officer and a facilitator see.

Time is frozen on 10 January 2025, 09:00 UTC (10:00 in Brussels).
"""

import datetime
import re

import pytest
import time_machine

from cohorts import services as cohort_services
from cohorts.models import Cohort
from sessions import services as session_services
from sessions.enums import Attendance, SessionStatus
from sessions.models import Registration, Session
from tests import factories
from tests.portal_pages.helpers import sign_in

NOW = datetime.datetime(2025, 1, 10, 9, 0, tzinfo=datetime.UTC)


def at(day: int, hour: int, minute: int = 0, month: int = 1) -> datetime.datetime:
    return datetime.datetime(2025, month, day, hour, minute, tzinfo=datetime.UTC)


def _block(html: str, block: str) -> str:
    """The HTML of one block (data-block) of the home page."""
    match = re.search(rf'<section[^>]*data-block="{block}"[^>]*>(.*?)</section>', html, re.S)
    assert match, f"no {block} block in the page"
    return match.group(1)


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def _rows(html: str) -> list[str]:
    """The visible text of each body row of the block's table."""
    body = re.search(r"<tbody>(.*?)</tbody>", html, re.S).group(1)
    return [_text(row) for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)]


def _items(html: str) -> list[str]:
    return [_text(item) for item in re.findall(r"<li[^>]*>(.*?)</li>", html, re.S)]


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def _session(cohort, title, starts_at, *, minutes=90, **fields) -> Session:
    # Factories rather than session_create: several of these sessions lie in the past,
    # which the service (rightly) has no reason to refuse, but this keeps the times exact UTC.
    return factories.SessionFactory(
        cohort=cohort,
        title=title,
        starts_at=starts_at,
        ends_at=starts_at + datetime.timedelta(minutes=minutes),
        **fields,
    )


def _recorded(session, city, name, **fields) -> Registration:
    """A registration of a session that has already taken place (the service only registers
    people before the start, so past registrations are written directly)."""
    slug = name.lower().replace(" ", ".")
    return Registration.objects.create(
        session=session, city=city, full_name=name, email=f"{slug}@example.org", **fields
    )


# --- City officer -------------------------------------------------------------------------------

NOTHING_DUE = (
    "What is due "
    "Reflection Roadmap phases open now "
    "No roadmap phase is open now for a roadmap your cities can change. "
    "Roadmaps returned to your cities No roadmap is returned to your cities. "
    "Sessions to register for "
    "Nothing is due: your cities have registered for every session of the next 14 days."
)


@pytest.fixture
def officer_world(db, clock):
    # Distinct positions, as in the reference data: the home page lists a city's groups by
    # sector position, and equal positions would leave their order to the database.
    energy = factories.ThematicSectorFactory(slug="energy", name="Energy", position=1)
    buildings = factories.ThematicSectorFactory(slug="buildings", name="Buildings", position=2)
    lead = factories.UserFactory(is_facilitator=True)
    odg = factories.CohortFactory(
        number=5,
        name="Online Discussion Groups cohort 5",
        starts_on=datetime.date(2024, 9, 1),
        ends_on=datetime.date(2025, 2, 28),
    )
    odg_energy = factories.ThematicGroupFactory(cohort=odg, sector=energy)
    odg_buildings = factories.ThematicGroupFactory(cohort=odg, sector=buildings)
    later = factories.CohortFactory(
        number=6,
        name="Online Discussion Groups cohort 6",
        starts_on=datetime.date(2025, 3, 1),
        ends_on=datetime.date(2025, 8, 31),
    )
    later_energy = factories.ThematicGroupFactory(cohort=later, sector=energy)
    declined = factories.CohortFactory(
        number=7,
        name="Online Discussion Groups cohort 7",
        starts_on=datetime.date(2025, 3, 1),
        ends_on=datetime.date(2025, 8, 31),
    )
    declined_energy = factories.ThematicGroupFactory(cohort=declined, sector=energy)
    portugal = factories.CountryFactory(iso_code="PT")
    lisbon = factories.CityFactory(name="Lisbon", country=portugal)
    porto = factories.CityFactory(name="Porto", country=portugal)
    braga = factories.CityFactory(name="Braga", country=portugal)
    officer = factories.city_officer(city=lisbon, full_name="Ana Silva")
    factories.CityMembershipFactory(user=officer, city=porto)
    # Braga is another officer's city: its enrolment in cohort 5 is not Ana's business.
    bia = factories.city_officer(city=braga)
    # The services check who decides: the lead facilitator of the cohorts.
    odg.facilitators.add(lead)
    declined.facilitators.add(lead)

    cohort_services.enrolment_create_direct(
        cohort=odg, city=lisbon, acting_user=lead, groups=[(odg_energy, ""), (odg_buildings, "")]
    )
    cohort_services.enrolment_create_direct(
        cohort=odg, city=porto, acting_user=lead, groups=[(odg_buildings, "")]
    )
    cohort_services.enrolment_create_direct(
        cohort=odg, city=braga, acting_user=lead, groups=[(odg_energy, "")]
    )
    cohort_services.enrolment_request(
        cohort=later, city=lisbon, acting_user=officer, groups=[(later_energy, "Heat planning")]
    )
    refused = cohort_services.enrolment_request(
        cohort=declined, city=porto, acting_user=officer, groups=[(declined_energy, "")]
    )
    cohort_services.enrolment_decline(enrolment=refused, acting_user=lead)

    sessions = {
        "under_way": _session(odg, "Onboarding", at(10, 8, 30)),
        "heat_pumps": _session(
            odg,
            "Energy: heat pumps",
            at(15, 9),
            thematic_group=odg_energy,
            meeting_url="https://meet.example.org/energy",
        ),
        "renovation": _session(
            odg,
            "Buildings: renovation",
            at(20, 14),
            thematic_group=odg_buildings,
            time_zone="Europe/Lisbon",
        ),
        "recap": _session(odg, "Recap", at(20, 9, month=2)),
    }
    _session(odg, "Past session", at(6, 9))
    _session(odg, "Cancelled session", at(16, 9), status=SessionStatus.CANCELLED)
    _session(later, "Session of a cohort Lisbon only asked to join", at(17, 9))
    _session(declined, "Session of a declined cohort", at(18, 9))
    session_services.registrations_create(
        session=sessions["heat_pumps"],
        city=lisbon,
        people=[("Rui Costa", "rui@lisboa.pt"), ("Eva Lopes", "eva@lisboa.pt")],
        acting_user=officer,
    )
    # Braga's registration does not count as Ana's cities' registration.
    session_services.registrations_create(
        session=sessions["renovation"],
        city=braga,
        people=[("Bia Braga", "bia@braga.pt")],
        acting_user=bia,
    )
    return officer, sessions


def test_home_officer_sees_cohorts_with_status_and_groups(client, officer_world):
    officer, _sessions = officer_world
    sign_in(client, officer)

    block = _block(client.get("/").content.decode(), "officer-cohorts")

    assert _rows(block) == [
        "Online Discussion Groups cohort 6 Lisbon Request pending Energy —",
        # Nothing required filled yet: "Not started", as the facilitator reads it (issue 10).
        "Online Discussion Groups cohort 5 Lisbon Enrolled Energy, Buildings "
        "Open the roadmap (Not started)",
        "Online Discussion Groups cohort 5 Porto Enrolled Buildings Open the roadmap (Not started)",
    ]
    assert '<a href="/cohorts/">Find a cohort to join</a>' in block
    # The cohort of an accepted enrolment links to its page; a request still waiting does not
    # (that page answers 404 until the facilitator accepts).
    linked = re.findall(r'<a href="/cohorts/\d+/">([^<]+)</a>', block)
    assert linked == ["Online Discussion Groups cohort 5"] * 2


def test_home_officer_sees_upcoming_sessions_with_links_and_registrations(client, officer_world):
    officer, sessions = officer_world
    sign_in(client, officer)

    block = _block(client.get("/").content.decode(), "officer-upcoming")

    assert _rows(block) == [
        "Onboarding 10 January 2025, 09:30\u201311:00 (Europe/Brussels) "
        "Online Discussion Groups cohort 5 Calendar (.ics) Nobody yet",
        "Energy: heat pumps 15 January 2025, 10:00\u201311:30 (Europe/Brussels) "
        "Online Discussion Groups cohort 5 · Energy Join · Calendar (.ics) 2 people",
        "Buildings: renovation 20 January 2025, 14:00\u201315:30 (Europe/Lisbon) "
        "Online Discussion Groups cohort 5 · Buildings Calendar (.ics) Nobody yet",
        "Recap 20 February 2025, 10:00\u201311:30 (Europe/Brussels) "
        "Online Discussion Groups cohort 5 Calendar (.ics) Nobody yet",
    ]
    heat_pumps = sessions["heat_pumps"].pk
    assert f'<a href="/sessions/{heat_pumps}/">Energy: heat pumps</a>' in block
    cohort = sessions["heat_pumps"].cohort_id
    assert block.count(f'<a href="/cohorts/{cohort}/">Online Discussion Groups cohort 5</a>') == 4
    assert (
        '<a href="https://meet.example.org/energy" rel="noopener" data-link="join">Join</a>'
    ) in block
    assert f'<a href="/sessions/{heat_pumps}/calendar.ics" data-link="ics">' in block
    assert "Showing the next" not in block


def test_home_officer_sees_what_is_due_per_city(client, officer_world):
    officer, sessions = officer_world
    sign_in(client, officer)

    block = _block(client.get("/").content.decode(), "officer-due")

    # Within 14 days: heat pumps (Lisbon registered, Porto did not) and renovation (neither).
    # The onboarding has started and the recap is more than 14 days away.
    assert _items(block) == [
        "Porto : Energy: heat pumps , 15 January 2025, 10:00\u201311:30 (Europe/Brussels). "
        "Register people from Porto",
        "Lisbon : Buildings: renovation , 20 January 2025, 14:00\u201315:30 (Europe/Lisbon). "
        "Register people from Lisbon",
        "Porto : Buildings: renovation , 20 January 2025, 14:00\u201315:30 (Europe/Lisbon). "
        "Register people from Porto",
    ]
    renovation = sessions["renovation"].pk
    assert f'<a href="/sessions/{renovation}/">Buildings: renovation</a>' in block
    assert f'<a href="/sessions/{renovation}/register/">Register people from Lisbon</a>' in block


def test_home_officer_with_everything_registered_has_nothing_due(client, officer_world):
    officer, sessions = officer_world
    lisbon, porto = (m.city for m in officer.city_memberships.order_by("city__name"))
    for session, city, email in [
        (sessions["heat_pumps"], porto, "p1@porto.pt"),
        (sessions["renovation"], lisbon, "l2@lisboa.pt"),
        (sessions["renovation"], porto, "p2@porto.pt"),
    ]:
        session_services.registration_create(
            session=session, city=city, full_name="Someone", email=email, acting_user=officer
        )
    sign_in(client, officer)

    block = _block(client.get("/").content.decode(), "officer-due")

    assert _text(block) == NOTHING_DUE


@pytest.mark.django_db
def test_home_officer_without_cohort_sees_empty_blocks(client, clock, officer):
    sign_in(client, officer)

    html = client.get("/").content.decode()

    assert _text(_block(html, "officer-cohorts")) == (
        "Your cities' cohorts Your cities are not in a cohort yet. Find a cohort to join"
    )
    assert _text(_block(html, "officer-upcoming")) == (
        "Upcoming sessions No upcoming sessions in your cities' cohorts."
    )
    assert _text(_block(html, "officer-due")) == NOTHING_DUE


@pytest.mark.django_db
def test_home_officer_upcoming_shows_the_next_ten(client, clock):
    cohort = factories.CohortFactory(ends_on=datetime.date(2025, 12, 31))
    city = factories.CityFactory()
    officer = factories.city_officer(city=city)
    cohort.enrolments.create(city=city, status="accepted")
    for day in range(11):
        _session(cohort, f"Session on day {day + 1:02d}", at(11, 9) + datetime.timedelta(days=day))
    sign_in(client, officer)

    block = _block(client.get("/").content.decode(), "officer-upcoming")

    titles = re.findall(r'<th scope="row"><a href="[^"]+">([^<]+)</a></th>', block)
    assert titles == [f"Session on day {day:02d}" for day in range(1, 11)]
    assert "Showing the next 10 sessions. Your calendar feed holds them all." in _text(block)


# --- Facilitator --------------------------------------------------------------------------------


@pytest.fixture
def facilitator_world(db, clock):
    facilitator = factories.UserFactory(is_facilitator=True, full_name="Fay Facilitator")
    energy = factories.ThematicSectorFactory(slug="energy", name="Energy")
    led = factories.CohortFactory(
        number=5,
        name="Online Discussion Groups cohort 5",
        starts_on=datetime.date(2024, 9, 1),
        ends_on=datetime.date(2025, 2, 28),
    )
    led.facilitators.add(facilitator)
    led_energy = factories.ThematicGroupFactory(cohort=led, sector=energy)
    # In cohort 6 the facilitator runs only the energy group.
    grouped = factories.CohortFactory(
        number=6,
        name="Online Discussion Groups cohort 6",
        starts_on=datetime.date(2025, 1, 1),
        ends_on=datetime.date(2025, 6, 30),
    )
    factories.ThematicGroupFactory(cohort=grouped, sector=energy).facilitators.add(facilitator)
    ended = factories.CohortFactory(
        number=4,
        name="Online Discussion Groups cohort 4",
        starts_on=datetime.date(2024, 3, 1),
        ends_on=datetime.date(2024, 12, 31),
    )
    ended.facilitators.add(facilitator)
    no_sessions = factories.CohortFactory(
        number=8,
        name="Online Discussion Groups cohort 8",
        starts_on=datetime.date(2025, 1, 1),
        ends_on=datetime.date(2025, 6, 30),
    )
    no_sessions.facilitators.add(facilitator)
    others = factories.CohortFactory(
        number=9,
        name="Someone else's cohort",
        starts_on=datetime.date(2025, 1, 1),
        ends_on=datetime.date(2025, 6, 30),
    )

    country = factories.CountryFactory(iso_code="PT")
    cities = {
        name: factories.CityFactory(name=name, country=country)
        for name in ["Lisbon", "Porto", "Braga", "Faro", "Evora", "Aveiro", "Sintra"]
    }
    for cohort, name in [
        (led, "Lisbon"),
        (led, "Porto"),
        (led, "Braga"),
        (grouped, "Faro"),
        (ended, "Evora"),
        (no_sessions, "Aveiro"),
        (others, "Sintra"),
    ]:
        cohort.enrolments.create(city=cities[name], status="accepted")
    # A request does not count: the city is not enrolled yet.
    led.enrolments.create(city=cities["Sintra"], status="requested")

    to_record = _session(led, "Energy: heat pumps", at(6, 9), thematic_group=led_energy)
    _recorded(to_record, cities["Lisbon"], "Rui Costa")
    _recorded(to_record, cities["Lisbon"], "Eva Lopes")
    partly = _session(led, "Partly recorded", at(7, 9))
    _recorded(partly, cities["Lisbon"], "Ana Dias", attendance=Attendance.ATTENDED)
    _recorded(partly, cities["Lisbon"], "Joao Reis")
    _session(led, "Nobody registered", at(8, 9))
    walk_in_only = _session(grouped, "Only walk-ins", at(8, 14))
    _recorded(walk_in_only, cities["Braga"], "Walk In", is_walk_in=True, attendance="attended")
    imported = _session(led, "Imported with a headcount", at(2, 9), reported_participants=40)
    _recorded(imported, cities["Lisbon"], "Old Timer")
    cancelled = _session(led, "Cancelled past session", at(3, 9), status=SessionStatus.CANCELLED)
    _recorded(cancelled, cities["Lisbon"], "Cancelled Guest")
    old = _session(ended, "Old cohort session", at(5, 9, month=1) - datetime.timedelta(days=60))
    # Evora's people only walked in (recorded as attended): the session needs nothing more, and
    # Evora would count as a city that registered for nothing, were its cohort still running.
    _recorded(old, cities["Evora"], "Evo Ra", is_walk_in=True, attendance="attended")
    others_past = _session(others, "Someone else's session", at(6, 14))
    _recorded(others_past, cities["Sintra"], "Sin Tra")

    upcoming = _session(grouped, "Energy: district heating", at(14, 9))
    _recorded(upcoming, cities["Faro"], "Fa Ro", is_walk_in=True, attendance="attended")
    next_one = _session(led, "Recap", at(20, 9, month=2), meeting_url="https://meet.example.org")
    _recorded(next_one, cities["Porto"], "Pia Porto")
    _session(led, "Cancelled future session", at(21, 9), status=SessionStatus.CANCELLED)
    _session(others, "Someone else's future session", at(15, 9))
    return facilitator, {"to_record": to_record, "upcoming": upcoming, "next_one": next_one}


def test_home_facilitator_sees_upcoming_sessions_of_their_cohorts(client, facilitator_world):
    facilitator, sessions = facilitator_world
    sign_in(client, facilitator)

    block = _block(client.get("/").content.decode(), "facilitator-upcoming")

    # Registered counts leave walk-ins out (Faro's walk-in is not a registration).
    assert _rows(block) == [
        "Energy: district heating 14 January 2025, 10:00\u201311:30 (Europe/Brussels) "
        "Online Discussion Groups cohort 6 0",
        "Recap 20 February 2025, 10:00\u201311:30 (Europe/Brussels) "
        "Online Discussion Groups cohort 5 1",
    ]
    assert f'<a href="/sessions/{sessions["next_one"].pk}/">Recap</a>' in block


def test_home_facilitator_sees_sessions_whose_attendance_is_not_recorded(client, facilitator_world):
    facilitator, sessions = facilitator_world
    sign_in(client, facilitator)

    block = _block(client.get("/").content.decode(), "facilitator-to-record")

    assert _rows(block) == [
        "Energy: heat pumps 6 January 2025, 10:00\u201311:30 (Europe/Brussels) "
        "Online Discussion Groups cohort 5 · Energy 2 Record attendance",
    ]
    pk = sessions["to_record"].pk
    assert f'<a href="/sessions/{pk}/attendance/">Record attendance</a>' in block


def test_home_facilitator_session_leaves_the_list_once_recorded(client, facilitator_world):
    facilitator, sessions = facilitator_world
    session = sessions["to_record"]
    first = session.registrations.order_by("full_name").first()
    session_services.attendance_record(
        session=session, marks={first.pk: Attendance.NO_SHOW}, acting_user=facilitator
    )
    sign_in(client, facilitator)

    block = _block(client.get("/").content.decode(), "facilitator-to-record")

    assert _text(block) == (
        "Attendance to record Attendance is recorded for every past session with registered people."
    )


def test_home_facilitator_sees_cities_that_registered_for_nothing(client, facilitator_world):
    facilitator, _sessions = facilitator_world
    sign_in(client, facilitator)

    block = _block(client.get("/").content.decode(), "facilitator-idle")

    # Cohort 6 (newest) first: Faro only walked in. In cohort 5 Lisbon and Porto registered
    # people; Braga did not. Cohort 4 has ended, cohort 8 has no session yet.
    assert _items(block) == [
        "Faro (Portugal), Online Discussion Groups cohort 6",
        "Braga (Portugal), Online Discussion Groups cohort 5",
    ]
    grouped = Cohort.objects.get(number=6)
    assert f'<a href="/cohorts/{grouped.pk}/">Online Discussion Groups cohort 6</a>' in block


@pytest.mark.django_db
def test_home_facilitator_without_sessions_sees_empty_blocks(client, clock, facilitator):
    sign_in(client, facilitator)

    html = client.get("/").content.decode()

    assert _text(_block(html, "facilitator-upcoming")) == (
        "Upcoming sessions of your cohorts No upcoming sessions in your cohorts."
    )
    assert _text(_block(html, "facilitator-to-record")) == (
        "Attendance to record Attendance is recorded for every past session with registered people."
    )
    assert _text(_block(html, "facilitator-idle")) == (
        "Cities that registered for nothing "
        "Every city enrolled in your running cohorts has registered someone."
    )


@pytest.mark.django_db
def test_home_admin_who_facilitates_sees_only_their_own_sessions(client, clock):
    person = factories.UserFactory(is_facilitator=True, is_programme_admin=True)
    own = factories.CohortFactory(ends_on=datetime.date(2025, 6, 30))
    own.facilitators.add(person)
    _session(own, "Mine", at(14, 9))
    _session(factories.CohortFactory(), "Not mine", at(15, 9))
    sign_in(client, person)

    block = _block(client.get("/").content.decode(), "facilitator-upcoming")

    assert re.findall(r'<th scope="row"><a href="[^"]+">([^<]+)</a></th>', block) == ["Mine"]


@pytest.mark.django_db
def test_home_facilitator_to_record_shows_the_ten_most_recent(client, clock, facilitator):
    cohort = factories.CohortFactory(ends_on=datetime.date(2025, 6, 30))
    cohort.facilitators.add(facilitator)
    city = factories.CityFactory()
    for day in range(11):
        session = _session(
            cohort, f"Past session {day + 1:02d}", at(9, 9) - datetime.timedelta(days=day)
        )
        _recorded(session, city, f"Person {day}")
    sign_in(client, facilitator)

    block = _block(client.get("/").content.decode(), "facilitator-to-record")

    titles = re.findall(r'<th scope="row"><a href="[^"]+">([^<]+)</a></th>', block)
    assert titles == [f"Past session {day:02d}" for day in range(1, 11)]
    assert "Showing the 10 most recent sessions; older ones are waiting too." in _text(block)


def test_home_links_only_the_cohorts_whose_page_the_person_may_open():
    """A facilitator's own cohorts and an officer's accepted enrolments; not a cohort whose
    session they are only named on, nor one their city only asked to join."""
    from cohorts.enums import EnrolmentStatus
    from cohorts.models import Cohort, Enrolment
    from home.selectors import HomeSection

    section = HomeSection(
        role="facilitator",
        cohorts=[Cohort(pk=1), Cohort(pk=2)],
        enrolments=[
            Enrolment(cohort_id=3, status=EnrolmentStatus.ACCEPTED),
            Enrolment(cohort_id=4, status=EnrolmentStatus.REQUESTED),
            Enrolment(cohort_id=5, status=EnrolmentStatus.DECLINED),
        ],
    )
    assert section.linked_cohorts == {1, 2, 3}
