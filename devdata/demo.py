"""Writes that load reference data and demo data, for `seed_reference` and `seed_demo`.

Both loads are idempotent: every row is looked up by its natural key (slug, ISO code, email,
name and country, programme and number, ...), created when missing, and saved only when a field
differs from the data, so a second run writes nothing. Links (facilitators, city officers,
climate actions of a presentation, thematic interests of a city) are added when missing and never
removed: a programme admin may have added more since.

One exception: technical sessions are facilitated by Tecnalia and CARTIF only. An earlier demo
also linked the thematic group's facilitators (and the demo facilitator, for Energy) to them; a
run on such a database removes those links, and only those: the group facilitators the demo
names (THEMATIC_GROUPS) and the demo facilitator, from cohort 1's technical sessions. Anyone
else a programme admin added stays.

What demo users do in the portal is kept: a roadmap field is written (through the roadmap
service, as an officer would) only while it was never saved, a roadmap is submitted (and
returned) only while it has never changed status, and an enrolment request the demo
facilitator has decided keeps its decision.

Cohort 2 is in progress on the day it is first loaded: its dates are counted from that day (the
anchor) and kept from then on, so a run weeks later moves nothing (see demo_cities' Cohort 2
section). A database loaded when cohort 2 had fixed dates in 2027 is anchored once, on its next
run, as if cohort 2 were new: its phases and sessions move to the new dates.

Cohort 1's feedback surveys (devdata/demo_surveys.py) load after the rest (`demo_surveys_load`,
on a line of their own in seed_demo's output): each survey is copied from its ready template
through feedback.survey_templates the first time and kept as it is after (a facilitator may
have fixed a wording); its responses and answers are looked up by respondent, question and
option like every other row. Cohort 1's needs assessment (devdata/demo_needs.py) is the
exception: its responses are written once, through the answering services as each city's
officer would, and the survey is left as it is once it exists.
"""

import datetime
import zoneinfo
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.db import models, transaction
from django.utils import timezone

from accounts.enums import Role
from cities.enums import ContractStatus
from cities.models import City, CityMembership, ClimateAction, ClimateActionLever, Country
from cohorts.enums import EnrolmentStatus
from cohorts.models import Cohort, Enrolment, EnrolmentGroup, Phase, ThematicGroup
from devdata import demo_cities as demo_data
from devdata import demo_needs, demo_surveys
from devdata.demo_accounts import DEMO_LOGINS, DEMO_PASSWORD
from feedback.answering import (
    response_for,
    response_page_save,
    response_submit,
    survey_structure,
)
from feedback.enums import CHOICE_KINDS, QuestionKind, ResponseStatus, ResponseUnit
from feedback.models import Answer, Option, Question, Response, Section, SubtopicsSent, Survey
from feedback.results import results_scope
from feedback.subtopics import survey_subtopics_send
from feedback.survey_templates import (
    FINAL_RECAP,
    NEEDS_ASSESSMENT,
    POST_SESSION,
    survey_from_template,
)
from portal.fragments import bump
from roadmaps import reference as roadmap_reference
from roadmaps import template
from roadmaps.enums import Desirability
from roadmaps.models import NetZeroCitiesService, Roadmap, RoadmapTransition
from roadmaps.selectors import climate_actions_for_roadmap, roadmap_values
from roadmaps.services import (
    EDITABLE,
    roadmap_field_save,
    roadmap_open,
    roadmap_return,
    roadmap_submit,
)
from sessions.enums import Attendance, SessionKind
from sessions.models import Registration, Session, SessionPresentation
from sessions.selectors import technical_session_after
from taxonomy import reference
from taxonomy.models import EnablingFactor, EnablingTheme, ThematicSector

User = get_user_model()

CREATED = "created"
UPDATED = "updated"
UNCHANGED = "unchanged"
REMOVED = "removed"


@dataclass
class SeedReport:
    """What a load did, counted per model (or link) and outcome."""

    counts: Counter = field(default_factory=Counter)

    def add(self, label: str, outcome: str) -> None:
        self.counts[(label, outcome)] += 1

    def total(self, outcome: str) -> int:
        return sum(n for (_, seen), n in self.counts.items() if seen == outcome)

    def summary(self) -> str:
        removed = self.total(REMOVED)
        return (
            f"{self.total(CREATED)} created, {self.total(UPDATED)} updated, "
            f"{self.total(UNCHANGED)} unchanged" + (f", {removed} removed" if removed else "")
        )

    def lines(self) -> list[str]:
        """One line per model or link, in the order they were first loaded."""
        labels = list(dict.fromkeys(label for label, _ in self.counts))
        return [
            f"  {label}: {self.counts[(label, CREATED)]} created, "
            f"{self.counts[(label, UPDATED)]} updated, {self.counts[(label, UNCHANGED)]} unchanged"
            + (f", {removed} removed" if (removed := self.counts[(label, REMOVED)]) else "")
            for label in labels
        ]


def _upsert(
    model: type[models.Model],
    *,
    report: SeedReport,
    lookup: dict,
    values: dict | None = None,
    on_create: Callable[[models.Model], None] | None = None,
) -> models.Model:
    """Return the row with `lookup`, created or brought in line with `values`.

    Unlike `update_or_create`, an unchanged row is not saved, so a second run writes nothing.
    `on_create` prepares a new row only (e.g. sets a password that a person may change later).
    """
    values = values or {}
    label = model._meta.label
    row = model.objects.filter(**lookup).first()
    if row is None:
        row = model(**lookup, **values)
        if on_create is not None:
            on_create(row)
        row.save()
        report.add(label, CREATED)
        return row
    changed = [name for name, value in values.items() if getattr(row, name) != value]
    if changed:
        for name in changed:
            setattr(row, name, values[name])
        row.save(update_fields=changed)
        report.add(label, UPDATED)
    else:
        report.add(label, UNCHANGED)
    return row


def _link(manager, rows, *, report: SeedReport, label: str) -> None:
    """Add each of `rows` to a many-to-many `manager` unless it is already there."""
    present = set(manager.values_list("pk", flat=True))
    for row in rows:
        if row.pk in present:
            report.add(label, UNCHANGED)
        else:
            manager.add(row)
            present.add(row.pk)
            report.add(label, CREATED)


def _unlink(manager, rows, *, report: SeedReport, label: str) -> None:
    """Remove each of `rows` from a many-to-many `manager` where it is there."""
    present = set(manager.values_list("pk", flat=True))
    for row in rows:
        if row.pk in present:
            manager.remove(row)
            report.add(label, REMOVED)


def _load_taxa(model, entries: list[dict], *, report: SeedReport) -> None:
    for position, entry in enumerate(entries, start=1):
        values = {key: value for key, value in entry.items() if key != "slug"}
        _upsert(
            model,
            report=report,
            lookup={"slug": entry["slug"]},
            values={**values, "position": position},
        )


@transaction.atomic
def reference_data_load() -> SeedReport:
    """Load the thematic sectors, enabling factors, enabling themes, countries and the
    NetZeroCities services of the roadmap's Phase 3."""
    report = SeedReport()
    _load_taxa(ThematicSector, reference.THEMATIC_SECTORS, report=report)
    _load_taxa(EnablingFactor, reference.ENABLING_FACTORS, report=report)
    _load_taxa(EnablingTheme, reference.ENABLING_THEMES, report=report)
    for iso_code, name in reference.COUNTRIES:
        _upsert(Country, report=report, lookup={"iso_code": iso_code}, values={"name": name})
    # Positions start at 1 like the taxonomies'. The link and "offered" flag are the admins'
    # to keep, so a reload leaves them alone.
    for position, entry in enumerate(roadmap_reference.NETZEROCITIES_SERVICES, start=1):
        _upsert(
            NetZeroCitiesService,
            report=report,
            lookup={"name": entry["name"]},
            values={"description": entry["description"], "position": position},
        )
    return report


def _user_load(
    *, email: str, values: dict, report: SeedReport, password: str | None
) -> models.Model:
    """Create or align a user with a verified primary email address.

    The password is set only when the user is created (unusable without `password`), so a
    second run never changes a password someone has since changed.
    """

    def set_password(user):
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()

    user = _upsert(
        User, report=report, lookup={"email": email}, values=values, on_create=set_password
    )
    # Sign-in requires a verified address (ACCOUNT_EMAIL_VERIFICATION = "mandatory").
    _upsert(
        EmailAddress,
        report=report,
        lookup={"user": user, "email": email},
        values={"verified": True, "primary": True},
    )
    return user


def _facilitator_load(email: str, full_name: str, organisation: str, *, report: SeedReport):
    return _user_load(
        email=email,
        values={
            "full_name": full_name,
            "organisation": organisation,
            "is_facilitator": True,
        },
        report=report,
        password=None,
    )


def _aware(date: datetime.date, time: datetime.time) -> datetime.datetime:
    return datetime.datetime.combine(
        date, time, tzinfo=zoneinfo.ZoneInfo(demo_data.SESSION_TIMEZONE)
    )


def _cities_load(*, report: SeedReport) -> dict[tuple[str, str], City]:
    """Load the Mission Cities and the Annex 1 cities; a city in both gets both flags."""
    countries = {country.iso_code: country for country in Country.objects.all()}
    flags: dict[tuple[str, str], dict] = {}
    for key in demo_data.ANNEX_1_CITIES:
        flags.setdefault(key, {})["is_mission_minded"] = True
    for key in demo_data.MISSION_CITIES:
        flags.setdefault(key, {}).update(
            is_mission_city=True, contract_status=ContractStatus.MISSION_LABEL
        )
    # Populations are filled only where a city has none: one its officers have written since
    # (cities.services.city_profile_update) is theirs, and a second run writes nothing.
    without_population = set(
        City.objects.filter(population=None).values_list("name", "country__iso_code")
    )
    cities = {}
    for key, values in flags.items():
        name, iso_code = key
        population = demo_data.POPULATIONS.get(key)
        if population is not None and key in without_population:
            values = {**values, "population": population}
        cities[key] = _upsert(
            City,
            report=report,
            lookup={"name": name, "country": countries[iso_code]},
            values=values,
            on_create=lambda city, population=population: setattr(city, "population", population),
        )
    return cities


def _session_load(
    entry: dict,
    *,
    cohort: Cohort,
    phase: Phase,
    kind: str,
    group: ThematicGroup | None,
    report: SeedReport,
) -> Session:
    starts_at = _aware(entry["date"], entry["time"])
    return _upsert(
        Session,
        report=report,
        lookup={"cohort": cohort, "kind": kind, "title": entry["title"]},
        values={
            "phase": phase,
            "thematic_group": group,
            "starts_at": starts_at,
            "ends_at": starts_at + demo_data.SESSION_DURATION,
            "summary": entry["summary"],
            "reported_participants": entry.get("participants"),
        },
    )


def _cohort_load(
    cohort_data: dict, phases_data: list, *, report: SeedReport
) -> tuple[Cohort, dict[str, Phase]]:
    """Load a cohort and its phases (kind, name, starts_on, ends_on), in order."""
    cohort = _upsert(
        Cohort,
        report=report,
        lookup={"programme": cohort_data["programme"], "number": cohort_data["number"]},
        values={key: cohort_data[key] for key in ("name", "starts_on", "ends_on")},
    )
    phases = {}
    for position, (kind, name, starts_on, ends_on) in enumerate(phases_data, start=1):
        phases[kind] = _upsert(
            Phase,
            report=report,
            lookup={"cohort": cohort, "kind": kind},
            values={
                "name": name,
                "position": position,
                "starts_on": starts_on,
                "ends_on": ends_on,
            },
        )
    return cohort, phases


def _groups_facilitators_link(
    groups: dict[str, ThematicGroup], group_facilitators: dict[str, list], *, report: SeedReport
) -> None:
    for slug, group in groups.items():
        _link(
            group.facilitators,
            group_facilitators[slug],
            report=report,
            label="cohorts.ThematicGroup.facilitators",
        )


# A presentation of the demo by the sector of its session and the presenting city's key.
Presentations = dict[tuple[str, tuple[str, str]], SessionPresentation]


def _thematic_sessions_load(
    entries: list[dict],
    *,
    cohort: Cohort,
    phase: Phase,
    groups: dict[str, ThematicGroup],
    group_facilitators: dict[str, list],
    cities: dict,
    report: SeedReport,
) -> Presentations:
    """Load thematic sessions with their facilitators and presenting Mission Cities."""
    presentations = {}
    for entry in entries:
        slug = entry["sector"]
        session = _session_load(
            entry,
            cohort=cohort,
            phase=phase,
            kind=SessionKind.THEMATIC_DISCUSSION,
            group=groups[slug],
            report=report,
        )
        _link(
            session.facilitators,
            group_facilitators[slug],
            report=report,
            label="peer_sessions.Session.facilitators",
        )
        for position, (name, iso_code, topics) in enumerate(entry["presentations"], start=1):
            presentations[(slug, (name, iso_code))] = _upsert(
                SessionPresentation,
                report=report,
                lookup={"session": session, "city": cities[(name, iso_code)]},
                values={"topics": topics, "position": position},
            )
    return presentations


@transaction.atomic
def demo_data_load() -> SeedReport:
    """Load Online Discussion Groups cohort 1 of 000 with its climate actions, enrolments and a
    draft roadmap, an illustrative cohort 2 in progress around the day it is first loaded, and
    the demo logins.

    Needs the reference data (`reference_data_load`) to be loaded first.
    """
    report = SeedReport()
    cities = _cities_load(report=report)
    cohort, phases = _cohort_load(demo_data.COHORT, demo_data.PHASES, report=report)

    sectors = {sector.slug: sector for sector in ThematicSector.objects.all()}
    groups: dict[str, ThematicGroup] = {}
    group_facilitators: dict[str, list] = {}
    for entry in demo_data.THEMATIC_GROUPS:
        slug = entry["sector"]
        groups[slug] = _upsert(
            ThematicGroup, report=report, lookup={"cohort": cohort, "sector": sectors[slug]}
        )
        group_facilitators[slug] = [
            _facilitator_load(*facilitator, report=report) for facilitator in entry["facilitators"]
        ]
    technical_facilitators = [
        _facilitator_load(*entry, report=report) for entry in demo_data.TECHNICAL_FACILITATORS
    ]

    demo_users = _demo_logins_load(report=report, cities=cities)
    lead = demo_users[Role.FACILITATOR]
    _link(cohort.facilitators, [lead], report=report, label="cohorts.Cohort.facilitators")
    group_facilitators[demo_data.DEMO_FACILITATOR_SECTOR].append(lead)
    _groups_facilitators_link(groups, group_facilitators, report=report)

    for entry in demo_data.ONBOARDING_SESSIONS:
        session = _session_load(
            entry,
            cohort=cohort,
            phase=phases["onboarding"],
            kind=SessionKind.ONBOARDING,
            group=None,
            report=report,
        )
        _link(
            session.facilitators, [lead], report=report, label="peer_sessions.Session.facilitators"
        )

    presentations = _thematic_sessions_load(
        demo_data.THEMATIC_SESSIONS,
        cohort=cohort,
        phase=phases["thematic"],
        groups=groups,
        group_facilitators=group_facilitators,
        cities=cities,
        report=report,
    )

    group_people = {person for people in group_facilitators.values() for person in people}
    for entry in demo_data.TECHNICAL_SESSIONS:
        session = _session_load(
            entry,
            cohort=cohort,
            phase=phases["technical"],
            kind=SessionKind.TECHNICAL_SUPPORT,
            group=groups[entry["sector"]],
            report=report,
        )
        _unlink(
            session.facilitators,
            group_people,
            report=report,
            label="peer_sessions.Session.facilitators",
        )
        _link(
            session.facilitators,
            technical_facilitators,
            report=report,
            label="peer_sessions.Session.facilitators",
        )

    recap = _session_load(
        demo_data.RECAP_SESSION,
        cohort=cohort,
        phase=phases["study_visit"],
        kind=SessionKind.RECAP,
        group=None,
        report=report,
    )
    _link(recap.facilitators, [lead], report=report, label="peer_sessions.Session.facilitators")

    actions = _climate_actions_load(cities=cities, report=report)
    _presentations_link(presentations, actions, report=report)
    officer_city = cities[demo_data.DEMO_OFFICER_CITY]
    _cohort_1_enrolments_load(cohort=cohort, groups=groups, cities=cities, lead=lead, report=report)
    _roadmap_draft_load(
        roadmap=Roadmap.objects.get(cohort=cohort, city=officer_city),
        values={
            **demo_data.BRAGA_ROADMAP,
            "phase2_1.climate_action": str(actions[demo_data.BRAGA_ROADMAP_ACTION].pk),
        },
        user=demo_users[Role.CITY_OFFICER],
        report=report,
    )
    _cohort_2_load(
        cities=cities,
        sectors=sectors,
        group_facilitators=group_facilitators,
        technical_facilitators=technical_facilitators,
        demo_users=demo_users,
        actions=actions,
        report=report,
    )
    _thematic_interests_link(cities=cities, sectors=sectors, report=report)
    return report


def _thematic_interests_link(*, cities: dict, sectors: dict, report: SeedReport) -> None:
    """Give the enrolled cities and the presenting Mission Cities their thematic interests, so
    the directory's thematic interest filter finds them."""
    for key, slugs in demo_data.thematic_interests().items():
        _link(
            cities[key].thematic_interests,
            [sectors[slug] for slug in slugs],
            report=report,
            label="cities.City.thematic_interests",
        )


# A climate action of the demo by its city's key and its title.
Actions = dict[tuple[tuple[str, str], str], ClimateAction]


def _climate_actions_load(*, cities: dict, report: SeedReport) -> Actions:
    """Load the climate actions of 000 Tables 2 and 4 with their levers of change."""
    sectors = {sector.slug: sector for sector in ThematicSector.objects.all()}
    factors = {factor.slug: factor for factor in EnablingFactor.objects.all()}
    actions = {}
    for entry in demo_data.CLIMATE_ACTIONS:
        action = _upsert(
            ClimateAction,
            report=report,
            lookup={"city": cities[entry["city"]], "title": entry["title"]},
            values={
                "sector": sectors[entry["sector"]],
                "implementation_stage": entry["stage"],
                "context": entry["context"],
                "description": entry["description"],
                "lessons_learned": entry["lessons_learned"],
                "recommendations": entry["recommendations"],
            },
        )
        for slug, drivers, barriers in entry["levers"]:
            _upsert(
                ClimateActionLever,
                report=report,
                lookup={"action": action, "factor": factors[slug]},
                values={"key_drivers": drivers, "key_barriers": barriers},
            )
        actions[(entry["city"], entry["title"])] = action
    return actions


def _presentations_link(
    presentations: Presentations, actions: Actions, *, report: SeedReport
) -> None:
    """Attach each climate action to its city's presentation in the session of its sector."""
    for entry in demo_data.CLIMATE_ACTIONS:
        action = actions[(entry["city"], entry["title"])]
        _link(
            presentations[(entry["sector"], entry["city"])].climate_actions,
            [action],
            report=report,
            label="peer_sessions.SessionPresentation.climate_actions",
        )


def _enrolment_load(
    *,
    cohort: Cohort,
    city: City,
    groups: list[tuple[ThematicGroup, str]],
    report: SeedReport,
    values: dict | None = None,
    on_create: Callable[[models.Model], None] | None = None,
) -> Enrolment:
    """Load a city's enrolment with the groups it joined and its needs for each."""
    enrolment = _upsert(
        Enrolment,
        report=report,
        lookup={"cohort": cohort, "city": city},
        values=values,
        on_create=on_create,
    )
    for group, needs in groups:
        _upsert(
            EnrolmentGroup,
            report=report,
            lookup={"enrolment": enrolment, "thematic_group": group},
            values={"needs": needs},
        )
    return enrolment


def _roadmap_open(*, cohort: Cohort, city: City, report: SeedReport) -> Roadmap:
    """Open the city's roadmap through the service (as accepting an enrolment does)."""
    opened = Roadmap.objects.filter(cohort=cohort, city=city).exists()
    roadmap = roadmap_open(cohort=cohort, city=city)
    report.add(Roadmap._meta.label, UNCHANGED if opened else CREATED)
    return roadmap


def _cohort_1_enrolments_load(
    *, cohort: Cohort, groups: dict[str, ThematicGroup], cities: dict, lead, report: SeedReport
) -> None:
    """Enrol the officer's city and the demo's selection of Annex 1 cities in cohort 1, as the
    lead facilitator, and open their roadmaps."""
    enrolled_at = _aware(*demo_data.COHORT_1_ENROLLED_ON)
    accepted = {
        "status": EnrolmentStatus.ACCEPTED,
        "requested_by": None,
        "decided_by": lead,
        "decided_at": enrolled_at,
        "created_at": enrolled_at,
    }
    enrolments = [
        (
            demo_data.DEMO_OFFICER_CITY,
            [(groups[slug], needs) for slug, needs in demo_data.DEMO_CITY_GROUPS.items()],
        )
    ]
    enrolments += [
        (key, [(groups[slug], "") for slug in demo_data.cohort_1_groups_of(index)])
        for index, key in enumerate(demo_data.cohort_1_enrolled_cities())
    ]
    for key, joined in enrolments:
        _enrolment_load(
            cohort=cohort, city=cities[key], groups=joined, values=accepted, report=report
        )
        _roadmap_open(cohort=cohort, city=cities[key], report=report)


def _roadmap_draft_load(
    *, roadmap: Roadmap, values: dict[str, str], user, report: SeedReport
) -> None:
    """Write each field of `values` through the roadmap service as `user`, unless the field
    was ever saved (a demo user may have changed or emptied it since) or the roadmap can no
    longer be changed (it was submitted)."""
    label = "roadmaps.RoadmapValue"
    saved = roadmap_values(roadmap=roadmap)
    for key, value in values.items():
        if key in saved or roadmap.status not in EDITABLE:
            report.add(label, UNCHANGED)
            continue
        roadmap_field_save(roadmap=roadmap, key=key, value=value, base_version=0, acting_user=user)
        report.add(label, CREATED)


def _cohort_2_anchor(*, today: datetime.date) -> datetime.date:
    """The day cohort 2's dates count from: the day it was first loaded, read back from its
    start, or `today` for a new cohort 2 (or one with the fixed dates of an earlier demo)."""
    cohort = Cohort.objects.filter(
        programme=demo_data.COHORT_2["programme"], number=demo_data.COHORT_2["number"]
    ).first()
    if cohort is None or (cohort.starts_on, cohort.ends_on) == demo_data.COHORT_2_FIXED_DATES:
        return today
    first_day = demo_data.COHORT_2_PHASES[0][2]
    return cohort.starts_on - datetime.timedelta(days=first_day)


def _weekday_from(anchor: datetime.date, days: int) -> datetime.date:
    """The day `days` after `anchor`, moved to the Monday after when it falls on a weekend."""
    day = anchor + datetime.timedelta(days=days)
    if day.weekday() >= 5:
        day += datetime.timedelta(days=7 - day.weekday())
    return day


def _cohort_2_session(entry: dict, *, anchor: datetime.date, days: int) -> dict:
    """A session entry of cohort 2: `entry`'s title on its day, no summary or headcount (the
    facilitator writes the takeaways; attendance comes from registrations)."""
    return {
        "title": entry["title"],
        "date": _weekday_from(anchor, days),
        "time": demo_data.MORNING,
        "summary": "",
        "participants": None,
    }


def _cohort_2_load(
    *,
    cities: dict,
    sectors: dict,
    group_facilitators: dict[str, list],
    technical_facilitators: list,
    demo_users: dict,
    actions: Actions,
    report: SeedReport,
) -> None:
    """Load the illustrative cohort 2, in progress (demo_cities' Cohort 2 section): its phases,
    groups and sessions around its anchor day, the same Mission Cities presenting in its
    thematic sessions, the officer's city and two others enrolled (one roadmap submitted, one
    returned), attendance of its past sessions, and requests to decide."""
    lead = demo_users[Role.FACILITATOR]
    anchor = _cohort_2_anchor(today=timezone.localdate())

    def day(days: int) -> datetime.date:
        return anchor + datetime.timedelta(days=days)

    phases_data = [
        (kind, name, day(first), day(last)) for kind, name, first, last in demo_data.COHORT_2_PHASES
    ]
    cohort_data = {
        **demo_data.COHORT_2,
        "starts_on": phases_data[0][2],
        "ends_on": phases_data[-1][3],
    }
    cohort, phases = _cohort_load(cohort_data, phases_data, report=report)
    _link(cohort.facilitators, [lead], report=report, label="cohorts.Cohort.facilitators")
    groups = {
        entry["sector"]: _upsert(
            ThematicGroup,
            report=report,
            lookup={"cohort": cohort, "sector": sectors[entry["sector"]]},
        )
        for entry in demo_data.THEMATIC_GROUPS
    }
    _groups_facilitators_link(groups, group_facilitators, report=report)
    sessions = _cohort_2_sessions_load(
        cohort=cohort,
        phases=phases,
        groups=groups,
        group_facilitators=group_facilitators,
        technical_facilitators=technical_facilitators,
        lead=lead,
        anchor=anchor,
        cities=cities,
        actions=actions,
        report=report,
    )

    enrolled_at = _aware(day(demo_data.COHORT_2_PHASES[0][2]), datetime.time(9, 0))
    accepted = {
        "status": EnrolmentStatus.ACCEPTED,
        "decided_by": lead,
        "decided_at": enrolled_at,
        "created_at": enrolled_at,
    }
    officer_city = cities[demo_data.DEMO_OFFICER_CITY]
    _enrolment_load(
        cohort=cohort,
        city=officer_city,
        groups=[(groups[slug], needs) for slug, needs in demo_data.DEMO_CITY_GROUPS.items()],
        values={**accepted, "requested_by": None},
        report=report,
    )
    _roadmap_open(cohort=cohort, city=officer_city, report=report)
    attendees = [(officer_city, demo_users[Role.CITY_OFFICER])]

    for entry in demo_data.COHORT_2_ENROLLED:
        city = cities[entry["city"]]
        officer = _city_officer_load(entry["officer"], city=city, report=report)
        _enrolment_load(
            cohort=cohort,
            city=city,
            groups=[(groups[slug], needs) for slug, needs in entry["groups"].items()],
            values={**accepted, "requested_by": officer},
            report=report,
        )
        roadmap = _roadmap_open(cohort=cohort, city=city, report=report)
        _roadmap_draft_load(
            roadmap=roadmap,
            values=_roadmap_complete_values(roadmap=roadmap, officer=officer),
            user=officer,
            report=report,
        )
        _roadmap_review_load(
            roadmap=roadmap, outcome=entry["roadmap"], officer=officer, lead=lead, report=report
        )
        attendees.append((city, officer))

    _attendance_load(sessions, anchor=anchor, attendees=attendees, report=report)

    for entry in demo_data.COHORT_2_REQUESTS:
        city = cities[entry["city"]]
        officer = _city_officer_load(entry["officer"], city=city, report=report)

        def requested(enrolment, officer=officer):
            # Only on creation: once the demo facilitator accepts or declines the request, a
            # reload keeps the decision.
            enrolment.status = EnrolmentStatus.REQUESTED
            enrolment.requested_by = officer

        _enrolment_load(
            cohort=cohort,
            city=city,
            groups=[(groups[slug], needs) for slug, needs in entry["groups"].items()],
            on_create=requested,
            report=report,
        )


def _city_officer_load(officer: tuple[str, str, str], *, city: City, report: SeedReport):
    """An officer of `city` (a login without a password: it names who acted for the city)."""
    email, full_name, organisation = officer
    user = _user_load(
        email=email,
        values={"full_name": full_name, "organisation": organisation},
        report=report,
        password=None,
    )
    _upsert(CityMembership, report=report, lookup={"city": city, "user": user})
    return user


def _cohort_2_sessions_load(
    *,
    cohort: Cohort,
    phases: dict[str, Phase],
    groups: dict[str, ThematicGroup],
    group_facilitators: dict[str, list],
    technical_facilitators: list,
    lead,
    anchor: datetime.date,
    cities: dict,
    actions: Actions,
    report: SeedReport,
) -> list[Session]:
    """Load cohort 2's sessions around its anchor day; return them in date order."""
    label = "peer_sessions.Session.facilitators"
    sessions = []
    for entry, days in zip(
        demo_data.ONBOARDING_SESSIONS, demo_data.COHORT_2_ONBOARDING_DAYS, strict=True
    ):
        session = _session_load(
            _cohort_2_session(entry, anchor=anchor, days=days),
            cohort=cohort,
            phase=phases["onboarding"],
            kind=SessionKind.ONBOARDING,
            group=None,
            report=report,
        )
        _link(session.facilitators, [lead], report=report, label=label)
        sessions.append(session)

    entries = [
        {
            **entry,
            **_cohort_2_session(
                entry, anchor=anchor, days=demo_data.COHORT_2_THEMATIC_DAYS[entry["sector"]]
            ),
        }
        for entry in demo_data.THEMATIC_SESSIONS
    ]
    presentations = _thematic_sessions_load(
        entries,
        cohort=cohort,
        phase=phases["thematic"],
        groups=groups,
        group_facilitators=group_facilitators,
        cities=cities,
        report=report,
    )
    _presentations_link(presentations, actions, report=report)
    sessions += Session.objects.filter(
        cohort=cohort, kind=SessionKind.THEMATIC_DISCUSSION
    ).order_by("starts_at")

    for entry in demo_data.TECHNICAL_SESSIONS:
        session = _session_load(
            _cohort_2_session(
                entry, anchor=anchor, days=demo_data.COHORT_2_TECHNICAL_DAYS[entry["sector"]]
            ),
            cohort=cohort,
            phase=phases["technical"],
            kind=SessionKind.TECHNICAL_SUPPORT,
            group=groups[entry["sector"]],
            report=report,
        )
        _link(session.facilitators, technical_facilitators, report=report, label=label)
        sessions.append(session)

    recap = _session_load(
        _cohort_2_session(
            demo_data.RECAP_SESSION, anchor=anchor, days=demo_data.COHORT_2_RECAP_DAY
        ),
        cohort=cohort,
        phase=phases["study_visit"],
        kind=SessionKind.RECAP,
        group=None,
        report=report,
    )
    _link(recap.facilitators, [lead], report=report, label=label)
    sessions.append(recap)
    return sorted(sessions, key=lambda session: session.starts_at)


def _attendance_load(
    sessions: list[Session], *, anchor: datetime.date, attendees: list, report: SeedReport
) -> None:
    """Register each (city, officer) of `attendees` for the sessions of `sessions` held before
    the `anchor` day, as attended, except at the last of them, whose attendance is left for the
    facilitator to record.

    Before the anchor, not before today: a session that has ended since the first run gets
    nothing on a later run (its attendance is the demo users' to record)."""
    past = [session for session in sessions if session.starts_at < _aware(anchor, datetime.time())]
    for index, session in enumerate(past):
        recorded = index < len(past) - 1
        for city, officer in attendees:
            _upsert(
                Registration,
                report=report,
                lookup={"session": session, "email": officer.email},
                on_create=lambda registration, city=city, officer=officer, recorded=recorded: (
                    _registration_prepare(registration, city, officer, recorded=recorded)
                ),
            )


def _registration_prepare(registration, city, officer, *, recorded: bool) -> None:
    # Only on creation: the facilitator may record attendance or the city unregister since.
    registration.city = city
    registration.full_name = officer.full_name
    registration.registered_by = officer
    registration.attendance = Attendance.ATTENDED if recorded else Attendance.UNKNOWN


def _roadmap_complete_values(*, roadmap: Roadmap, officer) -> dict[str, str]:
    """A valid value for every required field of the template, chosen by the field's kind (the
    template's fields change; their kinds rarely do): the first climate action presented in
    the cohort, rising scores, the first two services offered, text naming the city."""
    city = roadmap.city.name
    action = climate_actions_for_roadmap(roadmap=roadmap).order_by("pk").first()
    services = NetZeroCitiesService.objects.filter(is_active=True).order_by("position", "pk")[:2]
    by_kind = {
        template.TEXT: lambda field: f"{city}: {field.label}",
        template.EMAIL: lambda field: officer.email,
        template.LONG_TEXT: lambda field: (
            f'{city}\'s answer to "{field.label}", written for the demo.'
        ),
        template.LIMITED_TEXT: lambda field: f"{city}'s reasoning, written for the demo.",
        template.DESIRABILITY: lambda field: Desirability.HIGH,
        template.CLIMATE_ACTION: lambda field: str(action.pk),
        template.SERVICES: lambda field: ",".join(str(service.pk) for service in services),
    }
    values = {}
    for index, spec in enumerate(item for item in template.FIELDS if item.required):
        if spec.kind == template.SCORE:
            values[spec.key] = str(2 + index % 4)
        elif spec.kind in by_kind:
            values[spec.key] = str(by_kind[spec.kind](spec))
        else:
            raise ValueError(f"The demo has no value for a field of kind {spec.kind!r}.")
    return values


def _roadmap_review_load(*, roadmap: Roadmap, outcome: str, officer, lead, report) -> None:
    """Submit the roadmap as `officer`, then return it as `lead` with the demo's note when
    `outcome` is "returned"; only while the roadmap has never changed status (a demo user may
    have reviewed or resubmitted it since)."""
    label = RoadmapTransition._meta.label
    if roadmap.transitions.exists():
        for _step in ("submitted", "returned")[: 2 if outcome == "returned" else 1]:
            report.add(label, UNCHANGED)
        return
    roadmap_submit(roadmap=roadmap, acting_user=officer)
    report.add(label, CREATED)
    if outcome == "returned":
        roadmap_return(roadmap=roadmap, acting_user=lead, note=demo_data.COHORT_2_RETURN_NOTE)
        report.add(label, CREATED)


def _demo_logins_load(*, report: SeedReport, cities: dict) -> dict[str, models.Model]:
    """Create the demo logins of devdata/demo_accounts.py, one role each; return them by role."""
    role_flags = {
        Role.CITY_OFFICER: {},
        Role.FACILITATOR: {"is_facilitator": True},
        Role.REVIEWER: {"is_reviewer": True},
        Role.PROGRAMME_ADMIN: {"is_programme_admin": True},
    }
    users = {}
    for email, role in DEMO_LOGINS:
        values = {
            **demo_data.DEMO_USERS[email],
            "is_facilitator": False,
            "is_reviewer": False,
            "is_programme_admin": False,
            **role_flags[role],
        }
        users[role] = _user_load(email=email, values=values, report=report, password=DEMO_PASSWORD)
    _upsert(
        CityMembership,
        report=report,
        lookup={"city": cities[demo_data.DEMO_OFFICER_CITY], "user": users[Role.CITY_OFFICER]},
    )
    return users


# --- Cohort 1's feedback surveys (devdata/demo_surveys.py) ---------------------------------


def _survey_load(
    *,
    template_key: str,
    session: Session,
    title: str,
    opens_at,
    closes_at,
    lead,
    report: SeedReport,
) -> Survey:
    """The closed, published, named survey (one response per city) of `template_key` about
    `session`, copied from the template by the lead facilitator (feedback.survey_templates)
    the first time; found again by its session and template after. Its sections, questions and
    options are counted as unchanged then: the facilitator may have fixed a wording since."""
    survey = Survey.objects.filter(session=session, template_key=template_key).first()
    if survey is None:
        survey = survey_from_template(
            template_key=template_key,
            target=session,
            opens_at=opens_at,
            closes_at=closes_at,
            is_anonymous=False,
            response_unit=ResponseUnit.CITY,
            title=title,
            acting_user=lead,
        )
        Survey.objects.filter(pk=survey.pk).update(is_published=True)
        survey.is_published = True
        outcome = CREATED
    else:
        outcome = UNCHANGED
    report.add(Survey._meta.label, outcome)
    for model, lookup in (
        (Section, {"survey": survey}),
        (Question, {"section__survey": survey}),
        (Option, {"question__section__survey": survey}),
    ):
        for _row in range(model.objects.filter(**lookup).count()):
            report.add(model._meta.label, outcome)
    return survey


def _survey_questions(survey: Survey) -> dict[tuple[int, int], tuple[Question, dict]]:
    """The survey's questions by (section position, question position), each with its options
    by position."""
    questions = {
        (question.section.position, question.position): (question, {})
        for question in Question.objects.filter(section__survey=survey).select_related("section")
    }
    by_pk = {question.pk: options for question, options in questions.values()}
    for option in Option.objects.filter(question__section__survey=survey):
        by_pk[option.question_id][option.position] = option
    return questions


def _response_load(*, survey: Survey, city: City, user, submitted_at, report: SeedReport):
    return _upsert(
        Response,
        report=report,
        lookup={"survey": survey, "respondent": f"city:{city.pk}"},
        values={
            "user": user,
            "city": city,
            "status": ResponseStatus.SUBMITTED,
            "page": survey.sections.count(),
            "created_at": submitted_at,
            "updated_at": submitted_at,
            "submitted_at": submitted_at,
        },
    )


def _choice_load(response, entry, position: int, *, report: SeedReport) -> None:
    """The answer row of option `position` of `entry` (a question and its options), unless a
    facilitator has removed the option since."""
    question, options = entry
    if position in options:
        _upsert(
            Answer,
            report=report,
            lookup={"response": response, "question": question, "option": options[position]},
        )


def _text_load(response, entry, text: str, *, report: SeedReport) -> None:
    if text:
        question, _options = entry
        _upsert(
            Answer,
            report=report,
            lookup={"response": response, "question": question, "option": None},
            values={"text": text},
        )


def _survey_officer_emails() -> set[str]:
    """The officers whose names the cohort 1 surveys give (demo_surveys' docstring): the demo
    officer, the needs assessment's and cohort 2's. The officers the Group Study Visits demo
    adds for other applicant cities (devdata/visits_load.py) wrote no survey answer."""
    return {
        next(email for email, role in DEMO_LOGINS if role == Role.CITY_OFFICER),
        *(email for email, _name, _organisation in demo_needs.NEEDS_OFFICERS.values()),
        *(entry["officer"][0] for entry in demo_data.COHORT_2_ENROLLED),
    }


def _cohort_1_officers(cities: dict, emails: set[str] | None = None) -> dict[int, models.Model]:
    """The officer login of each city that has one in the demo, by city id (the first one);
    only among `emails` when given."""
    officers = {}
    memberships = CityMembership.objects.filter(city__in=list(cities.values()))
    if emails is not None:
        memberships = memberships.filter(user__email__in=emails)
    for membership in memberships.select_related("user").order_by("pk"):
        officers.setdefault(membership.city_id, membership.user)
    return officers


@transaction.atomic
def demo_surveys_load() -> SeedReport:
    """Load cohort 1's feedback surveys (devdata/demo_surveys.py). Needs the demo data
    (`demo_data_load`) first; reported apart from it, on a line of its own."""
    report = SeedReport()
    cohort = Cohort.objects.get(
        programme=demo_data.COHORT["programme"], number=demo_data.COHORT["number"]
    )
    recap = Session.objects.get(
        cohort=cohort, kind=SessionKind.RECAP, title=demo_data.RECAP_SESSION["title"]
    )
    cities = {
        (city.name, city.country.iso_code): city for city in City.objects.select_related("country")
    }
    lead_email = next(email for email, role in DEMO_LOGINS if role == Role.FACILITATOR)
    lead = User.objects.get(email=lead_email)
    # The officers who answer the needs assessment come first: the recap and post-session
    # responses of their cities name them too, from the first run on.
    for key, officer in demo_needs.NEEDS_OFFICERS.items():
        _city_officer_load(officer, city=cities[key], report=report)
    _cohort_1_surveys_load(cohort=cohort, recap=recap, cities=cities, lead=lead, report=report)
    _needs_assessment_load(cohort=cohort, cities=cities, lead=lead, report=report)
    _cohort_2_needs_assessment_load(lead=lead, report=report)
    return report


def _cohort_1_surveys_load(*, cohort: Cohort, recap: Session, cities: dict, lead, report) -> None:
    """Cohort 1's final recap survey with the 18 responses of 000 §4.1, and the post-session
    surveys of its thematic sessions; each thematic session's requested sub-topics are the
    one its survey's respondents all chose (written only while the field is empty: a
    facilitator may have typed others since)."""
    officers = _cohort_1_officers(cities, _survey_officer_emails())
    survey = _survey_load(
        template_key=FINAL_RECAP,
        session=recap,
        title=f"Final recap survey: {cohort.name}",
        opens_at=recap.starts_at,
        closes_at=recap.ends_at,
        lead=lead,
        report=report,
    )
    questions = _survey_questions(survey)
    for index, (key, answers) in enumerate(
        zip(demo_surveys.RECAP_CITIES, demo_surveys.RECAP_ANSWERS, strict=True)
    ):
        city = cities[key]
        response = _response_load(
            survey=survey,
            city=city,
            user=officers.get(city.pk),
            submitted_at=recap.starts_at
            + demo_surveys.RECAP_FIRST_ANSWER_AFTER
            + index * demo_surveys.RECAP_ANSWER_INTERVAL,
            report=report,
        )
        _text_load(response, questions[(1, 1)], answers["gained"], report=report)
        _choice_load(response, questions[(2, 1)], answers["thematic_format"], report=report)
        _choice_load(response, questions[(3, 1)], answers["technical_format"], report=report)
        _text_load(response, questions[(4, 1)], answers["support_service"], report=report)

    enrolled = [demo_data.DEMO_OFFICER_CITY, *demo_data.cohort_1_enrolled_cities()]
    sessions = (
        Session.objects.filter(cohort=cohort, kind=SessionKind.THEMATIC_DISCUSSION)
        .select_related("thematic_group__sector")
        .order_by("starts_at")
    )
    for session in sessions:
        group_city_ids = set(
            EnrolmentGroup.objects.filter(
                enrolment__cohort=cohort, thematic_group=session.thematic_group
            ).values_list("enrolment__city_id", flat=True)
        )
        respondents = [cities[key] for key in enrolled if cities[key].pk in group_city_ids]
        survey = _survey_load(
            template_key=POST_SESSION,
            session=session,
            title=f"Post-session survey: {session.title}",
            opens_at=session.ends_at,
            closes_at=session.ends_at + demo_surveys.POST_SESSION_OPEN_FOR,
            lead=lead,
            report=report,
        )
        questions = _survey_questions(survey)
        subtopics = questions[(1, 1)]
        for index, city in enumerate(respondents[: demo_surveys.POST_SESSION_RESPONDENTS]):
            response = _response_load(
                survey=survey,
                city=city,
                user=officers.get(city.pk),
                submitted_at=session.ends_at
                + (index + 1) * demo_surveys.POST_SESSION_ANSWER_INTERVAL,
                report=report,
            )
            for position in demo_surveys.post_session_choices(index, len(subtopics[1])):
                _choice_load(response, subtopics, position, report=report)
        # The technical session that follows takes up what the cities chose, sent by the
        # cohort's lead as on the survey's results page (feedback.subtopics); once sent, or
        # when the technical session holds sub-topics a facilitator typed, left as it is.
        label = "feedback.SubtopicsSent"
        technical = technical_session_after(session)
        if (
            technical is None
            or technical.requested_subtopics
            or SubtopicsSent.objects.filter(survey=survey).exists()
        ):
            report.add(label, UNCHANGED)
        else:
            survey_subtopics_send(survey=survey, acting_user=lead)
            report.add(label, CREATED)


# --- Cohort 1's needs assessment (devdata/demo_needs.py) -------------------------------------


def _brussels(day_and_time) -> datetime.datetime:
    day, time = day_and_time
    return datetime.datetime.combine(
        day, time, tzinfo=zoneinfo.ZoneInfo(demo_data.SESSION_TIMEZONE)
    )


def _needs_page_data(questions, answers: dict) -> dict:
    """The answers of one page as the answering form sends them (feedback.answering)."""
    data = {}
    for question in questions:
        value = answers.get(question.template_key)
        if value is None:
            continue
        if question.kind in CHOICE_KINDS:
            ids = {option.label: option.pk for option in question.option_list}
            chosen = [ids[label] for label in value]
            data[question.pk] = (
                {"options": chosen}
                if question.kind == QuestionKind.MULTIPLE_CHOICE
                else {"option": chosen[0]}
            )
        else:
            data[question.pk] = {"text": value}
    return data


def _needs_assessment_load(*, cohort: Cohort, cities: dict, lead, report: SeedReport) -> None:
    """Cohort 1's needs assessment (devdata/demo_needs.py): copied from its ready template by
    the lead facilitator, then answered and submitted page by page by the officer of each
    responding city through the answering services (feedback.answering), as on the answering
    pages: the same checks, the same prefill of a city's draft from its profile and the same
    filling of its empty facts on submission (feedback.needs_prefill).

    The services take answers only while a survey is open and stamp them with the present: the
    survey is open while the demo answers, then its closing date and the responses' dates are
    set back to when the cities answered in September 2024. Once the survey exists it is left
    as it is, with its responses (a facilitator or an officer may have changed them since):
    a second run writes nothing."""
    survey = Survey.objects.filter(cohort=cohort, template_key=NEEDS_ASSESSMENT).first()
    outcome = UNCHANGED
    if survey is None:
        survey = _needs_survey_answer(cohort=cohort, cities=cities, lead=lead)
        outcome = CREATED
    for model, lookup in (
        (Survey, {"pk": survey.pk}),
        (Section, {"survey": survey}),
        (Question, {"section__survey": survey}),
        (Option, {"question__section__survey": survey}),
        (Response, {"survey": survey}),
        (Answer, {"response__survey": survey}),
    ):
        for _row in range(model.objects.filter(**lookup).count()):
            report.add(model._meta.label, outcome)


def _cohort_2_needs_assessment_load(*, lead, report: SeedReport) -> None:
    """Cohort 2's needs assessment, open now and answered by nobody yet: what the demo officer
    finds under "Surveys to answer" on a first run, their city's draft starting from its
    profile (feedback.needs_prefill). Cohort 2 runs around today (_cohort_2_anchor): the survey
    opened two days before the load and closes two weeks after it. Published without the
    announcement (example.org addresses). Once it exists it is left as it is."""
    cohort = Cohort.objects.get(
        programme=demo_data.COHORT_2["programme"], number=demo_data.COHORT_2["number"]
    )
    survey = Survey.objects.filter(cohort=cohort, template_key=NEEDS_ASSESSMENT).first()
    outcome = UNCHANGED
    if survey is None:
        now = timezone.now()
        survey = survey_from_template(
            template_key=NEEDS_ASSESSMENT,
            target=cohort,
            opens_at=now - datetime.timedelta(days=2),
            closes_at=now + datetime.timedelta(days=14),
            is_anonymous=False,
            response_unit=ResponseUnit.CITY,
            title=f"Needs assessment: {cohort.name}",
            acting_user=lead,
        )
        Survey.objects.filter(pk=survey.pk).update(is_published=True)
        outcome = CREATED
    for model, lookup in (
        (Survey, {"pk": survey.pk}),
        (Section, {"survey": survey}),
        (Question, {"section__survey": survey}),
        (Option, {"question__section__survey": survey}),
    ):
        for _row in range(model.objects.filter(**lookup).count()):
            report.add(model._meta.label, outcome)


def _needs_survey_answer(*, cohort: Cohort, cities: dict, lead) -> Survey:
    closes_at = _brussels(demo_needs.NEEDS_CLOSES)
    survey = survey_from_template(
        template_key=NEEDS_ASSESSMENT,
        target=cohort,
        opens_at=_brussels(demo_needs.NEEDS_OPENS),
        # Open while the demo answers (see above); closed in the past right after.
        closes_at=timezone.now() + datetime.timedelta(hours=1),
        is_anonymous=False,
        response_unit=ResponseUnit.CITY,
        title=f"Needs assessment: {cohort.name}",
        acting_user=lead,
    )
    # Published without the announcement the publish service sends: the demo's officers are
    # example.org addresses, and the survey closed long ago (as the recap survey, above).
    Survey.objects.filter(pk=survey.pk).update(is_published=True)
    survey.is_published = True
    officers = _cohort_1_officers(cities, _survey_officer_emails())
    structure = survey_structure(survey)
    first_answer = _brussels(demo_needs.NEEDS_FIRST_ANSWER)
    for index, key in enumerate(demo_needs.NEEDS_CITIES):
        city = cities[key]
        officer = officers[city.pk]
        answers = demo_needs.needs_answers(index)
        response = response_for(survey=survey, acting_user=officer, city=city)
        for page, section in enumerate(structure.sections, start=1):
            response = response_page_save(
                response=response,
                section=section,
                data=_needs_page_data(structure.by_section[section.pk], answers),
                acting_user=officer,
                structure=structure,
                resume_at=min(page + 1, len(structure.sections)),
            )
        response_submit(response=response, acting_user=officer)
        answered_at = first_answer + index * demo_needs.NEEDS_ANSWER_INTERVAL
        Response.objects.filter(pk=response.pk).update(
            created_at=answered_at - datetime.timedelta(minutes=30),
            updated_at=answered_at,
            submitted_at=answered_at,
        )
    Survey.objects.filter(pk=survey.pk).update(closes_at=closes_at)
    survey.closes_at = closes_at
    # The dates changed past the services: the results kept in the cache are read afresh.
    bump(results_scope(survey.pk))
    return survey
