"""A small world for tests that call every API operation (the fuzzer, the generated client).

Built through the services, in today's dates so that nothing needs a frozen clock (the fuzzer and
the live server run in real time): a cohort whose four phases have all begun (every roadmap
section is open), Lisbon enrolled with its roadmap (one field saved, one comment), Porto and
Braga asking to join, Guimarães (a Mission City) presenting a climate action in a session next
week with one person registered, and a session of yesterday with one registration; a published
survey of the cohort on two pages (tests/feedback/conftest.py's), which the officer answered
("No" to its first question) and submitted.
"""

import datetime
from dataclasses import dataclass

from django.utils import timezone

from accounts.models import User
from cities.models import City, ClimateAction
from cities.services import climate_action_create
from cohorts import services as cohort_services
from cohorts.models import Cohort, Enrolment
from cohorts.services import GroupSpec
from feedback import answering
from feedback.models import Survey
from roadmaps.models import NetZeroCitiesService, Roadmap
from roadmaps.services import roadmap_comment_add, roadmap_field_save
from sessions import services as session_services
from sessions.enums import SessionKind
from sessions.models import Registration, Session
from taxonomy.models import EnablingFactor, EnablingTheme
from tests import factories
from tests.feedback.conftest import two_page_survey
from visits import applying, calls, reviewing, scoring
from visits.enums import CriterionKind
from visits.models import Application, Call, Review


@dataclass
class World:
    admin: User
    lead: User  # lead facilitator of the cohort
    officer: User  # officer of Lisbon, Porto and Braga
    cohort: Cohort
    lisbon: City
    porto: City
    braga: City
    mission_city: City
    action: ClimateAction
    pending: Enrolment  # Porto's request
    upcoming: Session
    registration: Registration  # for the upcoming session
    past: Session
    past_registration: Registration
    roadmap: Roadmap
    service: NetZeroCitiesService
    survey: Survey
    call: Call
    application: Application  # Lisbon's, submitted
    reviewer: User
    review: Review  # the reviewer's, of Lisbon's application
    factor: EnablingFactor
    theme: EnablingTheme

    def id_for(self, path: str) -> int | None:
        """A real id for an /api/v1/<collection>/{id}/ path."""
        return {
            "cities": self.lisbon.pk,
            "countries": self.lisbon.country_id,
            "climate-actions": self.action.pk,
            "cohorts": self.cohort.pk,
            "enrolments": self.pending.pk,
            "registrations": self.registration.pk,
            "roadmaps": self.roadmap.pk,
            "sessions": self.upcoming.pk,
            "surveys": self.survey.pk,
            "visit-calls": self.call.pk,
            "visit-applications": self.application.pk,
            "visit-reviews": self.review.pk,
            "phases": self.cohort.phases.order_by("pk").values_list("pk", flat=True).first(),
            "thematic-groups": self.cohort.thematic_groups.get().pk,
            "session-presentations": self.upcoming.presentations.get().pk,
            "sectors": self.action.sector_id,
            "enabling-factors": self.factor.pk,
            "enabling-themes": self.theme.pk,
            "netzerocities-services": self.service.pk,
        }.get(path.removeprefix("/api/v1/").split("/")[0])


def build_world() -> World:
    today = timezone.localdate()
    day = datetime.timedelta(days=1)
    starts = today - 300 * day
    admin = factories.UserFactory(is_programme_admin=True, full_name="Ada Admin")
    lead = factories.UserFactory(is_facilitator=True, full_name="Lea Lead")
    energy = factories.ThematicSectorFactory(slug="energy", name="Energy")
    cohort = cohort_services.cohort_create(
        programme="odg",
        number=1,
        name="Online Discussion Groups cohort 1",
        starts_on=starts,
        ends_on=today + 300 * day,
        acting_user=lead,
        phases={
            "onboarding": (starts, starts + 60 * day),
            "thematic": (starts + 61 * day, starts + 120 * day),
            "technical": (starts + 121 * day, starts + 180 * day),
            "study_visit": (starts + 181 * day, today + 300 * day),
        },
        groups=[GroupSpec(sector=energy, facilitators=[lead])],
    )
    group = cohort.thematic_groups.get()
    portugal = factories.CountryFactory(iso_code="PT")
    lisbon = factories.CityFactory(name="Lisbon", country=portugal)
    porto = factories.CityFactory(name="Porto", country=portugal)
    braga = factories.CityFactory(name="Braga", country=portugal)
    officer = factories.city_officer(city=lisbon, full_name="Ana Silva")
    for city in (porto, braga):
        factories.CityMembershipFactory(city=city, user=officer)
    mission_city = factories.CityFactory(
        name="Guimarães", country=portugal, is_mission_city=True, is_mission_minded=False
    )
    action = climate_action_create(
        acting_user=lead, city=mission_city, title="Renewable energy communities", sector=energy
    )
    cohort_services.enrolment_create_direct(
        cohort=cohort, city=lisbon, acting_user=lead, groups=[(group, "")]
    )
    pending = cohort_services.enrolment_request(
        cohort=cohort, city=porto, acting_user=officer, groups=[(group, "Heat networks")]
    )
    next_week = timezone.now() + 7 * day
    upcoming = session_services.session_create(
        cohort=cohort,
        kind=SessionKind.THEMATIC_DISCUSSION,
        title="Energy: district heating",
        starts_at=next_week,
        ends_at=next_week + datetime.timedelta(minutes=90),
        presentations=[(mission_city, [action.pk])],
        acting_user=lead,
    )
    registration = session_services.registration_create(
        session=upcoming,
        city=lisbon,
        full_name="Rui Costa",
        email="rui@lisboa.pt",
        acting_user=officer,
    )
    # Sessions are scheduled and people registered before they start: yesterday's session and
    # its registration are written as an import of past sessions would.
    yesterday = timezone.now() - day
    past = factories.SessionFactory(
        cohort=cohort,
        title="Energy: heat pumps",
        starts_at=yesterday,
        ends_at=yesterday + datetime.timedelta(minutes=90),
    )
    past.facilitators.add(lead)
    past_registration = Registration.objects.create(
        session=past, city=lisbon, full_name="Rui Costa", email="rui@lisboa.pt"
    )
    roadmap = Roadmap.objects.get(cohort=cohort, city=lisbon)
    roadmap_field_save(
        roadmap=roadmap,
        key="phase1.cause_1",
        value="Old buildings",
        base_version=0,
        acting_user=officer,
    )
    roadmap_comment_add(roadmap=roadmap, section="phase1", body="Say more.", acting_user=lead)
    service = NetZeroCitiesService.objects.create(name="Climate Transition Map", position=1)
    survey = two_page_survey(cohort)
    response = answering.response_for(survey=survey, acting_user=officer)
    answering.response_page_save(
        response=response,
        section=survey.pages[0],
        data={survey.q["format"].pk: {"option": survey.opt["no"].pk, "other": ""}},
        acting_user=officer,
    )
    answering.response_submit(response=response, acting_user=officer)
    call, application, reviewer, review = _study_visits(admin, officer, cohort, lisbon, energy)
    return World(
        admin=admin,
        lead=lead,
        officer=officer,
        cohort=cohort,
        lisbon=lisbon,
        porto=porto,
        braga=braga,
        mission_city=mission_city,
        action=action,
        pending=pending,
        upcoming=upcoming,
        registration=registration,
        past=past,
        past_registration=past_registration,
        roadmap=roadmap,
        service=service,
        survey=survey,
        call=call,
        application=application,
        reviewer=reviewer,
        review=review,
        factor=factories.EnablingFactorFactory(),
        theme=factories.EnablingThemeFactory(),
    )


def _study_visits(admin, officer, cohort, lisbon, sector):
    now = timezone.now()
    call = calls.call_create(
        acting_user=admin,
        data=calls.CallSettings(
            title="Group Study Visits",
            eligible_cohorts=[cohort],
            opens_at=now - datetime.timedelta(days=1),
            closes_at=now + datetime.timedelta(days=30),
            review_deadline=now + datetime.timedelta(days=40),
        ),
    )
    visits = [
        calls.visit_add(
            acting_user=admin,
            call=call,
            data=calls.VisitData(
                host_city=factories.CityFactory(name=name, is_mission_city=True),
                starts_on=timezone.localdate() + datetime.timedelta(days=days),
                sector=sector,
            ),
        )
        for name, days in (("Mannheim", 60), ("Bucharest", 90))
    ]
    calls.criterion_add(
        acting_user=admin,
        call=call,
        data=calls.CriterionData(
            name="Relevance",
            kind=CriterionKind.MANUAL,
            scale_max=3,
            anchors=["None", "Weak", "Good", "Excellent"],
        ),
    )
    call = calls.call_open(acting_user=admin, call=call)
    application = applying.application_start(acting_user=officer, call=call, city=lisbon)
    applying.application_save(
        acting_user=officer,
        application=application,
        draft=applying.ApplicationDraft(
            preferences=[visits[0].pk],
            motivation="We want to learn.",
            spotlight_challenge="Old buildings.",
            delegates=[applying.DelegateEntry(name="Rui Costa", email="rui@lisboa.pt")],
        ),
    )
    applying.application_submit(acting_user=officer, application=application)
    reviewer = factories.UserFactory(is_reviewer=True, full_name="Rita Reviewer")
    (review,) = reviewing.reviewers_assign(
        acting_user=admin, application=application, reviewers=[reviewer]
    )
    scoring.call_score(call_id=call.pk)
    application.refresh_from_db()
    return call, application, reviewer, review


def roadmap_value(world: World, field) -> str:
    """A value every check of the roadmap accepts for `field`."""
    from roadmaps.template import SCORE, SERVICES

    if field.key == "representative.email":
        return "ana@lisboa.pt"
    if field.key == "phase2_1.climate_action":
        return str(world.action.pk)
    if field.key == "phase2_1.desirability":
        return "high"
    if field.kind == SCORE:
        return "4"
    if field.kind == SERVICES:
        return str(world.service.pk)
    return f"Text of {field.key}"
