import django_filters

from cities.enums import CityType
from cities.models import City, Country

CITY_TYPE_FIELDS = {
    CityType.MISSION_CITY: "is_mission_city",
    CityType.MISSION_MINDED: "is_mission_minded",
    CityType.PILOT: "is_pilot_city",
    CityType.TWIN: "is_twin_city",
}


class CityFilter(django_filters.FilterSet):
    country = django_filters.CharFilter(
        field_name="country__iso_code", lookup_expr="iexact", label="Country (ISO code)"
    )
    type = django_filters.ChoiceFilter(choices=CityType.choices, method="filter_type", label="Type")
    name = django_filters.CharFilter(lookup_expr="icontains")
    thematic_interest = django_filters.CharFilter(
        field_name="thematic_interests__slug", label="Thematic interest (slug)"
    )

    class Meta:
        model = City
        fields = ["country", "type", "name", "thematic_interest"]

    def filter_type(self, queryset, name, value):
        return queryset.filter(**{CITY_TYPE_FIELDS[value]: True})


class CountryFilter(django_filters.FilterSet):
    name = django_filters.CharFilter(lookup_expr="icontains")
    iso_code = django_filters.CharFilter(lookup_expr="iexact")

    class Meta:
        model = Country
        fields = ["name", "iso_code"]
