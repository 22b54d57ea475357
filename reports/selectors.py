"""What a person may report on: the cohorts whose data reaches their reports and exports."""

from django.db.models import QuerySet

from accounts.rules import is_programme_admin
from cohorts.models import Cohort
from cohorts.selectors import cohorts_facilitated_by


def reportable_cohorts(*, user) -> QuerySet[Cohort]:
    """Every cohort for a programme admin; the cohorts a facilitator leads or facilitates a
    thematic group of; nothing for anyone else."""
    if is_programme_admin(user):
        return Cohort.objects.all()
    if not getattr(user, "is_facilitator", False):
        return Cohort.objects.none()
    return cohorts_facilitated_by(user=user)


def report_visibility_key(user) -> str:
    """Who may see what a cached part of the reports shows (the cohorts reported on): every
    admin alike, each facilitator apart."""
    return "admin" if user.has_admin_role else f"user:{user.pk}"
