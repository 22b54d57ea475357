"""How Group Study Visits react to signals (their own parts' and lower apps') and answer lower
apps' hooks (ARCHITECTURE.md); each receiver calls one service."""

from django.dispatch import receiver

from visits import scoring, signals


@receiver(signals.review_changed, dispatch_uid="visits.score_application_on_review")
def score_application_on_review(sender, review, **kwargs):
    """A review was submitted, changed or recused: that application's lines change."""
    scoring.application_scoring_queue(application_id=review.application_id)


@receiver(signals.criteria_changed, dispatch_uid="visits.score_call_on_criteria")
def score_call_on_criteria(sender, call, **kwargs):
    """A criterion was added, edited, reweighted or removed: every application's lines change."""
    scoring.call_scoring_queue(call_id=call.pk)
