"""The needs assessment's results by enabling theme (issue 11; 004 §3 and its focus groups'
survey results).

004 reads its questionnaire theme by theme: under each of the five enabling themes of city
needs it reports, for the questions of that theme, the share of respondents who chose each
option and the options chosen most ("The top three barriers were ...", "The top four funding
gaps were ...", "61% of respondent cities have climate responsibilities shared across different
departments"). This module groups a survey's results that way: each question under its theme
(its own, else its section's: `Question.enabling_theme`, `Section.enabling_theme`, set when the
template is copied, feedback/survey_templates.py), the themes in the taxonomy's order, and per
question its top options with count and share of those who answered it.

Decision: the counting is feedback.results' (`survey_results`), the same numbers as the results
page, with its rules (submitted responses only, the question's own denominator, anonymous
thresholds, filters); this module only groups them. Questions tied to no theme (added in the
builder to a section that has none) are listed last, under "Not tied to an enabling theme".
"""

from dataclasses import dataclass, field

from feedback.results import TOP_N, QuestionResult, ResultFilters, SurveyResults, survey_results
from taxonomy.models import EnablingTheme


@dataclass
class ThemeResults:
    theme: EnablingTheme | None  # None: the questions tied to no theme
    questions: list[QuestionResult] = field(default_factory=list)

    @property
    def slug(self) -> str:
        return self.theme.slug if self.theme is not None else "none"

    @property
    def needs(self) -> list[tuple[QuestionResult, list]]:
        """Each choice or ranking question of the theme with its top options (004's "top N"),
        those nobody chose left out."""
        return [
            (result, result.top(TOP_N))
            for result in self.questions
            if result.options and not result.withheld
        ]


def question_theme_id(question) -> int | None:
    """The question's enabling theme: its own, else its section's."""
    return question.enabling_theme_id or question.section.enabling_theme_id


def results_by_theme(
    *, survey, filters: ResultFilters | None = None
) -> tuple[SurveyResults, list[ThemeResults]]:
    """The survey's results (feedback.results.survey_results) and the same question results
    grouped by enabling theme, in the themes' order; a theme without questions is left out.
    One query more than the results: the themes."""
    results = survey_results(survey=survey, filters=filters)
    groups = {theme.pk: ThemeResults(theme) for theme in EnablingTheme.objects.order_by("position")}
    untied = ThemeResults(None)
    for result in results.questions:
        groups.get(question_theme_id(result.question), untied).questions.append(result)
    themes = [group for group in [*groups.values(), untied] if group.questions]
    return results, themes
