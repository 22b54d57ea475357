"""Building surveys (issue 11): a survey's settings, its sections and their questions.

Each service takes `acting_user` and asks feedback/rules.py first: `feedback.add_survey` (on the
cohort the new survey is for, None for a programme-wide one) to create, `feedback.change_survey`
for everything else. Bad input is refused with a message for the builder (`ApplicationError`,
`field=` the form field it is about).

Once answers exist (any `Answer` row of the survey), a change that would corrupt them is refused
and says why: removing an option someone chose, changing a question's kind, taking away the
extent scale's "Not applicable" that someone answered, deleting a question or a section with
answers, lowering "select at most N" below what someone chose or a text's limit below an answer.
Wording fixes stay allowed (question text, help, option labels, scale labels, section titles)
and each is kept in `QuestionChange` with the old and new wording and who made it; before any
answer exists the survey is a draft being written and nothing is recorded.

Options are written one per line. How a line keeps its option (and so the answers that chose
it): a line with the label of an option keeps that option (wherever it moved to); then a line
whose position held an option no line kept is that option reworded; any other line is a new
option; an option no line kept is removed (refused if chosen, or if a question is shown only
when it is chosen).

Every change locks the survey's row first, so two builders editing at once take turns and the
checks see what the other wrote; it also renews the version under which the edit page keeps its
sections and history in the cache (`structure_scope`).
"""

from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, Exists, Max, OuterRef, Q
from django.db.models.functions import Length
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.rules import is_programme_admin
from cohorts.enums import Programme
from feedback.answering import survey_published_notify
from feedback.enums import (
    CHOICE_KINDS,
    OPTION_KINDS,
    TEXT_KINDS,
    QuestionKind,
    ResponseUnit,
    SurveyScope,
)
from feedback.models import Answer, Option, Question, QuestionChange, Section, Survey
from portal.errors import ApplicationError
from portal.fragments import bump
from portal.permissions import permission_check
from portal.text import LONG_TEXT_MAX, PARAGRAPH_MAX, SHORT_TEXT_MAX
from sessions.selectors import session_access_of

# Kinds whose scale has a label per point, written by the builder (the extent scale's labels
# are feedback.enums.EXTENT_LABELS, translated for each reader; the 0-10 scale shows numbers).
LABELLED_SCALE_KINDS = frozenset({QuestionKind.RATING, QuestionKind.MATRIX})
RATING_POINTS = 5
# A text question's limit when the builder sets none.
DEFAULT_MAX_LENGTH = {
    QuestionKind.SHORT_TEXT: SHORT_TEXT_MAX,
    QuestionKind.LONG_TEXT: PARAGRAPH_MAX,
}
UP, DOWN = "up", "down"


# --- Reading ----------------------------------------------------------------------------------


def surveys_built_by(*, user):
    """The surveys this person builds: every one for a programme admin, else those of the
    cohorts they facilitate and of those cohorts' sessions."""
    surveys = Survey.objects.select_related("session", "cohort", "session__cohort")
    if is_programme_admin(user):
        return surveys
    cohorts = session_access_of(user).facilitated_cohorts
    return surveys.filter(Q(cohort_id__in=cohorts) | Q(session__cohort_id__in=cohorts))


def builds_surveys(user) -> bool:
    """Whether this person may build a survey for anything at all (the list and "New survey")."""
    if not user.is_authenticated:
        return False
    return is_programme_admin(user) or bool(session_access_of(user).facilitated_cohorts)


def survey_has_answers(survey: Survey) -> bool:
    # Asked from the survey's few questions, each probing the answers' question index: joined
    # the other way, PostgreSQL walked every answer of every survey to find none of this one
    # (250 ms with 100,000 answers of another survey).
    return (
        Question.objects.filter(section__survey=survey)
        .filter(Exists(Answer.objects.filter(question=OuterRef("pk"))))
        .exists()
    )


def question_order(survey: Survey) -> list[Question]:
    """The survey's questions in the order they are asked (section, then position)."""
    return list(
        Question.objects.filter(section__survey=survey)
        .select_related("section", "shown_if", "shown_if__question")
        .order_by("section__position", "position")
    )


def condition_choices(question_or_section, *, before: Question | None = None) -> list:
    """The options a question may be shown on: those of the choice questions placed before it
    (`before`, or the end of the section for a new question). [(question, [options])]."""
    if isinstance(question_or_section, Question):
        section = question_or_section.section
        before = question_or_section
    else:
        section = question_or_section
    earlier = Question.objects.filter(section__survey_id=section.survey_id, kind__in=CHOICE_KINDS)
    if before is not None:
        earlier = earlier.filter(
            Q(section__position__lt=section.position)
            | Q(section=section, position__lt=before.position)
        )
    else:
        earlier = earlier.filter(section__position__lte=section.position)
    earlier = list(earlier.order_by("section__position", "position"))
    options = Option.objects.filter(question__in=earlier).order_by("position")
    by_question: dict[int, list] = {q.pk: [] for q in earlier}
    for option in options:
        by_question[option.question_id].append(option)
    return [(q, by_question[q.pk]) for q in earlier]


# --- Survey settings --------------------------------------------------------------------------


@dataclass(frozen=True)
class Attachment:
    """What a survey is about: a session, a cohort or a programme."""

    scope: str
    session: object = None
    cohort: object = None
    programme: str = ""

    @property
    def cohort_for_permission(self):
        """The object `feedback.add_survey` is asked about."""
        if self.scope == SurveyScope.SESSION:
            return self.session.cohort
        if self.scope == SurveyScope.COHORT:
            return self.cohort
        return None


def _check_settings(*, title, opens_at, closes_at, is_anonymous, min_responses, response_unit):
    if not title.strip():
        raise ApplicationError(_("Give the survey a title."), field="title")
    if len(title) > SHORT_TEXT_MAX:
        raise ApplicationError(
            _("The title is longer than %(max)d characters.") % {"max": SHORT_TEXT_MAX},
            field="title",
        )
    if opens_at is None or closes_at is None:
        raise ApplicationError(_("Say when the survey opens and closes."), field="closes_at")
    if closes_at <= opens_at:
        raise ApplicationError(_("The survey must close after it opens."), field="closes_at")
    if min_responses is None or min_responses < 1:
        raise ApplicationError(
            _("Results can show from one response at the least."), field="min_responses"
        )
    if response_unit not in ResponseUnit.values:
        raise ApplicationError(_("Choose who answers."), field="response_unit")
    if is_anonymous and response_unit != ResponseUnit.PERSON:
        raise ApplicationError(
            _(
                "An anonymous survey has one response per person: a city's shared response "
                "would need the names of who wrote it."
            ),
            field="response_unit",
        )


def _check_attachment(attachment: Attachment):
    if attachment.scope == SurveyScope.SESSION and attachment.session is None:
        raise ApplicationError(_("Choose the session the survey is about."), field="about")
    if attachment.scope == SurveyScope.COHORT and attachment.cohort is None:
        raise ApplicationError(_("Choose the cohort the survey is about."), field="about")
    if attachment.scope == SurveyScope.PROGRAMME and attachment.programme not in Programme.values:
        raise ApplicationError(_("Choose the programme the survey is about."), field="about")
    if attachment.scope not in SurveyScope.values:
        raise ApplicationError(_("Choose what the survey is about."), field="about")


def _attachment_fields(attachment: Attachment) -> dict:
    return {
        "scope": attachment.scope,
        "session": attachment.session if attachment.scope == SurveyScope.SESSION else None,
        "cohort": attachment.cohort if attachment.scope == SurveyScope.COHORT else None,
        "programme": attachment.programme if attachment.scope == SurveyScope.PROGRAMME else "",
    }


def survey_create(
    *,
    acting_user,
    title: str,
    attachment: Attachment,
    opens_at,
    closes_at,
    introduction: str = "",
    is_anonymous: bool = False,
    min_responses: int = 3,
    response_unit: str = ResponseUnit.PERSON,
) -> Survey:
    """A new survey, unpublished, with one empty section to put questions in."""
    _check_attachment(attachment)
    permission_check(
        acting_user,
        "feedback.add_survey",
        attachment.cohort_for_permission,
        message=_("You may not build a survey for this."),
    )
    _check_settings(
        title=title,
        opens_at=opens_at,
        closes_at=closes_at,
        is_anonymous=is_anonymous,
        min_responses=min_responses,
        response_unit=response_unit,
    )
    with transaction.atomic():
        survey = Survey.objects.create(
            title=title.strip(),
            introduction=introduction.strip(),
            opens_at=opens_at,
            closes_at=closes_at,
            is_anonymous=is_anonymous,
            min_responses=min_responses,
            response_unit=response_unit,
            created_by=acting_user,
            **_attachment_fields(attachment),
        )
        Section.objects.create(survey=survey, position=1)
    return survey


def structure_scope(survey_pk: int) -> str:
    """The data version of what a survey's edit page keeps in the cache: its sections,
    questions, options and wording history (portal.fragments)."""
    return f"feedback:survey-build:{survey_pk}"


def _locked(survey: Survey) -> Survey:
    """The survey's row, locked for the rest of the transaction and read afresh. Every change
    of a survey comes through here, so its edit page's kept parts are renewed here too (the
    bump is rolled back with a change that is refused)."""
    locked = Survey.objects.select_for_update().get(pk=survey.pk)
    bump(structure_scope(locked.pk))
    return locked


def survey_update(
    *,
    survey: Survey,
    acting_user,
    title: str,
    attachment: Attachment,
    opens_at,
    closes_at,
    introduction: str = "",
    is_anonymous: bool = False,
    min_responses: int = 3,
    response_unit: str = ResponseUnit.PERSON,
) -> Survey:
    """Change a survey's settings. Once someone has begun a response, who is asked and how
    (what it is about, anonymous or named, per person or per city) stay as they are: the
    responses were given under them."""
    permission_check(acting_user, "feedback.change_survey", survey)
    _check_attachment(attachment)
    _check_settings(
        title=title,
        opens_at=opens_at,
        closes_at=closes_at,
        is_anonymous=is_anonymous,
        min_responses=min_responses,
        response_unit=response_unit,
    )
    fields = _attachment_fields(attachment)
    moved = (
        fields["scope"] != survey.scope
        or (fields["session"].pk if fields["session"] else None) != survey.session_id
        or (fields["cohort"].pk if fields["cohort"] else None) != survey.cohort_id
        or fields["programme"] != survey.programme
    )
    if moved:
        # Moving it elsewhere is building a survey for that: the same right as creating one.
        permission_check(
            acting_user,
            "feedback.add_survey",
            attachment.cohort_for_permission,
            message=_("You may not build a survey for this."),
        )
    with transaction.atomic():
        survey = _locked(survey)
        if survey.responses.exists():
            if moved:
                raise ApplicationError(
                    _(
                        "Responses have been given: the survey stays about what they answered. "
                        "Make a new survey for something else."
                    ),
                    field="about",
                )
            if is_anonymous != survey.is_anonymous:
                raise ApplicationError(
                    _(
                        "Responses have been given as anonymous or named: this cannot change "
                        "now, or they would say what their writers were not told."
                    ),
                    field="is_anonymous",
                )
            if response_unit != survey.response_unit:
                raise ApplicationError(
                    _("Responses have been given: who answers cannot change now."),
                    field="response_unit",
                )
        for name, value in fields.items():
            setattr(survey, name, value)
        survey.title = title.strip()
        survey.introduction = introduction.strip()
        survey.opens_at = opens_at
        survey.closes_at = closes_at
        survey.is_anonymous = is_anonymous
        survey.min_responses = min_responses
        survey.response_unit = response_unit
        survey.save()
    return survey


def survey_publish(*, survey: Survey, acting_user) -> Survey:
    """Publish: the people asked see it (from its opening date) and are told."""
    permission_check(acting_user, "feedback.change_survey", survey)
    with transaction.atomic():
        survey = _locked(survey)
        if survey.is_published:
            raise ApplicationError(_("The survey is already published."))
        if not Question.objects.filter(section__survey=survey).exists():
            raise ApplicationError(_("Add a question before publishing the survey."))
        survey.is_published = True
        survey.save(update_fields=["is_published", "updated_at"])
        # Inside the transaction: the emails to those asked are queued, sent once it commits
        # (one per person and survey: publishing again after unpublishing tells nobody twice).
        survey_published_notify(survey=survey)
    return survey


def survey_unpublish(*, survey: Survey, acting_user) -> Survey:
    """Take the survey back: nobody asked sees it; responses already given are kept."""
    permission_check(acting_user, "feedback.change_survey", survey)
    with transaction.atomic():
        survey = _locked(survey)
        if not survey.is_published:
            raise ApplicationError(_("The survey is not published."))
        survey.is_published = False
        survey.save(update_fields=["is_published", "updated_at"])
    return survey


# --- Order and conditions ---------------------------------------------------------------------


def _check_conditions_in_order(survey: Survey) -> None:
    """Every question shown on a condition comes after the question the condition is about."""
    questions = question_order(survey)
    seen: set[int] = set()
    for question in questions:
        condition = question.shown_if
        if condition is not None and condition.question_id not in seen:
            raise ApplicationError(
                _(
                    "“%(question)s” is shown only if “%(option)s” is chosen in “%(earlier)s”, "
                    "which must come before it."
                )
                % {
                    "question": question.text,
                    "option": condition.label,
                    "earlier": condition.question.text,
                }
            )
        seen.add(question.pk)


def _renumber(queryset, ordered_pks: Sequence[int]) -> None:
    """Give the rows of `queryset` the positions 1, 2, ... in `ordered_pks` order, without
    ever holding one position twice (the unique constraints are checked per statement)."""
    offset = 10_000
    for index, pk in enumerate(ordered_pks, start=1):
        queryset.filter(pk=pk).update(position=offset + index)
    for index, pk in enumerate(ordered_pks, start=1):
        queryset.filter(pk=pk).update(position=index)


def _neighbour_index(index: int, direction: str, count: int) -> int | None:
    target = index - 1 if direction == UP else index + 1
    return target if 0 <= target < count else None


# --- Sections ---------------------------------------------------------------------------------


def _check_section_title(title: str, description: str) -> None:
    if len(title) > SHORT_TEXT_MAX:
        raise ApplicationError(
            _("The title is longer than %(max)d characters.") % {"max": SHORT_TEXT_MAX},
            field="title",
        )
    if len(description) > PARAGRAPH_MAX:
        raise ApplicationError(
            _("The description is longer than %(max)d characters.") % {"max": PARAGRAPH_MAX},
            field="description",
        )


def section_add(*, survey: Survey, acting_user, title: str = "", description: str = "") -> Section:
    """A new section (page) at the end of the survey."""
    permission_check(acting_user, "feedback.change_survey", survey)
    title, description = title.strip(), description.strip()
    _check_section_title(title, description)
    with transaction.atomic():
        survey = _locked(survey)
        last = survey.sections.aggregate(last=Max("position"))["last"] or 0
        return Section.objects.create(
            survey=survey, position=last + 1, title=title, description=description
        )


def section_update(*, section: Section, acting_user, title: str, description: str = "") -> Section:
    """Rename a section. Once answers exist, a new title is recorded in the history of the
    section's first question (the history is kept per question: QuestionChange)."""
    permission_check(acting_user, "feedback.change_survey", section.survey)
    title, description = title.strip(), description.strip()
    _check_section_title(title, description)
    with transaction.atomic():
        survey = _locked(section.survey)
        section = Section.objects.get(pk=section.pk, survey=survey)
        if title != section.title and survey_has_answers(survey):
            first = section.questions.order_by("position").first()
            if first is not None:
                QuestionChange.objects.create(
                    question=first,
                    field="section_title",
                    old_value=section.title,
                    new_value=title,
                    changed_by=acting_user,
                )
        section.title = title
        section.description = description
        section.save(update_fields=["title", "description"])
    return section


def section_move(*, section: Section, acting_user, direction: str) -> Section:
    """Swap the section with the one before (`up`) or after (`down`) it."""
    permission_check(acting_user, "feedback.change_survey", section.survey)
    with transaction.atomic():
        survey = _locked(section.survey)
        order = list(survey.sections.order_by("position").values_list("pk", flat=True))
        index = order.index(section.pk)
        target = _neighbour_index(index, direction, len(order))
        if target is None:
            raise ApplicationError(
                _("The section is already first.")
                if direction == UP
                else _("The section is already last.")
            )
        order[index], order[target] = order[target], order[index]
        _renumber(survey.sections.all(), order)
        _check_conditions_in_order(survey)
    section.refresh_from_db()
    return section


def section_delete(*, section: Section, acting_user) -> None:
    """Delete a section and its questions; refused once any of them has answers, or while a
    question elsewhere is shown on one of its options, or if it is the survey's only one."""
    permission_check(acting_user, "feedback.change_survey", section.survey)
    with transaction.atomic():
        survey = _locked(section.survey)
        section = Section.objects.get(pk=section.pk, survey=survey)
        answered = Answer.objects.filter(question__section=section).values("response").distinct()
        count = answered.count()
        if count:
            raise ApplicationError(
                ngettext(
                    "Its questions have been answered in %(count)d response: the section "
                    "cannot be deleted.",
                    "Its questions have been answered in %(count)d responses: the section "
                    "cannot be deleted.",
                    count,
                )
                % {"count": count}
            )
        if survey.sections.count() == 1:
            raise ApplicationError(_("A survey has at least one section."))
        dependant = (
            Question.objects.filter(shown_if__question__section=section)
            .exclude(section=section)
            .first()
        )
        if dependant is not None:
            raise ApplicationError(
                _(
                    "“%(question)s” is shown only on an answer to a question of this section: "
                    "change its condition first."
                )
                % {"question": dependant.text}
            )
        Question.objects.filter(section=section).update(shown_if=None)
        section.delete()
        order = list(survey.sections.order_by("position").values_list("pk", flat=True))
        _renumber(survey.sections.all(), order)


# --- Questions --------------------------------------------------------------------------------


@dataclass
class QuestionInput:
    """What the builder wrote for a question. `options`: the labels, one per line (the
    matrix's rows); `scale_labels`: the rating's or matrix's labels, lowest first."""

    kind: str
    text: str
    help_text: str = ""
    is_required: bool = False
    options: Sequence[str] = ()
    has_other: bool = False
    max_choices: int | None = None
    max_length: int | None = None
    scale_labels: Sequence[str] = ()
    allows_not_applicable: bool = False
    shown_if: Option | None = None


def _clean(data: QuestionInput) -> QuestionInput:
    """Check the input for its kind and drop what the kind does not use."""
    if data.kind not in QuestionKind.values:
        raise ApplicationError(_("Choose a kind of question."), field="kind")
    kind = QuestionKind(data.kind)
    text = data.text.strip()
    if not text:
        raise ApplicationError(_("Write the question."), field="text")
    if len(text) > PARAGRAPH_MAX:
        raise ApplicationError(
            _("The question is longer than %(max)d characters.") % {"max": PARAGRAPH_MAX},
            field="text",
        )
    help_text = data.help_text.strip()
    if len(help_text) > PARAGRAPH_MAX:
        raise ApplicationError(
            _("The help is longer than %(max)d characters.") % {"max": PARAGRAPH_MAX},
            field="help_text",
        )
    options = [line.strip() for line in data.options if line.strip()]
    has_other = bool(data.has_other) and kind in CHOICE_KINDS
    if kind in OPTION_KINDS:
        least = 1 if kind == QuestionKind.MATRIX else 2
        if len(options) + (1 if has_other else 0) < least:
            raise ApplicationError(
                _("Write at least one row, one per line.")
                if kind == QuestionKind.MATRIX
                else _("Write at least two options, one per line."),
                field="options",
            )
        seen = set()
        for label in options:
            if len(label) > PARAGRAPH_MAX:
                raise ApplicationError(
                    _("An option is longer than %(max)d characters.") % {"max": PARAGRAPH_MAX},
                    field="options",
                )
            if label in seen:
                raise ApplicationError(
                    _("“%(label)s” is written twice.") % {"label": label}, field="options"
                )
            seen.add(label)
    else:
        options = []
    max_choices = data.max_choices if kind == QuestionKind.MULTIPLE_CHOICE else None
    if max_choices is not None:
        total = len(options) + (1 if has_other else 0)
        if not 1 <= max_choices <= total:
            raise ApplicationError(
                _("“Select at most” is a number from 1 to the number of options (%(n)d).")
                % {"n": total},
                field="max_choices",
            )
    max_length = None
    if kind in TEXT_KINDS:
        max_length = data.max_length or DEFAULT_MAX_LENGTH[kind]
        if not 1 <= max_length <= LONG_TEXT_MAX:
            raise ApplicationError(
                _("The length limit must be between 1 and %(max)d characters.")
                % {"max": LONG_TEXT_MAX},
                field="max_length",
            )
    scale_labels: list[str] = []
    if kind in LABELLED_SCALE_KINDS:
        scale_labels = [label.strip() for label in data.scale_labels if label.strip()]
        if len(scale_labels) != RATING_POINTS:
            raise ApplicationError(
                _("Write a label for each of the %(n)d points, one per line, lowest first.")
                % {"n": RATING_POINTS},
                field="scale_labels",
            )
        if any(len(label) > SHORT_TEXT_MAX for label in scale_labels):
            raise ApplicationError(
                _("A label is longer than %(max)d characters.") % {"max": SHORT_TEXT_MAX},
                field="scale_labels",
            )
    return QuestionInput(
        kind=kind,
        text=text,
        help_text=help_text,
        is_required=bool(data.is_required),
        options=options,
        has_other=has_other,
        max_choices=max_choices,
        max_length=max_length,
        scale_labels=scale_labels,
        allows_not_applicable=bool(data.allows_not_applicable) and kind == QuestionKind.EXTENT,
        shown_if=data.shown_if,
    )


def _check_condition(condition: Option | None, *, section: Section, position: int, pk=None):
    """A condition is an option of a choice question of the same survey placed before."""
    if condition is None:
        return
    earlier = condition.question
    placed_before = earlier.section.position < section.position or (
        earlier.section_id == section.pk and earlier.position < position
    )
    if (
        earlier.section.survey_id != section.survey_id
        or earlier.kind not in CHOICE_KINDS
        or earlier.pk == pk
        or not placed_before
    ):
        raise ApplicationError(
            _("A question can be shown on an option of a choice question placed before it."),
            field="shown_if",
        )


def _write_options(
    question: Question, labels: Sequence[str], *, has_other: bool, record_by=None
) -> None:
    """Make the question's options `labels` (and "Other, please specify" last if asked),
    keeping each option whose line is kept (the module's docstring says how)."""
    existing = list(question.options.order_by("position"))
    other = next((option for option in existing if option.is_other), None)
    plain = [option for option in existing if not option.is_other]
    kept: dict[int, Option] = {}
    used: set[int] = set()
    for index, label in enumerate(labels):
        if index < len(plain) and plain[index].label == label:
            kept[index] = plain[index]
            used.add(plain[index].pk)
    by_label = {option.label: option for option in plain if option.pk not in used}
    for index, label in enumerate(labels):
        option = by_label.get(label)
        if index not in kept and option is not None and option.pk not in used:
            kept[index] = option
            used.add(option.pk)
    for index in range(len(labels)):
        if index not in kept and index < len(plain) and plain[index].pk not in used:
            kept[index] = plain[index]  # reworded
            used.add(plain[index].pk)
    removed = [option for option in plain if option.pk not in used]
    if other is not None and not has_other:
        removed.append(other)
    for option in removed:
        _check_option_removable(option)
    Option.objects.filter(pk__in=[option.pk for option in removed]).delete()

    ordered: list[Option] = []
    for index, label in enumerate(labels):
        option = kept.get(index)
        if option is None:
            option = Option(question=question, label=label)
        elif option.label != label:
            if record_by is not None:
                QuestionChange.objects.create(
                    question=question,
                    option=option,
                    field="label",
                    old_value=option.label,
                    new_value=label,
                    changed_by=record_by,
                )
            option.label = label
            option.save(update_fields=["label"])
        ordered.append(option)
    if has_other:
        ordered.append(
            other or Option(question=question, label=_("Other, please specify"), is_other=True)
        )
    # Positions past the end while new rows are added, then 1..n.
    for index, option in enumerate(ordered, start=1):
        if option.pk is None:
            option.position = 10_000 + index
            option.save()
    _renumber(question.options.all(), [option.pk for option in ordered])


def _check_option_removable(option: Option) -> None:
    chosen = Answer.objects.filter(option=option).count()
    if chosen:
        raise ApplicationError(
            ngettext(
                "“%(label)s” was chosen in %(count)d response: it cannot be removed. You may "
                "reword it.",
                "“%(label)s” was chosen in %(count)d responses: it cannot be removed. You may "
                "reword it.",
                chosen,
            )
            % {"label": option.label, "count": chosen},
            field="options",
        )
    dependant = option.conditional_questions.first()
    if dependant is not None:
        raise ApplicationError(
            _(
                "“%(question)s” is shown only if “%(label)s” is chosen: change that question's "
                "condition before removing the option."
            )
            % {"question": dependant.text, "label": option.label},
            field="options",
        )


def question_add(*, section: Section, acting_user, data: QuestionInput) -> Question:
    """A new question at the end of the section."""
    permission_check(acting_user, "feedback.change_survey", section.survey)
    data = _clean(data)
    with transaction.atomic():
        survey = _locked(section.survey)
        section = Section.objects.get(pk=section.pk, survey=survey)
        position = (section.questions.aggregate(last=Max("position"))["last"] or 0) + 1
        _check_condition(data.shown_if, section=section, position=position)
        question = Question.objects.create(
            section=section,
            position=position,
            kind=data.kind,
            text=data.text,
            help_text=data.help_text,
            is_required=data.is_required,
            max_choices=data.max_choices,
            max_length=data.max_length,
            scale_labels=list(data.scale_labels),
            allows_not_applicable=data.allows_not_applicable,
            shown_if=data.shown_if,
        )
        _write_options(question, data.options, has_other=data.has_other)
    return question


def _check_narrowing(question: Question, data: QuestionInput) -> None:
    """Refuse what would make answers already given wrong (the module's docstring)."""
    answers = Answer.objects.filter(question=question)
    if data.kind != question.kind:
        raise ApplicationError(
            _(
                "The question has answers: its kind cannot change. Add a new question of the "
                "other kind instead."
            ),
            field="kind",
        )
    if (
        question.allows_not_applicable
        and not data.allows_not_applicable
        and answers.filter(not_applicable=True).exists()
    ):
        raise ApplicationError(
            _("Someone answered “Not applicable”: it cannot be taken away."),
            field="allows_not_applicable",
        )
    if data.max_choices is not None and (
        question.max_choices is None or data.max_choices < question.max_choices
    ):
        most = (
            answers.values("response")
            .annotate(chosen=Count("pk"))
            .order_by("-chosen")
            .values_list("chosen", flat=True)
            .first()
        )
        if most is not None and most > data.max_choices:
            raise ApplicationError(
                _("Someone chose %(most)d options: “select at most” cannot be lower than that.")
                % {"most": most},
                field="max_choices",
            )
    if data.max_length is not None and (
        question.max_length is None or data.max_length < question.max_length
    ):
        longest = answers.aggregate(longest=Max(Length("text")))["longest"] or 0
        if longest > data.max_length:
            raise ApplicationError(
                _("An answer is %(longest)d characters long: the limit cannot be lower than that.")
                % {"longest": longest},
                field="max_length",
            )


def _record(question: Question, field: str, old, new, acting_user) -> None:
    QuestionChange.objects.create(
        question=question, field=field, old_value=old, new_value=new, changed_by=acting_user
    )


def question_update(*, question: Question, acting_user, data: QuestionInput) -> Question:
    """Change a question. Once the survey has answers, wording changes are recorded and
    changes that would corrupt this question's answers are refused."""
    permission_check(acting_user, "feedback.change_survey", question.section.survey)
    data = _clean(data)
    with transaction.atomic():
        survey = _locked(question.section.survey)
        question = Question.objects.select_related("section").get(
            pk=question.pk, section__survey=survey
        )
        _check_condition(
            data.shown_if, section=question.section, position=question.position, pk=question.pk
        )
        if Answer.objects.filter(question=question).exists():
            _check_narrowing(question, data)
        if data.kind not in CHOICE_KINDS:
            dependant = Question.objects.filter(shown_if__question=question).first()
            if dependant is not None:
                raise ApplicationError(
                    _(
                        "“%(question)s” is shown only on an answer to this question, which "
                        "must stay a choice question: change that condition first."
                    )
                    % {"question": dependant.text},
                    field="kind",
                )
        record = survey_has_answers(survey)
        if record:
            for field in ("text", "help_text"):
                old, new = getattr(question, field), getattr(data, field)
                if old != new:
                    _record(question, field, old, new, acting_user)
            if list(question.scale_labels) != list(data.scale_labels) and question.scale_labels:
                _record(
                    question,
                    "scale_labels",
                    "\n".join(question.scale_labels),
                    "\n".join(data.scale_labels),
                    acting_user,
                )
        question.kind = data.kind
        question.text = data.text
        question.help_text = data.help_text
        question.is_required = data.is_required
        question.max_choices = data.max_choices
        question.max_length = data.max_length
        question.scale_labels = list(data.scale_labels)
        question.allows_not_applicable = data.allows_not_applicable
        question.shown_if = data.shown_if
        question.save()
        _write_options(
            question,
            data.options,
            has_other=data.has_other,
            record_by=acting_user if record else None,
        )
    return question


def question_move(*, question: Question, acting_user, direction: str) -> Question:
    """Move the question up or down within its section; from the top of a section up to the
    end of the one before, from the bottom down to the start of the one after."""
    permission_check(acting_user, "feedback.change_survey", question.section.survey)
    with transaction.atomic():
        survey = _locked(question.section.survey)
        question = Question.objects.select_related("section").get(
            pk=question.pk, section__survey=survey
        )
        section = question.section
        order = list(section.questions.order_by("position").values_list("pk", flat=True))
        index = order.index(question.pk)
        target = _neighbour_index(index, direction, len(order))
        if target is not None:
            order[index], order[target] = order[target], order[index]
            _renumber(section.questions.all(), order)
        else:
            sections = list(survey.sections.order_by("position"))
            at = [s.pk for s in sections].index(section.pk)
            other_at = _neighbour_index(at, direction, len(sections))
            if other_at is None:
                raise ApplicationError(
                    _("The question is already first.")
                    if direction == UP
                    else _("The question is already last.")
                )
            other = sections[other_at]
            others = list(other.questions.order_by("position").values_list("pk", flat=True))
            # Out of its section first (past the end of the other), then both renumbered.
            Question.objects.filter(pk=question.pk).update(section=other, position=10_000)
            order.remove(question.pk)
            _renumber(section.questions.all(), order)
            others = [*others, question.pk] if direction == UP else [question.pk, *others]
            _renumber(Question.objects.filter(section=other), others)
        _check_conditions_in_order(survey)
    question.refresh_from_db()
    return question


def question_delete(*, question: Question, acting_user) -> None:
    """Delete a question that has no answers and on which no other question depends."""
    permission_check(acting_user, "feedback.change_survey", question.section.survey)
    with transaction.atomic():
        survey = _locked(question.section.survey)
        question = Question.objects.get(pk=question.pk, section__survey=survey)
        count = Answer.objects.filter(question=question).values("response").distinct().count()
        if count:
            raise ApplicationError(
                ngettext(
                    "The question has been answered in %(count)d response: it cannot be "
                    "deleted. You may reword it.",
                    "The question has been answered in %(count)d responses: it cannot be "
                    "deleted. You may reword it.",
                    count,
                )
                % {"count": count}
            )
        dependant = Question.objects.filter(shown_if__question=question).first()
        if dependant is not None:
            raise ApplicationError(
                _(
                    "“%(question)s” is shown only on an answer to this question: change its "
                    "condition first."
                )
                % {"question": dependant.text}
            )
        section = question.section
        question.delete()
        order = list(section.questions.order_by("position").values_list("pk", flat=True))
        _renumber(section.questions.all(), order)


def question_history(survey: Survey) -> list[QuestionChange]:
    """The wording changes made after answers existed, newest first."""
    return list(
        QuestionChange.objects.filter(question__section__survey=survey)
        .select_related("question", "option", "changed_by")
        .order_by("-changed_at", "-pk")
    )
