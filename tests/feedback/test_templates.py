"""The ready survey templates (feedback/survey_templates.py): each copies into a survey with the
sources' sections, questions, options and wording, and the copying service checks who asks and
what for."""

import datetime

import pytest
from django.db.models import Count, Q

from cohorts.enums import Programme
from feedback.enums import QuestionKind, ResponseUnit, SurveyScope
from feedback.models import Option, Question, Section, Survey
from feedback.survey_templates import (
    FINAL_RECAP,
    NEEDS_ASSESSMENT,
    POST_SESSION,
    TEMPLATES,
    survey_from_template,
)
from portal.errors import ApplicationError
from portal.permissions import PermissionRefused
from sessions.enums import SessionKind, SessionStatus
from tests import factories

# Copying a template: a savepoint, the survey's insert, the data versions its save raises (the
# surveys' list, its structure and every survey's: feedback/versions.py, in one upsert), one
# insert each for sections, questions and options, and the savepoint's release.
QUERIES = 7
OPENS = datetime.datetime(2025, 3, 13, 9, 0, tzinfo=datetime.UTC)
CLOSES = OPENS + datetime.timedelta(days=14)


@pytest.fixture
def cohort(db):
    return factories.CohortFactory()


@pytest.fixture
def facilitator(cohort):
    user = factories.UserFactory(is_facilitator=True)
    cohort.facilitators.add(user)
    return user


@pytest.fixture
def admin(db):
    return factories.UserFactory(is_programme_admin=True)


def thematic_session(cohort, slug="energy", **fields):
    group = factories.ThematicGroupFactory(
        cohort=cohort, sector=factories.ThematicSectorFactory(slug=slug)
    )
    return factories.SessionFactory(cohort=cohort, thematic_group=group, **fields)


def copy(template_key, target, user, **fields):
    return survey_from_template(
        template_key=template_key,
        target=target,
        opens_at=fields.pop("opens_at", OPENS),
        closes_at=fields.pop("closes_at", CLOSES),
        is_anonymous=fields.pop("is_anonymous", False),
        acting_user=user,
        **fields,
    )


def shape(survey):
    """(sections, questions, options) of the survey, counted in the database."""
    return (
        Section.objects.filter(survey=survey).count(),
        Question.objects.filter(section__survey=survey).count(),
        Option.objects.filter(question__section__survey=survey).count(),
    )


def questions(survey):
    return Question.objects.filter(section__survey=survey).order_by("section__position", "position")


def labels(q):
    return list(q.options.order_by("position").values_list("label", flat=True))


# --- Post-session survey ----------------------------------------------------------------------


def test_post_session_survey_offers_the_sessions_sector_sub_topics(cohort, facilitator):
    session = thematic_session(cohort, "energy")

    survey = copy(POST_SESSION, session, facilitator)

    assert (survey.scope, survey.session, survey.cohort, survey.programme) == (
        SurveyScope.SESSION,
        session,
        None,
        "",
    )
    assert survey.template_key == POST_SESSION
    assert survey.is_published is False
    assert survey.created_by == facilitator
    assert shape(survey) == (1, 2, 3)
    subtopics, comment = questions(survey)
    assert subtopics.kind == QuestionKind.MULTIPLE_CHOICE
    assert subtopics.is_required is True
    assert subtopics.text == "Which sub-topics would you like to explore in the technical session?"
    assert labels(subtopics) == [
        "Exploring energy poverty reduction at the city scale",
        "Increased adoption of renewable energy sources within the city.",
        "Promotion of cleaner production techniques and incentives to limit industrial emissions.",
    ]
    assert (comment.kind, comment.is_required) == (QuestionKind.LONG_TEXT, False)


@pytest.mark.parametrize(
    ("slug", "options", "first"),
    [
        (
            "buildings",
            3,
            "Dealing with the retrofitting of historical areas by integrating renewable energy "
            "sources",
        ),
        ("sustainable-mobility", 6, "Reducing private mobility by changing modal split"),
        (
            "nature-based-solutions",
            5,
            "Heat Island reduction through green and blue urban infrastructure",
        ),
        ("circular-economy", 4, "Extending the lifecycle of building materials"),
    ],
)
def test_post_session_survey_of_each_sector_starts_with_its_technical_sessions_topic(
    cohort, facilitator, slug, options, first
):
    survey = copy(POST_SESSION, thematic_session(cohort, slug), facilitator)

    assert shape(survey) == (1, 2, options)
    assert labels(questions(survey)[0])[0] == first


def test_post_session_survey_is_refused_for_a_cohort_or_a_technical_session(cohort, facilitator):
    technical = thematic_session(cohort, "energy", kind=SessionKind.TECHNICAL_SUPPORT)
    no_group = factories.SessionFactory(cohort=cohort, kind=SessionKind.ONBOARDING)

    for target in (cohort, technical, no_group):
        with pytest.raises(ApplicationError) as refused:
            copy(POST_SESSION, target, facilitator)
        assert refused.value.field == "target"
    assert Survey.objects.count() == 0


# --- Final recap survey -----------------------------------------------------------------------


def test_final_recap_survey_has_annex_2s_questions(cohort, facilitator):
    survey = copy(FINAL_RECAP, cohort, facilitator, response_unit=ResponseUnit.CITY)

    assert (survey.scope, survey.cohort, survey.response_unit) == (
        SurveyScope.COHORT,
        cohort,
        ResponseUnit.CITY,
    )
    assert shape(survey) == (4, 5, 9)
    assert [(q.section.position, q.kind, q.text) for q in questions(survey)] == [
        (1, "short_text", "What did your city gain from the thematic and technical sessions?"),
        (
            2,
            "single",
            "Are you satisfied with the 1h30min session format and its content balance?",
        ),
        (
            3,
            "single",
            "Are you satisfied with the 1h30min session format and its content balance?",
        ),
        (
            4,
            "short_text",
            "Describe in one sentence a support service you would need to support your "
            "climate neutrality goal.",
        ),
        (4, "scale_0_10", "How possible is it to become climate neutral?"),
    ]
    sections = list(survey.sections.values_list("title", flat=True))
    assert sections == [
        "What your city gained",
        "Thematic sessions",
        "Technical sessions",
        "Support and outlook",
    ]
    technical = questions(survey)[2]
    assert labels(technical)[0] == (
        "I would have preferred direct technical support to address our specific "
        "climate-related challenges"
    )
    assert list(technical.options.filter(is_other=True).values_list("label", flat=True)) == [
        "Other (please specify)"
    ]


def test_final_recap_survey_can_be_a_programme_survey_built_by_an_admin(admin):
    survey = copy(FINAL_RECAP, Programme.ONLINE_DISCUSSION_GROUPS, admin, is_anonymous=True)

    assert (survey.scope, survey.programme, survey.cohort, survey.session) == (
        SurveyScope.PROGRAMME,
        "odg",
        None,
        None,
    )
    assert survey.is_anonymous is True
    assert shape(survey) == (4, 5, 9)


# --- Needs-assessment questionnaire -----------------------------------------------------------


@pytest.fixture
def needs(cohort, facilitator):
    return copy(NEEDS_ASSESSMENT, cohort, facilitator)


def test_needs_assessment_has_004_annex_2s_sections_questions_and_options(needs):
    assert shape(needs) == (9, 43, 204)
    assert list(needs.sections.values_list("title", flat=True)) == [
        "Urban Governance",
        "Innovation Management",
        "Stakeholder Engagement & Capacity Building",
        "Funding and Partnerships",
        "Peer to Peer learning and Upscaling",
        "Sectoral Themes: Nature Based Solutions",
        "Sectoral Themes: Energy Systems (Electricity & Heat) & Built Environment",
        "Sectoral Themes: Mobility and Transport",
        "Sectoral Themes: Circular Economy",
    ]
    per_section = list(
        needs.sections.order_by("position")
        .annotate(n=Count("questions"))
        .values_list("n", flat=True)
    )
    assert per_section == [9, 4, 6, 3, 8, 4, 4, 3, 2]


def test_needs_assessment_kinds_follow_the_annex(needs):
    kinds = dict(
        Question.objects.filter(section__survey=needs)
        .values("kind")
        .annotate(n=Count("pk"))
        .values_list("kind", "n")
    )

    assert kinds == {
        QuestionKind.MULTIPLE_CHOICE: 20,
        QuestionKind.SINGLE_CHOICE: 10,
        QuestionKind.LONG_TEXT: 11,
        QuestionKind.SCALE_0_10: 1,
        QuestionKind.EXTENT: 1,
    }


def test_needs_assessment_select_a_maximum_of_3_options_is_max_choices_3(needs):
    capped = questions(needs).filter(max_choices=3)

    assert capped.count() == 6
    assert {q.help_text for q in capped} == {"(Select a maximum of 3 options)"}
    assert capped[0].text == (
        "What have you identified as your priority sectors for GHG (Green House Gases) "
        "emissions reduction?"
    )
    assert labels(capped[0]) == [
        "Energy systems",
        "Built environment",
        "Mobility and transport",
        "Industry",
        "Have not identified yet",
        "Other (please specify)",
    ]
    assert questions(needs).exclude(max_choices=3).filter(max_choices__isnull=False).count() == 0


def test_needs_assessment_other_please_specify_options_ask_for_a_text(needs):
    others = Option.objects.filter(question__section__survey=needs, is_other=True)

    assert others.count() == 24
    assert set(others.values_list("label", flat=True)) == {
        "Other (please specify)",
        "Others (please specify)",
    }
    assert not Option.objects.filter(
        question__section__survey=needs, label__endswith="(please specify)", is_other=False
    ).exists()


def test_needs_assessment_extent_scale_offers_not_applicable(needs):
    extent = questions(needs).get(kind=QuestionKind.EXTENT)

    assert extent.text == (
        "To what extent can your city make decisions about industries within municipal limits "
        "on policy/ regulation/ engagement?"
    )
    assert extent.scale_labels == [
        "None at all",
        "A little",
        "A moderate amount",
        "A lot",
        "A great deal",
    ]
    assert extent.allows_not_applicable is True
    assert extent.options.count() == 0


def test_needs_assessment_if_yes_questions_show_after_yes(needs):
    conditional = questions(needs).filter(shown_if__isnull=False).select_related("shown_if")

    assert [(q.text, q.shown_if.question.text, q.shown_if.label) for q in conditional] == [
        (
            "If yes, which tools or frameworks are you using to monitor, evaluate and report "
            "your emissions?",
            "Do you apply tools or frameworks provided by these platforms to monitor, evaluate "
            "and report emissions?",
            "Yes",
        ),
        (
            "If yes, which city or country have you cooperated with?",
            "Have you ever cooperated with other cities in your country or across Europe for "
            "peer-to-peer learning?",
            "Yes",
        ),
        (
            "If yes, what types of Nature-based Solutions have you worked with?",
            "Has your city previously worked with Nature-based Solutions?",
            "Yes",
        ),
    ]
    # Each condition points at an option of the same survey, asked earlier.
    for q in conditional:
        earlier = q.shown_if.question
        assert earlier.section.survey_id == needs.pk
        assert (earlier.section.position, earlier.position) < (q.section.position, q.position)


def test_needs_assessment_joins_what_the_extraction_split(needs):
    budget = questions(needs).get(text__startswith="Does your city have any of these budgetary")
    platforms = questions(needs).get(text__startswith="Are you active on any")
    shared = questions(needs).get(text__startswith="Does your city support bottom-up transport")

    assert labels(budget)[0] == (
        "Allocations to finance new climate actions or a way to access the funds dedicated to "
        "assessing the climate friendliness of actions already planned."
    )
    assert labels(platforms)[0] == "100 Intelligent Cities Challenge"
    assert shared.text.endswith("(Bicycles, Scooters, Mopeds, Cars)")
    assert labels(shared) == ["Yes", "No", "Other (please specify)"]
    assert not Option.objects.filter(
        Q(label__startswith="(Select") | Q(label__startswith="- "),
        question__section__survey=needs,
    ).exists()


def test_every_template_copies_its_options_into_distinct_positions(cohort, facilitator):
    session = thematic_session(cohort, "circular-economy")
    for key in TEMPLATES:
        target = session if key == POST_SESSION else cohort
        survey = copy(key, target, facilitator)
        for q in questions(survey):
            positions = list(q.options.order_by("position").values_list("position", flat=True))
            assert positions == list(range(1, len(positions) + 1))
        sections = list(survey.sections.values_list("position", flat=True))
        assert sections == list(range(1, len(sections) + 1))


# --- Who may copy, and what is refused ------------------------------------------------------


def test_facilitator_of_another_cohort_an_officer_and_a_facilitator_for_a_programme_are_refused(
    cohort, facilitator
):
    other = factories.UserFactory(is_facilitator=True)
    factories.CohortFactory().facilitators.add(other)
    officer = factories.city_officer()

    for user, target in (
        (other, cohort),
        (officer, cohort),
        (facilitator, Programme.ONLINE_DISCUSSION_GROUPS),
        (None, cohort),
    ):
        with pytest.raises(PermissionRefused):
            copy(FINAL_RECAP, target, user)
    assert Survey.objects.count() == 0


def test_admin_copies_into_any_cohort(cohort, admin):
    survey = copy(NEEDS_ASSESSMENT, cohort, admin)

    assert survey.created_by == admin


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"template_key": "mentimeter"}, "template_key"),
        ({"target": "not-a-programme"}, "target"),
        ({"target": 12}, "target"),
        ({"closes_at": OPENS}, "closes_at"),
        ({"closes_at": OPENS - datetime.timedelta(hours=1)}, "closes_at"),
        ({"opens_at": None}, "opens_at"),
        ({"closes_at": None}, "closes_at"),
        ({"response_unit": "household"}, "response_unit"),
        ({"is_anonymous": True, "response_unit": ResponseUnit.CITY}, "response_unit"),
    ],
)
def test_bad_arguments_are_refused_with_a_message_and_nothing_saved(
    cohort, facilitator, fields, field
):
    arguments = {"template_key": FINAL_RECAP, "target": cohort, **fields}

    with pytest.raises(ApplicationError) as refused:
        copy(arguments.pop("template_key"), arguments.pop("target"), facilitator, **arguments)

    assert refused.value.field == field
    assert refused.value.message
    assert (Survey.objects.count(), Question.objects.count()) == (0, 0)


def test_a_cancelled_session_is_refused(cohort, facilitator):
    session = thematic_session(cohort, status=SessionStatus.CANCELLED)

    with pytest.raises(ApplicationError) as refused:
        copy(FINAL_RECAP, session, facilitator)

    assert refused.value.field == "target"
    assert Survey.objects.count() == 0


def test_copies_are_independent_of_each_other(cohort, facilitator):
    first = copy(FINAL_RECAP, cohort, facilitator)
    second = copy(FINAL_RECAP, cohort, facilitator, title="Cohort feedback")

    assert second.title == "Cohort feedback"
    assert first.title == "Final recap survey"
    assert not set(questions(first).values_list("pk", flat=True)) & set(
        questions(second).values_list("pk", flat=True)
    )


def test_copying_takes_a_fixed_number_of_queries_whatever_the_templates_size(
    cohort, facilitator, django_assert_num_queries
):
    copy(FINAL_RECAP, cohort, facilitator)  # the facilitator's permission facts, now kept

    # The survey, then one insert each for sections, questions and options, and one update
    # for the display conditions: 43 questions and 204 options cost what 5 and 9 do. The
    # needs assessment reads its sections' enabling themes too (one query).
    with django_assert_num_queries(QUERIES):
        copy(FINAL_RECAP, cohort, facilitator)
    with django_assert_num_queries(QUERIES + 2) as needs:
        copy(NEEDS_ASSESSMENT, cohort, facilitator)

    writes = [q["sql"].split()[0] for q in needs.captured_queries]
    # The survey, sections, questions, options, and the data versions (one upsert).
    assert writes.count("INSERT") == 5
    assert writes.count("UPDATE") == 1
