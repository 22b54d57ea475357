"""Filters of roadmaps for the API's list, written as the other lists' are (portal.api.filters)."""

import django_filters
from django.utils.translation import gettext_lazy as _

from portal.api.filters import IdFilter
from roadmaps.enums import RoadmapStatus
from roadmaps.models import Roadmap


class RoadmapFilter(django_filters.FilterSet):
    """Decision: cohort and city are ids checked only as whole numbers (IdFilter), as on every
    other list. django-filter's default for `filterset_fields` checked them against every
    cohort and city in the database, so an id that exists but is not the caller's listed
    nothing while one that does not exist was refused: the answer told which ids exist."""

    cohort = IdFilter(field_name="cohort_id", label=_("Cohort (id)"))
    city = IdFilter(field_name="city_id", label=_("City (id)"))
    status = django_filters.ChoiceFilter(choices=RoadmapStatus.choices, label=_("Status"))

    class Meta:
        model = Roadmap
        fields = ["cohort", "city", "status"]
