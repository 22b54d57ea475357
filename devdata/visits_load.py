"""Writes of the Group Study Visits demo (devdata/demo_visits.py), for `seed_demo`.

Everything a user would do goes through the visits services as that user: the programme admin
opens the calls, adds their visits and criteria, assigns reviewers, allocates and publishes;
each city's officer starts, fills in, submits or withdraws its application; reviewers score or
recuse. Scoring runs as its task would (visits.scoring.call_score), in the load itself, so the
ranking is there whether or not a worker runs.

The services take applications and reviews only while a call is open and its reviews are due,
and stamp them with the present (as the needs assessment's answering services do,
devdata/demo.py): the 2025 call is open while the demo writes, then its dates and the times of
its applications, reviews, scoring and publication are set back to 2025, in the order they
happened, so the ranking's tie-break (the earlier submission) still reads the same.

Once a call exists it is left as it is, with everything under it (an admin or a reviewer may
have changed it since): a second run writes nothing. The cities' officers, the reviewers, the
cohort 1 attendance and the completed roadmaps that the automatic criteria read are loaded
like the rest of the demo, by natural key, every run.
"""

import datetime
import unicodedata
import zoneinfo
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from accounts.enums import Role
from cities.enums import ContractStatus
from cities.models import City
from cohorts.models import Cohort
from devdata import demo_cities as demo_data
from devdata import demo_visits as data
from devdata.demo import (
    CREATED,
    UNCHANGED,
    SeedReport,
    _city_officer_load,
    _cohort_1_officers,
    _roadmap_complete_values,
    _roadmap_draft_load,
    _survey_officer_emails,
    _upsert,
    _user_load,
    _weekday_from,
)
from devdata.demo_accounts import DEMO_LOGINS
from portal.fragments import bump
from roadmaps.enums import RoadmapStatus
from roadmaps.models import Roadmap, RoadmapTransition
from roadmaps.services import roadmap_accept, roadmap_submit
from sessions.enums import Attendance, SessionKind
from sessions.models import Registration, Session
from taxonomy.models import ThematicSector
from visits import scoring
from visits.allocation import DECISIONS, allocation_run
from visits.applying import (
    ApplicationDraft,
    DelegateEntry,
    application_save,
    application_start,
    application_submit,
    application_withdraw,
)
from visits.calls import (
    CallSettings,
    CriterionData,
    VisitData,
    call_create,
    call_open,
    criterion_add,
    visit_add,
)
from visits.decisions import call_publish_decisions
from visits.enums import CriterionKind
from visits.models import (
    Anchor,
    Application,
    Call,
    Criterion,
    Delegate,
    Preference,
    Review,
    Score,
    ScoreLine,
    Visit,
)
from visits.reviewing import (
    REVIEWS,
    manual_criteria,
    review_recuse,
    review_submit,
    reviewers_assign,
)
from visits.versions import OPEN_CALLS, call_scope

User = get_user_model()
BRUSSELS = zoneinfo.ZoneInfo(demo_data.SESSION_TIMEZONE)
# The rows under a call, counted as created or unchanged (lookups from the call).
CALL_ROWS = [
    (Visit, "call"),
    (Criterion, "call"),
    (Anchor, "criterion__call"),
    (Application, "call"),
    (Preference, "application__call"),
    (Delegate, "application__call"),
    (Review, "application__call"),
    (Score, "review__application__call"),
    (ScoreLine, "application__call"),
]


def _at(day: datetime.date, time: datetime.time) -> datetime.datetime:
    return datetime.datetime.combine(day, time, tzinfo=BRUSSELS)


def _demo_user(role: str):
    email = next(email for email, login_role in DEMO_LOGINS if login_role == role)
    return User.objects.get(email=email)


@transaction.atomic
def demo_visits_load() -> SeedReport:
    """Load the Group Study Visits demo (devdata/demo_visits.py). Needs the demo data
    (`demo_data_load`) and the needs assessment's officers (`demo_surveys_load`) first."""
    report = SeedReport()
    cities = {
        (city.name, city.country.iso_code): city for city in City.objects.select_related("country")
    }
    for key in data.HOST_CITIES:
        # București is a Mission City too (demo_visits' docstring); the others are already.
        cities[key] = _upsert(
            City,
            report=report,
            lookup={"pk": cities[key].pk},
            values={"is_mission_city": True, "contract_status": ContractStatus.MISSION_LABEL},
        )
    reviewers = [
        _user_load(
            email=email,
            values={"full_name": name, "organisation": organisation, "is_reviewer": True},
            report=report,
            password=None,
        )
        for email, name, organisation in data.REVIEWERS
    ]
    cohort_1 = Cohort.objects.get(
        programme=demo_data.COHORT["programme"], number=demo_data.COHORT["number"]
    )
    applicants = applicants_2025()
    officers = _applicant_officers_load(applicants, cities=cities, report=report)
    _attendance_load(cohort_1, applicants, cities=cities, officers=officers, report=report)
    _roadmaps_complete(cohort_1, applicants, cities=cities, officers=officers, report=report)

    admin = _demo_user(Role.PROGRAMME_ADMIN)
    call = Call.objects.filter(title=data.CALL_2025["title"]).first()
    outcome = UNCHANGED
    if call is None:
        call = _call_2025_run(
            cohort_1,
            applicants,
            cities=cities,
            officers=officers,
            admin=admin,
            reviewers=[_demo_user(Role.REVIEWER), *reviewers],
        )
        outcome = CREATED
    _call_rows_count(call, outcome, report=report)

    call = Call.objects.filter(title=data.CALL_OPEN["title"]).first()
    outcome = UNCHANGED
    if call is None:
        call = _call_open_run(cities=cities, admin=admin, reviewer=_demo_user(Role.REVIEWER))
        outcome = CREATED
    _call_rows_count(call, outcome, report=report)
    return report


def _call_rows_count(call: Call, outcome: str, *, report: SeedReport) -> None:
    report.add(Call._meta.label, outcome)
    for model, path in CALL_ROWS:
        for _row in range(model.objects.filter(**{path: call}).count()):
            report.add(model._meta.label, outcome)


# --- The people and facts the 2025 call reads --------------------------------------------------


def applicants_2025() -> list[tuple[str, str]]:
    """Braga, then the first OTHER_APPLICANTS cities enrolled in cohort 1 (hosts left out)."""
    others = [key for key in demo_data.cohort_1_enrolled_cities() if key not in data.HOST_CITIES][
        : data.OTHER_APPLICANTS
    ]
    return [demo_data.DEMO_OFFICER_CITY, *others]


def _slug(name: str) -> str:
    """The city's name as the start of an example.org address: "Ústí nad Labem" is
    "ustinadlabem" (accents dropped, letters and digits kept)."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return "".join(ch for ch in ascii_name.lower() if ch.isalnum())


def _applicant_officers_load(applicants, *, cities: dict, report: SeedReport) -> dict:
    """The officer of each applicant city, by city key: the one the surveys already name
    (devdata.demo._survey_officer_emails), else a login without a password named after the
    city."""
    known = _cohort_1_officers({key: cities[key] for key in applicants}, _survey_officer_emails())
    officers = {}
    for key in applicants:
        city = cities[key]
        officers[key] = known.get(city.pk) or _city_officer_load(
            (f"{_slug(city.name)}.officer@example.org", f"{city.name} city officer", ""),
            city=city,
            report=report,
        )
    return officers


def _groups_of(key) -> list[str]:
    if key == demo_data.DEMO_OFFICER_CITY:
        return list(demo_data.DEMO_CITY_GROUPS)
    return demo_data.cohort_1_groups_of(demo_data.cohort_1_enrolled_cities().index(key))


def _attendance_load(cohort, applicants, *, cities, officers, report: SeedReport) -> None:
    """Each applicant's officer attended the thematic sessions of its groups in cohort 1 (the
    automatic "sessions attended" line): written on creation only, like cohort 2's."""
    sessions = {
        session.thematic_group.sector.slug: session
        for session in Session.objects.filter(
            cohort=cohort, kind=SessionKind.THEMATIC_DISCUSSION
        ).select_related("thematic_group__sector")
    }
    for key in applicants:
        officer = officers[key]
        for slug in _groups_of(key):

            def prepare(registration, city=cities[key], officer=officer):
                registration.city = city
                registration.full_name = officer.full_name
                registration.registered_by = officer
                registration.attendance = Attendance.ATTENDED

            _upsert(
                Registration,
                report=report,
                lookup={"session": sessions[slug], "email": officer.email},
                on_create=prepare,
            )


def _roadmaps_complete(cohort, applicants, *, cities, officers, report: SeedReport) -> None:
    """The roadmaps of ROADMAPS_COMPLETED, written whole and submitted by the city's officer,
    accepted by the lead facilitator; only while the roadmap never changed status."""
    lead = _demo_user(Role.FACILITATOR)
    label = RoadmapTransition._meta.label
    for position in data.ROADMAPS_COMPLETED:
        key = applicants[position]
        roadmap = Roadmap.objects.get(cohort=cohort, city=cities[key])
        officer = officers[key]
        # Each field once, whatever the roadmap's state: counted as unchanged once written.
        _roadmap_draft_load(
            roadmap=roadmap,
            values=_roadmap_complete_values(roadmap=roadmap, officer=officer),
            user=officer,
            report=report,
        )
        if roadmap.transitions.exists():
            report.add(label, UNCHANGED)
            report.add(label, UNCHANGED)
            continue
        roadmap_submit(roadmap=roadmap, acting_user=officer)
        report.add(label, CREATED)
        roadmap_accept(roadmap=roadmap, acting_user=lead)
        report.add(label, CREATED)
        assert roadmap.status == RoadmapStatus.ACCEPTED


# --- Calls, visits and criteria -----------------------------------------------------------------


def _criteria_add(call: Call, *, admin) -> None:
    for name, description, weight, independent, anchors in data.MANUAL_CRITERIA:
        criterion_add(
            acting_user=admin,
            call=call,
            data=CriterionData(
                name=name,
                kind=CriterionKind.MANUAL,
                description=description,
                weight=Decimal(weight),
                scale_max=len(anchors) - 1,
                anchors=anchors,
                independent=independent,
            ),
        )
    for rule, name, weight in data.AUTOMATIC_CRITERIA:
        criterion_add(
            acting_user=admin,
            call=call,
            data=CriterionData(
                name=name, kind=CriterionKind.AUTOMATIC, rule=rule, weight=Decimal(weight)
            ),
        )


def _call_make(entry: dict, *, cohort, admin, opens_at, closes_at, review_deadline) -> Call:
    return call_create(
        acting_user=admin,
        data=CallSettings(
            title=entry["title"],
            description=entry["description"],
            opens_at=opens_at,
            closes_at=closes_at,
            review_deadline=review_deadline,
            eligible_cohorts=[cohort],
            eligible_city_types=["mission_minded"],
            reviewers_per_application=2,
        ),
    )


def _draft_of(call: Call, key, preferences: list[Visit], *, delegates: int) -> ApplicationDraft:
    name = key[0]
    return ApplicationDraft(
        preferences=[visit.pk for visit in preferences],
        motivation=data.MOTIVATION.format(city=name),
        # Kept as prefilled from the roadmap when the city wrote one (Braga's).
        spotlight_challenge="",
        delegates=[
            DelegateEntry(name=n, role=r, email=e) for n, r, e in data.delegates_of(name, delegates)
        ],
    )


def _apply(call, key, preferences, *, cities, officer, submit: bool) -> Application:
    application = application_start(acting_user=officer, call=call, city=cities[key])
    draft = _draft_of(call, key, preferences, delegates=preferences[0].delegates_per_city)
    draft.spotlight_challenge = application.spotlight_challenge or (
        f"{key[0]}: cutting the emissions of its {preferences[0].sector.name.lower()}."
    )
    application = application_save(acting_user=officer, application=application, draft=draft)
    if submit:
        application = application_submit(acting_user=officer, application=application)
    return application


def _preferences_2025(key, visits: dict) -> list[Visit]:
    """The visits the city ranks (demo_visits' SECTOR_HOSTS): its groups' hosts first."""
    order = [data.SECTOR_HOSTS[slug] for slug in _groups_of(key) if slug in data.SECTOR_HOSTS]
    order += [host for host in data.HOST_CITIES if host not in order]
    return [visits[host] for host in order]


def _call_2025_run(cohort, applicants, *, cities, officers, admin, reviewers) -> Call:
    """The 2025 call, from its opening to its published decisions (module docstring)."""
    now = timezone.now()
    call = _call_make(
        data.CALL_2025,
        cohort=cohort,
        admin=admin,
        opens_at=now - datetime.timedelta(hours=1),
        closes_at=now + datetime.timedelta(hours=1),
        review_deadline=now + datetime.timedelta(hours=2),
    )
    sectors = {sector.slug: sector for sector in ThematicSector.objects.all()}
    visits = {}
    for host, slug, first_day, capacity, delegates in data.VISITS_2025:
        visits[host] = visit_add(
            acting_user=admin,
            call=call,
            data=VisitData(
                host_city=cities[host],
                starts_on=first_day,
                sector=sectors[slug],
                capacity_cities=capacity,
                delegates_per_city=delegates,
            ),
        )
    _criteria_add(call, admin=admin)
    call_open(acting_user=admin, call=call)

    applications = []
    for position, key in enumerate(applicants):
        preferences = _preferences_2025(key, visits)
        if position % 3 == 2:
            preferences = preferences[:2]
        applications.append(
            _apply(
                call,
                key,
                preferences,
                cities=cities,
                officer=officers[key],
                submit=position not in data.DRAFTS,
            )
        )
    for position in data.WITHDRAWN:
        application_withdraw(
            acting_user=officers[applicants[position]], application=applications[position]
        )
    submitted = [
        a
        for position, a in enumerate(applications)
        if position not in data.DRAFTS and position not in data.WITHDRAWN
    ]
    _reviews_2025(call, submitted, admin=admin, reviewers=reviewers)
    scoring.call_score(call_id=call.pk)
    allocation_run(acting_user=admin, call=call)
    call_publish_decisions(acting_user=admin, call=call)
    _back_to_2025(call, applications, submitted)
    # The times changed past the services: what the pages keep is read afresh.
    bump(call_scope(call.pk), DECISIONS, REVIEWS, OPEN_CALLS)
    return call


def _reviews_2025(call, submitted, *, admin, reviewers) -> None:
    """Assign and write the reviews (demo_visits' Reviewers): the demo reviewer and one other
    on the first applications, the two others on the rest; the demo reviewer recuses from
    one and the third reviewer takes their place."""
    demo_reviewer, first, second = reviewers
    criteria = list(manual_criteria(call.pk))
    for position, application in enumerate(submitted):
        ours = position in data.DEMO_REVIEWER_SCORES or position == data.DEMO_REVIEWER_RECUSES
        pair = [demo_reviewer, first if position % 2 == 0 else second] if ours else [first, second]
        reviews = reviewers_assign(acting_user=admin, application=application, reviewers=pair)
        by_reviewer = {review.reviewer_id: review for review in reviews}
        if position == data.DEMO_REVIEWER_RECUSES:
            review_recuse(
                acting_user=demo_reviewer,
                review=by_reviewer[demo_reviewer.pk],
                reason=data.RECUSAL_REASON,
            )
            other = second if pair[1] == first else first
            replacement = reviewers_assign(
                acting_user=admin, application=application, reviewers=[other]
            )
            by_reviewer[other.pk] = replacement[0]
            pair = [pair[1], other]
        for index, reviewer in enumerate(pair):
            points = data.points_for(position, index)
            review_submit(
                acting_user=reviewer,
                review=by_reviewer[reviewer.pk],
                points={c.pk: p for c, p in zip(criteria, points, strict=True)},
            )


def _back_to_2025(call: Call, applications: list, submitted: list) -> None:
    """Set the 2025 call's times back to 2025 (module docstring)."""
    opens_at = _at(*data.CALL_2025_OPENS)
    published_at = _at(*data.CALL_2025_PUBLISHED)
    Call.objects.filter(pk=call.pk).update(
        opens_at=opens_at,
        closes_at=_at(*data.CALL_2025_CLOSES),
        review_deadline=_at(*data.CALL_2025_REVIEWS_DUE),
        scored_at=published_at - datetime.timedelta(days=1),
        published_at=published_at,
    )
    for position, application in enumerate(applications):
        applied_at = _at(opens_at.date() + datetime.timedelta(days=1 + position), datetime.time(11))
        application.refresh_from_db(fields=["status", "submitted_at", "withdrawn_at", "decision"])
        Application.objects.filter(pk=application.pk).update(
            created_at=applied_at - datetime.timedelta(hours=2),
            updated_at=applied_at,
            submitted_at=applied_at if application.submitted_at else None,
            withdrawn_at=(
                applied_at + datetime.timedelta(days=3) if application.withdrawn_at else None
            ),
            decision_notified_at=published_at if application.decision else None,
        )
    first_review = _at(*data.CALL_2025_FIRST_REVIEW)
    for position, application in enumerate(submitted):
        day = first_review + datetime.timedelta(hours=4 * position)
        Review.objects.filter(application=application).update(assigned_at=first_review)
        Review.objects.filter(application=application, submitted_at__isnull=False).update(
            submitted_at=day + datetime.timedelta(hours=1)
        )
        Review.objects.filter(application=application, recused_at__isnull=False).update(
            recused_at=day
        )


# --- The open call (cohort 2) ------------------------------------------------------------------


def _call_open_run(*, cities, admin, reviewer) -> Call:
    """The call open around cohort 2's anchor day (demo_visits' open call)."""
    cohort_2 = Cohort.objects.get(
        programme=demo_data.COHORT_2["programme"], number=demo_data.COHORT_2["number"]
    )
    first_day = demo_data.COHORT_2_PHASES[0][2]
    anchor = cohort_2.starts_on - datetime.timedelta(days=first_day)
    opens, closes, due = (anchor + datetime.timedelta(days=d) for d in data.CALL_OPEN_DAYS)
    call = _call_make(
        data.CALL_OPEN,
        cohort=cohort_2,
        admin=admin,
        opens_at=_at(opens, datetime.time(9)),
        closes_at=_at(closes, datetime.time(18)),
        review_deadline=_at(due, datetime.time(18)),
    )
    sectors = {sector.slug: sector for sector in ThematicSector.objects.all()}
    visits = [
        visit_add(
            acting_user=admin,
            call=call,
            data=VisitData(
                host_city=cities[host],
                starts_on=_weekday_from(anchor, days),
                sector=sectors[slug],
                capacity_cities=capacity,
                delegates_per_city=delegates,
            ),
        )
        for host, slug, days, capacity, delegates in data.VISITS_OPEN
    ]
    _criteria_add(call, admin=admin)
    call_open(acting_user=admin, call=call)
    officers = {
        entry["city"]: User.objects.get(email=entry["officer"][0])
        for entry in demo_data.COHORT_2_ENROLLED
    }
    submitted = _apply(
        call,
        data.OPEN_SUBMITTED,
        visits,
        cities=cities,
        officer=officers[data.OPEN_SUBMITTED],
        submit=True,
    )
    _apply(
        call,
        data.OPEN_DRAFT,
        visits[1:],
        cities=cities,
        officer=officers[data.OPEN_DRAFT],
        submit=False,
    )
    reviewers_assign(acting_user=admin, application=submitted, reviewers=[reviewer])
    # Scored now, as its task would after the commit: its lines are there on the first run.
    scoring.call_score(call_id=call.pk)
    return call
