"""seed_demo's feedback surveys of cohort 1 (devdata/demo_surveys.py): the final recap survey
gives back every figure of 000 §4.1 and Annex 2, counted in the database as the results page
counts them, and the post-session surveys ask for the technical sessions' sub-topics."""

import datetime
import zoneinfo

from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext

from cohorts.models import Cohort, EnrolmentGroup
from devdata import demo_surveys
from feedback.comparison import survey_comparison
from feedback.enums import QuestionKind, ResponseStatus, ResponseUnit, SurveyScope
from feedback.models import Answer, Question, Response, SubtopicsSent, Survey
from feedback.survey_templates import FINAL_RECAP, POST_SESSION
from sessions.enums import SessionKind
from sessions.models import Session
from tests.seeds.snapshots import seed_demo, snapshot

BRUSSELS = zoneinfo.ZoneInfo("Europe/Brussels")


def cohort_1() -> Cohort:
    return Cohort.objects.get(programme="odg", number=1)


def recap_survey() -> Survey:
    return Survey.objects.get(template_key=FINAL_RECAP, session__cohort=cohort_1())


def question(survey: Survey, section: int, position: int) -> Question:
    return Question.objects.get(
        section__survey=survey, section__position=section, position=position
    )


def option_counts(q: Question) -> list[tuple[str, int]]:
    """Each chosen option of `q` with the number of submitted responses that chose it, as
    one GROUP BY over the answer rows."""
    rows = (
        Answer.objects.filter(question=q, response__status=ResponseStatus.SUBMITTED)
        .values("option__position", "option__label")
        .annotate(n=Count("response", distinct=True))
        .order_by("option__position")
    )
    return [(row["option__label"], row["n"]) for row in rows]


def answered(q: Question) -> int:
    return (
        Answer.objects.filter(question=q, response__status=ResponseStatus.SUBMITTED)
        .values("response")
        .distinct()
        .count()
    )


def test_recap_survey_is_attached_to_the_recap_event_of_13_march_2025_closed_and_named(
    demo_data,
):
    survey = recap_survey()

    assert survey.scope == SurveyScope.SESSION
    assert survey.session.kind == SessionKind.RECAP
    assert survey.session.starts_at.astimezone(BRUSSELS).date() == datetime.date(2025, 3, 13)
    assert (survey.opens_at, survey.closes_at) == (survey.session.starts_at, survey.session.ends_at)
    assert survey.is_published is True
    assert survey.is_anonymous is False
    assert survey.response_unit == ResponseUnit.CITY
    assert survey.title == "Final recap survey: Online Discussion Groups cohort 1"
    assert survey.created_by.email == "facilitator@example.org"


def test_recap_survey_has_18_submitted_responses_of_18_enrolled_cities(demo_data):
    survey = recap_survey()
    responses = Response.objects.filter(survey=survey).select_related("city", "user")
    enrolled = set(
        cohort_1().enrolments.filter(status="accepted").values_list("city_id", flat=True)
    )

    assert responses.count() == 18
    assert {r.status for r in responses} == {ResponseStatus.SUBMITTED}
    assert len({r.city_id for r in responses}) == 18
    assert {r.city_id for r in responses} <= enrolled
    assert all(r.respondent == f"city:{r.city_id}" for r in responses)
    assert all(
        survey.session.starts_at < r.submitted_at < survey.session.ends_at for r in responses
    )
    # The officer logins the demo has for these cities, and nobody for the others.
    assert sorted((r.city.name, r.user.email) for r in responses if r.user) == [
        ("Braga", "officer@example.org"),
        ("Bruges", "bruges.officer@example.org"),
        ("Coimbra", "coimbra.officer@example.org"),
        ("Enschede", "enschede.officer@example.org"),
        ("Liepāja", "liepaja.officer@example.org"),
        ("Ljubljana", "ljubljana.officer@example.org"),
        ("Munich", "munich.officer@example.org"),
        ("Pisa", "pisa.officer@example.org"),
    ]


def test_recap_thematic_format_gives_15_of_18_satisfied_2_systemic_1_longer_exchange(demo_data):
    q = question(recap_survey(), 2, 1)

    assert q.text == "Are you satisfied with the 1h30min session format and its content balance?"
    assert answered(q) == 18
    assert option_counts(q) == [
        ("Yes, I am satisfied with the structure and content balance", 15),
        (
            "I would like to learn more about systemic approaches rather than sector-specific "
            "strategies",
            2,
        ),
        ("I would extend the exchange time with Mission Cities", 1),
    ]


def test_recap_technical_sessions_give_9_direct_support_6_satisfied_2_other_cities_1_problems(
    demo_data,
):
    q = question(recap_survey(), 3, 1)

    assert q.section.title == "Technical sessions"
    assert answered(q) == 18
    assert option_counts(q) == [
        (
            "I would have preferred direct technical support to address our specific "
            "climate-related challenges",
            9,
        ),
        ("Yes, I am satisfied with the format", 6),
        (
            "I would have liked to hear more from other cities instead of the NZC consortium "
            "members",
            2,
        ),
        ("I would incorporate more problem-solving exercises", 1),
    ]


def test_recap_support_services_are_annex_2_sentences_as_printed(demo_data):
    q = question(recap_survey(), 4, 1)
    texts = list(
        Answer.objects.filter(question=q)
        .order_by("response__submitted_at")
        .values_list("text", flat=True)
    )

    assert q.text == (
        "Describe in one sentence a support service you would need to support your climate "
        "neutrality goal."
    )
    assert len(texts) == 14
    assert texts[0] == "Tailored peer-to-peer exchange with cities sharing similar challenges"
    assert "Funding opportunities and peer exchangees" in texts
    assert texts[-1] == (
        "Web would like to receive a guidance for practical support from the NET ZERO CITIES"
    )
    assert texts == demo_surveys.SUPPORT_SERVICES


def test_recap_how_possible_has_no_answer_since_none_is_reported(demo_data):
    q = question(recap_survey(), 4, 2)

    assert q.kind == QuestionKind.SCALE_0_10
    assert answered(q) == 0


def test_post_session_surveys_ask_for_the_technical_sessions_sub_topics(demo_data):
    cohort = cohort_1()
    technical = {
        s.thematic_group_id: s
        for s in Session.objects.filter(cohort=cohort, kind=SessionKind.TECHNICAL_SUPPORT)
    }
    surveys = Survey.objects.filter(template_key=POST_SESSION, session__cohort=cohort)

    assert surveys.count() == 5
    for survey in surveys.select_related("session"):
        session = survey.session
        q = question(survey, 1, 1)
        counts = option_counts(q)
        top_label, top_count = max(counts, key=lambda row: row[1])
        group_cities = EnrolmentGroup.objects.filter(
            enrolment__cohort=cohort, thematic_group=session.thematic_group
        ).values_list("enrolment__city_id", flat=True)

        assert session.kind == SessionKind.THEMATIC_DISCUSSION
        assert survey.opens_at == session.ends_at
        assert answered(q) == 6
        # Every respondent chose the sub-topic the technical session took up, and no other
        # sub-topic as often.
        assert top_count == 6
        assert [n for _label, n in counts].count(6) == 1
        fed = technical[session.thematic_group_id]
        assert fed.title.endswith(top_label)
        # The technical session's requested sub-topics are the survey's choices, most chosen
        # first, sent as on the results page (feedback.subtopics); the thematic one has none.
        assert fed.requested_subtopics.splitlines() == [
            f"{label} ({n} of 6)" for label, n in sorted(counts, key=lambda row: -row[1])
        ]
        assert SubtopicsSent.objects.get(survey=survey).session == fed
        assert session.requested_subtopics == ""
        assert set(survey.responses.values_list("city_id", flat=True)) <= set(group_cities)


def test_energy_post_session_survey_chose_energy_poverty(demo_data):
    survey = Survey.objects.get(
        template_key=POST_SESSION, session__title="Thematic discussion: Energy"
    )

    assert option_counts(question(survey, 1, 1)) == [
        ("Exploring energy poverty reduction at the city scale", 6),
        ("Increased adoption of renewable energy sources within the city.", 2),
        (
            "Promotion of cleaner production techniques and incentives to limit industrial "
            "emissions.",
            1,
        ),
    ]


def test_seed_demo_twice_creates_no_survey_response_or_answer(demo_data):
    before = snapshot()
    counts = (Survey.objects.count(), Response.objects.count(), Answer.objects.count())

    with CaptureQueriesContext(connection) as queries:
        seed_demo()

    # The recap survey, five post-session surveys and cohort 1's needs assessment
    # (test_demo_needs), and cohort 2's needs assessment, open and not answered yet.
    assert counts == (8, 18 + 5 * 6 + 8, 18 * 2 + 14 + 5 + 5 * 9 + 188)
    assert (Survey.objects.count(), Response.objects.count(), Answer.objects.count()) == counts
    assert snapshot() == before
    writes = [q["sql"] for q in queries if q["sql"].split()[0] in {"INSERT", "UPDATE", "DELETE"}]
    assert writes == []


def test_seed_demo_keeps_requested_subtopics_a_facilitator_typed(demo_data):
    session = Session.objects.get(
        kind=SessionKind.TECHNICAL_SUPPORT,
        thematic_group__sector__slug="energy",
        cohort=cohort_1(),
    )
    session.requested_subtopics = "Heat pumps in apartment blocks"
    session.save(update_fields=["requested_subtopics"])

    seed_demo()

    session.refresh_from_db()
    assert session.requested_subtopics == "Heat pumps in apartment blocks"


def test_post_session_surveys_compare_side_by_side(demo_data):
    """The comparison page's demo (feedback/comparison.py): the five thematic sessions' surveys
    of one template, matched question by question; each sector's sub-topics are offered by its
    own survey only."""
    surveys = list(
        Survey.objects.filter(template_key=POST_SESSION, session__cohort=cohort_1())
        .select_related("session", "cohort")
        .order_by("opens_at", "pk")
    )
    comparison = survey_comparison(surveys)

    assert [q.key[1] for q in comparison.questions] == ["subtopics", "comment"]
    assert comparison.unmatched == []
    subtopics = comparison.questions[0]
    assert [side.answered for side in subtopics.sides] == [6] * 5
    for index, survey in enumerate(surveys):
        first = question(survey, 1, 1).options.get(position=1).label
        line = next(line for line in subtopics.lines if line.label == first)
        assert [figure.text for figure in line.figures] == [
            "6 of 6 (100%)" if n == index else "not offered" for n in range(5)
        ]
