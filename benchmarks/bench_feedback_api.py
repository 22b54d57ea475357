"""Feedback surveys (issue 11): the API's reads, on the surveys the page benchmarks make.

The list of surveys of the busiest cohort's lead facilitator (the built survey of 27 questions
and the results survey among them), a survey with its questions and the officer's own draft
(bench_feedback_answer's survey of two pages of ten questions), and the responses and results of
bench_feedback's survey of 100,000 responses of 20 questions (2,000,000 answer rows).
"""

from benchmarks.bench_cohorts import lead_facilitator
from benchmarks.bench_feedback import built_survey, results_survey
from benchmarks.bench_feedback_answer import answering_survey
from benchmarks.harness import benchmark, page, signed_in_client


@benchmark("API: GET /api/v1/surveys/ (lead facilitator, busiest cohort)")
def api_surveys():
    _survey, lead = built_survey()
    results_survey()
    return page(signed_in_client(lead), "/api/v1/surveys/")


@benchmark("API: GET /api/v1/surveys/<id>/ (officer: two pages of ten questions)")
def api_survey_detail():
    survey, officer = answering_survey()
    return page(signed_in_client(officer), f"/api/v1/surveys/{survey.pk}/")


@benchmark("API: GET /api/v1/surveys/<id>/response/ (officer with a draft)")
def api_own_response():
    survey, officer = answering_survey()
    return page(signed_in_client(officer), f"/api/v1/surveys/{survey.pk}/response/")


@benchmark("API: GET /api/v1/surveys/<id>/responses/ (lead facilitator, 100,000 responses)")
def api_survey_responses():
    survey = results_survey()
    return page(
        signed_in_client(lead_facilitator(survey.cohort)), f"/api/v1/surveys/{survey.pk}/responses/"
    )


@benchmark("API: GET /api/v1/surveys/<id>/results/ (lead facilitator, 100,000 responses)")
def api_survey_results():
    survey = results_survey()
    return page(
        signed_in_client(lead_facilitator(survey.cohort)), f"/api/v1/surveys/{survey.pk}/results/"
    )
