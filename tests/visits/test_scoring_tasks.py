"""Scoring in the background (visits/tasks.py): the receivers queue the tasks after commit, the
admin's "Run scoring" queues the whole call, and a real Celery worker on Redis runs it."""

from decimal import Decimal

import pytest
from django.db import transaction

from portal.permissions import PermissionRefused
from tests import factories
from tests.visits.test_scoring import review, submitted_application
from visits import signals, tasks
from visits.enums import CallStatus
from visits.models import Application, ScoreLine
from visits.scoring import call_scoring_run

D = Decimal


@pytest.fixture
def queued(monkeypatch):
    """The tasks' .delay calls, recorded instead of sent."""
    calls = []
    monkeypatch.setattr(tasks.score_call, "delay", lambda pk: calls.append(("call", pk)))
    monkeypatch.setattr(
        tasks.score_application, "delay", lambda pk: calls.append(("application", pk))
    )
    return calls


@pytest.mark.django_db
def test_a_review_change_queues_its_application_after_commit(
    queued, django_capture_on_commit_callbacks
):
    row = factories.ReviewFactory()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        signals.review_changed.send(sender=type(row), review=row)
        assert queued == []  # nothing before the commit

    assert len(callbacks) == 1
    assert queued == [("application", row.application_id)]


@pytest.mark.django_db
def test_a_criteria_change_queues_the_whole_call_after_commit(
    queued, django_capture_on_commit_callbacks
):
    call = factories.CallFactory()
    with django_capture_on_commit_callbacks(execute=True):
        signals.criteria_changed.send(sender=type(call), call=call)

    assert queued == [("call", call.pk)]


@pytest.mark.django_db
def test_run_scoring_is_for_admins_and_queues_the_call(queued, django_capture_on_commit_callbacks):
    call = factories.CallFactory()
    admin = factories.UserFactory(is_programme_admin=True)
    reviewer = factories.UserFactory(is_reviewer=True)

    with pytest.raises(PermissionRefused), django_capture_on_commit_callbacks(execute=True):
        call_scoring_run(acting_user=reviewer, call=call)
    assert queued == []

    with django_capture_on_commit_callbacks(execute=True):
        call_scoring_run(acting_user=admin, call=call)
    assert queued == [("call", call.pk)]


@pytest.mark.django_db
def test_tasks_score_by_id_and_answer_false_for_what_is_gone():
    call = factories.CallFactory(status=CallStatus.OPEN)
    relevance = factories.CriterionFactory(call=call)
    application = submitted_application(call)
    review(application, {relevance: 4})

    assert tasks.score_application(application.pk) is True
    assert ScoreLine.objects.get(application=application).points == D("4.000")
    assert tasks.score_call(call.pk) is True
    assert tasks.score_call(999_999) is False
    assert tasks.score_application(999_999) is False


@pytest.mark.redis
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_worker_scores_the_call_through_redis(redis_worker):
    call = factories.CallFactory(status=CallStatus.OPEN)
    relevance = factories.CriterionFactory(call=call, weight=D("2"))
    first = submitted_application(call)
    review(first, {relevance: 3})
    review(first, {relevance: 4})
    second = submitted_application(call)
    review(second, {relevance: 5})
    admin = factories.UserFactory(is_programme_admin=True)

    with transaction.atomic():
        # On commit, the service publishes visits.score_call to Redis; the worker takes it.
        call_scoring_run(acting_user=admin, call=call)

    outcome = redis_worker.wait_for("visits.score_call", [call.pk])

    assert outcome == {"returned": True, "state": "SUCCESS", "eager": False}
    assert list(
        Application.objects.filter(call=call).order_by("rank").values_list("pk", "total", "rank")
    ) == [(second.pk, D("10.000"), 1), (first.pk, D("7.000"), 2)]
