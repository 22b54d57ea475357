import django_filters
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from accounts.rules import is_programme_admin
from cohorts.enums import EnrolmentStatus, PhaseKind, Programme
from cohorts.models import Cohort, Enrolment, Phase, ThematicGroup
from cohorts.selectors import cohorts_visible_to
from cohorts.versions import CITIES, COHORTS
from portal.api.filters import IdFilter


class CohortFilter(django_filters.FilterSet):
    programme = django_filters.ChoiceFilter(choices=Programme.choices, label=_("Programme"))

    class Meta:
        model = Cohort
        fields = ["programme"]


class EnrolmentFilter(django_filters.FilterSet):
    cohort = IdFilter(field_name="cohort_id", label=_("Cohort (id)"))
    city = IdFilter(field_name="city_id", label=_("City (id)"))
    status = django_filters.ChoiceFilter(choices=EnrolmentStatus.choices, label=_("Status"))

    class Meta:
        model = Enrolment
        fields = ["cohort", "city", "status"]


class PhaseFilter(django_filters.FilterSet):
    cohort = IdFilter(field_name="cohort_id", label=_("Cohort (id)"))
    kind = django_filters.ChoiceFilter(choices=PhaseKind.choices, label=_("Kind"))

    class Meta:
        model = Phase
        fields = ["cohort", "kind"]


class ThematicGroupFilter(django_filters.FilterSet):
    cohort = IdFilter(field_name="cohort_id", label=_("Cohort (id)"))
    sector = django_filters.CharFilter(
        field_name="sector__slug", max_length=60, label=_("Thematic sector (slug)")
    )
    # One person is a group's facilitator once: the join never repeats a group.
    facilitator = IdFilter(field_name="facilitators", label=_("Facilitator (person's id)"))

    class Meta:
        model = ThematicGroup
        fields = ["cohort", "sector", "facilitator"]


def _cohorts_of_request(request):
    if request is None:
        return Cohort.objects.none()
    return cohorts_visible_to(user=request.user).order_by("-starts_on", "programme", "number")


def _cities_in_cohort(queryset, name, value):
    # One filter() call so both conditions apply to the same enrolment row; a city is
    # enrolled at most once per cohort, so the join never repeats a city.
    return queryset.filter(enrolments__cohort=value, enrolments__status=EnrolmentStatus.ACCEPTED)


@extend_schema_field(OpenApiTypes.INT)
class _CohortFilter(django_filters.ModelChoiceFilter):
    """A cohort by id (the schema cannot guess the type of a filter with a method).

    The directory keeps its filter form drawn (cities.filters.city_filter_add): the cohorts
    offered change with these data versions (the cohorts, their facilitators and enrolments;
    who is an officer of which city) and with these facts about the person, so a kept form
    needs no query for them.
    """

    choices_scopes = (COHORTS, CITIES)

    def choices_key(self, request) -> str:
        # What cohorts_visible_to decides by: the person (what they facilitate, the cities
        # they are an officer of), whether they are an admin, and today (officers are offered
        # the cohorts that have not ended yet).
        user = request.user
        return f"{user.pk}:{int(is_programme_admin(user))}:{timezone.localdate().isoformat()}"


def city_cohort_filter() -> django_filters.Filter:
    """The city directory's "Took part in cohort" filter (added by CohortsConfig.ready).

    The choices, and so the ids accepted, are the cohorts the person may see: an id they may
    not see is refused like an unknown one, so the filter neither lists nor confirms other
    cohorts (their accepted cities still show on each city's public profile).
    """
    return _CohortFilter(
        queryset=_cohorts_of_request,
        method=_cities_in_cohort,
        label=_("Took part in cohort"),
        empty_label=_("Any cohort"),
    )
