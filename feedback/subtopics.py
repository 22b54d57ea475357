"""The post-session surveys' chosen sub-topics feed the technical sessions (issue 11; 000 §3.3:
"the sub-topics for each session were shaped by city preferences identified in post-session
surveys from Phase 2").

A post-session survey (feedback/survey_templates.py, `post_session`) is about a thematic
session; its question "Which sub-topics would you like to explore in the technical session?"
(template key `subtopics`) offers the sector's sub-topics. The technical session it feeds is
the one that follows the thematic session in the same thematic group
(sessions.selectors.technical_session_after).

Decision: the sub-topics are sent by a person, from the survey's results page ("Use as the
technical session's requested sub-topics"), not written by themselves when the survey closes.
The facilitators read the answers first (a survey may close with two answers, or the
sub-topics may be settled with the Mission Cities another way), sending replaces what the
technical session held (a facilitator may have typed them), and a write at a moment nobody
acts would need a periodic task to find the surveys that closed. The page shows the choices in
the order they will be written, each with its count, before anything is sent. feedback calls
sessions' service (feedback is above sessions); sessions learns where the sub-topics came from
through its hook (`session_subtopics_sources`, answered in feedback.receivers from the
`SubtopicsSent` row written here).
"""

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from feedback.enums import SurveyScope
from feedback.models import Option, Question, SubtopicsSent, Survey
from feedback.results import OptionResult, survey_results
from feedback.survey_templates import POST_SESSION
from portal.errors import ApplicationError
from portal.permissions import permission_check
from sessions.models import Session
from sessions.selectors import technical_session_after
from sessions.services import session_requested_subtopics_set

SEND_PERM = "feedback.send_subtopics"
# The post-session template's question of sub-topics (feedback/survey_templates.py).
SUBTOPICS_KEY = "subtopics"


@dataclass
class SubtopicsProposal:
    """What sending would write: the technical session, the sub-topics chosen (most first,
    none that nobody chose) and how many answered the question."""

    survey: Survey
    session: Session
    choices: list[OptionResult]
    answered: int
    responses: int

    @property
    def text(self) -> str:
        """The sub-topics as the technical session keeps them: one a line, with its count."""
        return "\n".join(
            _("%(subtopic)s (%(count)d of %(answered)d)")
            % {"subtopic": choice.label, "count": choice.count, "answered": self.answered}
            for choice in self.choices
        )


def subtopics_question(survey: Survey) -> Question | None:
    question = (
        Question.objects.filter(section__survey=survey, template_key=SUBTOPICS_KEY)
        .order_by("pk")
        .first()
    )
    if question is not None:
        question.option_list = list(Option.objects.filter(question=question).order_by("position"))
    return question


def subtopics_proposal(survey: Survey) -> SubtopicsProposal:
    """What the survey's results would send, or ApplicationError saying why nothing can be."""
    if survey.template_key != POST_SESSION or survey.scope != SurveyScope.SESSION:
        raise ApplicationError(
            _("Only a post-session survey of a thematic session feeds a technical session."),
            code="not_post_session",
        )
    session = technical_session_after(survey.session)
    if session is None:
        raise ApplicationError(
            _(
                "No technical session follows this thematic session in its thematic group yet: "
                "schedule it, then send the sub-topics."
            ),
            code="no_technical_session",
        )
    question = subtopics_question(survey)
    if question is None:
        raise ApplicationError(
            _("This survey no longer asks which sub-topics to explore."), code="no_question"
        )
    results = survey_results(survey=survey, questions=[question])
    result = results.questions[0] if results.shown else None
    if result is None or result.withheld:
        raise ApplicationError(
            _("Too few have answered this anonymous survey to show what they chose."),
            code="withheld",
        )
    return SubtopicsProposal(
        survey=survey,
        session=session,
        choices=[option for option in result.ordered_options if option.count],
        answered=result.answered,
        responses=results.responses,
    )


def survey_subtopics_send(*, survey: Survey, acting_user) -> SubtopicsSent:
    """Write the sub-topics the survey's respondents chose, most chosen first, as the requested
    sub-topics of the technical session that follows its thematic session, through sessions'
    service (which asks peer_sessions.change_session of that session), and record that they
    came from this survey."""
    permission_check(acting_user, SEND_PERM, survey)
    proposal = subtopics_proposal(survey)
    if not proposal.choices:
        raise ApplicationError(_("Nobody has chosen a sub-topic yet."), code="no_choice")
    with transaction.atomic():
        session_requested_subtopics_set(
            session=proposal.session, requested_subtopics=proposal.text, acting_user=acting_user
        )
        sent, _created = SubtopicsSent.objects.update_or_create(
            survey=survey,
            defaults={
                "session": proposal.session,
                "responses": proposal.responses,
                "text": proposal.text,
                "sent_by": acting_user,
                "sent_at": timezone.now(),
            },
        )
    return sent


def subtopics_source_of(session: Session) -> SubtopicsSent | None:
    """The last sending to `session` (the text it wrote is the one the session may still hold),
    with its survey and thematic session, in one query."""
    return (
        SubtopicsSent.objects.filter(session=session)
        .select_related("survey__session")
        .order_by("-sent_at", "-pk")
        .first()
    )
