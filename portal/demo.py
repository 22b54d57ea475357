"""Writes that load reference data and demo data, for `seed_reference` and `seed_demo`.

Both loads are idempotent: every row is looked up by its natural key (slug, ISO code, email,
name and country, programme and number, ...), created when missing, and saved only when a field
differs from the data, so a second run writes nothing. Links (facilitators, city officers) are
added when missing and never removed: a programme admin may have added more since.
"""

import datetime
import zoneinfo
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.db import models, transaction

from accounts.demo import DEMO_LOGINS, DEMO_PASSWORD
from accounts.enums import Role
from cities import demo_data
from cities.enums import ContractStatus
from cities.models import City, CityMembership, Country
from cohorts.models import Cohort, Phase, ThematicGroup
from sessions.enums import SessionKind
from sessions.models import Session, SessionPresentation
from taxonomy import reference
from taxonomy.models import EnablingFactor, EnablingTheme, ThematicSector

User = get_user_model()

CREATED = "created"
UPDATED = "updated"
UNCHANGED = "unchanged"


@dataclass
class SeedReport:
    """What a load did, counted per model (or link) and outcome."""

    counts: Counter = field(default_factory=Counter)

    def add(self, label: str, outcome: str) -> None:
        self.counts[(label, outcome)] += 1

    def total(self, outcome: str) -> int:
        return sum(n for (_, seen), n in self.counts.items() if seen == outcome)

    def summary(self) -> str:
        return (
            f"{self.total(CREATED)} created, {self.total(UPDATED)} updated, "
            f"{self.total(UNCHANGED)} unchanged"
        )

    def lines(self) -> list[str]:
        """One line per model or link, in the order they were first loaded."""
        labels = list(dict.fromkeys(label for label, _ in self.counts))
        return [
            f"  {label}: {self.counts[(label, CREATED)]} created, "
            f"{self.counts[(label, UPDATED)]} updated, {self.counts[(label, UNCHANGED)]} unchanged"
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
    """Load the thematic sectors, enabling factors, enabling themes and countries."""
    report = SeedReport()
    _load_taxa(ThematicSector, reference.THEMATIC_SECTORS, report=report)
    _load_taxa(EnablingFactor, reference.ENABLING_FACTORS, report=report)
    _load_taxa(EnablingTheme, reference.ENABLING_THEMES, report=report)
    for iso_code, name in reference.COUNTRIES:
        _upsert(Country, report=report, lookup={"iso_code": iso_code}, values={"name": name})
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
    cities = {}
    for (name, iso_code), values in flags.items():
        cities[(name, iso_code)] = _upsert(
            City,
            report=report,
            lookup={"name": name, "country": countries[iso_code]},
            values=values,
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


@transaction.atomic
def demo_data_load() -> SeedReport:
    """Load Online Discussion Groups cohort 1 of 000 and the demo logins.

    Needs the reference data (`reference_data_load`) to be loaded first.
    """
    report = SeedReport()
    cities = _cities_load(report=report)

    cohort_data = demo_data.COHORT
    cohort = _upsert(
        Cohort,
        report=report,
        lookup={"programme": cohort_data["programme"], "number": cohort_data["number"]},
        values={key: cohort_data[key] for key in ("name", "starts_on", "ends_on")},
    )
    phases = {}
    for position, (kind, name, starts_on, ends_on) in enumerate(demo_data.PHASES, start=1):
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

    sectors = {sector.slug: sector for sector in ThematicSector.objects.all()}
    groups: dict[str, ThematicGroup] = {}
    group_facilitators: dict[str, list] = {}
    for entry in demo_data.THEMATIC_GROUPS:
        slug = entry["sector"]
        groups[slug] = _upsert(
            ThematicGroup, report=report, lookup={"cohort": cohort, "sector": sectors[slug]}
        )
        group_facilitators[slug] = [_facilitator_load(*entry["facilitator"], report=report)]
    technical_facilitators = [
        _facilitator_load(*entry, report=report) for entry in demo_data.TECHNICAL_FACILITATORS
    ]

    demo_users = _demo_logins_load(report=report, cities=cities)
    lead = demo_users[Role.FACILITATOR]
    _link(cohort.facilitators, [lead], report=report, label="cohorts.Cohort.facilitators")
    group_facilitators[demo_data.DEMO_FACILITATOR_SECTOR].append(lead)
    for slug, group in groups.items():
        _link(
            group.facilitators,
            group_facilitators[slug],
            report=report,
            label="cohorts.ThematicGroup.facilitators",
        )

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

    for entry in demo_data.THEMATIC_SESSIONS:
        slug = entry["sector"]
        session = _session_load(
            entry,
            cohort=cohort,
            phase=phases["thematic"],
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
            _upsert(
                SessionPresentation,
                report=report,
                lookup={"session": session, "city": cities[(name, iso_code)]},
                values={"topics": topics, "position": position},
            )

    for entry in demo_data.TECHNICAL_SESSIONS:
        slug = entry["sector"]
        session = _session_load(
            entry,
            cohort=cohort,
            phase=phases["technical"],
            kind=SessionKind.TECHNICAL_SUPPORT,
            group=groups[slug],
            report=report,
        )
        _link(
            session.facilitators,
            [*group_facilitators[slug], *technical_facilitators],
            report=report,
            label="peer_sessions.Session.facilitators",
        )
    return report


def _demo_logins_load(*, report: SeedReport, cities: dict) -> dict[str, models.Model]:
    """Create the demo logins of accounts/demo.py, one role each; return them by role."""
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
