"""A small world for the analysts' data sets (tests/reports/test_datasets*.py): two cohorts of
Online Discussion Groups with their facilitators, three cities in two countries, sessions with
registrations, roadmaps, named and anonymous surveys, a call with applications and scores.

Written as rows (tests/factories.py) with fixed moments, so that each data set's rows can be
written out in full in the tests.
"""

import datetime
from dataclasses import dataclass

from accounts.models import User
from cities.models import City, Country
from cohorts.enums import EnrolmentStatus
from cohorts.models import Cohort, Enrolment, ThematicGroup
from feedback.enums import QuestionKind, ResponseStatus, SurveyScope
from feedback.models import Answer, Option, Question, Response, Survey
from roadmaps.enums import RoadmapStatus
from roadmaps.models import Roadmap, RoadmapValue
from sessions.enums import Attendance
from sessions.models import Registration, Session
from tests import factories
from visits.enums import ApplicationStatus, Decision, ReviewStatus
from visits.models import Application, Call, Criterion, Review, Score, Visit

UTC = datetime.UTC


def at(day: str, hour: int = 10) -> datetime.datetime:
    return datetime.datetime.fromisoformat(day).replace(hour=hour, tzinfo=UTC)


@dataclass
class World:
    admin: User
    lead_a: User
    lead_b: User
    officer: User
    reviewer: User
    portugal: Country
    germany: Country
    lisbon: City
    porto: City
    berlin: City
    cohort_a: Cohort
    cohort_b: Cohort
    energy_a: ThematicGroup
    mobility_b: ThematicGroup
    lisbon_a: Enrolment
    porto_a: Enrolment
    berlin_b: Enrolment
    porto_b: Enrolment
    s1: Session
    s2: Session
    s3: Session
    r1: Registration
    r2: Registration
    r3: Registration
    r4: Registration
    roadmap_lisbon: Roadmap
    roadmap_porto: Roadmap
    roadmap_berlin: Roadmap
    named: Survey
    choice: Question
    yes: Option
    no: Option
    comment: Question
    named_lisbon: Response
    named_porto: Response
    anonymous: Survey
    rating: Question
    remark: Question
    anon_1: Response
    anon_2: Response
    few: Survey  # anonymous, under its threshold
    named_b: Survey
    named_berlin: Response
    call: Call
    visit: Visit
    relevance: Criterion
    app_lisbon: Application
    app_berlin: Application
    app_porto: Application
    review_lisbon: Review
    review_open: Review


def build() -> World:
    f = factories
    admin = f.UserFactory(is_programme_admin=True, email="admin@example.org")
    lead_a = f.UserFactory(is_facilitator=True, email="lead.a@example.org")
    lead_b = f.UserFactory(is_facilitator=True, email="lead.b@example.org")
    reviewer = f.UserFactory(is_reviewer=True, email="reviewer@example.org")
    portugal = f.CountryFactory(iso_code="PT")
    germany = f.CountryFactory(iso_code="DE")
    lisbon = f.CityFactory(name="Lisbon", country=portugal, population=545_000)
    porto = f.CityFactory(
        name="Porto",
        country=portugal,
        population=None,
        is_mission_city=True,
        is_mission_minded=False,
        is_pilot_city=True,
        contract_status="submitted",
    )
    berlin = f.CityFactory(name="Berlin", country=germany, population=3_700_000)
    officer = f.city_officer(lisbon, email="officer@lisbon.example.org")

    cohort_a = f.CohortFactory(number=1, name="Cohort A")
    cohort_b = f.CohortFactory(
        number=2,
        name="Cohort B",
        starts_on=datetime.date(2025, 3, 1),
        ends_on=datetime.date(2025, 8, 31),
    )
    cohort_a.facilitators.add(lead_a)
    cohort_b.facilitators.add(lead_b)
    energy = f.ThematicSectorFactory(slug="energy", name="Energy")
    mobility = f.ThematicSectorFactory(slug="mobility", name="Mobility")
    energy_a = f.ThematicGroupFactory(cohort=cohort_a, sector=energy)
    mobility_b = f.ThematicGroupFactory(cohort=cohort_b, sector=mobility)

    def enrol(cohort, city, status=EnrolmentStatus.ACCEPTED, group=None, **fields):
        enrolment = f.EnrolmentFactory(
            cohort=cohort, city=city, status=status, created_at=at("2024-08-01"), **fields
        )
        if group is not None:
            f.EnrolmentGroupFactory(enrolment=enrolment, thematic_group=group)
        return enrolment

    lisbon_a = enrol(cohort_a, lisbon, group=energy_a, decided_at=at("2024-08-02"))
    porto_a = enrol(cohort_a, porto, decided_at=at("2024-08-03"))
    berlin_b = enrol(cohort_b, berlin, group=mobility_b, decided_at=at("2025-02-01"))
    porto_b = enrol(cohort_b, porto, status=EnrolmentStatus.REQUESTED, requested_by=officer)

    def session(cohort, day, title, group=None, **fields):
        return f.SessionFactory(
            cohort=cohort,
            thematic_group=group,
            title=title,
            starts_at=at(day),
            ends_at=at(day, 12),
            **fields,
        )

    s1 = session(cohort_a, "2024-10-01", "Energy communities", group=energy_a)
    s2 = session(cohort_a, "2024-11-05", "Recap", reported_participants=31)
    s3 = session(cohort_b, "2025-04-01", "Mobility hubs", group=mobility_b)

    def register(session, city, name, email, **fields):
        return f.RegistrationFactory(
            session=session,
            city=city,
            full_name=name,
            email=email,
            created_at=at("2024-09-20"),
            **fields,
        )

    r1 = register(s1, lisbon, "Ana Silva", "ana@lisbon.example.org", attendance=Attendance.ATTENDED)
    r2 = register(s1, porto, "Rui Costa", "rui@porto.example.org", attendance=Attendance.NO_SHOW)
    r3 = register(
        s1,
        lisbon,
        "Eva Lopes",
        "eva@lisbon.example.org",
        attendance=Attendance.ATTENDED,
        is_walk_in=True,
    )
    r4 = register(s3, berlin, "Max Weber", "max@berlin.example.org")

    roadmap_lisbon = f.RoadmapFactory(
        cohort=cohort_a,
        city=lisbon,
        status=RoadmapStatus.SUBMITTED,
        percent_complete=100,
        created_at=at("2024-08-02"),
        updated_at=at("2024-12-01"),
        submitted_at=at("2024-12-01"),
        values={
            "representative.email": "rep@lisbon.example.org",
            "representative.first_name": "Ana",
            "phase1.overview": "Net zero by 2030, with the port.",
            "phase2_1.desirability": "high",
            "phase2_1.climate_action": "17",
            "phase2_2.score.internal-governance": "4",
            "phase2_2.score.funding-financing": "6",  # not a score: left empty
            "phase3.note": "",
        },
    )
    roadmap_porto = f.RoadmapFactory(
        cohort=cohort_a, city=porto, created_at=at("2024-08-03"), updated_at=at("2024-08-03")
    )
    roadmap_berlin = f.RoadmapFactory(
        cohort=cohort_b,
        city=berlin,
        status=RoadmapStatus.ACCEPTED,
        percent_complete=100,
        created_at=at("2025-02-01"),
        updated_at=at("2025-06-01"),
        submitted_at=at("2025-05-01"),
        accepted_at=at("2025-06-01"),
        values={"phase2_2.score.funding-financing": "2"},
    )
    RoadmapValue.objects.update(updated_at=at("2024-11-30"))

    # A named survey of cohort A: a choice and a text.
    named = f.SurveyFactory(
        cohort=cohort_a, title="Mid-term survey", is_published=True, opens_at=at("2024-12-01")
    )
    choice = f.QuestionFactory(
        section__survey=named, section__position=1, position=1, text="Was it useful?"
    )
    yes = f.OptionFactory(question=choice, position=1, label="Yes")
    no = f.OptionFactory(question=choice, position=2, label="No, rather not")
    comment = f.QuestionFactory(
        section=choice.section, position=2, kind=QuestionKind.LONG_TEXT, text="Anything else?"
    )

    def respond(survey, user, city, day, answers, anonymous=False):
        response = f.ResponseFactory(
            survey=survey,
            user=None if anonymous else user,
            city=city,
            respondent="" if anonymous else f"person:{user.pk}",
            status=ResponseStatus.SUBMITTED,
            created_at=None if anonymous else at(day, 9),
            updated_at=None if anonymous else at(day, 9),
            submitted_at=None if anonymous else at(day),
        )
        for fields in answers:
            Answer.objects.create(response=response, **fields)
        return response

    porto_officer = f.city_officer(porto, email="officer@porto.example.org")
    named_lisbon = respond(
        named,
        officer,
        lisbon,
        "2024-12-05",
        [
            {"question": choice, "option": yes},
            {"question": comment, "text": '=1+1, "quoted"\nsecond line'},
        ],
    )
    named_porto = respond(
        named, porto_officer, porto, "2024-12-06", [{"question": choice, "option": no}]
    )

    # An anonymous survey of session s1 (threshold 2): a rating both answered, a remark one
    # answered (withheld).
    anonymous = f.SurveyFactory(
        scope=SurveyScope.SESSION,
        cohort=None,
        session=s1,
        title="After the session",
        is_anonymous=True,
        min_responses=2,
        is_published=True,
        opens_at=at("2024-10-01"),
    )
    rating = f.QuestionFactory(
        section__survey=anonymous,
        section__position=1,
        position=1,
        kind=QuestionKind.RATING,
        text="How useful?",
    )
    remark = f.QuestionFactory(
        section=rating.section, position=2, kind=QuestionKind.SHORT_TEXT, text="Remark?"
    )
    anon_1 = respond(
        anonymous,
        officer,
        None,
        "",
        [{"question": rating, "number": 5}, {"question": remark, "text": "Who wrote this"}],
        anonymous=True,
    )
    anon_2 = respond(
        anonymous, porto_officer, None, "", [{"question": rating, "number": 3}], anonymous=True
    )
    # An anonymous survey of cohort A under its threshold of 3.
    few = f.SurveyFactory(
        cohort=cohort_a, title="Few", is_anonymous=True, is_published=True, min_responses=3
    )
    few_question = f.QuestionFactory(section__survey=few, kind=QuestionKind.RATING, text="Few?")
    respond(few, officer, None, "", [{"question": few_question, "number": 1}], anonymous=True)

    # A named survey of cohort B.
    named_b = f.SurveyFactory(cohort=cohort_b, title="Cohort B survey", is_published=True)
    b_question = f.QuestionFactory(
        section__survey=named_b,
        section__position=1,
        position=1,
        kind=QuestionKind.SCALE_0_10,
        text="How likely to recommend?",
    )
    berlin_officer = f.city_officer(berlin, email="officer@berlin.example.org")
    named_berlin = respond(
        named_b, berlin_officer, berlin, "2025-05-02", [{"question": b_question, "number": 9}]
    )

    # A call open to both cohorts: Lisbon and Berlin applied, Porto has a draft.
    call = f.CallFactory(title="Visits 2025")
    call.eligible_cohorts.add(cohort_a, cohort_b)
    visit = f.VisitFactory(call=call, host_city=porto, sector=energy)
    relevance = f.CriterionFactory(call=call, name="Relevance", weight=2)
    app_lisbon = f.ApplicationFactory(
        call=call,
        city=lisbon,
        status=ApplicationStatus.SUBMITTED,
        submitted_at=at("2025-01-10"),
        total="7.500",
        rank=1,
        decision=Decision.SELECTED,
        allocated_visit=visit,
    )
    app_berlin = f.ApplicationFactory(
        call=call,
        city=berlin,
        status=ApplicationStatus.SUBMITTED,
        submitted_at=at("2025-03-10"),
        total="3.000",
        rank=2,
        decision=Decision.WAITLISTED,
        waitlist_position=1,
    )
    app_porto = f.ApplicationFactory(call=call, city=porto)
    review_lisbon = f.ReviewFactory(
        application=app_lisbon,
        reviewer=reviewer,
        status=ReviewStatus.SUBMITTED,
        submitted_at=at("2025-01-20"),
    )
    Score.objects.create(review=review_lisbon, criterion=relevance, points=4)
    review_open = f.ReviewFactory(application=app_berlin, reviewer=reviewer)
    Score.objects.create(review=review_open, criterion=relevance, points=1)

    found = locals()
    return World(**{name: found[name] for name in World.__annotations__})
