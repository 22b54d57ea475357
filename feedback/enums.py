from django.db import models
from django.utils.translation import gettext_lazy as _


class QuestionKind(models.TextChoices):
    """The kinds of question a survey asks (issue 11), and how each answer is stored
    (feedback.models.Answer):

    - single and multiple choice, ranking: one answer row per option chosen (ranking: its
      `number` is the rank, 1 first); "Other, please specify" is an option whose row carries
      the text;
    - rating 1 to 5, 0-10 scale, extent scale: one row with `number` (the extent scale's
      "Not applicable" is `number` None with `not_applicable`);
    - short and long text: one row with `text`;
    - matrix: one row per matrix row answered (`row`), `number` on the question's scale.
    """

    SINGLE_CHOICE = "single", _("Single choice")
    MULTIPLE_CHOICE = "multiple", _("Multiple choice")
    RATING = "rating", _("Rating 1 to 5")
    SCALE_0_10 = "scale_0_10", _("Scale 0 to 10")
    EXTENT = "extent", _("Extent scale")
    SHORT_TEXT = "short_text", _("Short text")
    LONG_TEXT = "long_text", _("Long text")
    RANKING = "ranking", _("Ranking")
    MATRIX = "matrix", _("Matrix")


CHOICE_KINDS = frozenset({QuestionKind.SINGLE_CHOICE, QuestionKind.MULTIPLE_CHOICE})
# Kinds whose answer is a number on a scale (the matrix rates each of its rows on one).
NUMBER_KINDS = frozenset(
    {QuestionKind.RATING, QuestionKind.SCALE_0_10, QuestionKind.EXTENT, QuestionKind.MATRIX}
)
TEXT_KINDS = frozenset({QuestionKind.SHORT_TEXT, QuestionKind.LONG_TEXT})
# Kinds whose question has options (a matrix's options are its rows).
OPTION_KINDS = frozenset(
    {
        QuestionKind.SINGLE_CHOICE,
        QuestionKind.MULTIPLE_CHOICE,
        QuestionKind.RANKING,
        QuestionKind.MATRIX,
    }
)

# The points of each scale, lowest first. The extent scale is 004 Annex 2's six-point one:
# five degrees and "Not applicable", which is kept apart (not a degree, left out of means).
SCALE_POINTS = {
    QuestionKind.RATING: range(1, 6),
    QuestionKind.SCALE_0_10: range(0, 11),
    QuestionKind.EXTENT: range(1, 6),
    QuestionKind.MATRIX: range(1, 6),
}
EXTENT_LABELS = [
    _("None at all"),
    _("A little"),
    _("A moderate amount"),
    _("A lot"),
    _("A great deal"),
]


class SurveyScope(models.TextChoices):
    """What a survey is about, and so who is asked: the people registered for a session, the
    officers of the cities enrolled in a cohort, or those of every cohort of a programme."""

    SESSION = "session", _("Session")
    COHORT = "cohort", _("Cohort")
    PROGRAMME = "programme", _("Programme")


class ResponseUnit(models.TextChoices):
    """Who answers a named survey: each person, or each city once (its officers share one
    response and any of them may edit it until the survey closes)."""

    PERSON = "person", _("One response per person")
    CITY = "city", _("One response per city")


class ResponseStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
