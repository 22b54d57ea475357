from rest_framework import serializers, viewsets

from cities.filters import CityFilter, CountryFilter
from cities.models import City, Country
from cities.selectors import cities_visible_to, countries_visible_to


class CountrySerializer(serializers.ModelSerializer):
    class Meta:
        model = Country
        fields = ["id", "iso_code", "name"]


class CitySerializer(serializers.ModelSerializer):
    country = CountrySerializer(read_only=True)
    types = serializers.ListField(child=serializers.CharField(), read_only=True)
    thematic_interests = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)

    class Meta:
        model = City
        fields = [
            "id",
            "name",
            "country",
            "population",
            "types",
            "contract_status",
            "thematic_interests",
        ]


class CityViewSet(viewsets.ReadOnlyModelViewSet):
    """Public city profiles, for every signed-in person."""

    permission_required = "cities.view_city"
    serializer_class = CitySerializer
    filterset_class = CityFilter
    search_fields = ["name"]
    ordering_fields = ["name", "population"]
    ordering = ["name"]

    def get_queryset(self):
        return cities_visible_to(user=self.request.user).order_by("name")


class CountryViewSet(viewsets.ReadOnlyModelViewSet):
    permission_required = "cities.view_country"
    serializer_class = CountrySerializer
    filterset_class = CountryFilter
    search_fields = ["name", "iso_code"]
    ordering = ["name"]

    def get_queryset(self):
        return countries_visible_to(user=self.request.user).order_by("name")
