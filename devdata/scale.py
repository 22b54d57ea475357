"""Synthetic data at EU scale for load tests and benchmarks (`manage.py seed_scale`).

The generator is an ordered list of steps (`SCALE_STEPS`); each step creates one kind of data
with `bulk_create` and may register how to delete it again. A later issue adds a kind of data by
writing one more function decorated with `@scale_step(...)`.

Every generated row is recognisable, so the demo data and anything typed by hand stay untouched:
cities are named "Scaleville 00042", users have addresses scale-user-00042@scale.example.org,
cohorts of the Online Discussion Groups number from 1000 up. Countries are real reference data
and are never deleted.

Determinism: each step draws from its own `random.Random` seeded with the seed and the step's
name, and every date derives from `BASE_DATE`, so one seed always gives the same rows, and adding
a step later does not change the rows of the steps before it.
"""

from __future__ import annotations

import datetime
import math
import random
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import Count, Q

from cities.enums import ContractStatus, ImplementationStage
from cities.models import City, CityMembership, ClimateAction, ClimateActionLever, Country
from cohorts.enums import EnrolmentStatus, PhaseKind, Programme
from cohorts.models import Cohort, Enrolment, EnrolmentGroup, Phase, ThematicGroup
from sessions.enums import Attendance, SessionKind
from sessions.models import Registration, Session, SessionPresentation
from taxonomy.models import EnablingFactor, ThematicSector

CITY_PREFIX = "Scaleville "
EMAIL_PREFIX = "scale-user-"
EMAIL_DOMAIN = "scale.example.org"
FIRST_COHORT_NUMBER = 1000
# The one password of every generated user (local load tests only). Hashing it once and
# sharing the hash saves minutes: 50,000 PBKDF2 hashes take far longer than the whole seed.
SCALE_PASSWORD = "scale-data-password"
# Every date is an offset from this Monday, never from today.
BASE_DATE = datetime.date(2023, 1, 2)
SESSION_START = datetime.time(9, 0, tzinfo=datetime.UTC)
SESSION_LENGTH = datetime.timedelta(minutes=90)
# The moment the generated programme is "as of", fixed so that one seed always gives the same
# rows: cohorts that started before it have registrations, and sessions that ended before it
# have their attendance recorded. Later sessions look like ones still to be recorded or to come.
AS_OF = datetime.datetime(2026, 6, 1, tzinfo=datetime.UTC)
# Rows per INSERT: large enough that small runs need one query per kind of row (the query-count
# test relies on it), small enough for PostgreSQL's 65,535 parameters per query.
BATCH_SIZE = 2000

# The 27 member states (ISO 3166-1 alpha-2) with their population in millions, which weighs how
# many generated cities each gets.
EU_COUNTRIES = [
    ("AT", "Austria", 9.1),
    ("BE", "Belgium", 11.8),
    ("BG", "Bulgaria", 6.4),
    ("HR", "Croatia", 3.9),
    ("CY", "Cyprus", 0.9),
    ("CZ", "Czechia", 10.9),
    ("DK", "Denmark", 5.9),
    ("EE", "Estonia", 1.4),
    ("FI", "Finland", 5.6),
    ("FR", "France", 68.4),
    ("DE", "Germany", 84.4),
    ("GR", "Greece", 10.4),
    ("HU", "Hungary", 9.6),
    ("IE", "Ireland", 5.3),
    ("IT", "Italy", 59.0),
    ("LV", "Latvia", 1.9),
    ("LT", "Lithuania", 2.9),
    ("LU", "Luxembourg", 0.7),
    ("MT", "Malta", 0.5),
    ("NL", "Netherlands", 17.9),
    ("PL", "Poland", 36.8),
    ("PT", "Portugal", 10.6),
    ("RO", "Romania", 19.1),
    ("SK", "Slovakia", 5.4),
    ("SI", "Slovenia", 2.1),
    ("ES", "Spain", 48.1),
    ("SE", "Sweden", 10.5),
]

FIRST_NAMES = [
    "Ana", "Anna", "Andrei", "Beatriz", "Carlos", "Chiara", "Daan", "Elena", "Emma", "Eva",
    "Filip", "Giulia", "Hanna", "Ines", "Jan", "Johanna", "Jonas", "Katarzyna", "Lars", "Laura",
    "Lea", "Lucas", "Luca", "Maria", "Marta", "Matteo", "Mikkel", "Nikos", "Noah", "Olga",
    "Pauline", "Pedro", "Petra", "Sara", "Sofia", "Tomas", "Ville", "Zofia",
]  # fmt: skip
LAST_NAMES = [
    "Andersen", "Bauer", "Bernard", "Costa", "De Vries", "Dubois", "Fischer", "Garcia",
    "Horvath", "Ionescu", "Jansen", "Kowalski", "Korhonen", "Lindqvist", "Martin", "Meyer",
    "Moreau", "Murphy", "Nagy", "Novak", "Papadopoulos", "Peeters", "Petrov", "Rossi", "Ruiz",
    "Santos", "Schmidt", "Silva", "Virtanen", "Wagner", "Weber", "Zielinski",
]  # fmt: skip
OFFICER_TITLES = [
    "Climate officer", "Energy manager", "Head of sustainability", "Mobility planner",
    "Urban planner", "EU funding officer", "Project manager", "Deputy mayor's adviser",
]  # fmt: skip
FACILITATOR_ORGANISATIONS = ["NetZeroCities", "ICLEI Europe", "Eurocities", "EIT Climate-KIC"]
CLIMATE_ACTIONS = [
    "Renewable energy community", "District heating from waste heat",
    "Deep retrofit of social housing", "One-stop shop for renovation", "Low-emission zone",
    "Cycling network", "Electric bus fleet", "Urban forest", "Green roofs programme",
    "Circular public procurement", "Construction waste hub",
    "Climate budgeting", "Citizen assembly on climate", "Solar rooftops on public buildings",
    "Nature-based flood protection", "Sharing economy platform",
]  # fmt: skip


@dataclass
class ScaleConfig:
    cities: int = 10_000
    users: int = 50_000
    cohorts: int = 200
    seed: int = 1
    # The scale survey's submitted responses (devdata/scale_surveys.py); None: two per user.
    survey_responses: int | None = None
    # The scale call's submitted applications (devdata/scale_visits.py); None: two per city.
    visit_applications: int | None = None
    # Registrations for the reminder sessions (devdata/scale_reminders.py); None: one per user.
    due_reminders: int | None = None


@dataclass
class ScaleContext:
    """What the steps share: the configuration and the rows earlier steps created."""

    config: ScaleConfig
    countries: list[Country] = field(default_factory=list)
    sectors: list[ThematicSector] = field(default_factory=list)
    cities: list[City] = field(default_factory=list)
    mission_cities: list[City] = field(default_factory=list)
    users: list = field(default_factory=list)
    officers: list = field(default_factory=list)
    facilitators: list = field(default_factory=list)
    cohorts: list[Cohort] = field(default_factory=list)
    # cohort id -> its phases by kind, its thematic groups in sector order, its lead facilitators
    phases: dict[int, dict[str, Phase]] = field(default_factory=dict)
    groups: dict[int, list[ThematicGroup]] = field(default_factory=dict)
    group_facilitators: dict[int, list[int]] = field(default_factory=dict)
    cohort_facilitators: dict[int, list[int]] = field(default_factory=dict)
    sessions: list[Session] = field(default_factory=list)
    # city id -> its officers (in membership order); session id -> its facilitators' ids
    officers_of: dict[int, list] = field(default_factory=dict)
    session_facilitators: dict[int, list[int]] = field(default_factory=dict)
    presentations: list[SessionPresentation] = field(default_factory=list)
    # city id -> its climate actions; cohort id -> its accepted enrolments
    climate_actions_of: dict[int, list[ClimateAction]] = field(default_factory=dict)
    accepted_enrolments: dict[int, list[Enrolment]] = field(default_factory=dict)
    # enrolment id -> ids of the thematic groups it joined
    joined_groups: dict[int, set[int]] = field(default_factory=dict)

    def rng(self, step_name: str) -> random.Random:
        # A string seed is hashed with SHA-512 by `random`, so it is stable across processes
        # (unlike hash()) and each step's stream is independent of the other steps.
        return random.Random(f"{self.config.seed}:{step_name}")


@dataclass(frozen=True)
class ScaleStep:
    name: str
    generate: Callable[[ScaleContext], int]
    flush: Callable[[], object] | None = None


@dataclass(frozen=True)
class StepReport:
    name: str
    rows: int
    seconds: float


SCALE_STEPS: list[ScaleStep] = []


def scale_step(name: str, *, flush: Callable[[], object] | None = None):
    """Register the decorated function as the next generation step; it returns rows created."""

    def register(generate: Callable[[ScaleContext], int]):
        if any(step.name == name for step in SCALE_STEPS):
            raise ValueError(f"A scale step named {name!r} is already registered.")
        SCALE_STEPS.append(ScaleStep(name=name, generate=generate, flush=flush))
        return generate

    return register


# Which rows are generated ones.


def scale_cities():
    return City.objects.filter(name__startswith=CITY_PREFIX)


def scale_users():
    return get_user_model().objects.filter(email__endswith=f"@{EMAIL_DOMAIN}")


def scale_cohorts():
    return Cohort.objects.filter(
        programme=Programme.ONLINE_DISCUSSION_GROUPS, number__gte=FIRST_COHORT_NUMBER
    )


def busiest_scale_cohort() -> Cohort | None:
    """The generated cohort with the most accepted enrolments (the lowest number of those): the
    longest list of cities, where the benchmarks and the scale survey look."""
    return (
        scale_cohorts()
        .annotate(
            accepted=Count("enrolments", filter=Q(enrolments__status=EnrolmentStatus.ACCEPTED))
        )
        .order_by("-accepted", "number")
        .first()
    )


def scale_data_present() -> bool:
    return scale_cities().exists() or scale_users().exists() or scale_cohorts().exists()


def city_name(index: int) -> str:
    return f"{CITY_PREFIX}{index:05d}"


def user_email(index: int) -> str:
    return f"{EMAIL_PREFIX}{index:05d}@{EMAIL_DOMAIN}"


def _at(day_offset: int) -> datetime.date:
    return BASE_DATE + datetime.timedelta(days=day_offset)


def _bulk(model, rows: list) -> list:
    return model.objects.bulk_create(rows, batch_size=BATCH_SIZE)


def _link(m2m_descriptor, pairs: Iterable[tuple[int, int]]) -> int:
    """Insert many-to-many rows (source id, target id) straight into the through table."""
    through = m2m_descriptor.through
    source = m2m_descriptor.field.m2m_field_name()
    target = m2m_descriptor.field.m2m_reverse_field_name()
    rows = [through(**{f"{source}_id": a, f"{target}_id": b}) for a, b in pairs]
    through.objects.bulk_create(rows, batch_size=BATCH_SIZE)
    return len(rows)


def _pick(rng: random.Random, pool: list, count: int) -> list:
    return rng.sample(pool, min(count, len(pool)))


# The steps, in the order they run. Deleting runs the flush functions in reverse order.


@scale_step("countries")
def generate_countries(ctx: ScaleContext) -> int:
    """Reuse the countries of the reference data and add any EU member state that is missing."""
    existing = set(Country.objects.values_list("iso_code", flat=True))
    missing = [
        Country(iso_code=iso, name=name) for iso, name, _ in EU_COUNTRIES if iso not in existing
    ]
    _bulk(Country, missing)
    by_iso = Country.objects.in_bulk([iso for iso, _, _ in EU_COUNTRIES], field_name="iso_code")
    ctx.countries = [by_iso[iso] for iso, _, _ in EU_COUNTRIES]
    return len(missing)


def _flush_cities():
    CityMembership.objects.filter(city__in=scale_cities()).delete()
    scale_cities().delete()


def _population(rng: random.Random, *, mission_city: bool) -> int:
    # Log-normal: most European municipalities are small, a few are very large. Mission Cities
    # are larger on average (the Mission asked for cities above 50,000 inhabitants).
    median = 350_000 if mission_city else 45_000
    value = rng.lognormvariate(math.log(median), 0.9)
    return int(min(max(value, 50_000 if mission_city else 2_000), 4_000_000))


@scale_step("cities", flush=_flush_cities)
def generate_cities(ctx: ScaleContext) -> int:
    """Cities spread over the EU by population: ~1% Mission Cities, ~70% mission-minded, ~5%
    Pilot Cities, ~5% Twin Cities, each with one to three thematic interests."""
    rng = ctx.rng("cities")
    count = ctx.config.cities
    ctx.sectors = list(ThematicSector.objects.order_by("position", "name"))
    if not ctx.sectors:
        raise ValueError("No thematic sectors: load the reference data (seed_reference) first.")
    # Exact shares rather than a coin per city, so the types are the same size for every seed.
    indexes = list(range(count))
    rng.shuffle(indexes)
    mission_count = max(1, round(count * 0.01)) if count else 0
    mission = set(indexes[:mission_count])
    others = indexes[mission_count:]
    mission_minded = set(others[: round(count * 0.70)])
    pilot = set(_pick(rng, others, round(count * 0.05)))
    twin = set(_pick(rng, others, round(count * 0.05)))
    weights = [population for _, _, population in EU_COUNTRIES]
    contract_statuses = [
        ContractStatus.IN_PREPARATION,
        ContractStatus.SUBMITTED,
        ContractStatus.MISSION_LABEL,
    ]
    cities = []
    for index in range(count):
        is_mission = index in mission
        cities.append(
            City(
                name=city_name(index + 1),
                country=rng.choices(ctx.countries, weights=weights)[0],
                population=_population(rng, mission_city=is_mission),
                is_mission_city=is_mission,
                is_mission_minded=index in mission_minded,
                is_pilot_city=index in pilot,
                is_twin_city=index in twin,
                contract_status=rng.choice(contract_statuses)
                if is_mission
                else ContractStatus.NOT_APPLICABLE,
            )
        )
    ctx.cities = _bulk(City, cities)
    ctx.mission_cities = [city for city in ctx.cities if city.is_mission_city]
    interests = [
        (city.pk, sector.pk)
        for city in ctx.cities
        for sector in rng.sample(ctx.sectors, rng.randint(1, min(3, len(ctx.sectors))))
    ]
    return len(ctx.cities) + _link(City.thematic_interests, interests)


def _flush_users():
    scale_users().delete()


def _role_counts(total: int) -> tuple[int, int, int]:
    """(programme admins, facilitators, reviewers); everyone else is a city officer."""
    admins = min(total, max(1, total // 10_000))
    facilitators = min(total - admins, max(1, round(total * 0.02)))
    reviewers = min(total - admins - facilitators, max(1, round(total * 0.01)))
    return admins, facilitators, reviewers


@scale_step("users", flush=_flush_users)
def generate_users(ctx: ScaleContext) -> int:
    """A few programme admins, ~2% facilitators, ~1% reviewers, the rest city officers; each
    with a verified primary email address so that they can sign in through allauth."""
    rng = ctx.rng("users")
    user_model = get_user_model()
    # One fixed salt: the hash, like everything else, is the same for a given seed.
    password = make_password(SCALE_PASSWORD, salt=f"scaleseed{ctx.config.seed}")
    joined = datetime.datetime.combine(BASE_DATE, datetime.time(8, 0), tzinfo=datetime.UTC)
    admins, facilitators, reviewers = _role_counts(ctx.config.users)
    users = []
    for index in range(ctx.config.users):
        is_admin = index < admins
        is_facilitator = admins <= index < admins + facilitators
        is_reviewer = admins + facilitators <= index < admins + facilitators + reviewers
        if is_admin:
            organisation, title = "Programme management office", "Programme manager"
        elif is_facilitator:
            organisation, title = rng.choice(FACILITATOR_ORGANISATIONS), "Facilitator"
        elif is_reviewer:
            organisation, title = "Independent expert", "Reviewer"
        else:
            organisation, title = "", rng.choice(OFFICER_TITLES)
        users.append(
            user_model(
                email=user_email(index + 1),
                full_name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                organisation=organisation,
                job_title=title,
                password=password,
                is_programme_admin=is_admin,
                is_facilitator=is_facilitator,
                is_reviewer=is_reviewer,
                date_joined=joined + datetime.timedelta(minutes=index),
            )
        )
    ctx.users = _bulk(user_model, users)
    ctx.facilitators = [user for user in ctx.users if user.is_facilitator]
    ctx.officers = [
        user
        for user in ctx.users
        if not (user.is_programme_admin or user.is_facilitator or user.is_reviewer)
    ]
    addresses = [
        EmailAddress(user_id=user.pk, email=user.email, verified=True, primary=True)
        for user in ctx.users
    ]
    _bulk(EmailAddress, addresses)
    return len(ctx.users) + len(addresses)


@scale_step("memberships")
def generate_memberships(ctx: ScaleContext) -> int:
    """Each city officer represents one city, ~15% two. Officers are dealt round the cities in
    a shuffled order, so every city has an officer when there are more officers than cities.
    (Memberships go with their users and cities; the flush of those deletes them.)"""
    rng = ctx.rng("memberships")
    if not ctx.cities:
        return 0
    order = list(ctx.cities)
    rng.shuffle(order)
    joined = datetime.datetime.combine(_at(14), datetime.time(8, 0), tzinfo=datetime.UTC)
    memberships = []
    for position, officer in enumerate(ctx.officers):
        first = order[position % len(order)]
        memberships.append(CityMembership(city=first, user=officer, joined_at=joined))
        if len(order) > 1 and rng.random() < 0.15:
            second = rng.choice(order)
            while second is first:
                second = rng.choice(order)
            memberships.append(CityMembership(city=second, user=officer, joined_at=joined))
    for membership in memberships:
        ctx.officers_of.setdefault(membership.city.pk, []).append(membership.user)
    return len(_bulk(CityMembership, memberships))


def _flush_cohorts():
    scale_cohorts().delete()


# (kind, name, first day, last day) from the cohort's start: a cohort runs 26 weeks (000 §3).
PHASE_PLAN = [
    (PhaseKind.ONBOARDING, "Onboarding", 0, 27),
    (PhaseKind.THEMATIC_DISCUSSIONS, "Thematic online discussions", 28, 97),
    (PhaseKind.TECHNICAL_SUPPORT, "Technical support", 98, 153),
    (PhaseKind.STUDY_VISIT_PREPARATION, "Group Study Visit preparation", 154, 181),
]
GROUPS_PER_COHORT = 5


@scale_step("cohorts", flush=_flush_cohorts)
def generate_cohorts(ctx: ScaleContext) -> int:
    """Cohorts starting a week apart, each with the four phases, five thematic groups (the
    sectors where groups run) with two facilitators each, and one or two lead facilitators."""
    rng = ctx.rng("cohorts")
    cohorts = []
    for index in range(ctx.config.cohorts):
        number = FIRST_COHORT_NUMBER + index
        starts_on = _at(7 * index)
        cohorts.append(
            Cohort(
                programme=Programme.ONLINE_DISCUSSION_GROUPS,
                number=number,
                name=f"Online Discussion Groups cohort {number}",
                starts_on=starts_on,
                ends_on=starts_on + datetime.timedelta(days=PHASE_PLAN[-1][3]),
            )
        )
    ctx.cohorts = _bulk(Cohort, cohorts)

    phases = []
    for cohort in ctx.cohorts:
        for position, (kind, name, first, last) in enumerate(PHASE_PLAN):
            phases.append(
                Phase(
                    cohort=cohort,
                    kind=kind,
                    name=name,
                    position=position,
                    starts_on=cohort.starts_on + datetime.timedelta(days=first),
                    ends_on=cohort.starts_on + datetime.timedelta(days=last),
                )
            )
    for phase in _bulk(Phase, phases):
        ctx.phases.setdefault(phase.cohort_id, {})[phase.kind] = phase

    running = [sector for sector in ctx.sectors if not sector.offered_only] or ctx.sectors
    group_sectors = running[:GROUPS_PER_COHORT]
    groups = [
        ThematicGroup(cohort=cohort, sector=sector)
        for cohort in ctx.cohorts
        for sector in group_sectors
    ]
    for group in _bulk(ThematicGroup, groups):
        ctx.groups.setdefault(group.cohort_id, []).append(group)

    facilitator_ids = [user.pk for user in ctx.facilitators]
    group_links = []
    cohort_links = []
    for cohort in ctx.cohorts:
        leads = _pick(rng, facilitator_ids, rng.randint(1, 2))
        ctx.cohort_facilitators[cohort.pk] = leads
        cohort_links += [(cohort.pk, user_id) for user_id in leads]
        for group in ctx.groups.get(cohort.pk, []):
            chosen = _pick(rng, facilitator_ids, 2)
            ctx.group_facilitators[group.pk] = chosen
            group_links += [(group.pk, user_id) for user_id in chosen]
    linked = _link(Cohort.facilitators, cohort_links) + _link(
        ThematicGroup.facilitators, group_links
    )
    return len(ctx.cohorts) + len(phases) + len(groups) + linked


def _flush_sessions():
    # Presentations protect their city: the sessions (and their presentations) go first.
    Session.objects.filter(cohort__in=scale_cohorts()).delete()


TECHNICAL_SESSIONS_PER_COHORT = 2


@scale_step("sessions", flush=_flush_sessions)
def generate_sessions(ctx: ScaleContext) -> int:
    """Per cohort: two onboarding sessions, one thematic discussion per thematic group where one
    to three Mission Cities present up to three climate actions, two technical-support sessions
    on themes the cities chose, and a recap: ten sessions with five groups. Sessions of a cohort
    are on different days, so they never overlap."""
    rng = ctx.rng("sessions")
    sessions = []
    # Facilitators and presenters wait for the sessions' ids.
    facilitators_of: list[list[int]] = []
    presenters_of: list[list[City]] = []
    for cohort in ctx.cohorts:
        phases = ctx.phases[cohort.pk]
        groups = ctx.groups.get(cohort.pk, [])
        leads = ctx.cohort_facilitators.get(cohort.pk, [])
        plan = [
            (SessionKind.ONBOARDING, PhaseKind.ONBOARDING, None, "Onboarding: the programme", 2),
            (
                SessionKind.ONBOARDING,
                PhaseKind.ONBOARDING,
                None,
                "Onboarding: NetZeroCities tools and thematic breakouts",
                16,
            ),
        ]
        plan += [
            (
                SessionKind.THEMATIC_DISCUSSION,
                PhaseKind.THEMATIC_DISCUSSIONS,
                group,
                f"{group.sector.name}: thematic discussion",
                30 + 14 * position,
            )
            for position, group in enumerate(groups)
        ]
        chosen = sorted(_pick(rng, groups, TECHNICAL_SESSIONS_PER_COHORT), key=groups.index)
        plan += [
            (
                SessionKind.TECHNICAL_SUPPORT,
                PhaseKind.TECHNICAL_SUPPORT,
                group,
                f"{group.sector.name}: technical support",
                100 + 21 * position,
            )
            for position, group in enumerate(chosen)
        ]
        plan.append(
            (SessionKind.RECAP, PhaseKind.STUDY_VISIT_PREPARATION, None, "Recap and feedback", 170)
        )
        for position, (kind, phase_kind, group, title, day) in enumerate(plan):
            starts_at = datetime.datetime.combine(
                cohort.starts_on + datetime.timedelta(days=day), SESSION_START
            )
            sessions.append(
                Session(
                    cohort=cohort,
                    phase=phases[phase_kind],
                    thematic_group=group,
                    kind=kind,
                    title=title,
                    starts_at=starts_at,
                    ends_at=starts_at + SESSION_LENGTH,
                    meeting_url=f"https://meet.example.org/scale-{cohort.number}-{position + 1}",
                )
            )
            facilitators_of.append(ctx.group_facilitators[group.pk] if group else leads)
            presenting = kind == SessionKind.THEMATIC_DISCUSSION
            presenters_of.append(
                _pick(rng, ctx.mission_cities, rng.randint(1, 3)) if presenting else []
            )
    ctx.sessions = _bulk(Session, sessions)
    for session, user_ids in zip(ctx.sessions, facilitators_of, strict=True):
        ctx.session_facilitators[session.pk] = user_ids

    links = [
        (session.pk, user_id)
        for session, user_ids in zip(ctx.sessions, facilitators_of, strict=True)
        for user_id in user_ids
    ]
    presentations = [
        SessionPresentation(
            session=session,
            city=city,
            position=position,
            topics="; ".join(rng.sample(CLIMATE_ACTIONS, rng.randint(1, 3))),
        )
        for session, cities in zip(ctx.sessions, presenters_of, strict=True)
        for position, city in enumerate(cities)
    ]
    ctx.presentations = _bulk(SessionPresentation, presentations)
    return len(ctx.sessions) + _link(Session.facilitators, links) + len(presentations)


# Texts of the climate actions, enrolments and registrations. CLIMATE_ACTIONS above is also drawn
# from by the sessions step, so it stays as it is; this maps its titles to the sector where each
# action belongs (None: a cross-cutting action, filed under a sector drawn at random).
ACTION_SECTORS = {
    "Renewable energy community": "energy",
    "District heating from waste heat": "energy",
    "Deep retrofit of social housing": "buildings",
    "One-stop shop for renovation": "buildings",
    "Low-emission zone": "sustainable-mobility",
    "Cycling network": "sustainable-mobility",
    "Electric bus fleet": "sustainable-mobility",
    "Urban forest": "nature-based-solutions",
    "Green roofs programme": "nature-based-solutions",
    "Circular public procurement": "circular-economy",
    "Construction waste hub": "circular-economy",
    "Climate budgeting": None,
    "Citizen assembly on climate": None,
    "Solar rooftops on public buildings": "energy",
    "Nature-based flood protection": "nature-based-solutions",
    "Sharing economy platform": "circular-economy",
}
ACTION_CONTEXTS = [
    "Emissions from this sector were a third of the city's total in the baseline inventory.",
    "The Climate City Contract names this sector among the three with the largest gap.",
    "Residents asked for it in the city's climate assembly.",
    "An EU-funded pilot in one district showed the approach works locally.",
]
ACTION_LESSONS = [
    "Early dialogue with residents avoided most of the objections raised elsewhere.",
    "The procurement took twice as long as planned; start it in the first year.",
    "A dedicated project manager across departments made the difference.",
    "Open data on the results kept political support through the election.",
]
RECOMMENDATIONS = [
    "Start with a pilot in one district before scaling up.",
    "Involve residents from the design phase, not only at consultation.",
    "Secure backing across political parties before the budget vote.",
    "Map the funding sources early, EU programmes included.",
    "Set up a working group across departments with a clear lead.",
    "Measure a baseline before the action starts.",
    "Use public procurement to create demand for the market.",
    "Partner with the local energy agency or utility.",
    "Publish the results as open data.",
    "Budget for maintenance, not only for the investment.",
]  # fmt: skip
KEY_DRIVERS = [
    "Strong political mandate", "Dedicated EU funding", "Engaged local businesses",
    "Motivated staff in several departments", "Support from the national government",
    "Active citizen groups",
]  # fmt: skip
KEY_BARRIERS = [
    "Long procurement procedures", "Limited staff capacity", "Fragmented land ownership",
    "Resistance from some residents", "Unclear national regulation", "High upfront costs",
]  # fmt: skip
NEEDS = [
    "Examples of how peer cities financed {sector} projects.",
    "How to engage citizens and businesses in {sector}.",
    "Data and indicators to monitor {sector} actions.",
    "Procurement models that worked for {sector}.",
    "How to build the internal capacity to deliver {sector} plans.",
]


def _flush_climate_actions():
    # Their levers and their links to presentations go with them.
    ClimateAction.objects.filter(city__in=scale_cities()).delete()


@scale_step("climate_actions", flush=_flush_climate_actions)
def generate_climate_actions(ctx: ScaleContext) -> int:
    """One to four climate actions per Mission City (000 Table 3), each with one to three
    levers of change (their drivers and barriers) and one to five recommendations."""
    rng = ctx.rng("climate_actions")
    factors = list(EnablingFactor.objects.order_by("position", "name"))
    if not factors:
        raise ValueError("No enabling factors: load the reference data (seed_reference) first.")
    sector_by_slug = {sector.slug: sector for sector in ctx.sectors}
    running = [sector for sector in ctx.sectors if not sector.offered_only] or ctx.sectors
    stages = list(ImplementationStage.values)
    created = datetime.datetime.combine(_at(0), datetime.time(8, 0), tzinfo=datetime.UTC)
    actions = []
    for city in ctx.mission_cities:
        # Distinct titles: a city's titles are unique (climate_action_unique_title).
        for title in rng.sample(CLIMATE_ACTIONS, rng.randint(1, 4)):
            sector = sector_by_slug.get(ACTION_SECTORS.get(title) or "") or rng.choice(running)
            actions.append(
                ClimateAction(
                    city=city,
                    title=title,
                    sector=sector,
                    context=rng.choice(ACTION_CONTEXTS),
                    description=f"{title} in {city.name}: planned, funded and run by the city.",
                    implementation_stage=rng.choice(stages),
                    lessons_learned=rng.choice(ACTION_LESSONS),
                    recommendations=rng.sample(RECOMMENDATIONS, rng.randint(1, 5)),
                    created_at=created,
                )
            )
    actions = _bulk(ClimateAction, actions)
    for action in actions:
        ctx.climate_actions_of.setdefault(action.city_id, []).append(action)
    levers = [
        ClimateActionLever(
            action=action,
            factor=factor,
            key_drivers=rng.choice(KEY_DRIVERS),
            key_barriers=rng.choice(KEY_BARRIERS),
        )
        for action in actions
        for factor in rng.sample(factors, rng.randint(1, min(3, len(factors))))
    ]
    return len(actions) + len(_bulk(ClimateActionLever, levers))


def _flush_enrolments():
    # Their joined thematic groups go with them.
    Enrolment.objects.filter(cohort__in=scale_cohorts()).delete()


def _moment(day: datetime.date, hour: int) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, 0), tzinfo=datetime.UTC)


@scale_step("enrolments", flush=_flush_enrolments)
def generate_enrolments(ctx: ScaleContext) -> int:
    """Per cohort 40 to 60 accepted cities (about one in ten enrolled directly by a facilitator),
    one to four requests still open and up to three declined; every enrolment joined one to
    three of the cohort's thematic groups with the city's needs for each. Mission Cities present
    rather than enrol, so the cities come from the others, each at most once per cohort."""
    rng = ctx.rng("enrolments")
    pool = [city for city in ctx.cities if not city.is_mission_city]
    enrolments = []
    for cohort in ctx.cohorts:
        leads = ctx.cohort_facilitators.get(cohort.pk, [])
        statuses = (
            [EnrolmentStatus.ACCEPTED] * rng.randint(40, 60)
            + [EnrolmentStatus.REQUESTED] * rng.randint(1, 4)
            + [EnrolmentStatus.DECLINED] * rng.randint(0, 3)
        )
        # rng.sample draws distinct cities: the (cohort, city) pair is unique by construction.
        # With fewer cities than places the accepted ones come first and the rest fall away.
        for city, status in zip(_pick(rng, pool, len(statuses)), statuses, strict=False):
            officers = ctx.officers_of.get(city.pk, [])
            direct = status == EnrolmentStatus.ACCEPTED and (not officers or rng.random() < 0.1)
            asked = _moment(cohort.starts_on - datetime.timedelta(days=rng.randint(10, 42)), 10)
            decided = (
                asked + datetime.timedelta(days=rng.randint(1, 7))
                if status != EnrolmentStatus.REQUESTED
                else None
            )
            enrolments.append(
                Enrolment(
                    cohort=cohort,
                    city=city,
                    status=status,
                    requested_by=None if direct or not officers else rng.choice(officers),
                    decided_by_id=rng.choice(leads) if decided and leads else None,
                    decided_at=decided,
                    created_at=asked,
                )
            )
    enrolments = _bulk(Enrolment, enrolments)
    groups_of = ctx.groups
    joined = []
    for enrolment in enrolments:
        groups = groups_of.get(enrolment.cohort_id, [])
        chosen = sorted(_pick(rng, groups, rng.randint(1, 3)), key=groups.index)
        ctx.joined_groups[enrolment.pk] = {group.pk for group in chosen}
        if enrolment.status == EnrolmentStatus.ACCEPTED:
            ctx.accepted_enrolments.setdefault(enrolment.cohort_id, []).append(enrolment)
        joined += [
            EnrolmentGroup(
                enrolment=enrolment,
                thematic_group=group,
                needs=rng.choice(NEEDS).format(sector=group.sector.name.lower()),
            )
            for group in chosen
        ]
    return len(enrolments) + len(_bulk(EnrolmentGroup, joined))


def _flush_presentation_actions():
    SessionPresentation.climate_actions.through.objects.filter(
        sessionpresentation__session__cohort__in=scale_cohorts()
    ).delete()


@scale_step("presentation_actions", flush=_flush_presentation_actions)
def generate_presentation_actions(ctx: ScaleContext) -> int:
    """Each presenting Mission City shows one to three of its own climate actions, those of the
    session's thematic sector first."""
    rng = ctx.rng("presentation_actions")
    sector_of_session = {
        session.pk: session.thematic_group.sector_id if session.thematic_group else None
        for session in ctx.sessions
    }
    pairs = []
    for presentation in ctx.presentations:
        own = ctx.climate_actions_of.get(presentation.city_id, [])
        sector_id = sector_of_session[presentation.session_id]
        shuffled = rng.sample(own, len(own))
        ranked = sorted(shuffled, key=lambda action: action.sector_id != sector_id)
        count = rng.randint(1, SessionPresentation.MAX_CLIMATE_ACTIONS)
        pairs += [(presentation.pk, action.pk) for action in ranked[:count]]
    return _link(SessionPresentation.climate_actions, pairs)


def _flush_registrations():
    Registration.objects.filter(session__cohort__in=scale_cohorts()).delete()


ATTENDED_SHARE = 0.75
WALK_IN_SHARE = 0.05
COLLEAGUES_PER_CITY = 2


@scale_step("registrations", flush=_flush_registrations)
def generate_registrations(ctx: ScaleContext) -> int:
    """For the sessions of cohorts that started before AS_OF: each enrolled city registers zero
    to three people (its officers and two colleagues) per session open to it: the cohort-wide
    ones and those of the groups it joined. For sessions that ended before AS_OF the attendance
    is recorded: ~75% attended, the others did not show, and ~5% more came as walk-ins."""
    rng = ctx.rng("registrations")
    number_of = {city.pk: index for index, city in enumerate(ctx.cities, start=1)}
    people_of: dict[int, list[tuple[str, str]]] = {}

    def people(city_id: int) -> list[tuple[str, str]]:
        # Made on first use, so a city's colleagues are the same people in every session.
        if city_id not in people_of:
            officers = [(user.full_name, user.email) for user in ctx.officers_of.get(city_id, [])]
            colleagues = [
                (
                    f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                    f"scale-colleague-{number_of[city_id]:05d}-{n}@{EMAIL_DOMAIN}",
                )
                for n in range(1, COLLEAGUES_PER_CITY + 1)
            ]
            people_of[city_id] = officers + colleagues
        return people_of[city_id]

    sessions_of: dict[int, list[Session]] = {}
    for session in ctx.sessions:
        sessions_of.setdefault(session.cohort_id, []).append(session)
    registrations = []
    walk_ins = 0
    for cohort in ctx.cohorts:
        if _moment(cohort.starts_on, 0) >= AS_OF:
            continue
        enrolments = ctx.accepted_enrolments.get(cohort.pk, [])
        for session in sessions_of.get(cohort.pk, []):
            past = session.ends_at <= AS_OF
            # An officer of two cities may be put forward by both; one row per address.
            taken: set[str] = set()
            for enrolment in enrolments:
                group_id = session.thematic_group_id
                if group_id is not None and group_id not in ctx.joined_groups[enrolment.pk]:
                    continue
                officers = ctx.officers_of.get(enrolment.city_id, [])
                pool = people(enrolment.city_id)
                for full_name, email in _pick(rng, pool, rng.randint(0, 3)):
                    attendance = Attendance.UNKNOWN
                    if past:
                        attended = rng.random() < ATTENDED_SHARE
                        attendance = Attendance.ATTENDED if attended else Attendance.NO_SHOW
                    if email in taken:
                        continue
                    taken.add(email)
                    registrations.append(
                        Registration(
                            session_id=session.pk,
                            city_id=enrolment.city_id,
                            full_name=full_name,
                            email=email,
                            registered_by_id=officers[0].pk if officers else None,
                            attendance=attendance,
                            created_at=session.starts_at
                            - datetime.timedelta(days=rng.randint(1, 21)),
                        )
                    )
                    if past and rng.random() < WALK_IN_SHARE:
                        walk_ins += 1
                        facilitators = ctx.session_facilitators.get(session.pk, [])
                        registrations.append(
                            Registration(
                                session_id=session.pk,
                                city_id=enrolment.city_id,
                                full_name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                                email=f"scale-walk-in-{walk_ins:06d}@{EMAIL_DOMAIN}",
                                registered_by_id=facilitators[0] if facilitators else None,
                                is_walk_in=True,
                                attendance=Attendance.ATTENDED,
                                created_at=session.ends_at + datetime.timedelta(days=1),
                            )
                        )
    return len(_bulk(Registration, registrations))


# Entry points used by the command, the benchmarks and the tests.


def scale_flush() -> None:
    """Delete every generated row, last kind first; the demo data and countries stay."""
    with transaction.atomic():
        for step in reversed(SCALE_STEPS):
            if step.flush is not None:
                step.flush()


def scale_generate(
    *, config: ScaleConfig, on_step: Callable[[StepReport], None] | None = None
) -> list[StepReport]:
    """Run every step in one transaction and report rows created and time taken per step."""
    ctx = ScaleContext(config=config)
    reports = []
    with transaction.atomic():
        for step in SCALE_STEPS:
            started = time.perf_counter()
            rows = step.generate(ctx)
            report = StepReport(step.name, rows, time.perf_counter() - started)
            reports.append(report)
            if on_step is not None:
                on_step(report)
    return reports


def scale_row_counts() -> dict[str, int]:
    """Rows per table that the benchmarks care about (all rows, generated or not)."""
    return {
        "countries": Country.objects.count(),
        "cities": City.objects.count(),
        "mission cities": City.objects.filter(is_mission_city=True).count(),
        "users": get_user_model().objects.count(),
        "city memberships": CityMembership.objects.count(),
        "cohorts": Cohort.objects.count(),
        "phases": Phase.objects.count(),
        "thematic groups": ThematicGroup.objects.count(),
        "sessions": Session.objects.count(),
        "presentations": SessionPresentation.objects.count(),
        "presented climate actions": SessionPresentation.climate_actions.through.objects.count(),
        "climate actions": ClimateAction.objects.count(),
        "levers of climate actions": ClimateActionLever.objects.count(),
        "enrolments": Enrolment.objects.count(),
        "accepted enrolments": Enrolment.objects.filter(status=EnrolmentStatus.ACCEPTED).count(),
        "joined thematic groups": EnrolmentGroup.objects.count(),
        "registrations": Registration.objects.count(),
        "attended": Registration.objects.filter(attendance=Attendance.ATTENDED).count(),
        "walk-ins": Registration.objects.filter(is_walk_in=True).count(),
    }


# The feedback survey's step, then the Group Study Visits call's, come last (they answer, apply
# and review for the cities and users above); their modules import this one, so they are
# imported once every name above exists, in that order (the order of their steps). The
# reminder sessions' step comes after them.
from devdata import scale_surveys, scale_visits  # noqa: E402, F401, I001
from devdata import scale_reminders  # noqa: E402, F401
