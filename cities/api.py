from django.core.cache import cache
from django.utils.timezone import get_current_timezone_name
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.response import Response

from cities import scopes, services
from cities.filters import (
    CityFilter,
    ClimateActionFilter,
    CountryFilter,
    city_filters_added_in_use,
)
from cities.models import City, ClimateAction, ClimateActionLever, Country
from cities.selectors import (
    cities_profile_editable_by,
    cities_visible_to,
    climate_actions_editable_by,
    climate_actions_visible_to,
    countries_visible_to,
)
from portal.fragments import TIMEOUT_SECONDS, cache_key, versions
from taxonomy.models import EnablingFactor, ThematicSector


class SharedListCache:
    """Keep each page of a list that every signed-in person sees alike, serialized.

    For the lists of cities, countries and climate actions: their selectors give every signed-in
    person every row (cities/rules.py), and the permission check (anyone signed in) runs before
    `list`. A page is keyed by its absolute URL (the query, and the host and scheme its
    next/previous links are built on), the language, the time zone (of the dates), and the
    versions of `list_scopes`, raised by every change to what the page shows (cities/scopes.py).
    Only answers that succeeded are kept; a hit skips the filters, the queries and the
    serializers, and renders the same data to the same JSON.
    """

    list_scopes: tuple[str, ...] = ()

    def list_is_shared(self, request) -> bool:
        """Whether this query's page is the same for everyone signed in."""
        return True

    def list(self, request, *args, **kwargs):
        if not self.list_is_shared(request):
            return super().list(request, *args, **kwargs)
        key = cache_key(
            f"api:{self.basename}",
            [
                request.build_absolute_uri(),
                get_language(),
                get_current_timezone_name(),
                versions(*self.list_scopes),
            ],
        )
        data = cache.get(key)
        if data is not None:
            return Response(data)
        response = super().list(request, *args, **kwargs)
        if response.status_code == status.HTTP_200_OK:
            cache.set(key, response.data, TIMEOUT_SECONDS)
        return response


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
            "description",
            "types",
            "contract_status",
            "thematic_interests",
        ]


class CityProfileSerializer(serializers.Serializer):
    """What a city's officers (and programme admins) change of its profile: the same three
    fields as its edit page, checked again by cities.services.city_profile_update."""

    population = serializers.IntegerField(
        min_value=1, max_value=services.POPULATION_MAX, allow_null=True, required=False
    )
    description = serializers.CharField(
        max_length=City._meta.get_field("description").max_length,
        allow_blank=True,
        required=False,
    )
    thematic_interests = serializers.SlugRelatedField(
        slug_field="slug",
        many=True,
        queryset=ThematicSector.objects.all(),
        required=False,
        error_messages={"does_not_exist": _("There is no thematic sector “{value}”.")},
    )


class CityViewSet(
    SharedListCache,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Public city profiles, for every signed-in person; `PATCH` changes a city's population,
    description and thematic interests for its officers and programme admins (anyone else:
    404, like the profile's edit page), through cities.services.city_profile_update."""

    http_method_names = ["get", "patch", "head", "options"]

    list_scopes = (scopes.DIRECTORY,)

    permission_required = "cities.view_city"
    serializer_class = CitySerializer
    filterset_class = CityFilter
    search_fields = ["name"]
    ordering_fields = ["name", "population"]
    # Two cities in different countries can share a name: a total order keeps pages stable.
    ordering = ["name", "country__name", "pk"]

    def get_queryset(self):
        if self.action == "partial_update":
            return cities_profile_editable_by(user=self.request.user)
        return cities_visible_to(user=self.request.user).order_by("name")

    def get_serializer_class(self):
        if self.action == "partial_update":
            return CityProfileSerializer
        return CitySerializer

    @extend_schema(request=CityProfileSerializer, responses={200: CitySerializer})
    def partial_update(self, request, *args, **kwargs):
        city = self.get_object()
        serializer = CityProfileSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        # What the request does not mention stays as it is.
        data = {
            "population": city.population,
            "description": city.description,
            "thematic_interests": list(city.thematic_interests.all()),
            **serializer.validated_data,
        }
        services.city_profile_update(acting_user=request.user, city=city, **data)
        city = cities_visible_to(user=request.user).get(pk=city.pk)
        return Response(CitySerializer(city).data)

    def list_is_shared(self, request) -> bool:
        # The cohort filter selects by the cohorts app's data, and refuses the cohorts the
        # person may not see: such a query is answered afresh.
        return not city_filters_added_in_use(request.query_params)


class CountryViewSet(SharedListCache, viewsets.ReadOnlyModelViewSet):
    list_scopes = (scopes.DIRECTORY,)
    permission_required = "cities.view_country"
    serializer_class = CountrySerializer
    filterset_class = CountryFilter
    search_fields = ["name", "iso_code"]
    ordering = ["name"]

    def get_queryset(self):
        return countries_visible_to(user=self.request.user).order_by("name")


class ClimateActionLeverSerializer(serializers.Serializer):
    factor = serializers.SlugRelatedField(slug_field="slug", queryset=EnablingFactor.objects.all())
    key_drivers = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=ClimateActionLever._meta.get_field("key_drivers").max_length,
    )
    key_barriers = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=ClimateActionLever._meta.get_field("key_barriers").max_length,
    )


class ClimateActionSerializer(serializers.ModelSerializer):
    city = serializers.PrimaryKeyRelatedField(read_only=True)
    city_name = serializers.CharField(source="city.name", read_only=True)
    sector = serializers.SlugRelatedField(slug_field="slug", queryset=ThematicSector.objects.all())
    levers = ClimateActionLeverSerializer(many=True, required=False)
    # No length limit here: cities.services refuses more than five, with its own message.
    recommendations = serializers.ListField(
        child=serializers.CharField(allow_blank=True, max_length=1000), required=False
    )

    class Meta:
        model = ClimateAction
        fields = [
            "id",
            "city",
            "city_name",
            "title",
            "sector",
            "implementation_stage",
            "context",
            "description",
            "levers",
            "lessons_learned",
            "recommendations",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]
        # The service checks that a title is free in its city and says so in its own words.
        validators = []


class ClimateActionCreateSerializer(ClimateActionSerializer):
    city = serializers.PrimaryKeyRelatedField(queryset=City.objects.all())


def _service_arguments(data: dict) -> dict:
    return {
        "title": data["title"],
        "sector": data["sector"],
        "implementation_stage": data["implementation_stage"],
        "context": data["context"],
        "description": data["description"],
        "lessons_learned": data["lessons_learned"],
        "recommendations": data["recommendations"],
        "levers": [services.LeverInput(**lever) for lever in data["levers"]],
    }


class ClimateActionViewSet(
    SharedListCache,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Climate actions of Mission Cities: every signed-in person reads them; the city's officers,
    facilitators and programme admins write them, through cities.services.

    Creating for a city one may not write for answers 403 (cities are public: the service's
    refusal); updating an action one may not edit answers 404, like its edit page.
    """

    permission_required = "cities.view_climateaction"
    list_scopes = (scopes.CLIMATE_ACTIONS,)
    filterset_class = ClimateActionFilter
    search_fields = ["title", "city__name"]
    ordering_fields = ["title", "updated_at"]

    def get_queryset(self):
        if self.action in ("update", "partial_update"):
            return climate_actions_editable_by(user=self.request.user)
        return climate_actions_visible_to(user=self.request.user)

    def get_serializer_class(self):
        if self.action == "create":
            return ClimateActionCreateSerializer
        return ClimateActionSerializer

    def _answer(self, action: ClimateAction, *, status_code=status.HTTP_200_OK) -> Response:
        # Read the action again through the selector: levers and names as a list shows them.
        action = climate_actions_visible_to(user=self.request.user).get(pk=action.pk)
        return Response(ClimateActionSerializer(action).data, status=status_code)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = {
            "implementation_stage": ClimateAction._meta.get_field("implementation_stage").default,
            "context": "",
            "description": "",
            "lessons_learned": "",
            "recommendations": [],
            "levers": [],
            **serializer.validated_data,
        }
        action = services.climate_action_create(
            acting_user=request.user, city=data["city"], **_service_arguments(data)
        )
        return self._answer(action, status_code=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        action = self.get_object()
        serializer = self.get_serializer(action, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        # A PATCH keeps what it does not mention; a PUT replaces everything it may.
        current = {
            "title": action.title,
            "sector": action.sector,
            "implementation_stage": action.implementation_stage,
            "context": action.context,
            "description": action.description,
            "lessons_learned": action.lessons_learned,
            "recommendations": action.recommendations,
            "levers": [
                {
                    "factor": lever.factor,
                    "key_drivers": lever.key_drivers,
                    "key_barriers": lever.key_barriers,
                }
                for lever in action.levers.all()
            ],
        }
        if not partial:
            current.update(
                context="", description="", lessons_learned="", recommendations=[], levers=[]
            )
        action = services.climate_action_update(
            acting_user=request.user,
            action=action,
            **_service_arguments({**current, **serializer.validated_data}),
        )
        return self._answer(action)
