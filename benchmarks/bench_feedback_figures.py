"""The programme's own figures (issue 11): the needs assessment by enabling theme
(feedback.views_needs) and the page that sends a post-session survey's sub-topics to the
technical session (feedback.views_subtopics).

Themes: the results benchmark's survey of 100,000 responses (bench_feedback.results_survey), its
two sections tied to the first two enabling themes (done once, in bulk, then its results'
version raised): the page groups the same aggregation as the results page.

Sub-topics: a post-session survey copied from the template by the busiest cohort's lead, about
the first thematic session of that cohort that a technical session follows, with RESPONDENTS
submitted responses choosing sub-topics (bulk_create), made once and found again by its title.
"""

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from benchmarks.bench_cohorts import busiest_cohort, lead_facilitator
from benchmarks.bench_feedback import results_survey
from benchmarks.harness import benchmark, page, signed_in_client
from feedback.enums import ResponseStatus
from feedback.models import Answer, Option, Question, Response, Section, Survey
from feedback.results import results_changed
from feedback.survey_templates import POST_SESSION, POST_SESSION_SUBTOPICS, survey_from_template
from sessions.enums import SessionKind
from sessions.models import Session
from sessions.selectors import technical_session_after
from taxonomy.models import EnablingTheme

SUBTOPICS_TITLE = "Benchmark: post-session survey"
RESPONDENTS = 200


def themed_results_survey() -> Survey:
    survey = results_survey()
    themes = list(EnablingTheme.objects.order_by("position")[:2])
    sections = list(Section.objects.filter(survey=survey).order_by("position"))
    if themes and any(section.enabling_theme_id is None for section in sections):
        with transaction.atomic():
            for section, theme in zip(sections, themes * len(sections), strict=False):
                Section.objects.filter(pk=section.pk).update(enabling_theme=theme)
            results_changed(survey.pk)
    return survey


@benchmark("survey results by enabling theme: lead facilitator, 100,000 responses")
def results_themes_page():
    survey = themed_results_survey()
    lead = lead_facilitator(survey.cohort)
    return page(signed_in_client(lead), reverse("survey_results_themes", args=[survey.pk]))


def subtopics_survey() -> Survey | None:
    """The post-session survey of the module docstring (None: the scale data has no thematic
    session of a known sector followed by a technical one)."""
    survey = Survey.objects.filter(title=SUBTOPICS_TITLE).first()
    if survey is not None:
        return survey
    cohort = busiest_cohort()
    lead = lead_facilitator(cohort)
    thematic = next(
        (
            session
            for session in Session.objects.filter(
                cohort=cohort,
                kind=SessionKind.THEMATIC_DISCUSSION,
                thematic_group__sector__slug__in=list(POST_SESSION_SUBTOPICS),
            )
            .select_related("thematic_group__sector")
            .order_by("starts_at")
            if technical_session_after(session) is not None
        ),
        None,
    )
    if thematic is None:
        return None
    now = timezone.now()
    with transaction.atomic():
        survey = survey_from_template(
            template_key=POST_SESSION,
            target=thematic,
            opens_at=thematic.ends_at,
            closes_at=now + timezone.timedelta(days=3650),
            is_anonymous=False,
            acting_user=lead,
            title=SUBTOPICS_TITLE,
        )
        Survey.objects.filter(pk=survey.pk).update(is_published=True)
        question = Question.objects.get(section__survey=survey, template_key="subtopics")
        options = list(Option.objects.filter(question=question).order_by("position"))
        responses = Response.objects.bulk_create(
            Response(
                survey=survey,
                respondent=f"bench-subtopics:{n}",
                status=ResponseStatus.SUBMITTED,
                created_at=now,
                updated_at=now,
                submitted_at=now,
            )
            for n in range(RESPONDENTS)
        )
        Answer.objects.bulk_create(
            Answer(response=response, question=question, option=options[(n + k) % len(options)])
            for n, response in enumerate(responses)
            for k in range(1 + n % 2)
        )
        results_changed(survey.pk)
    return survey


@benchmark("post-session sub-topics page: lead facilitator, 200 responses")
def subtopics_page():
    survey = subtopics_survey() or results_survey()
    lead = lead_facilitator(busiest_cohort())
    return page(signed_in_client(lead), reverse("survey_subtopics_send", args=[survey.pk]))
