import django_filters
from django.utils.translation import gettext_lazy as _

from cohorts.enums import EnrolmentStatus, Programme
from cohorts.models import Cohort, Enrolment
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
