"""/api/v1/cohorts/, /api/v1/phases/, /api/v1/thematic-groups/ and /api/v1/enrolments/: the
same selectors and services as the pages.

What a caller may see comes from the selectors (404 outside them); what they may do, from the
services, which check it (a `PermissionRefused` is a 403 in the API's error shape)."""

from django.core.cache import cache
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import get_language
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from cities.selectors import cities_of_officer
from cohorts import services
from cohorts.filters import CohortFilter, EnrolmentFilter, PhaseFilter, ThematicGroupFilter
from cohorts.models import Cohort, Enrolment, EnrolmentGroup, Phase, ThematicGroup
from cohorts.selectors import (
    cohorts_visible_to,
    enrolments_visible_to,
    phases_visible_to,
    thematic_groups_visible_to,
)
from cohorts.versions import CITIES, COHORTS, PEOPLE_NAMES, SECTORS
from portal.fragments import TIMEOUT_SECONDS, cache_key, versions


class PhaseSerializer(serializers.ModelSerializer):
    class Meta:
        model = Phase
        fields = ["kind", "name", "starts_on", "ends_on"]


class FacilitatorSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="get_full_name")


class ThematicGroupSerializer(serializers.ModelSerializer):
    sector = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    sector_name = serializers.CharField(source="sector.name", read_only=True)
    facilitators = FacilitatorSerializer(many=True, read_only=True)

    class Meta:
        model = ThematicGroup
        fields = ["id", "sector", "sector_name", "facilitators"]


class CohortSerializer(serializers.ModelSerializer):
    phases = PhaseSerializer(many=True, read_only=True)
    thematic_groups = ThematicGroupSerializer(many=True, read_only=True)

    class Meta:
        model = Cohort
        fields = [
            "id",
            "programme",
            "number",
            "name",
            "starts_on",
            "ends_on",
            "phases",
            "thematic_groups",
        ]


class CachedListMixin:
    """A list answered from the cache while what it shows is unchanged.

    The key names the language, the absolute URL (host, filters, search, ordering, page: the
    pagination links are absolute) and `list_key_parts()`: who asks and the data versions
    (cohorts/versions.py). Only successful answers are kept; the data is cached, and rendered
    for each request.
    """

    def list_key_parts(self) -> list:
        raise NotImplementedError

    def list(self, request, *args, **kwargs):
        key = cache_key(
            f"api:{self.basename}",
            [get_language(), request.build_absolute_uri(), *self.list_key_parts()],
        )
        data = cache.get(key)
        if data is not None:
            return Response(data)
        response = super().list(request, *args, **kwargs)
        if response.status_code == status.HTTP_200_OK:
            cache.set(key, response.data, TIMEOUT_SECONDS)
        return response


def _person_parts(user) -> list:
    # Each person's list is their own: what `*_visible_to` gives them depends on who they are,
    # their role flags and, for an officer (whose cities are in the `cities` version), on the
    # day: the cohorts still open.
    return [
        user.pk,
        user.is_facilitator,
        user.has_admin_role,
        timezone.localdate(),
        # Dates and times are written in the current time zone.
        timezone.get_current_timezone_name(),
    ]


class CohortViewSet(CachedListMixin, viewsets.ReadOnlyModelViewSet):
    """Cohorts the caller may see: officers the open ones and their cities', facilitators
    theirs, admins all."""

    serializer_class = CohortSerializer
    filterset_class = CohortFilter
    search_fields = ["name"]
    ordering_fields = ["starts_on", "number"]

    def list_key_parts(self) -> list:
        versions_shown = versions(COHORTS, CITIES, SECTORS, PEOPLE_NAMES)
        return [*_person_parts(self.request.user), versions_shown]

    def get_queryset(self):
        return cohorts_visible_to(user=self.request.user).prefetch_related(
            "phases",
            Prefetch(
                "thematic_groups",
                queryset=ThematicGroup.objects.select_related("sector").prefetch_related(
                    "facilitators"
                ),
            ),
        )


class PhaseRowSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = Phase
        fields = ["id", "cohort", "kind", "kind_label", "name", "position", "starts_on", "ends_on"]
        read_only_fields = fields


class ThematicGroupRowSerializer(ThematicGroupSerializer):
    class Meta(ThematicGroupSerializer.Meta):
        fields = ["id", "cohort", "sector", "sector_name", "facilitators"]
        read_only_fields = fields


class PhaseViewSet(CachedListMixin, viewsets.ReadOnlyModelViewSet):
    """The phases of the cohorts the caller may see (the same cohorts as /cohorts/: a phase of
    any other cohort is a 404), in each cohort's order; `?cohort=` gives one cohort's."""

    serializer_class = PhaseRowSerializer
    filterset_class = PhaseFilter
    ordering_fields = ["starts_on", "position"]

    def list_key_parts(self) -> list:
        # Phases change with their cohort's version (cohorts/versions.py).
        return [*_person_parts(self.request.user), versions(COHORTS, CITIES)]

    def get_queryset(self):
        return phases_visible_to(user=self.request.user)


class ThematicGroupViewSet(CachedListMixin, viewsets.ReadOnlyModelViewSet):
    """The thematic groups of the cohorts the caller may see, with their sector and
    facilitators; `?cohort=`, `?sector=` (a sector's slug) and `?facilitator=` (a person's id)
    narrow them."""

    serializer_class = ThematicGroupRowSerializer
    filterset_class = ThematicGroupFilter
    ordering_fields = ["sector__position"]

    def list_key_parts(self) -> list:
        versions_shown = versions(COHORTS, CITIES, SECTORS, PEOPLE_NAMES)
        return [*_person_parts(self.request.user), versions_shown]

    def get_queryset(self):
        return thematic_groups_visible_to(user=self.request.user)


class EnrolmentGroupSerializer(serializers.ModelSerializer):
    thematic_group = serializers.PrimaryKeyRelatedField(queryset=ThematicGroup.objects.all())
    sector = serializers.SlugRelatedField(
        source="thematic_group.sector", slug_field="slug", read_only=True
    )
    needs = serializers.CharField(allow_blank=True, required=False, max_length=2000)

    class Meta:
        model = EnrolmentGroup
        fields = ["thematic_group", "sector", "needs"]


class EnrolmentSerializer(serializers.ModelSerializer):
    groups = EnrolmentGroupSerializer(many=True)
    city_name = serializers.CharField(source="city.name", read_only=True)

    class Meta:
        model = Enrolment
        fields = [
            "id",
            "cohort",
            "city",
            "city_name",
            "status",
            "groups",
            "requested_by",
            "decided_by",
            "decided_at",
            "created_at",
        ]
        read_only_fields = ["status", "requested_by", "decided_by", "decided_at", "created_at"]
        # The service gives a clear message for a city that already asked; DRF's own unique
        # check would answer first with a generic one.
        validators = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        # Only when input is validated (a request to join): a list or a decision only shows
        # rows, and building the two querysets cost more than a cached list.
        if request is not None and "data" in kwargs:
            # Only cohorts the caller may see, for one of the caller's own cities.
            self.fields["cohort"].queryset = cohorts_visible_to(user=request.user)
            self.fields["city"].queryset = cities_of_officer(user=request.user)


class EnrolmentViewSet(
    CachedListMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Officers see their cities' enrolments and ask to join (create); facilitators see their
    cohorts' enrolments and accept or decline them."""

    serializer_class = EnrolmentSerializer
    filterset_class = EnrolmentFilter
    ordering_fields = ["created_at", "city__name"]

    def list_key_parts(self) -> list:
        return [*_person_parts(self.request.user), versions(COHORTS, CITIES, SECTORS)]

    def get_queryset(self):
        return enrolments_visible_to(user=self.request.user)

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.enrolment_request(
            cohort=data["cohort"],
            city=data["city"],
            acting_user=self.request.user,
            groups=[(group["thematic_group"], group.get("needs", "")) for group in data["groups"]],
        )

    def _decide(self, service):
        enrolment = self.get_object()
        service(enrolment=enrolment, acting_user=self.request.user)
        return Response(self.get_serializer(self.get_object()).data, status=status.HTTP_200_OK)

    @extend_schema(request=None, responses=EnrolmentSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        """Accept the request; the officer who asked is told by email."""
        return self._decide(services.enrolment_accept)

    @extend_schema(request=None, responses=EnrolmentSerializer)
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        """Decline the request; the officer who asked is told by email."""
        return self._decide(services.enrolment_decline)
