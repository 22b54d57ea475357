from django.db.models import Q, QuerySet

from cohorts.models import Cohort


def cohorts_facilitated_by(*, user) -> QuerySet[Cohort]:
    """Cohorts this person leads or where they facilitate a thematic group."""
    if not user.is_authenticated:
        return Cohort.objects.none()
    return (
        Cohort.objects.filter(Q(facilitators=user) | Q(thematic_groups__facilitators=user))
        .distinct()
        .order_by("-starts_on")
    )


def cohorts_visible_to(*, user) -> QuerySet[Cohort]:
    """Admins see every cohort; facilitators see the cohorts they facilitate."""
    if not user.is_authenticated:
        return Cohort.objects.none()
    if user.is_programme_admin or user.is_superuser:
        return Cohort.objects.all()
    return cohorts_facilitated_by(user=user)
