"""Feedback surveys (issue 11). Live mode (feedback/live.py): the presenter's live area and
the participant's page and poll, on the results benchmark's survey (bench_feedback: 100,000
submitted responses, 2,000,000 answers), presented live at its first multiple-choice question by
the busiest cohort's lead facilitator. The presentation is started through the service once
and found again on later runs.

The presenter's area and the participant's poll are fetched every 2 seconds by every screen:
their rows are the ones that matter. The area is measured as a new poll meets it after an
answer was drawn once (its counts kept); the empty-cache row is what the first poll after an
answer waits for: the counts over the survey's responses (not held to 3x, as bench_cold's rows).
"""

from django.core.cache import cache
from django.urls import reverse

from benchmarks.bench_cohorts import enrolled_officer, lead_facilitator
from benchmarks.bench_cold import COLD
from benchmarks.bench_feedback import results_survey
from benchmarks.harness import benchmark, page, signed_in_client
from feedback import live
from feedback.enums import QuestionKind
from feedback.models import LivePresentation, Question
from portal.fragments import versions


def presented():
    """The results survey presented live, its presenter and a participant it asks."""
    survey = results_survey()
    lead = lead_facilitator(survey.cohort)
    presentation = LivePresentation.objects.filter(survey=survey, closed_at__isnull=True).first()
    if presentation is None:
        presentation = live.live_start(acting_user=lead, survey=survey)
    question = (
        Question.objects.filter(section__survey=survey, kind=QuestionKind.MULTIPLE_CHOICE)
        .order_by("section__position", "position")
        .first()
    )
    if presentation.question_id != question.pk:
        presentation = live.live_move(
            acting_user=lead, presentation=presentation, question_id=question.pk
        )
    return survey, presentation, lead, enrolled_officer(survey.cohort)


@benchmark("live presenter area: lead facilitator, 100,000 responses (counts kept)")
def live_presenter_area():
    survey, _presentation, lead, _officer = presented()
    return page(signed_in_client(lead), reverse("survey_live_area", args=[survey.pk]))


@benchmark(COLD + "live presenter area: lead facilitator, 100,000 responses")
def live_presenter_area_cold():
    warm = live_presenter_area()

    def run():
        cache.clear()
        return warm()

    return run


@benchmark("live presenter page: lead facilitator, 100,000 responses")
def live_presenter_page():
    survey, _presentation, lead, _officer = presented()
    return page(signed_in_client(lead), reverse("survey_live", args=[survey.pk]))


@benchmark("live participant page: officer, the question on screen")
def live_participant_page():
    _survey, presentation, _lead, officer = presented()
    return page(signed_in_client(officer), reverse("live_answer", args=[presentation.code]))


@benchmark("live participant poll: officer, the same question on screen (204)")
def live_participant_poll():
    _survey, presentation, _lead, officer = presented()
    client = signed_in_client(officer)
    url = reverse("live_answer_poll", args=[presentation.code])
    version = versions(live.live_scope(presentation.code))

    def get():
        response = client.get(f"{url}?v={version}", secure=True)
        if response.status_code != 204:
            raise RuntimeError(f"GET {url} answered {response.status_code}, not 204.")
        return response

    return get
