"""Scoring in the background (visits/scoring.py): thin tasks that reload by id and call one
service. Not retried by Celery: scoring recomputes from the source rows, so the next review,
criteria change or the admin's "Run scoring" repairs a lost run."""

from celery import shared_task

from visits import scoring


@shared_task(name="visits.score_call")
def score_call(call_id: int) -> bool:
    """Score a whole call; False when the call is gone."""
    return scoring.call_score(call_id=call_id) is not None


@shared_task(name="visits.score_application")
def score_application(application_id: int) -> bool:
    """Score one application and rank its call again; False when the application is gone."""
    return scoring.application_score(application_id=application_id) is not None
