"""The survey builder's services (feedback.building): what they build, what they refuse once
answers exist and why, the wording history, and who may use them."""

import datetime

import pytest
from django.utils import timezone

from feedback import building
from feedback.building import Attachment, QuestionInput
from feedback.enums import QuestionKind, ResponseUnit, SurveyScope
from feedback.models import Option, Question, QuestionChange, Section, Survey
from notifications.models import OutboundEmail
from portal.errors import ApplicationError
from portal.permissions import PermissionRefused
from tests import factories

pytestmark = pytest.mark.django_db


class BuilderWorld:
    """A cohort with its lead facilitator and a session, another cohort with its own, an
    officer of a city enrolled in the first, and a programme admin."""

    def __init__(self):
        self.lead = factories.UserFactory(is_facilitator=True, full_name="Lea Lead")
        self.cohort = factories.CohortFactory()
        self.cohort.facilitators.add(self.lead)
        self.session = factories.SessionFactory(cohort=self.cohort, title="Energy")
        self.elsewhere = factories.UserFactory(is_facilitator=True, full_name="Fred Away")
        self.other_cohort = factories.CohortFactory()
        self.other_cohort.facilitators.add(self.elsewhere)
        self.officer = factories.city_officer(full_name="Otto Officer")
        factories.EnrolmentFactory(
            cohort=self.cohort,
            city=self.officer.city_memberships.get().city,
            status="accepted",
        )
        self.admin = factories.UserFactory(is_programme_admin=True, full_name="Ada Admin")

    def survey(self, **fields) -> Survey:
        now = timezone.now()
        values = {
            "acting_user": self.lead,
            "title": "After the session",
            "attachment": Attachment(scope=SurveyScope.COHORT, cohort=self.cohort),
            "opens_at": now,
            "closes_at": now + datetime.timedelta(days=14),
        }
        values.update(fields)
        return building.survey_create(**values)


def question_input(kind=QuestionKind.SINGLE_CHOICE, **fields) -> QuestionInput:
    values = {"kind": kind, "text": "Which sub-topics?", "options": ["Heat pumps", "Grids"]}
    values.update(fields)
    return QuestionInput(**values)


def answered(question: Question, *, option: Option | None = None, **fields):
    """A submitted named answer to `question` (the option chosen, or a number or text)."""
    response = factories.ResponseFactory(survey=question.section.survey, status="submitted")
    return factories.AnswerFactory(response=response, question=question, option=option, **fields)


@pytest.fixture
def world():
    return BuilderWorld()


def _labels(question):
    return list(question.options.order_by("position").values_list("label", flat=True))


# --- Creating --------------------------------------------------------------------------------


def test_a_facilitator_creates_a_survey_of_their_cohort_with_one_empty_section(world):
    survey = world.survey(introduction="  Tell us.  ", min_responses=5)

    assert (survey.scope, survey.cohort, survey.session, survey.programme) == (
        SurveyScope.COHORT,
        world.cohort,
        None,
        "",
    )
    assert (survey.introduction, survey.min_responses, survey.is_published) == (
        "Tell us.",
        5,
        False,
    )
    assert survey.created_by == world.lead
    assert list(survey.sections.values_list("position", "title")) == [(1, "")]


def test_a_facilitator_creates_a_survey_of_a_session_of_their_cohort(world):
    survey = world.survey(attachment=Attachment(scope=SurveyScope.SESSION, session=world.session))

    assert (survey.scope, survey.session, survey.cohort) == (
        SurveyScope.SESSION,
        world.session,
        None,
    )


@pytest.mark.parametrize("who", ["elsewhere", "officer"])
def test_nobody_else_builds_for_the_cohort_or_its_session(world, who):
    for attachment in (
        Attachment(scope=SurveyScope.COHORT, cohort=world.cohort),
        Attachment(scope=SurveyScope.SESSION, session=world.session),
    ):
        with pytest.raises(PermissionRefused, match=r"You may not build a survey for this\."):
            world.survey(acting_user=getattr(world, who), attachment=attachment)
    assert Survey.objects.count() == 0


def test_only_an_admin_builds_a_programme_wide_survey(world):
    programme = Attachment(scope=SurveyScope.PROGRAMME, programme=world.cohort.programme)

    with pytest.raises(PermissionRefused):
        world.survey(attachment=programme)
    survey = world.survey(acting_user=world.admin, attachment=programme)

    assert (survey.scope, survey.programme) == (SurveyScope.PROGRAMME, world.cohort.programme)


def test_settings_are_checked_with_a_message_on_their_field(world):
    now = timezone.now()
    cases = [
        ({"title": "  "}, "title", "Give the survey a title."),
        ({"opens_at": now, "closes_at": now}, "closes_at", "The survey must close after it opens."),
        ({"min_responses": 0}, "min_responses", "Results can show from one response"),
        (
            {"is_anonymous": True, "response_unit": ResponseUnit.CITY},
            "response_unit",
            "An anonymous survey has one response per person",
        ),
    ]
    for fields, field, message in cases:
        with pytest.raises(ApplicationError) as caught:
            world.survey(**fields)
        assert caught.value.field == field
        assert caught.value.message.startswith(message)
    assert Survey.objects.count() == 0


def _update(world, survey, **fields):
    values = {
        "survey": survey,
        "acting_user": world.lead,
        "title": survey.title,
        "attachment": Attachment(scope=survey.scope, cohort=survey.cohort, session=survey.session),
        "opens_at": survey.opens_at,
        "closes_at": survey.closes_at,
        "is_anonymous": survey.is_anonymous,
        "response_unit": survey.response_unit,
    }
    values.update(fields)
    return building.survey_update(**values)


def test_once_responses_exist_who_is_asked_and_how_stay(world):
    survey = world.survey()
    factories.ResponseFactory(survey=survey)

    refusals = [
        ({"is_anonymous": True}, "is_anonymous"),
        ({"response_unit": ResponseUnit.CITY}, "response_unit"),
        ({"attachment": Attachment(scope=SurveyScope.SESSION, session=world.session)}, "about"),
    ]
    for fields, field in refusals:
        with pytest.raises(ApplicationError) as caught:
            _update(world, survey, **fields)
        assert caught.value.field == field
    _update(world, survey, title="After the session (cohort 1)", min_responses=4)

    survey.refresh_from_db()
    assert (survey.title, survey.min_responses, survey.is_anonymous) == (
        "After the session (cohort 1)",
        4,
        False,
    )


def test_moving_a_survey_to_another_cohort_needs_the_right_to_build_there(world):
    survey = world.survey()

    with pytest.raises(PermissionRefused):
        _update(
            world,
            survey,
            attachment=Attachment(scope=SurveyScope.COHORT, cohort=world.other_cohort),
        )


# --- Sections --------------------------------------------------------------------------------


def test_sections_are_added_renamed_moved_and_deleted(world):
    survey = world.survey()
    first = survey.sections.get()
    second = building.section_add(survey=survey, acting_user=world.lead, title="Format")
    third = building.section_add(survey=survey, acting_user=world.lead, title="Content")

    building.section_update(section=first, acting_user=world.lead, title="About you")
    building.section_move(section=third, acting_user=world.lead, direction="up")
    assert list(survey.sections.order_by("position").values_list("title", flat=True)) == [
        "About you",
        "Content",
        "Format",
    ]
    with pytest.raises(ApplicationError, match="already first"):
        building.section_move(section=first, acting_user=world.lead, direction="up")

    building.section_delete(section=third, acting_user=world.lead)
    assert list(survey.sections.order_by("position").values_list("position", "pk")) == [
        (1, first.pk),
        (2, second.pk),
    ]
    assert QuestionChange.objects.count() == 0  # no answers: a draft, nothing recorded


def test_the_only_section_stays(world):
    survey = world.survey()

    with pytest.raises(ApplicationError, match="at least one section"):
        building.section_delete(section=survey.sections.get(), acting_user=world.lead)


# --- Questions of every kind -------------------------------------------------------------------


def test_a_question_of_each_kind_keeps_what_its_kind_uses(world):
    section = world.survey().sections.get()
    add = lambda **fields: building.question_add(  # noqa: E731
        section=section, acting_user=world.lead, data=question_input(**fields)
    )
    labels = ["Poor", "Fair", "Good", "Very good", "Excellent"]

    single = add(has_other=True, max_choices=2, scale_labels=labels)
    multiple = add(kind=QuestionKind.MULTIPLE_CHOICE, max_choices=1, options=["A", "B", "C"])
    rating = add(kind=QuestionKind.RATING, scale_labels=labels, options=["dropped"])
    scale = add(kind=QuestionKind.SCALE_0_10, scale_labels=labels)
    extent = add(kind=QuestionKind.EXTENT, allows_not_applicable=True)
    short = add(kind=QuestionKind.SHORT_TEXT, max_length=None)
    long = add(kind=QuestionKind.LONG_TEXT, max_length=5000, allows_not_applicable=True)
    ranking = add(kind=QuestionKind.RANKING, options=["Money", "Time", "Skills"], has_other=True)
    matrix = add(kind=QuestionKind.MATRIX, options=["Format", "Content"], scale_labels=labels)

    assert _labels(single) == ["Heat pumps", "Grids", "Other, please specify"]
    assert single.options.get(is_other=True).position == 3
    assert (single.max_choices, single.scale_labels) == (None, [])
    assert (multiple.max_choices, _labels(multiple)) == (1, ["A", "B", "C"])
    assert (rating.scale_labels, _labels(rating)) == (labels, [])
    assert scale.scale_labels == []
    assert extent.allows_not_applicable is True
    assert (short.max_length, long.max_length, long.allows_not_applicable) == (200, 5000, False)
    assert _labels(ranking) == ["Money", "Time", "Skills"]  # no "Other" in a ranking
    assert (_labels(matrix), matrix.scale_labels) == (["Format", "Content"], labels)
    assert list(section.questions.values_list("position", flat=True)) == list(range(1, 10))


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"text": " "}, "text", "Write the question."),
        ({"options": ["Only one"]}, "options", "Write at least two options"),
        ({"options": ["Same", "Same"]}, "options", "“Same” is written twice."),
        (
            {"kind": QuestionKind.MULTIPLE_CHOICE, "max_choices": 3},
            "max_choices",
            "“Select at most” is a number from 1 to the number of options (2).",
        ),
        (
            {"kind": QuestionKind.RATING, "scale_labels": ["Low", "High"]},
            "scale_labels",
            "Write a label for each of the 5 points",
        ),
        (
            {"kind": QuestionKind.LONG_TEXT, "max_length": 10_001},
            "max_length",
            "The length limit must be between 1 and 10000 characters.",
        ),
        ({"kind": QuestionKind.MATRIX, "options": []}, "options", "Write at least one row"),
    ],
)
def test_bad_question_input_is_refused_on_its_field(world, fields, field, message):
    section = world.survey().sections.get()

    with pytest.raises(ApplicationError) as caught:
        building.question_add(
            section=section, acting_user=world.lead, data=question_input(**fields)
        )

    assert (caught.value.field, caught.value.message[: len(message)]) == (field, message)
    assert Question.objects.count() == 0


def test_option_lines_keep_their_options(world):
    section = world.survey().sections.get()
    question = building.question_add(
        section=section,
        acting_user=world.lead,
        data=question_input(options=["Heat pumps", "Grids", "Storage"]),
    )
    ids = dict(question.options.values_list("label", "pk"))

    # Reordered, one reworded in place (position 2), one new at the end.
    building.question_update(
        question=question,
        acting_user=world.lead,
        data=question_input(options=["Storage", "Power grids", "Heat pumps", "Hydrogen"]),
    )

    after = dict(question.options.values_list("label", "pk"))
    assert _labels(question) == ["Storage", "Power grids", "Heat pumps", "Hydrogen"]
    assert after["Storage"] == ids["Storage"]
    assert after["Heat pumps"] == ids["Heat pumps"]
    assert after["Power grids"] == ids["Grids"]  # the line at its position, reworded
    assert after["Hydrogen"] not in ids.values()


# --- After answers exist: what is refused, and why --------------------------------------------


@pytest.fixture
def answered_survey(world):
    """A survey with a multiple-choice question (A, B, C; B and C chosen by one response), an
    extent scale with "Not applicable" answered, and a long text answered in 30 characters."""
    survey = world.survey()
    section = survey.sections.get()
    add = lambda **fields: building.question_add(  # noqa: E731
        section=section, acting_user=world.lead, data=question_input(**fields)
    )
    choice = add(kind=QuestionKind.MULTIPLE_CHOICE, options=["A", "B", "C"], max_choices=3)
    extent = add(kind=QuestionKind.EXTENT, allows_not_applicable=True, text="How far?")
    text = add(kind=QuestionKind.LONG_TEXT, max_length=500, text="Why?")
    response = factories.ResponseFactory(survey=survey, status="submitted")
    for label in ("B", "C"):
        factories.AnswerFactory(
            response=response, question=choice, option=choice.options.get(label=label)
        )
    factories.AnswerFactory(response=response, question=extent, option=None, not_applicable=True)
    factories.AnswerFactory(response=response, question=text, option=None, text="x" * 30)
    return {"survey": survey, "section": section, "choice": choice, "extent": extent, "text": text}


def _refused(world, question, field, message, **fields):
    before = list(Question.objects.values()), list(Option.objects.values())
    data = question_input(kind=question.kind, text=question.text, **fields)
    with pytest.raises(ApplicationError) as caught:
        building.question_update(question=question, acting_user=world.lead, data=data)
    assert (caught.value.field, caught.value.message) == (field, message)
    assert (list(Question.objects.values()), list(Option.objects.values())) == before


def test_a_chosen_option_cannot_be_removed_an_unchosen_one_can(world, answered_survey):
    choice = answered_survey["choice"]

    _refused(
        world,
        choice,
        "options",
        "“B” was chosen in 1 response: it cannot be removed. You may reword it.",
        options=["A", "C"],
        max_choices=2,
    )
    # Reordered: the options keep their answers (matched by label), nothing refused.
    building.question_update(
        question=choice,
        acting_user=world.lead,
        data=question_input(kind=choice.kind, text=choice.text, options=["C", "B"], max_choices=2),
    )
    assert _labels(choice) == ["C", "B"]


def test_the_kind_of_an_answered_question_cannot_change(world, answered_survey):
    choice = answered_survey["choice"]
    data = question_input(kind=QuestionKind.RANKING, text=choice.text, options=["A", "B", "C"])
    with pytest.raises(ApplicationError) as caught:
        building.question_update(question=choice, acting_user=world.lead, data=data)
    assert caught.value.field == "kind"
    assert caught.value.message == (
        "The question has answers: its kind cannot change. Add a new question of the other "
        "kind instead."
    )
    choice.refresh_from_db()
    assert choice.kind == QuestionKind.MULTIPLE_CHOICE


def test_select_at_most_cannot_go_below_what_someone_chose(world, answered_survey):
    choice = answered_survey["choice"]

    _refused(
        world,
        choice,
        "max_choices",
        "Someone chose 2 options: “select at most” cannot be lower than that.",
        options=["A", "B", "C"],
        max_choices=1,
    )
    building.question_update(
        question=choice,
        acting_user=world.lead,
        data=question_input(
            kind=choice.kind, text=choice.text, options=["A", "B", "C"], max_choices=2
        ),
    )
    choice.refresh_from_db()
    assert choice.max_choices == 2


def test_the_scale_cannot_lose_a_point_someone_answered(world, answered_survey):
    _refused(
        world,
        answered_survey["extent"],
        "allows_not_applicable",
        "Someone answered “Not applicable”: it cannot be taken away.",
        allows_not_applicable=False,
    )


def test_a_text_limit_cannot_go_below_an_answer(world, answered_survey):
    text = answered_survey["text"]

    _refused(
        world,
        text,
        "max_length",
        "An answer is 30 characters long: the limit cannot be lower than that.",
        max_length=29,
    )
    building.question_update(
        question=text,
        acting_user=world.lead,
        data=question_input(kind=text.kind, text=text.text, max_length=30),
    )
    text.refresh_from_db()
    assert text.max_length == 30


def test_an_answered_question_or_its_section_cannot_be_deleted(world, answered_survey):
    second = building.section_add(
        survey=answered_survey["survey"], acting_user=world.lead, title="More"
    )

    with pytest.raises(ApplicationError) as question_refusal:
        building.question_delete(question=answered_survey["text"], acting_user=world.lead)
    with pytest.raises(ApplicationError) as section_refusal:
        building.section_delete(section=answered_survey["section"], acting_user=world.lead)

    assert question_refusal.value.message == (
        "The question has been answered in 1 response: it cannot be deleted. You may reword it."
    )
    assert section_refusal.value.message == (
        "Its questions have been answered in 1 response: the section cannot be deleted."
    )
    assert Question.objects.count() == 3
    assert list(Section.objects.values_list("pk", flat=True).order_by("position")) == [
        answered_survey["section"].pk,
        second.pk,
    ]


def test_wording_fixes_after_answers_are_allowed_and_kept_in_history(world, answered_survey):
    choice, section = answered_survey["choice"], answered_survey["section"]
    a_option = choice.options.get(label="A")

    building.question_update(
        question=choice,
        acting_user=world.lead,
        data=question_input(
            kind=choice.kind,
            text="Which topics?",
            help_text="Up to three.",
            options=["Option A", "B", "C"],
            max_choices=3,
        ),
    )
    building.section_update(section=section, acting_user=world.admin, title="Your views")

    changes = list(
        QuestionChange.objects.order_by("pk").values_list(
            "question", "option", "field", "old_value", "new_value", "changed_by"
        )
    )
    assert changes == [
        (choice.pk, None, "text", "Which sub-topics?", "Which topics?", world.lead.pk),
        (choice.pk, None, "help_text", "", "Up to three.", world.lead.pk),
        (choice.pk, a_option.pk, "label", "A", "Option A", world.lead.pk),
        (choice.pk, None, "section_title", "", "Your views", world.admin.pk),
    ]
    assert Option.objects.get(pk=a_option.pk).label == "Option A"  # same option, its answers kept


def test_scale_label_fixes_are_kept_in_history(world):
    section = world.survey().sections.get()
    labels = ["1", "2", "3", "4", "5"]
    rating = building.question_add(
        section=section,
        acting_user=world.lead,
        data=question_input(kind=QuestionKind.RATING, scale_labels=labels),
    )
    answered(rating, number=4)

    building.question_update(
        question=rating,
        acting_user=world.lead,
        data=question_input(
            kind=QuestionKind.RATING, scale_labels=["Poor", "2", "3", "4", "Excellent"]
        ),
    )

    assert list(QuestionChange.objects.values_list("field", "old_value", "new_value")) == [
        ("scale_labels", "1\n2\n3\n4\n5", "Poor\n2\n3\n4\nExcellent")
    ]


# --- Display conditions ------------------------------------------------------------------------


def test_a_question_is_shown_on_an_option_of_an_earlier_choice_question(world):
    survey = world.survey()
    first = survey.sections.get()
    second = building.section_add(survey=survey, acting_user=world.lead)
    gate = building.question_add(
        section=first,
        acting_user=world.lead,
        data=question_input(text="Do you use heat pumps?", options=["Yes", "No"]),
    )
    yes = gate.options.get(label="Yes")
    follow = building.question_add(
        section=second,
        acting_user=world.lead,
        data=question_input(kind=QuestionKind.SHORT_TEXT, text="Which?", shown_if=yes),
    )

    assert follow.shown_if == yes
    assert [q for q, _options in building.condition_choices(follow)] == [gate]
    # Not on a later question, nor on a question that is not a choice one.
    later = building.question_add(
        section=second, acting_user=world.lead, data=question_input(text="Later?")
    )
    with pytest.raises(ApplicationError, match="placed before it"):
        building.question_update(
            question=gate,
            acting_user=world.lead,
            data=question_input(
                text=gate.text, options=["Yes", "No"], shown_if=later.options.first()
            ),
        )
    # What would break the condition is refused, naming the question that depends on it.
    with pytest.raises(ApplicationError, match="“Which\\?” is shown only if “Yes” is chosen"):
        building.question_update(
            question=gate,
            acting_user=world.lead,
            data=question_input(text=gate.text, options=["No", "Maybe"]),
        )
    with pytest.raises(ApplicationError, match="must come before it"):
        building.section_move(section=second, acting_user=world.lead, direction="up")
    with pytest.raises(ApplicationError, match="change its condition first"):
        building.question_delete(question=gate, acting_user=world.lead)
    with pytest.raises(ApplicationError, match="change its condition first"):
        building.section_delete(section=first, acting_user=world.lead)
    with pytest.raises(ApplicationError) as caught:
        building.question_update(
            question=gate,
            acting_user=world.lead,
            data=question_input(kind=QuestionKind.RANKING, text=gate.text, options=["Yes", "No"]),
        )
    assert caught.value.field == "kind"
    follow.refresh_from_db()
    assert (follow.shown_if, follow.section) == (yes, second)


def test_questions_move_within_and_across_sections(world):
    survey = world.survey()
    first = survey.sections.get()
    second = building.section_add(survey=survey, acting_user=world.lead)
    a, b = (
        building.question_add(section=first, acting_user=world.lead, data=question_input(text=t))
        for t in ("A?", "B?")
    )
    c = building.question_add(
        section=second, acting_user=world.lead, data=question_input(text="C?")
    )

    building.question_move(question=b, acting_user=world.lead, direction="up")
    building.question_move(question=a, acting_user=world.lead, direction="down")  # to section 2
    building.question_move(question=c, acting_user=world.lead, direction="up")
    building.question_move(question=c, acting_user=world.lead, direction="up")  # to section 1

    order = [(q.section.position, q.position, q.text) for q in building.question_order(survey)]
    assert order == [(1, 1, "B?"), (1, 2, "C?"), (2, 1, "A?")]
    with pytest.raises(ApplicationError, match="already last"):
        building.question_move(question=a, acting_user=world.lead, direction="down")
    with pytest.raises(ApplicationError, match="already first"):
        building.question_move(question=b, acting_user=world.lead, direction="up")


# --- Publishing ---------------------------------------------------------------------------------


def test_publishing_needs_a_question_and_tells_those_asked_once(
    world, django_capture_on_commit_callbacks
):
    survey = world.survey()

    with pytest.raises(ApplicationError, match="Add a question before publishing"):
        building.survey_publish(survey=survey, acting_user=world.lead)
    building.question_add(
        section=survey.sections.get(), acting_user=world.lead, data=question_input()
    )
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        building.survey_publish(survey=survey, acting_user=world.lead)

    # The officer of the enrolled city is asked: one email, sent once the transaction commits.
    emails = OutboundEmail.objects.filter(key__startswith=f"survey:{survey.pk}:published:")
    assert list(emails.values_list("to", flat=True)) == [world.officer.email]
    assert len(callbacks) == 1
    with pytest.raises(ApplicationError, match="already published"):
        building.survey_publish(survey=survey, acting_user=world.lead)
    building.survey_unpublish(survey=survey, acting_user=world.lead)
    survey.refresh_from_db()
    assert survey.is_published is False
    # Published again: nobody is told twice.
    building.survey_publish(survey=survey, acting_user=world.lead)
    assert emails.count() == 1


# --- Who may ------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["elsewhere", "officer"])
def test_a_facilitator_of_another_cohort_and_an_officer_change_nothing(world, who):
    survey = world.survey()
    section = survey.sections.get()
    question = building.question_add(section=section, acting_user=world.lead, data=question_input())
    person = getattr(world, who)
    calls = [
        lambda: building.survey_publish(survey=survey, acting_user=person),
        lambda: building.survey_unpublish(survey=survey, acting_user=person),
        lambda: _update(world, survey, acting_user=person, title="Mine"),
        lambda: building.section_add(survey=survey, acting_user=person),
        lambda: building.section_update(section=section, acting_user=person, title="Mine"),
        lambda: building.section_move(section=section, acting_user=person, direction="down"),
        lambda: building.section_delete(section=section, acting_user=person),
        lambda: building.question_add(section=section, acting_user=person, data=question_input()),
        lambda: building.question_update(
            question=question, acting_user=person, data=question_input(text="Mine?")
        ),
        lambda: building.question_move(question=question, acting_user=person, direction="up"),
        lambda: building.question_delete(question=question, acting_user=person),
    ]
    for call in calls:
        with pytest.raises(PermissionRefused):
            call()
    assert (Section.objects.count(), Question.objects.count()) == (1, 1)
    assert Question.objects.get().text == "Which sub-topics?"


def test_an_admin_builds_any_survey(world):
    survey = world.survey()

    building.section_add(survey=survey, acting_user=world.admin, title="Admin's")

    assert survey.sections.count() == 2


def test_the_surveys_a_person_builds(world):
    own = world.survey()
    session_survey = world.survey(
        attachment=Attachment(scope=SurveyScope.SESSION, session=world.session)
    )
    other = world.survey(
        acting_user=world.elsewhere,
        attachment=Attachment(scope=SurveyScope.COHORT, cohort=world.other_cohort),
    )

    assert set(building.surveys_built_by(user=world.lead)) == {own, session_survey}
    assert set(building.surveys_built_by(user=world.admin)) == {own, session_survey, other}
    assert (building.builds_surveys(world.lead), building.builds_surveys(world.officer)) == (
        True,
        False,
    )
