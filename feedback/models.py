"""Feedback surveys (issue 11): a survey in sections of questions, the responses and their
answers.

Anonymous surveys store no identity with a submitted response: while a person writes, their
draft is theirs (`Response.user`, so that it resumes on another device); submitting clears it
and records only that they took part (`Participation`, which says nothing of what they
answered), which is what keeps them from answering twice and tells the reminders who has not.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cities.models import City
from cohorts.enums import Programme
from cohorts.models import Cohort
from feedback.enums import QuestionKind, ResponseStatus, ResponseUnit, SurveyScope
from portal.text import LONG_TEXT_MAX, PARAGRAPH_MAX, SHORT_TEXT_MAX
from sessions.models import Session

# Results of an anonymous survey show once this many people have answered (issue 11's default):
# fewer, and a reader who knows who took part could tell who said what.
DEFAULT_MIN_RESPONSES = 3


class Survey(models.Model):
    title = models.CharField(_("title"), max_length=SHORT_TEXT_MAX)
    introduction = models.TextField(_("introduction"), max_length=PARAGRAPH_MAX, blank=True)
    scope = models.CharField(_("about"), max_length=10, choices=SurveyScope.choices)
    # Exactly the one its scope names is set (the constraints below).
    session = models.ForeignKey(
        Session, on_delete=models.PROTECT, null=True, blank=True, related_name="surveys"
    )
    cohort = models.ForeignKey(
        Cohort, on_delete=models.PROTECT, null=True, blank=True, related_name="surveys"
    )
    programme = models.CharField(
        _("programme"), max_length=20, choices=Programme.choices, blank=True
    )
    opens_at = models.DateTimeField(_("opens"))
    closes_at = models.DateTimeField(_("closes"))
    is_anonymous = models.BooleanField(_("anonymous"), default=False)
    min_responses = models.PositiveSmallIntegerField(
        _("results shown from this many responses"), default=DEFAULT_MIN_RESPONSES
    )
    response_unit = models.CharField(
        _("who answers"),
        max_length=10,
        choices=ResponseUnit.choices,
        default=ResponseUnit.PERSON,
    )
    # Drafted surveys are seen by those who build them only; published, by those asked.
    is_published = models.BooleanField(_("published"), default=False)
    # The ready template it was copied from (feedback/templates.py), to compare like with like.
    template_key = models.CharField(_("template"), max_length=50, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-opens_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(
                        scope=SurveyScope.SESSION,
                        session__isnull=False,
                        cohort__isnull=True,
                        programme="",
                    )
                    | Q(
                        scope=SurveyScope.COHORT,
                        session__isnull=True,
                        cohort__isnull=False,
                        programme="",
                    )
                    | Q(
                        scope=SurveyScope.PROGRAMME,
                        session__isnull=True,
                        cohort__isnull=True,
                    )
                    & ~Q(programme="")
                ),
                name="survey_scope_names_its_object",
            ),
            models.CheckConstraint(
                condition=Q(closes_at__gt=models.F("opens_at")),
                name="survey_closes_after_it_opens",
            ),
            # An anonymous survey has one response per person: a city's shared response
            # would need the names of who wrote it.
            models.CheckConstraint(
                condition=Q(is_anonymous=False) | Q(response_unit=ResponseUnit.PERSON),
                name="survey_anonymous_per_person",
            ),
        ]

    def __str__(self):
        return self.title


class Section(models.Model):
    """A page of the survey: answering saves a draft at each one."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="sections")
    position = models.PositiveSmallIntegerField(_("position"))
    title = models.CharField(_("title"), max_length=SHORT_TEXT_MAX, blank=True)
    description = models.TextField(_("description"), max_length=PARAGRAPH_MAX, blank=True)
    # The enabling theme of city needs (004 §3) the section's questions speak to: the needs
    # assessment's results are read by theme (feedback/needs.py). Set when a template is copied.
    enabling_theme = models.ForeignKey(
        "taxonomy.EnablingTheme",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("enabling theme"),
    )

    class Meta:
        ordering = ["survey", "position"]
        constraints = [
            models.UniqueConstraint(fields=["survey", "position"], name="section_position_once")
        ]

    def __str__(self):
        return self.title or f"{self.survey} · {self.position}"


class Question(models.Model):
    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField(_("position"))
    kind = models.CharField(_("kind"), max_length=12, choices=QuestionKind.choices)
    text = models.CharField(_("question"), max_length=PARAGRAPH_MAX)
    help_text = models.CharField(_("help"), max_length=PARAGRAPH_MAX, blank=True)
    is_required = models.BooleanField(_("required"), default=False)
    # Multiple choice: "select at most N" (empty: any number).
    max_choices = models.PositiveSmallIntegerField(_("at most"), null=True, blank=True)
    # Short and long text: the longest answer, in characters.
    max_length = models.PositiveIntegerField(_("longest answer"), null=True, blank=True)
    # Rating, scale, extent, matrix: a label per point, lowest first (empty: the numbers).
    scale_labels = models.JSONField(_("labels of the scale"), default=list, blank=True)
    # Extent scale: whether "Not applicable" is offered.
    allows_not_applicable = models.BooleanField(_("offers “Not applicable”"), default=False)
    # A display condition: shown only to those who chose this option of an earlier question.
    shown_if = models.ForeignKey(
        "Option",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="conditional_questions",
        verbose_name=_("shown only if the answer is"),
    )
    # The question's own enabling theme where it differs from its section's (empty: the
    # section's), e.g. the needs assessment's co-benefits question, asked under Urban
    # Governance, is a question of monitoring and learning (004 §3.5).
    enabling_theme = models.ForeignKey(
        "taxonomy.EnablingTheme",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("enabling theme"),
    )
    # The key of the ready template's question it was copied from (feedback/survey_templates.py),
    # which the needs assessment's reuse of a city's answers reads (feedback/needs_prefill.py),
    # and by which comparisons match the copies of one template, whatever their builders
    # reworded since (feedback/comparison.py). Empty for a question a builder added.
    template_key = models.CharField(max_length=50, blank=True, editable=False)

    class Meta:
        ordering = ["section", "position"]
        constraints = [
            models.UniqueConstraint(fields=["section", "position"], name="question_position_once"),
            models.CheckConstraint(
                condition=Q(max_length__isnull=True) | Q(max_length__lte=LONG_TEXT_MAX),
                name="question_max_length_capped",
            ),
        ]

    def __str__(self):
        return self.text


class Option(models.Model):
    """A choice of a choice or ranking question, or a row of a matrix."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="options")
    position = models.PositiveSmallIntegerField(_("position"))
    label = models.CharField(_("label"), max_length=PARAGRAPH_MAX)
    # "Other, please specify": choosing it asks for a text.
    is_other = models.BooleanField(_("other, please specify"), default=False)
    # The option's label in the ready template it was copied from, kept when a builder rewords
    # the label: comparisons match options by it (feedback/comparison.py). Empty for an option
    # a builder added.
    template_ref = models.CharField(max_length=PARAGRAPH_MAX, blank=True, editable=False)

    class Meta:
        ordering = ["question", "position"]
        constraints = [
            models.UniqueConstraint(fields=["question", "position"], name="option_position_once")
        ]

    def __str__(self):
        return self.label


class QuestionChange(models.Model):
    """A wording change of a question or an option after answers exist (issue 11: fixes are
    allowed and kept in history)."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="changes")
    option = models.ForeignKey(
        Option, on_delete=models.CASCADE, null=True, blank=True, related_name="changes"
    )
    field = models.CharField(max_length=20)
    old_value = models.TextField()
    new_value = models.TextField()
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["question", "changed_at", "pk"]

    def __str__(self):
        return f"{self.question} · {self.field}"


class Response(models.Model):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")
    # Named surveys: who wrote it and the city it speaks for (a city's response: the officer
    # who began it). Anonymous: the writer of a draft only, cleared when it is submitted, and
    # never a city.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="survey_responses",
    )
    city = models.ForeignKey(
        City, on_delete=models.PROTECT, null=True, blank=True, related_name="survey_responses"
    )
    # Who this response is the one response of: "person:<user id>" or "city:<city id>"
    # (feedback.services.respondent_key); empty once an anonymous response is submitted.
    respondent = models.CharField(max_length=30, blank=True)
    status = models.CharField(
        max_length=10, choices=ResponseStatus.choices, default=ResponseStatus.DRAFT
    )
    # The page (section position) to resume at.
    page = models.PositiveSmallIntegerField(default=1)
    # Named surveys only: an anonymous response keeps no moment that could be set beside its
    # participation's (created_at and updated_at are cleared with the writer on submission).
    created_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["survey", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "respondent"],
                condition=~Q(respondent=""),
                name="response_once_per_respondent",
            ),
        ]

    def __str__(self):
        return f"{self.survey} · {self.pk}"


class Participation(models.Model):
    """That a person submitted a response to an anonymous survey, and nothing of which one."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="participations")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="survey_participations"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["survey", "user"], name="participation_once")
        ]

    def __str__(self):
        return f"{self.survey} · {self.user_id}"


class Answer(models.Model):
    """One stored part of a response's answer to a question (feedback.enums.QuestionKind says
    which parts each kind has): results count and average these rows in the database."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    # Indexed first in answer_question_counts (below), which serves every lookup by question.
    question = models.ForeignKey(
        Question, on_delete=models.CASCADE, related_name="answers", db_index=False
    )
    # The option chosen (choice, ranking) or the matrix row answered.
    option = models.ForeignKey(
        Option, on_delete=models.PROTECT, null=True, blank=True, related_name="answers"
    )
    # A point of a scale, or a rank.
    number = models.SmallIntegerField(null=True, blank=True)
    not_applicable = models.BooleanField(default=False)
    # Free text, or the text of "Other, please specify".
    text = models.TextField(max_length=LONG_TEXT_MAX, blank=True)

    class Meta:
        constraints = [
            # One row per option (or matrix row) of a question; one per question without.
            models.UniqueConstraint(
                fields=["response", "question", "option"],
                condition=Q(option__isnull=False),
                name="answer_once_per_option",
            ),
            models.UniqueConstraint(
                fields=["response", "question"],
                condition=Q(option__isnull=True),
                name="answer_once_per_question",
            ),
        ]
        indexes = [
            # The results' counts read this index alone, in their GROUP BY's order, with the
            # response to leave drafts out (feedback/results.py, _answers_counted): a survey of
            # 2,000,000 answers is counted without reading the table.
            models.Index(
                fields=["question", "option", "number", "not_applicable", "response"],
                name="answer_question_counts",
            )
        ]

    def __str__(self):
        return f"{self.response} · {self.question_id}"


class LivePresentation(models.Model):
    """A survey presented live (issue 11's "Live mode", as the programme used Mentimeter): a
    facilitator shows one question at a time and those the survey asks answer it from a short
    code on their phones (feedback/live.py).

    The answers are the survey's own (Response and Answer rows written by answering); this row
    holds only what is on screen and which drafts were written live, so that closing the
    presentation can submit them. Those links are removed at closing: an anonymous response
    keeps nothing that says it was given live."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="live_presentations")
    # Six letters and digits that cannot be mistaken for one another (feedback.live.CODE_ALPHABET),
    # unique among the presentations running: a code is given again once its presentation ends.
    code = models.CharField(_("code"), max_length=6)
    # The question on screen (None once the presentation has ended, or the question was deleted).
    question = models.ForeignKey(
        Question, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    started_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)
    # The drafts answered live, counted on the presenter's screen and submitted at closing.
    responses = models.ManyToManyField(Response, blank=True, related_name="+")

    class Meta:
        ordering = ["-started_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["code"],
                condition=Q(closed_at__isnull=True),
                name="live_code_once_while_running",
            ),
            models.UniqueConstraint(
                fields=["survey"],
                condition=Q(closed_at__isnull=True),
                name="live_once_per_survey_while_running",
            ),
        ]

    def __str__(self):
        return f"{self.survey} · {self.code}"

    @property
    def is_running(self) -> bool:
        return self.closed_at is None


class SubtopicsSent(models.Model):
    """That a post-session survey's chosen sub-topics were sent to the technical session that
    follows its thematic session (feedback/subtopics.py): the technical session's page says
    where its requested sub-topics came from (sessions' `session_subtopics_sources` hook)."""

    survey = models.OneToOneField(Survey, on_delete=models.CASCADE, related_name="subtopics_sent")
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="+")
    # The submitted responses counted when they were sent, and the text written: the page says
    # whether the session's sub-topics are still that text.
    responses = models.PositiveIntegerField()
    text = models.TextField(blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    sent_at = models.DateTimeField()

    class Meta:
        ordering = ["session", "sent_at", "pk"]

    def __str__(self):
        return f"{self.survey} → {self.session}"
