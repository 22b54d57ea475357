"""Filters of the surveys a person sees (the API's list, /api/v1/surveys/)."""

import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from feedback.enums import SurveyScope
from feedback.models import Survey
from portal.api.filters import IdFilter


@extend_schema_field(OpenApiTypes.INT)
class _CohortOfSurveyFilter(IdFilter):
    """A cohort by id (the schema cannot guess the type of a filter with a method)."""


@extend_schema_field(OpenApiTypes.BOOL)
class _OpenFilter(django_filters.BooleanFilter):
    pass


def _of_cohort(queryset, name, value):
    # A session's survey belongs to the session's cohort (feedback.rules.survey_cohort_id).
    return queryset.filter(Q(cohort_id=value) | Q(session__cohort_id=value))


def _open_now(queryset, name, value):
    now = timezone.now()
    is_open = Q(opens_at__lte=now, closes_at__gt=now)
    return queryset.filter(is_open) if value else queryset.exclude(is_open)


class SurveyFilter(django_filters.FilterSet):
    cohort = _CohortOfSurveyFilter(
        method=_of_cohort, label=_("Cohort (id): its own surveys and its sessions'")
    )
    session = IdFilter(field_name="session_id", label=_("Session (id)"))
    scope = django_filters.ChoiceFilter(choices=SurveyScope.choices, label=_("About"))
    open = _OpenFilter(method=_open_now, label=_("Open now (true) or not (false)"))

    class Meta:
        model = Survey
        fields = ["cohort", "session", "scope", "open"]
