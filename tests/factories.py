"""factory_boy factories: one per model of the project's apps (tests/test_factories.py checks it).

Each factory writes a valid row with the fewest related rows it needs, through the ORM. State
that a service makes together with its side effects (an accepted enrolment opens the city's
roadmap through a signal) comes from the functions at the end of this module, each the one place
that calls its service, so that a change of the service's signature touches one line here.
"""

import datetime

import factory
from allauth.account.models import EmailAddress
from django.conf import settings
from django.utils import timezone
from knox.models import get_digest_token
from knox.settings import CONSTANTS as KNOX

from accounts.models import ApiToken, User
from cities.models import (
    City,
    CityMembership,
    ClimateAction,
    ClimateActionLever,
    Country,
    Invitation,
)
from cohorts.enums import EnrolmentStatus, PhaseKind, Programme
from cohorts.models import Cohort, Enrolment, EnrolmentGroup, Phase, ThematicGroup
from feedback.enums import QuestionKind, SurveyScope
from feedback.live import CODE_ALPHABET
from feedback.models import (
    Answer,
    LivePresentation,
    Option,
    Participation,
    Question,
    QuestionChange,
    Response,
    Section,
    SubtopicsSent,
    Survey,
)
from notifications.enums import ReminderKind
from notifications.models import OutboundEmail
from portal.models import DataVersion
from reminders.models import ReminderOptOut, ReminderRule
from reports.enums import ExportFormat
from reports.models import ExportFile
from roadmaps.enums import RoadmapStatus
from roadmaps.models import (
    NetZeroCitiesService,
    Roadmap,
    RoadmapChange,
    RoadmapComment,
    RoadmapExport,
    RoadmapTransition,
    RoadmapValue,
)
from sessions.enums import SessionKind
from sessions.models import CalendarFeed, Registration, Session, SessionPresentation
from taxonomy.models import EnablingFactor, EnablingTheme, ThematicSector
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

PASSWORD = "correct-horse-battery-staple"


# --- portal ----------------------------------------------------------------------------------


class DataVersionFactory(factory.django.DjangoModelFactory):
    """The version counter of one scope of cached fragments (portal/fragments.py)."""

    class Meta:
        model = DataVersion

    scope = factory.Sequence(lambda n: f"test-scope:{n}")
    version = 1


# --- taxonomy --------------------------------------------------------------------------------


class ThematicSectorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ThematicSector
        django_get_or_create = ["slug"]

    slug = factory.Sequence(lambda n: f"sector-{n}")
    name = factory.Sequence(lambda n: f"Sector {n}")


class EnablingFactorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EnablingFactor
        django_get_or_create = ["slug"]

    slug = factory.Sequence(lambda n: f"factor-{n}")
    name = factory.Sequence(lambda n: f"Enabling factor {n}")
    position = factory.Sequence(lambda n: n + 1)


class EnablingThemeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EnablingTheme
        django_get_or_create = ["slug"]

    slug = factory.Sequence(lambda n: f"theme-{n}")
    name = factory.Sequence(lambda n: f"Enabling theme {n}")
    position = factory.Sequence(lambda n: n + 1)


# --- notifications ---------------------------------------------------------------------------


class OutboundEmailFactory(factory.django.DjangoModelFactory):
    """An email waiting in the outbox (status pending)."""

    class Meta:
        model = OutboundEmail

    key = factory.Sequence(lambda n: f"test:{n}")
    to = factory.Sequence(lambda n: f"recipient{n}@example.org")
    subject = "Invitation"
    body = "Join us."


# --- accounts --------------------------------------------------------------------------------


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    full_name = factory.Sequence(lambda n: f"Person {n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def verified_email(self, create, extracted, **kwargs):
        if create:
            self.save()
            EmailAddress.objects.get_or_create(
                user=self, email=self.email, defaults={"verified": True, "primary": True}
            )


class InvitationFactory(factory.django.DjangoModelFactory):
    """An open invitation to be an officer of a city, sent by a programme admin (who may invite
    to any city)."""

    class Meta:
        model = Invitation

    email = factory.Sequence(lambda n: f"invitee{n}@example.org")
    city = factory.SubFactory("tests.factories.CityFactory")
    invited_by = factory.SubFactory(UserFactory, is_programme_admin=True)
    created_at = factory.LazyFunction(timezone.now)
    expires_at = factory.LazyAttribute(
        lambda o: o.created_at + datetime.timedelta(days=settings.INVITATION_VALID_DAYS)
    )


class ApiTokenFactory(factory.django.DjangoModelFactory):
    """An API token valid for 30 days; its secret (kept only as a hash) is on `token.secret`."""

    class Meta:
        model = ApiToken

    user = factory.SubFactory(UserFactory)
    name = "script"
    created = factory.LazyFunction(timezone.now)
    expiry = factory.LazyAttribute(lambda o: o.created + datetime.timedelta(days=30))

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        # knox's manager would make its own secret and expiry: save the row directly.
        digest, secret = get_digest_token()
        token = model_class(
            *args, digest=digest, token_key=secret[: KNOX.TOKEN_KEY_LENGTH], **kwargs
        )
        token.save(force_insert=True)
        token.secret = secret
        return token


# --- cities ----------------------------------------------------------------------------------


class CountryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Country
        django_get_or_create = ["iso_code"]

    iso_code = factory.Iterator(["PT", "DE", "ES", "SE", "FI", "BE", "IT", "FR"])
    name = factory.LazyAttribute(
        lambda o: {
            "PT": "Portugal",
            "DE": "Germany",
            "ES": "Spain",
            "SE": "Sweden",
            "FI": "Finland",
            "BE": "Belgium",
            "IT": "Italy",
            "FR": "France",
        }[o.iso_code]
    )


class CityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = City

    name = factory.Sequence(lambda n: f"City {n}")
    country = factory.SubFactory(CountryFactory)
    population = 100_000
    is_mission_minded = True


class CityMembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CityMembership

    city = factory.SubFactory(CityFactory)
    user = factory.SubFactory(UserFactory)


def city_officer(city: City | None = None, **user_fields) -> User:
    """A user who is an officer of `city` (a new city when none is given)."""
    user = UserFactory(**user_fields)
    CityMembershipFactory(user=user, city=city or CityFactory())
    return user


class ClimateActionFactory(factory.django.DjangoModelFactory):
    """A climate action of a Mission City (the cities that present their actions)."""

    class Meta:
        model = ClimateAction

    city = factory.SubFactory(CityFactory, is_mission_city=True, is_mission_minded=False)
    title = factory.Sequence(lambda n: f"Climate action {n}")
    sector = factory.SubFactory(ThematicSectorFactory)


class ClimateActionLeverFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ClimateActionLever

    action = factory.SubFactory(ClimateActionFactory)
    factor = factory.SubFactory(EnablingFactorFactory)


# --- cohorts ---------------------------------------------------------------------------------


class CohortFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Cohort

    programme = Programme.ONLINE_DISCUSSION_GROUPS
    number = factory.Sequence(lambda n: n + 1)
    name = factory.LazyAttribute(lambda o: f"Online Discussion Groups cohort {o.number}")
    starts_on = datetime.date(2024, 9, 1)
    ends_on = datetime.date(2025, 2, 28)


class PhaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Phase

    cohort = factory.SubFactory(CohortFactory)
    kind = PhaseKind.THEMATIC_DISCUSSIONS
    name = "Thematic online discussions"
    starts_on = datetime.date(2024, 11, 1)
    ends_on = datetime.date(2024, 12, 31)


class ThematicGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ThematicGroup

    cohort = factory.SubFactory(CohortFactory)
    sector = factory.SubFactory(ThematicSectorFactory)


class EnrolmentFactory(factory.django.DjangoModelFactory):
    """A city's enrolment row, by default a request still to decide.

    Written as a row: nothing reacts (no roadmap is opened, nobody is told). For an accepted
    enrolment with what follows from it, use `enrolment_accepted` below.
    """

    class Meta:
        model = Enrolment

    cohort = factory.SubFactory(CohortFactory)
    city = factory.SubFactory(CityFactory)
    status = EnrolmentStatus.REQUESTED


class EnrolmentGroupFactory(factory.django.DjangoModelFactory):
    """A thematic group an enrolled city joins: a group of the enrolment's cohort."""

    class Meta:
        model = EnrolmentGroup

    enrolment = factory.SubFactory(EnrolmentFactory)
    thematic_group = factory.SubFactory(
        ThematicGroupFactory, cohort=factory.SelfAttribute("..enrolment.cohort")
    )


# --- sessions --------------------------------------------------------------------------------


class SessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Session

    cohort = factory.SubFactory(CohortFactory)
    kind = SessionKind.THEMATIC_DISCUSSION
    title = factory.Sequence(lambda n: f"Session {n}")
    starts_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=7))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + datetime.timedelta(minutes=90))


class SessionPresentationFactory(factory.django.DjangoModelFactory):
    """A Mission City presenting in a session (add its actions with `climate_actions=[...]`)."""

    class Meta:
        model = SessionPresentation
        skip_postgeneration_save = True

    session = factory.SubFactory(SessionFactory)
    city = factory.SubFactory(CityFactory, is_mission_city=True, is_mission_minded=False)

    @factory.post_generation
    def climate_actions(self, create, extracted, **kwargs):
        if create and extracted:
            self.climate_actions.add(*extracted)


class RegistrationFactory(factory.django.DjangoModelFactory):
    """A person a city registered for a session."""

    class Meta:
        model = Registration

    session = factory.SubFactory(SessionFactory)
    city = factory.SubFactory(CityFactory)
    full_name = factory.Sequence(lambda n: f"Participant {n}")
    email = factory.Sequence(lambda n: f"participant{n}@example.org")


class CalendarFeedFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CalendarFeed

    user = factory.SubFactory(UserFactory)


# --- roadmaps --------------------------------------------------------------------------------


class NetZeroCitiesServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = NetZeroCitiesService

    name = factory.Sequence(lambda n: f"NetZeroCities service {n}")
    position = factory.Sequence(lambda n: n + 1)


class RoadmapFactory(factory.django.DjangoModelFactory):
    """A roadmap as a row, holding `values` (field key -> text, each at version 1).

    Nothing about the cohort's phases or the city's enrolment is checked: for a roadmap opened
    as the portal opens it, use `enrolment_accepted` below.
    """

    class Meta:
        model = Roadmap
        skip_postgeneration_save = True

    cohort = factory.SubFactory(CohortFactory)
    city = factory.SubFactory(CityFactory)
    status = RoadmapStatus.DRAFT

    @factory.post_generation
    def values(self, create, extracted, **kwargs):
        if create and extracted:
            RoadmapValue.objects.bulk_create(
                RoadmapValue(roadmap=self, key=key, value=value, version=1)
                for key, value in extracted.items()
            )


class RoadmapValueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RoadmapValue

    roadmap = factory.SubFactory(RoadmapFactory)
    key = "phase1.overview"
    value = "Climate neutrality by 2030."
    version = 1


class RoadmapChangeFactory(factory.django.DjangoModelFactory):
    """The first saved version of a field, by an officer of the roadmap's city."""

    class Meta:
        model = RoadmapChange

    roadmap = factory.SubFactory(RoadmapFactory)
    key = "phase1.overview"
    old_value = ""
    new_value = "Climate neutrality by 2030."
    version = 1
    changed_by = factory.LazyAttribute(lambda o: city_officer(city=o.roadmap.city))


class RoadmapCommentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RoadmapComment

    roadmap = factory.SubFactory(RoadmapFactory)
    section = "phase1"
    body = "Say more about the causes."
    author = factory.SubFactory(UserFactory, is_facilitator=True)


class RoadmapTransitionFactory(factory.django.DjangoModelFactory):
    """A roadmap's submission, by an officer of its city."""

    class Meta:
        model = RoadmapTransition

    roadmap = factory.SubFactory(RoadmapFactory, status=RoadmapStatus.SUBMITTED)
    from_status = RoadmapStatus.DRAFT
    to_status = RoadmapStatus.SUBMITTED
    by = factory.LazyAttribute(lambda o: city_officer(city=o.roadmap.city))


class RoadmapExportFactory(factory.django.DjangoModelFactory):
    """A ZIP of a cohort's roadmaps, asked for and waiting for a worker."""

    class Meta:
        model = RoadmapExport

    cohort = factory.SubFactory(CohortFactory)
    requested_by = factory.SubFactory(UserFactory, is_facilitator=True)


# --- feedback surveys ------------------------------------------------------------------------


class SurveyFactory(factory.django.DjangoModelFactory):
    """A named survey about a cohort, open from a day ago for two weeks, not yet published."""

    class Meta:
        model = Survey

    title = factory.Sequence(lambda n: f"Survey {n}")
    scope = SurveyScope.COHORT
    cohort = factory.SubFactory(CohortFactory)
    opens_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=1))
    closes_at = factory.LazyAttribute(lambda o: o.opens_at + datetime.timedelta(days=14))


class SectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Section

    survey = factory.SubFactory(SurveyFactory)
    position = factory.Sequence(lambda n: n + 1)


class QuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Question

    section = factory.SubFactory(SectionFactory)
    position = factory.Sequence(lambda n: n + 1)
    kind = QuestionKind.SINGLE_CHOICE
    text = factory.Sequence(lambda n: f"Question {n}?")


class OptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Option

    question = factory.SubFactory(QuestionFactory)
    position = factory.Sequence(lambda n: n + 1)
    label = factory.Sequence(lambda n: f"Option {n}")


class QuestionChangeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = QuestionChange

    question = factory.SubFactory(QuestionFactory)
    field = "text"
    old_value = "Are you satisfied with the format?"
    new_value = "Are you satisfied with the 1h30 format?"
    changed_by = factory.SubFactory(UserFactory, is_facilitator=True)


class ResponseFactory(factory.django.DjangoModelFactory):
    """A draft of a named survey by a person (an officer of no city: the factory writes the
    row only)."""

    class Meta:
        model = Response

    survey = factory.SubFactory(SurveyFactory)
    user = factory.SubFactory(UserFactory)
    respondent = factory.LazyAttribute(lambda o: f"person:{o.user.pk}")
    created_at = factory.LazyFunction(timezone.now)
    updated_at = factory.LazyFunction(timezone.now)


class ParticipationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Participation

    survey = factory.SubFactory(SurveyFactory, is_anonymous=True)
    user = factory.SubFactory(UserFactory)


class AnswerFactory(factory.django.DjangoModelFactory):
    """An answer of "Option N" to a single-choice question of the response's survey."""

    class Meta:
        model = Answer

    response = factory.SubFactory(ResponseFactory)
    question = factory.SubFactory(
        QuestionFactory, section__survey=factory.SelfAttribute("...response.survey")
    )
    option = factory.SubFactory(OptionFactory, question=factory.SelfAttribute("..question"))


def _live_code(n: int) -> str:
    """The n-th six-character code of live mode's alphabet (distinct for every n)."""
    letters = []
    for _ in range(6):
        n, digit = divmod(n, len(CODE_ALPHABET))
        letters.append(CODE_ALPHABET[digit])
    return "".join(reversed(letters))


class LivePresentationFactory(factory.django.DjangoModelFactory):
    """A survey presented live, running, with no question on screen yet (the factory writes
    the row only; feedback.live starts one through its service)."""

    class Meta:
        model = LivePresentation

    survey = factory.SubFactory(SurveyFactory, is_published=True)
    code = factory.Sequence(_live_code)
    started_by = factory.SubFactory(UserFactory, is_facilitator=True)
    started_at = factory.LazyFunction(timezone.now)


class SubtopicsSentFactory(factory.django.DjangoModelFactory):
    """That a post-session survey's sub-topics were sent to a session (the row only)."""

    class Meta:
        model = SubtopicsSent

    survey = factory.SubFactory(SurveyFactory)
    session = factory.SubFactory(SessionFactory)
    responses = 3
    text = "Heat pumps in social housing"
    sent_by = factory.SubFactory(UserFactory, is_facilitator=True)
    sent_at = factory.LazyFunction(timezone.now)


# --- state made by services ------------------------------------------------------------------


def enrolment_accepted(
    *, cohort: Cohort | None = None, city: City | None = None, by: User | None = None
) -> Enrolment:
    """`city` enrolled in `cohort` by `by` (a programme admin when not given), through the
    cohorts service: the enrolment is accepted and the city's roadmap is opened.

    The cohort gets a thematic group when it has none: a direct enrolment joins one.
    """
    from cohorts import services as cohort_services

    cohort = cohort or CohortFactory()
    group = cohort.thematic_groups.first() or ThematicGroupFactory(cohort=cohort)
    return cohort_services.enrolment_create_direct(
        cohort=cohort,
        city=city or CityFactory(),
        acting_user=by or UserFactory(is_programme_admin=True),
        groups=[(group, "")],
    )


# --- Group Study Visits --------------------------------------------------------------------------


class CallFactory(factory.django.DjangoModelFactory):
    """A draft call, its window open from a day ago for two weeks, reviews due a week later."""

    class Meta:
        model = Call

    title = factory.Sequence(lambda n: f"Group Study Visits call {n}")
    opens_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=1))
    closes_at = factory.LazyAttribute(lambda o: o.opens_at + datetime.timedelta(days=14))
    review_deadline = factory.LazyAttribute(lambda o: o.closes_at + datetime.timedelta(days=7))


class VisitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Visit

    call = factory.SubFactory(CallFactory)
    host_city = factory.SubFactory(CityFactory)
    starts_on = datetime.date(2025, 5, 12)
    ends_on = datetime.date(2025, 5, 13)
    sector = factory.SubFactory(ThematicSectorFactory)
    capacity_cities = 5
    delegates_per_city = 2


class ApplicationFactory(factory.django.DjangoModelFactory):
    """A draft application (the row only: visits' services make a real one)."""

    class Meta:
        model = Application

    call = factory.SubFactory(CallFactory)
    city = factory.SubFactory(CityFactory)


class PreferenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Preference

    application = factory.SubFactory(ApplicationFactory)
    visit = factory.SubFactory(VisitFactory, call=factory.SelfAttribute("..application.call"))
    rank = 1


class DelegateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Delegate

    application = factory.SubFactory(ApplicationFactory)
    name = factory.Sequence(lambda n: f"Delegate {n}")
    role = "Climate officer"
    email = factory.Sequence(lambda n: f"delegate{n}@example.org")


class CriterionFactory(factory.django.DjangoModelFactory):
    """A manual criterion scored 0 to 5, weight 1."""

    class Meta:
        model = Criterion

    call = factory.SubFactory(CallFactory)
    name = factory.Sequence(lambda n: f"Criterion {n}")
    kind = CriterionKind.MANUAL
    position = factory.Sequence(lambda n: n + 1)


class AnchorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Anchor

    criterion = factory.SubFactory(CriterionFactory)
    points = 0
    description = "Not addressed"


class ReviewFactory(factory.django.DjangoModelFactory):
    """A reviewer assigned to an application (the row only)."""

    class Meta:
        model = Review

    application = factory.SubFactory(ApplicationFactory)
    reviewer = factory.SubFactory(UserFactory, is_reviewer=True)


class ScoreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Score

    review = factory.SubFactory(ReviewFactory)
    criterion = factory.SubFactory(
        CriterionFactory, call=factory.SelfAttribute("..review.application.call")
    )
    points = 3


class ScoreLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ScoreLine

    application = factory.SubFactory(ApplicationFactory)
    criterion = factory.SubFactory(
        CriterionFactory, call=factory.SelfAttribute("..application.call")
    )


# --- reminders -------------------------------------------------------------------------------


class ReminderRuleFactory(factory.django.DjangoModelFactory):
    """An admin's setting of one rule (a kind has at most one)."""

    class Meta:
        model = ReminderRule

    kind = factory.Sequence(lambda n: ReminderKind.values[n % len(ReminderKind.values)])
    offsets = factory.LazyFunction(lambda: [24 * 60, 60])


class ReminderOptOutFactory(factory.django.DjangoModelFactory):
    """A person who does not want one kind of reminder by email."""

    class Meta:
        model = ReminderOptOut

    address = factory.Sequence(lambda n: f"unsubscribed{n}@example.org")
    kind = ReminderKind.SESSION_STARTS


# --- reports ---------------------------------------------------------------------------------


class ExportFileFactory(factory.django.DjangoModelFactory):
    """A facilitator's CSV export of a data set, asked for and waiting for a worker."""

    class Meta:
        model = ExportFile

    requested_by = factory.SubFactory(UserFactory, is_facilitator=True)
    dataset_key = "cities"
    format = ExportFormat.CSV
