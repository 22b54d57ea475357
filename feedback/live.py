"""Live mode (issue 11), as the programme used Mentimeter during its online sessions: a
facilitator presents a survey one question at a time on screen, those the survey asks answer the
question on screen from their phones with a short code, and the counts update within seconds
for everyone. The answers are the survey's own: they are saved by answering's services
(feedback.answering.response_for and response_page_save, with their validation) into the
person's response, and the results page counts them as any other once submitted.

Decisions (README):
- Who presents: whoever may change the survey (feedback.change_survey: its cohort's facilitators
  and programme admins), from its edit or results page. A survey is presented while it is
  published and open, answered once per person (a city's shared response has no place on one
  phone), and has at least one question. One presentation of a survey runs at a time.
- The code: six characters from CODE_ALPHABET (no 0/O, 1/I/L, 2/Z, 5/S, 6/G, 8/B), unique among
  the presentations running; typed at /live/ or opened as /live/<code>/. Typed in any case, with
  spaces or dashes.
- Who answers: those the survey asks (feedback.answer_survey), signed in; a phone not signed in
  goes to sign-in and comes back to the code's page. Only the question on screen is answered;
  an answer sent for another (the presenter moved on) is refused with a message and the current
  question is shown. The answer can be changed while its question is on screen.
- Where the answer goes: the person's response, as a draft (a named response already submitted
  becomes a draft again, as answering does for any change). The presenter's counts are those
  of the submitted responses and of the drafts written in this presentation. Closing the
  presentation submits each draft answered live whose required questions are all answered
  (the live page tells participants so); a draft with a required question unanswered stays the
  person's draft, to finish from the survey's page.
- Anonymous surveys: nothing is stored beyond what answering stores (a draft is its writer's
  until submitted); the links between the presentation and the drafts answered live are removed
  at closing. The presenter's screen shows a question's counts only once `min_responses` people
  have answered it, as the results page withholds a question answered by fewer
  (feedback.results.survey_results, which computes them): until then, only how many answered.
- Polling, not websockets: the presenter's results and the participant's question are small
  fragments fetched every 2 seconds (htmx). Each poll first reads one data version (one query):
  unchanged, it answers 204 and nothing is swapped; changed, the fragment is drawn again, its
  results kept in the cache under the versions of what they show.
"""

from __future__ import annotations

import re
import secrets
from collections import Counter
from dataclasses import dataclass

from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from feedback import answering
from feedback.enums import TEXT_KINDS, ResponseStatus, ResponseUnit
from feedback.forms_answer import values_of
from feedback.models import Answer, LivePresentation, Question, Response, Survey
from feedback.results import QuestionResult, survey_results
from feedback.selectors import own_answers
from portal.errors import ApplicationError
from portal.fragments import TIMEOUT_SECONDS, bump_on_change
from portal.permissions import permission_check

PRESENT_PERM = "feedback.change_survey"
# Letters and digits nobody mistakes for one another when read from a shared screen.
CODE_ALPHABET = "ACDEFHJKMNPQRTUVWXY3479"
CODE_LENGTH = 6
_CODE_RE = re.compile(f"^[{CODE_ALPHABET}]{{{CODE_LENGTH}}}$")
# The seconds between two polls of the presenter's and the participants' fragments.
POLL_SECONDS = 2


def normalize_code(raw: str | None) -> str | None:
    """The code as stored (upper case, without spaces or dashes), or None when it cannot be
    one."""
    code = re.sub(r"[\s\-]", "", raw or "").upper()
    return code if _CODE_RE.match(code) else None


def live_scope(code: str) -> str:
    """The data version of what a code shows: which presentation runs under it and its question
    (raised at start, at each move and at closing)."""
    return f"feedback:live:{code}"


def live_survey_scope(survey_id: int) -> str:
    """The same for the presenter's pages, found by the survey."""
    return f"feedback:live-survey:{survey_id}"


def _scopes_of(presentation: LivePresentation) -> list[str]:
    return [live_scope(presentation.code), live_survey_scope(presentation.survey_id)]


def connect() -> None:
    """Raise a presentation's versions at each save or deletion (its start, each move, its
    end: the services save it; the admin and the shell are covered too). From the app's
    ready()."""
    bump_on_change(LivePresentation, _scopes_of)


@dataclass(frozen=True)
class LiveState:
    """What runs under a code (or for a survey): kept in the cache under its version."""

    presentation_id: int
    survey_id: int
    code: str
    question_id: int | None


def _state_of(presentation: LivePresentation | None) -> LiveState | None:
    if presentation is None:
        return None
    return LiveState(
        presentation.pk, presentation.survey_id, presentation.code, presentation.question_id
    )


def _kept_state(key: str, running: QuerySet) -> LiveState | None:
    kept = cache.get(key)
    if kept is not None:
        return kept[0]
    state = _state_of(running.filter(closed_at__isnull=True).first())
    cache.set(key, (state,), TIMEOUT_SECONDS)
    return state


def state_for_code(code: str, *, version: str) -> LiveState | None:
    """The presentation running under `code` (None: none), read once per `version` of
    live_scope(code)."""
    return _kept_state(
        f"feedback:live-state:code:{code}:{version}", LivePresentation.objects.filter(code=code)
    )


def state_for_survey(survey_id: int, *, version: str) -> LiveState | None:
    """The presentation of the survey running now (None: none), read once per `version` of
    live_survey_scope(survey_id)."""
    return _kept_state(
        f"feedback:live-state:survey:{survey_id}:{version}",
        LivePresentation.objects.filter(survey_id=survey_id),
    )


# --- presenting ------------------------------------------------------------------------------


def _presentable(survey: Survey) -> list[Question]:
    """The survey's questions in order, or the refusal that says why it cannot go live."""
    if not survey.is_published:
        raise ApplicationError(
            _("Publish the survey first: only the people a published survey asks can answer."),
            code="not_published",
        )
    now = timezone.now()
    if not survey.opens_at <= now < survey.closes_at:
        raise ApplicationError(
            _("The survey is not open now: change its dates to present it live."),
            code="not_open",
        )
    if survey.response_unit != ResponseUnit.PERSON:
        raise ApplicationError(
            _(
                "This survey takes one response per city: live mode takes one answer per "
                "person, from each phone."
            ),
            code="per_city",
        )
    questions = answering.survey_structure(survey).questions
    if not questions:
        raise ApplicationError(_("Add a question before presenting the survey."), code="empty")
    return questions


def live_start(*, acting_user, survey: Survey) -> LivePresentation:
    """Start presenting the survey at its first question, under a new code; the presentation
    already running when there is one."""
    permission_check(acting_user, PRESENT_PERM, survey)
    questions = _presentable(survey)
    running = LivePresentation.objects.filter(survey=survey, closed_at__isnull=True).first()
    if running is not None:
        return running
    for _attempt in range(20):
        try:
            with transaction.atomic():
                presentation = LivePresentation.objects.create(
                    survey=survey,
                    code="".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH)),
                    question=questions[0],
                    started_by=acting_user,
                    started_at=timezone.now(),
                )
                return presentation
        except IntegrityError:
            # The code is running already (one in 148 million), or another tab started the
            # survey at the same moment: that one is the presentation.
            running = LivePresentation.objects.filter(survey=survey, closed_at__isnull=True).first()
            if running is not None:
                return running
    raise ApplicationError(_("No free code was found: try again."), code="no_code")


def _locked_running(presentation: LivePresentation) -> LivePresentation:
    locked = LivePresentation.objects.select_for_update().filter(pk=presentation.pk).first()
    if locked is None or not locked.is_running:
        raise ApplicationError(_("This live presentation has ended."), code="live_closed")
    return locked


def live_move(*, acting_user, presentation: LivePresentation, question_id: int) -> LivePresentation:
    """Put another question of the survey on screen (next, previous, or any)."""
    survey = presentation.survey
    permission_check(acting_user, PRESENT_PERM, survey)
    question = Question.objects.filter(pk=question_id, section__survey=survey).first()
    if question is None:
        raise ApplicationError(_("This question is not part of the survey."), code="wrong_question")
    with transaction.atomic():
        presentation = _locked_running(presentation)
        presentation.question = question
        presentation.save(update_fields=["question"])
    return presentation


@dataclass
class Closing:
    submitted: int  # drafts answered live, now submitted
    drafts: int  # drafts left as they were: a required question unanswered, or refused


def live_close(*, acting_user, presentation: LivePresentation) -> Closing:
    """End the presentation and submit the drafts answered live that are complete (module
    docstring); the links to them are removed."""
    survey = presentation.survey
    permission_check(acting_user, PRESENT_PERM, survey)
    with transaction.atomic():
        presentation = _locked_running(presentation)
        presentation.closed_at = timezone.now()
        presentation.question = None
        presentation.save(update_fields=["closed_at", "question"])
        drafts = list(
            presentation.responses.filter(status=ResponseStatus.DRAFT)
            .select_related("survey", "user")
            .order_by("pk")
        )
        submitted = 0
        for response in drafts:
            if response.user is None:
                continue
            try:
                # Submitted as its writer would (their permission, their response, complete):
                # they answered live knowing the presenter's closing counts their answers.
                answering.response_submit(response=response, acting_user=response.user)
            except (ApplicationError, PermissionDenied):
                # Incomplete, or no longer asked (their city left the cohort since): the
                # draft stays theirs, as any other.
                continue
            submitted += 1
        presentation.responses.clear()
    return Closing(submitted=submitted, drafts=len(drafts) - submitted)


# --- answering the question on screen -------------------------------------------------------


def not_current_message() -> str:
    return _(
        "This question is no longer on screen: the presenter has moved on. Here is the question "
        "on screen now."
    )


def live_answer_save(
    *, acting_user, presentation: LivePresentation, question_id: int, value: dict
) -> Response:
    """Save the acting person's answer to the question on screen into their response, through
    answering's services (the same checks and messages); their other answers on the same page
    of the survey are kept as they are. `value`: the question's answer, as
    feedback.answering's docstring gives it."""
    survey = presentation.survey
    if not presentation.is_running:
        raise ApplicationError(_("This live presentation has ended."), code="live_closed")
    if presentation.question_id != question_id:
        raise ApplicationError(not_current_message(), code="not_current")
    if survey.response_unit != ResponseUnit.PERSON:
        raise ApplicationError(
            _("This survey takes one response per city: answer it from the survey's page."),
            code="per_city",
        )
    response = answering.response_for(survey=survey, acting_user=acting_user)
    structure = answering.survey_structure(survey)
    question = next((q for q in structure.questions if q.pk == question_id), None)
    if question is None:
        raise ApplicationError(_("This question is not part of the survey."), code="wrong_question")
    section = next(s for s in structure.sections if s.pk == question.section_id)
    others = [q.pk for q in structure.by_section[section.pk] if q.pk != question_id]
    # The page is saved whole (answering's rule): the person's other answers on it go with it.
    data = values_of(Answer.objects.filter(response=response, question_id__in=others))
    data[question_id] = value
    with transaction.atomic():
        response = answering.response_page_save(
            response=response,
            section=section,
            data=data,
            acting_user=acting_user,
            structure=structure,
            resume_at=response.page,
        )
        LivePresentation.responses.through.objects.bulk_create(
            [
                LivePresentation.responses.through(
                    livepresentation_id=presentation.pk, response_id=response.pk
                )
            ],
            ignore_conflicts=True,
        )
    return response


def own_live_answers(*, survey: Survey, user, question: Question) -> list:
    """The person's stored answers to `question`, and to the option its display condition
    names (to tell whether it is asked of them), in one query, as the rows answering's forms
    read."""
    # All of the person's answer rows (a response has a few dozen at most), found by their
    # response's (survey, respondent) key with the unique index's condition
    # (selectors.own_answers), then picked here: a condition on the question would let the
    # database start from that question's answers, thousands in a large survey.
    _status, rows = own_answers(survey=survey, user=user)
    condition = question.shown_if_id
    return [
        row
        for row in rows
        if row.question_id == question.pk or (condition is not None and row.option_id == condition)
    ]


# --- what the presenter's screen shows ---------------------------------------------------------


def live_responses(presentation_id: int, survey: Survey) -> QuerySet:
    """The responses the presenter's counts read: the submitted ones and the drafts answered
    in this presentation."""
    live = LivePresentation.responses.through.objects.filter(
        livepresentation_id=presentation_id
    ).values("response_id")
    return Response.objects.filter(survey=survey).filter(
        Q(status=ResponseStatus.SUBMITTED) | Q(pk__in=live)
    )


# Short-text answers read for a word cloud: the most recent ones, a bounded pass.
WORD_CLOUD_ANSWERS = 1000
WORD_CLOUD_WORDS = 40
WORD_SIZES = 6
# A word: letters, joined by an apostrophe (straight or typographic) or a hyphen.
_WORD_RE = re.compile(r"[^\W\d_]+(?:['\u2019-][^\W\d_]+)*")
# English, French and Portuguese (the portal's languages) words that say nothing alone.
_STOP_WORDS_TEXT = """
    a about after all also an and any are as at be because been but by can could did do does
    for from had has have he her his how i if in into is it its just me more most my no not of
    on or our out so some such than that the their them then there these they this to too up
    us very was we were what when which who will with would you your
    à au aux avec ce ces cette dans de des du elle en et est il ils je la le les leur lui ma mais
    me mes moi mon ne nos notre nous on ou où par pas pour qu que qui sa se ses son sur ta te tes
    toi ton tu un une vos votre vous y été être ont sont plus très d l j n s c qu
    ao aos as às com como da das dele dela do dos e é em entre era essa esse esta este eu foi
    há isso isto já lhe mais mas me muito na nas não nem no nos o os ou para pela pelo por quando
    que se sem ser seu sua são também te tem um uma umas uns você
"""
STOP_WORDS = frozenset(_STOP_WORDS_TEXT.split())


@dataclass(frozen=True)
class CloudWord:
    word: str
    count: int
    size: int  # 1 (least said) to WORD_SIZES (most said)


def word_cloud(texts) -> list[CloudWord]:
    """The words of `texts` counted (lower case, stop words and words of one letter dropped),
    the WORD_CLOUD_WORDS most said in alphabetical order, each sized by its count against the
    most said."""
    counts: Counter[str] = Counter()
    for text in texts:
        for word in _WORD_RE.findall(text.lower()):
            if len(word) > 1 and word not in STOP_WORDS:
                counts[word] += 1
    top = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:WORD_CLOUD_WORDS]
    if not top:
        return []
    most = top[0][1]
    return sorted(
        (
            CloudWord(word, count, 1 + (count - 1) * (WORD_SIZES - 1) // max(most - 1, 1))
            for word, count in top
        ),
        key=lambda w: w.word,
    )


@dataclass
class LiveResult:
    question: Question
    result: QuestionResult
    cloud: list[CloudWord]
    threshold: int

    @property
    def answered(self) -> int:
        return self.result.answered

    @property
    def withheld(self) -> bool:
        return self.result.withheld

    @property
    def is_text(self) -> bool:
        return self.question.kind in TEXT_KINDS


def live_result(*, presentation_id: int, survey: Survey, question: Question) -> LiveResult:
    """The counts of the question on screen (results' own aggregation over live_responses), and
    for a text question its word cloud: four or five queries."""
    responses = live_responses(presentation_id, survey)
    results = survey_results(survey=survey, questions=[question], responses=responses)
    if results.questions:
        result = results.questions[0]
    else:
        # An anonymous survey under its threshold: survey_results tells only the responses' count;
        # the question's own count is the one the screen shows.
        result = QuestionResult(question=question, withheld=True)
        result.answered = (
            Answer.objects.filter(question=question, response__in=responses)
            .values("response_id")
            .distinct()
            .count()
        )
    if survey.is_anonymous and result.answered < survey.min_responses:
        result.withheld = True
    cloud = []
    if question.kind in TEXT_KINDS and not result.withheld:
        texts = (
            Answer.objects.filter(question=question, response__in=responses)
            .exclude(text="")
            .order_by("-pk")
            .values_list("text", flat=True)[:WORD_CLOUD_ANSWERS]
        )
        cloud = word_cloud(texts)
    return LiveResult(question, result, cloud, survey.min_responses)
