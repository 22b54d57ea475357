"""A call under review for the reviewing tests: submitted applications, manual criteria with
anchors, reviewers."""

import datetime
from dataclasses import dataclass, field

from django.utils import timezone

from tests import factories
from visits.enums import ApplicationStatus, CallStatus


@dataclass
class ReviewWorld:
    call: object
    criteria: list
    applications: list
    reviewers: list
    admin: object
    extra: dict = field(default_factory=dict)


def submitted_application(call, city=None, **fields):
    return factories.ApplicationFactory(
        call=call,
        city=city or factories.CityFactory(),
        status=ApplicationStatus.SUBMITTED,
        submitted_at=timezone.now(),
        **fields,
    )


def review_world(*, applications=3, reviewers=3, criteria=2, **call_fields) -> ReviewWorld:
    call = factories.CallFactory(status=CallStatus.OPEN, **call_fields)
    manual = []
    for index in range(criteria):
        criterion = factories.CriterionFactory(
            call=call, name=f"Criterion {index + 1}", scale_max=3
        )
        for points, words in enumerate(["Not addressed", "Weak", "Good", "Excellent"]):
            factories.AnchorFactory(criterion=criterion, points=points, description=words)
        manual.append(criterion)
    return ReviewWorld(
        call=call,
        criteria=manual,
        applications=[submitted_application(call) for _ in range(applications)],
        reviewers=[
            factories.UserFactory(is_reviewer=True, full_name=f"Reviewer {n}")
            for n in range(reviewers)
        ],
        admin=factories.UserFactory(is_programme_admin=True),
    )


def past_deadline(call) -> None:
    """Move the call's dates back so that its review deadline passed an hour ago."""
    now = timezone.now()
    type(call).objects.filter(pk=call.pk).update(
        opens_at=now - datetime.timedelta(days=30),
        closes_at=now - datetime.timedelta(days=10),
        review_deadline=now - datetime.timedelta(hours=1),
    )
    call.refresh_from_db()
