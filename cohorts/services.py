"""Writes for cohorts: creating and changing a cohort with its phases and thematic groups,
and enrolling cities (a request an officer makes and a facilitator decides, or a direct
enrolment by a facilitator).

Each service that acts for a person takes `acting_user` and checks its permission first
(`permission_check`, cohorts/rules.py): a refusal is a `PermissionRefused`, before any
validation. What a state forbids (an ended cohort, a decision already taken) is an
`ApplicationError` for everyone, admins included."""

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cities.models import City
from cohorts import signals
from cohorts.enums import EnrolmentStatus, PhaseKind
from cohorts.models import Cohort, Enrolment, EnrolmentGroup, Phase, ThematicGroup
from cohorts.selectors import enrolment_request_recipients
from notifications.services import notify
from portal.dates import long_date
from portal.errors import ApplicationError
from portal.links import site_url
from portal.permissions import permission_check
from taxonomy.models import ThematicSector

# A phase's dates as typed: (starts_on, ends_on); (None, None) takes the default dates.
PhaseDates = tuple[datetime.date | None, datetime.date | None]


@dataclass(frozen=True)
class GroupSpec:
    """A thematic group a cohort runs: its sector and its facilitators."""

    sector: ThematicSector
    facilitators: Sequence = field(default_factory=tuple)


def phase_field(kind: str, end: str) -> str:
    """The form field a phase date error belongs to, e.g. "phase_onboarding_starts_on"."""
    return f"phase_{kind}_{end}"


def phases_default(
    *, starts_on: datetime.date, ends_on: datetime.date
) -> dict[str, tuple[datetime.date, datetime.date]]:
    """Spread the four phases of PhaseKind evenly over the cohort, one after the other.

    Phase i covers days [i*n/4, (i+1)*n/4) of the n days of the cohort; a cohort shorter than
    four days gives some phases the same single day rather than an end before the start.
    """
    days = (ends_on - starts_on).days + 1
    phases = {}
    for index, kind in enumerate(PhaseKind.values):
        first = index * days // len(PhaseKind.values)
        last = max(first, (index + 1) * days // len(PhaseKind.values) - 1)
        phases[kind] = (
            starts_on + datetime.timedelta(days=first),
            starts_on + datetime.timedelta(days=last),
        )
    return phases


def _phases_resolve(
    *, starts_on: datetime.date, ends_on: datetime.date, phases: Mapping[str, PhaseDates] | None
) -> dict[str, tuple[datetime.date, datetime.date]]:
    """Fill the phases left blank with their default dates and check all four.

    Phases must lie inside the cohort and start in the order of PhaseKind (a phase may
    overlap the one before it, as preparation for study visits overlaps technical support).
    """
    defaults = phases_default(starts_on=starts_on, ends_on=ends_on)
    resolved = {}
    previous = None
    for kind in PhaseKind.values:
        start, end = (phases or {}).get(kind, (None, None))
        label = PhaseKind(kind).label
        if start is None and end is None:
            start, end = defaults[kind]
        elif start is None or end is None:
            missing = "starts_on" if start is None else "ends_on"
            raise ApplicationError(
                _("Give both dates of the phase, or neither to use the default dates."),
                field=phase_field(kind, missing),
            )
        if end < start:
            raise ApplicationError(
                _("%(phase)s ends before it starts.") % {"phase": label},
                field=phase_field(kind, "ends_on"),
            )
        if start < starts_on:
            raise ApplicationError(
                _("%(phase)s starts on %(date)s, before the cohort starts (%(cohort)s).")
                % {"phase": label, "date": long_date(start), "cohort": long_date(starts_on)},
                field=phase_field(kind, "starts_on"),
            )
        if end > ends_on:
            raise ApplicationError(
                _("%(phase)s ends on %(date)s, after the cohort ends (%(cohort)s).")
                % {"phase": label, "date": long_date(end), "cohort": long_date(ends_on)},
                field=phase_field(kind, "ends_on"),
            )
        if previous is not None and start < resolved[previous][0]:
            raise ApplicationError(
                _("%(phase)s starts before %(previous)s (%(date)s): phases run in order.")
                % {
                    "phase": label,
                    "previous": PhaseKind(previous).label,
                    "date": long_date(resolved[previous][0]),
                },
                field=phase_field(kind, "starts_on"),
            )
        resolved[kind] = (start, end)
        previous = kind
    return resolved


def _cohort_check(
    *,
    programme: str,
    number: int,
    starts_on: datetime.date,
    ends_on: datetime.date,
    groups: Sequence[GroupSpec],
    cohort: Cohort | None = None,
) -> None:
    if ends_on < starts_on:
        raise ApplicationError(
            _("The cohort ends on %(end)s, before it starts (%(start)s).")
            % {"end": long_date(ends_on), "start": long_date(starts_on)},
            field="ends_on",
        )
    same_number = Cohort.objects.filter(programme=programme, number=number)
    if cohort is not None:
        same_number = same_number.exclude(pk=cohort.pk)
    existing = same_number.first()
    if existing is not None:
        raise ApplicationError(
            _("%(programme)s already has a cohort number %(number)s: %(name)s.")
            % {"programme": existing.get_programme_display(), "number": number, "name": existing},
            field="number",
        )
    sectors = [group.sector.pk for group in groups]
    if len(sectors) != len(set(sectors)):
        raise ApplicationError(_("Each sector can have one thematic group."), field="groups")


def _phases_save(*, cohort: Cohort, phases: dict[str, tuple[datetime.date, datetime.date]]):
    for position, (kind, (start, end)) in enumerate(phases.items()):
        Phase.objects.update_or_create(
            cohort=cohort,
            kind=kind,
            defaults={
                "name": PhaseKind(kind).label,
                "position": position,
                "starts_on": start,
                "ends_on": end,
            },
        )


def _groups_save(*, cohort: Cohort, groups: Sequence[GroupSpec]) -> None:
    """Make the cohort's thematic groups those of `groups`; refuse to drop a group in use."""
    wanted = {group.sector.pk: group for group in groups}
    for existing in cohort.thematic_groups.select_related("sector"):
        if existing.sector_id in wanted:
            continue
        joined = existing.enrolment_groups.count()
        if joined or existing.sessions.exists():
            raise ApplicationError(
                _(
                    "The %(sector)s group cannot be removed: %(cities)s cities joined it "
                    "or it has sessions."
                )
                % {"sector": existing.sector.name, "cities": joined},
                field="groups",
            )
        existing.delete()
    for spec in groups:
        group, _created = ThematicGroup.objects.get_or_create(cohort=cohort, sector=spec.sector)
        group.facilitators.set(spec.facilitators)


@transaction.atomic
def cohort_create(
    *,
    programme: str,
    number: int,
    name: str,
    starts_on: datetime.date,
    ends_on: datetime.date,
    acting_user,
    phases: Mapping[str, PhaseDates] | None = None,
    groups: Sequence[GroupSpec] = (),
) -> Cohort:
    """Create a cohort with its four phases and its thematic groups.

    Phases left out (or given as (None, None)) are spread evenly over the cohort's dates.
    The person who creates the cohort becomes one of its lead facilitators, and is recorded as
    its creator and last editor.
    """
    permission_check(acting_user, "cohorts.add_cohort")
    _cohort_check(
        programme=programme, number=number, starts_on=starts_on, ends_on=ends_on, groups=groups
    )
    resolved = _phases_resolve(starts_on=starts_on, ends_on=ends_on, phases=phases)
    try:
        with transaction.atomic():
            cohort = Cohort.objects.create(
                programme=programme,
                number=number,
                name=name.strip(),
                starts_on=starts_on,
                ends_on=ends_on,
                created_by=acting_user,
                updated_by=acting_user,
            )
    except IntegrityError as error:
        # Another request took the number between the check and the insert.
        raise ApplicationError(
            _("This programme already has a cohort number %(number)s.") % {"number": number},
            field="number",
        ) from error
    cohort.facilitators.add(acting_user)
    _phases_save(cohort=cohort, phases=resolved)
    _groups_save(cohort=cohort, groups=groups)
    return cohort


@transaction.atomic
def cohort_update(
    *,
    cohort: Cohort,
    acting_user,
    programme: str,
    number: int,
    name: str,
    starts_on: datetime.date,
    ends_on: datetime.date,
    phases: Mapping[str, PhaseDates] | None = None,
    groups: Sequence[GroupSpec] = (),
) -> Cohort:
    """Change a cohort's details, phase dates and thematic groups (same rules as creating), and
    record who changed it last."""
    permission_check(acting_user, "cohorts.change_cohort", cohort)
    cohort = Cohort.objects.select_for_update().get(pk=cohort.pk)
    _cohort_check(
        programme=programme,
        number=number,
        starts_on=starts_on,
        ends_on=ends_on,
        groups=groups,
        cohort=cohort,
    )
    resolved = _phases_resolve(starts_on=starts_on, ends_on=ends_on, phases=phases)
    cohort.programme = programme
    cohort.number = number
    cohort.name = name.strip()
    cohort.starts_on = starts_on
    cohort.ends_on = ends_on
    cohort.updated_by = acting_user
    try:
        with transaction.atomic():
            cohort.save()
    except IntegrityError as error:
        raise ApplicationError(
            _("This programme already has a cohort number %(number)s.") % {"number": number},
            field="number",
        ) from error
    _phases_save(cohort=cohort, phases=resolved)
    _groups_save(cohort=cohort, groups=groups)
    return cohort


# --- Enrolment -----------------------------------------------------------------------------


def _already_enrolled_message(enrolment: Enrolment) -> str:
    names = {"city": enrolment.city.name, "cohort": enrolment.cohort.name}
    if enrolment.status == EnrolmentStatus.ACCEPTED:
        return _("%(city)s is already enrolled in %(cohort)s.") % names
    if enrolment.status == EnrolmentStatus.DECLINED:
        return _("%(city)s has already asked to join %(cohort)s; the request was declined.") % names
    return _("%(city)s has already asked to join %(cohort)s.") % names


def _enrolment_create(
    *,
    cohort: Cohort,
    city: City,
    groups: Sequence[tuple[ThematicGroup, str]],
    status: str,
    requested_by=None,
    decided_by=None,
) -> Enrolment:
    if not groups:
        raise ApplicationError(_("Pick at least one thematic group."), field="groups")
    if any(group.cohort_id != cohort.pk for group, _needs in groups):
        raise ApplicationError(
            _("Pick thematic groups of %(cohort)s.") % {"cohort": cohort.name}, field="groups"
        )
    existing = (
        Enrolment.objects.filter(cohort=cohort, city=city).select_related("city", "cohort").first()
    )
    if existing is not None:
        raise ApplicationError(_already_enrolled_message(existing), field="city", code="duplicate")
    try:
        # A savepoint: two officers of one city asking at the same moment meet the unique
        # constraint here, and the second gets the same message as above.
        with transaction.atomic():
            enrolment = Enrolment.objects.create(
                cohort=cohort,
                city=city,
                status=status,
                requested_by=requested_by,
                decided_by=decided_by,
                decided_at=timezone.now() if decided_by is not None else None,
            )
    except IntegrityError as error:
        existing = Enrolment.objects.select_related("city", "cohort").get(cohort=cohort, city=city)
        raise ApplicationError(
            _already_enrolled_message(existing), field="city", code="duplicate"
        ) from error
    # bulk_create sends no signal; the enrolment's save above raised the cohort's version
    # (cohorts/versions.py) in this same transaction, so the groups appear with it.
    EnrolmentGroup.objects.bulk_create(
        EnrolmentGroup(enrolment=enrolment, thematic_group=group, needs=needs.strip())
        for group, needs in groups
    )
    return enrolment


@transaction.atomic
def enrolment_request(
    *,
    cohort: Cohort,
    city: City,
    acting_user,
    groups: Sequence[tuple[ThematicGroup, str]],
    today: datetime.date | None = None,
) -> Enrolment:
    """Record a city's request to join a cohort, asked by `acting_user` (an officer of the city),
    with the groups it picks and its needs for each, and email it to the people who decide
    (`enrolment_request_recipients`); a facilitator of the cohort then accepts or declines it."""
    permission_check(acting_user, "cohorts.request_enrolment", city)
    today = today or timezone.localdate()
    if cohort.ends_on < today:
        raise ApplicationError(
            _("%(cohort)s ended on %(date)s: cities can no longer ask to join.")
            % {"cohort": cohort.name, "date": long_date(cohort.ends_on)},
            code="ended",
        )
    enrolment = _enrolment_create(
        cohort=cohort,
        city=city,
        groups=groups,
        status=EnrolmentStatus.REQUESTED,
        requested_by=acting_user,
    )
    _enrolment_request_notify(enrolment=enrolment)
    return enrolment


@transaction.atomic
def enrolment_create_direct(
    *, cohort: Cohort, city: City, acting_user, groups: Sequence[tuple[ThematicGroup, str]]
) -> Enrolment:
    """Enrol a city in a cohort at once, as a facilitator (recorded as the one who decided),
    and tell the city's officers.

    `signals.enrolment_accepted` lets the apps above react (roadmaps opens the city's
    roadmap) in this transaction."""
    permission_check(acting_user, "cohorts.decide_enrolment", cohort)
    enrolment = _enrolment_create(
        cohort=cohort,
        city=city,
        groups=groups,
        status=EnrolmentStatus.ACCEPTED,
        decided_by=acting_user,
    )
    signals.enrolment_accepted.send(sender=Enrolment, enrolment=enrolment)
    _enrolment_notify(enrolment=enrolment)
    return enrolment


def _enrolment_decide(*, enrolment: Enrolment, acting_user, status: str) -> Enrolment:
    permission_check(acting_user, "cohorts.decide_enrolment", enrolment.cohort)
    enrolment = (
        Enrolment.objects.select_for_update(of=("self",))
        .select_related("cohort", "city", "requested_by")
        .get(pk=enrolment.pk)
    )
    # A declined request may still be accepted (the facilitator changed their mind); an
    # accepted city stays enrolled, and a decision is never taken twice.
    allowed = {
        EnrolmentStatus.ACCEPTED: {EnrolmentStatus.REQUESTED, EnrolmentStatus.DECLINED},
        EnrolmentStatus.DECLINED: {EnrolmentStatus.REQUESTED},
    }[status]
    if enrolment.status not in allowed:
        raise ApplicationError(
            _("%(city)s's enrolment in %(cohort)s is already %(status)s.")
            % {
                "city": enrolment.city.name,
                "cohort": enrolment.cohort.name,
                "status": enrolment.get_status_display().lower(),
            },
            code="already_decided",
        )
    enrolment.status = status
    enrolment.decided_by = acting_user
    enrolment.decided_at = timezone.now()
    enrolment.save(update_fields=["status", "decided_by", "decided_at"])
    _enrolment_notify(enrolment=enrolment)
    return enrolment


@transaction.atomic
def enrolment_accept(*, enrolment: Enrolment, acting_user) -> Enrolment:
    """Accept a city's request to join a cohort, open its roadmap and email the officer who
    asked. The roadmap is opened by roadmaps.receivers, told by `signals.enrolment_accepted`
    in this transaction."""
    enrolment = _enrolment_decide(
        enrolment=enrolment, acting_user=acting_user, status=EnrolmentStatus.ACCEPTED
    )
    signals.enrolment_accepted.send(sender=Enrolment, enrolment=enrolment)
    return enrolment


@transaction.atomic
def enrolment_decline(*, enrolment: Enrolment, acting_user) -> Enrolment:
    """Decline a city's request to join a cohort and email the officer who asked."""
    return _enrolment_decide(
        enrolment=enrolment, acting_user=acting_user, status=EnrolmentStatus.DECLINED
    )


def _enrolment_request_notify(*, enrolment: Enrolment) -> None:
    """Email the request to the people who decide it (the email leaves after the commit)."""
    enrolment = (
        Enrolment.objects.select_related("cohort", "city__country", "requested_by")
        .prefetch_related(
            Prefetch(
                "groups",
                queryset=EnrolmentGroup.objects.select_related("thematic_group__sector").order_by(
                    "thematic_group__sector__position"
                ),
            )
        )
        .get(pk=enrolment.pk)
    )
    link = site_url(reverse("enrolment_list", args=[enrolment.cohort_id]))
    for facilitator in enrolment_request_recipients(enrolment=enrolment):
        notify(
            recipient=facilitator,
            template="enrolment_requested",
            context={"enrolment": enrolment, "link": link},
            key=f"enrolment:{enrolment.pk}:requested:{facilitator.pk}",
        )


def _enrolment_notify(*, enrolment: Enrolment) -> None:
    """Email the decision: to the officer who asked, or, for a direct enrolment (or when that
    officer's account is gone), to each officer of the city."""
    if enrolment.requested_by is not None:
        recipients = {f"enrolment:{enrolment.pk}:{enrolment.status}": enrolment.requested_by}
    else:
        recipients = {
            f"enrolment:{enrolment.pk}:{enrolment.status}:{officer.pk}": officer
            for officer in enrolment.city.officers.order_by("pk")
        }
    if enrolment.status == EnrolmentStatus.ACCEPTED:
        template = "enrolment_accepted"
    else:
        template = "enrolment_declined"
    link = site_url(reverse("cohort_list"))
    for key, officer in recipients.items():
        notify(
            recipient=officer,
            template=template,
            context={"enrolment": enrolment, "link": link},
            key=key,
        )
