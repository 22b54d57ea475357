"""The objects and the people of the permission matrix (tests/test_permission_matrix.py).

Written with the ORM and tests/factories.py rather than the services, so that the matrix
depends only on models, URLs and rule names. Each person stands in one relation to the objects:

- `officer`: an officer of `city`, which is enrolled (accepted) in `cohort` and owns the
  roadmap, the climate action, the registration for `session`, the API token and the calendar
  feed; `officer_elsewhere`: an officer of `other_city`, enrolled in `other_cohort`.
- `facilitator`: the lead facilitator of `cohort`; `facilitator_elsewhere`: of `other_cohort`.
- `reviewer`: a reviewer of study visits; `admin`: a programme admin; `anonymous`: nobody.

`cohort` runs today (it began 100 days ago and ends in 200 days) and has no phases, so every
roadmap section is open. `session` is a scheduled session of `cohort` next week. `applicant`
(no officer among the roles) has asked to join `cohort`: `requested` is that enrolment.
"""

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.core.files.base import ContentFile
from django.test import Client
from django.utils import timezone
from knox.models import get_digest_token
from knox.settings import CONSTANTS as KNOX

from accounts.models import ApiToken, User
from cities.models import City, ClimateAction, Invitation
from cohorts.enums import EnrolmentStatus
from cohorts.models import Cohort, Enrolment, ThematicGroup
from feedback.enums import SurveyScope
from feedback.models import LivePresentation
from notifications.enums import DeliveryStatus, ReminderKind
from notifications.models import OutboundEmail
from reminders.planning import unsubscribe_token
from reports.enums import ExportFileStatus, ExportFormat
from reports.models import ExportFile
from roadmaps.enums import ExportStatus
from roadmaps.models import Roadmap, RoadmapExport
from sessions.calendar_links import registration_calendar_signature
from sessions.models import CalendarFeed, Registration, Session, SessionPresentation
from tests import factories
from visits.enums import CallStatus

ROLES = (
    "anonymous",
    "officer",
    "officer_elsewhere",
    "facilitator",
    "facilitator_elsewhere",
    "reviewer",
    "admin",
)


@dataclass
class World:
    people: dict[str, User | None]
    clients: dict[str, Client]
    session_keys: dict[str, str]
    city: City
    other_city: City
    cohort: Cohort
    session: Session
    roadmap: Roadmap
    ids: dict[str, object] = field(default_factory=dict)
    # Primary keys of the objects the rules table asks about (an invitation's URL names its
    # token, the rules its row).
    rule_object_ids: dict[str, int] = field(default_factory=dict)

    def client(self, role: str) -> Client:
        """The role's client with its sign-in cookie and nothing else (no cookie that an
        earlier answer set: a message, a language, another sign-in)."""
        client = self.clients[role]
        client.cookies.clear()
        if role in self.session_keys:
            client.cookies[settings.SESSION_COOKIE_NAME] = self.session_keys[role]
        return client


def _cohort(number: int, lead: User, today: datetime.date) -> Cohort:
    cohort = factories.CohortFactory(
        number=number,
        starts_on=today - datetime.timedelta(days=100),
        ends_on=today + datetime.timedelta(days=200),
    )
    cohort.facilitators.add(lead)
    return cohort


def build_world() -> World:
    now = timezone.now()
    today = timezone.localdate()
    country = factories.CountryFactory(iso_code="PT")
    sector = factories.ThematicSectorFactory(slug="energy", name="Energy")

    city = factories.CityFactory(name="Lisbon", country=country, is_mission_city=True)
    other_city = factories.CityFactory(name="Porto", country=country)
    applicant = factories.CityFactory(name="Braga", country=country)
    people = {
        "anonymous": None,
        "officer": factories.city_officer(city=city, full_name="Ana Officer"),
        "officer_elsewhere": factories.city_officer(city=other_city, full_name="Oto Elsewhere"),
        "facilitator": factories.UserFactory(is_facilitator=True, full_name="Fay Lead"),
        "facilitator_elsewhere": factories.UserFactory(is_facilitator=True, full_name="Fred Away"),
        "reviewer": factories.UserFactory(is_reviewer=True, full_name="Rita Reviewer"),
        "admin": factories.UserFactory(is_programme_admin=True, full_name="Ada Admin"),
    }
    officer, facilitator = people["officer"], people["facilitator"]

    cohort = _cohort(1, facilitator, today)
    other_cohort = _cohort(2, people["facilitator_elsewhere"], today)
    group = ThematicGroup.objects.create(cohort=cohort, sector=sector)
    enrolment = Enrolment.objects.create(
        cohort=cohort, city=city, status=EnrolmentStatus.ACCEPTED, decided_by=facilitator
    )
    Enrolment.objects.create(cohort=other_cohort, city=other_city, status=EnrolmentStatus.ACCEPTED)
    requested = Enrolment.objects.create(
        cohort=cohort, city=applicant, status=EnrolmentStatus.REQUESTED
    )

    session = factories.SessionFactory(
        cohort=cohort,
        title="Energy: district heating",
        starts_at=now + datetime.timedelta(days=7),
        ends_at=now + datetime.timedelta(days=7, minutes=90),
    )
    registration = Registration.objects.create(
        session=session,
        city=city,
        full_name="Rui Costa",
        email="rui@lisboa.pt",
        registered_by=officer,
    )
    action = ClimateAction.objects.create(
        city=city, title="Renewable energy communities", sector=sector
    )
    # The cohort's onboarding began with it (every roadmap section stays open), and the city
    # presents its climate action in the session.
    phase = factories.PhaseFactory(
        cohort=cohort,
        kind="onboarding",
        name="Onboarding",
        starts_on=today - datetime.timedelta(days=100),
        ends_on=today - datetime.timedelta(days=50),
    )
    presentation = SessionPresentation.objects.create(
        session=session, city=city, topics="Energy communities"
    )
    presentation.climate_actions.add(action)
    service = factories.NetZeroCitiesServiceFactory(name="Climate Transition Map")
    factor = factories.EnablingFactorFactory(slug="governance", name="Governance")
    theme = factories.EnablingThemeFactory(slug="capacity", name="Capacity")
    roadmap = Roadmap.objects.create(cohort=cohort, city=city)
    export = RoadmapExport.objects.create(
        cohort=cohort,
        requested_by=facilitator,
        status=ExportStatus.READY,
        done=1,
        total=1,
        finished_at=now,
    )
    export.file.save("cohort-1.zip", ContentFile(b"PK\x05\x06" + b"\x00" * 18), save=True)

    invitation = Invitation.objects.create(
        email="invitee@example.org",
        city=city,
        invited_by=people["admin"],
        expires_at=now + datetime.timedelta(days=14),
    )
    digest, secret = get_digest_token()
    api_token = ApiToken(
        user=officer,
        name="Monthly report",
        digest=digest,
        token_key=secret[: KNOX.TOKEN_KEY_LENGTH],
        expiry=now + datetime.timedelta(days=30),
    )
    api_token.save(force_insert=True)  # knox's manager would make its own digest
    # A partner's import script: an account nobody signs in to, whose tokens admins make.
    script_account = factories.UserFactory(
        email="import@partner.example.org", full_name="Partner import", is_script_account=True
    )
    script_account.set_unusable_password()
    script_account.save()
    feed = CalendarFeed.objects.create(user=officer)
    # Feedback surveys: the cohort's, its session's and the programme's, published, and one
    # of the cohort still being built.
    # The three published ones are copies of one ready template (their key only), for the
    # comparison page.
    survey = factories.SurveyFactory(
        cohort=cohort, is_published=True, created_by=facilitator, template_key="final_recap"
    )
    session_survey = factories.SurveyFactory(
        scope=SurveyScope.SESSION,
        cohort=None,
        session=session,
        is_published=True,
        template_key="final_recap",
    )
    programme_survey = factories.SurveyFactory(
        scope=SurveyScope.PROGRAMME,
        cohort=None,
        programme=cohort.programme,
        is_published=True,
        template_key="final_recap",
    )
    draft_survey = factories.SurveyFactory(cohort=cohort)
    # The survey's first section and a question in it, for the builder's routes.
    survey_section = factories.SectionFactory(survey=survey, position=1)
    survey_question = factories.QuestionFactory(section=survey_section, position=1)
    for position, label in enumerate(["Yes", "No"], start=1):
        factories.OptionFactory(question=survey_question, position=position, label=label)
    # The survey presented live (feedback/live.py), at its question, under a fixed code.
    live_presentation = LivePresentation.objects.create(
        survey=survey,
        code="KM4TXA",
        question=survey_question,
        started_by=facilitator,
        started_at=now,
    )

    # Group Study Visits: an open call to the cohort's cities, with one visit hosted by the
    # other city, the city's draft application and the reviewer assigned to it.
    call = factories.CallFactory(status=CallStatus.OPEN, created_by=people["admin"])
    call.eligible_cohorts.add(cohort)
    visit = factories.VisitFactory(call=call, host_city=other_city, sector=sector)
    application = factories.ApplicationFactory(call=call, city=city, created_by=officer)
    factories.PreferenceFactory(application=application, visit=visit, rank=1)
    criterion = factories.CriterionFactory(call=call, name="Relevance of the challenge")
    review = factories.ReviewFactory(application=application, reviewer=people["reviewer"])

    # Reminders: a service message that failed, in the outbox, and the officer's link to stop
    # session reminders.
    outbox_email = OutboundEmail.objects.create(
        key="matrix:welcome",
        to=officer.email,
        subject="Welcome",
        body="Hello.",
        status=DeliveryStatus.FAILED,
    )

    # Reports: the facilitator's CSV export of the cities, ready.
    report_export = ExportFile.objects.create(
        requested_by=facilitator,
        dataset_key="cities",
        format=ExportFormat.CSV,
        status=ExportFileStatus.READY,
        rows_written=1,
        rows_expected=1,
        size=12,
        finished_at=now,
        expires_at=now + datetime.timedelta(days=7),
    )
    report_export.file.save("cities.csv", ContentFile(b"city\r\nLisbon\r\n"), save=True)

    clients, session_keys = {}, {}
    for role, person in people.items():
        clients[role] = Client()
        if person is not None:
            clients[role].force_login(person)
            session_keys[role] = clients[role].cookies[settings.SESSION_COOKIE_NAME].value

    return World(
        people=people,
        clients=clients,
        session_keys=session_keys,
        city=city,
        other_city=other_city,
        cohort=cohort,
        session=session,
        roadmap=roadmap,
        ids={
            "action": action.pk,
            "api_token": api_token.pk,
            "city": city.pk,
            "cohort": cohort.pk,
            "country": country.pk,
            "enrolment": enrolment.pk,
            "export": export.pk,
            "factor": factor.pk,
            "feed": feed.token,
            "group": group.pk,
            "invitation": invitation.token,
            "officer_email": officer.email,
            "nzc_service": service.pk,
            "officer_person": officer.pk,
            "script_account": script_account.pk,
            "other_city": other_city.pk,
            "phase": phase.pk,
            "presentation": presentation.pk,
            "registration": registration.pk,
            "registration_signature": registration_calendar_signature(registration),
            "requested": requested.pk,
            "roadmap": roadmap.pk,
            "sector": sector.slug,
            "sector_id": sector.pk,
            "session": session.pk,
            "survey": survey.pk,
            "theme": theme.pk,
            "draft_survey": draft_survey.pk,
            "programme_survey": programme_survey.pk,
            "survey_section": survey_section.pk,
            "survey_question": survey_question.pk,
            "session_survey": session_survey.pk,
            "live_code": live_presentation.code,
            "call": call.pk,
            "visit": visit.pk,
            "application": application.pk,
            "criterion": criterion.pk,
            "review": review.pk,
            "dataset": "survey-answers",
            "outbox_email": outbox_email.pk,
            "report_export": report_export.pk,
            "unsubscribe": unsubscribe_token(
                address=officer.email, kind=ReminderKind.SESSION_STARTS
            ),
        },
        rule_object_ids={
            "action": action.pk,
            "api_token": api_token.pk,
            "city": city.pk,
            "cohort": cohort.pk,
            "invitation": invitation.pk,
            "officer": officer.pk,
            "script_account": script_account.pk,
            "other_city": other_city.pk,
            "registration": registration.pk,
            "roadmap": roadmap.pk,
            "session": session.pk,
            "survey": survey.pk,
            "session_survey": session_survey.pk,
            "programme_survey": programme_survey.pk,
            "draft_survey": draft_survey.pk,
            "call": call.pk,
            "application": application.pk,
            "review": review.pk,
            "report_export": report_export.pk,
        },
    )
