"""Sessions, registrations and attendance under /api/v1/, from the same selectors and services
as the pages.

A session outside `sessions_visible_to` answers 404. Registering names a session and a city by
id: a session the caller cannot see, or a city they are not an officer of, is refused as an
invalid choice (400), without saying whether it exists.

What the caller may do is asked once per request: by the service an action reaches (its
PermissionRefused is the 403), or here only where no service is called (reading attendance,
or attendance data refused before the service for being invalid).
"""

import django_filters
from django.core.cache import cache
from django.utils.translation import get_language
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.rules import is_programme_admin
from cities.models import City
from cities.selectors import cities_of_officer
from portal.api.filters import MAX_ID, IdFilter
from portal.fragments import TIMEOUT_SECONDS, cache_key, versions
from portal.permissions import permission_check
from sessions import services
from sessions.caching import CITIES, NAMES, SESSIONS, VISIBILITY
from sessions.enums import Attendance
from sessions.filters import PresentationFilter, SessionFilter
from sessions.models import Registration, Session, SessionPresentation
from sessions.selectors import (
    cities_enrolled_in,
    counts_of,
    presentations_visible_to,
    registrations_of_session,
    registrations_visible_to,
    session_with_programme,
    sessions_visible_to,
    sessions_with_counts,
)


class RegistrationFilter(django_filters.FilterSet):
    session = IdFilter(field_name="session_id")
    city = IdFilter(field_name="city_id")

    class Meta:
        model = Registration
        fields = ["session", "city"]


class CountsSerializer(serializers.Serializer):
    registered = serializers.IntegerField()
    attended = serializers.IntegerField()
    no_shows = serializers.IntegerField()
    walk_ins = serializers.IntegerField()
    attendance_rate = serializers.FloatField(allow_null=True)
    reported = serializers.IntegerField(allow_null=True)
    is_reported = serializers.BooleanField()


class PresentationSerializer(serializers.Serializer):
    city = serializers.SerializerMethodField()
    topics = serializers.CharField()
    climate_actions = serializers.SerializerMethodField()

    def get_city(self, presentation) -> dict:
        return {"id": presentation.city_id, "name": presentation.city.name}

    def get_climate_actions(self, presentation) -> list[dict]:
        return [{"id": a.pk, "title": a.title} for a in presentation.climate_actions.all()]


class SessionSerializer(serializers.ModelSerializer):
    facilitators = serializers.SerializerMethodField()
    presentations = PresentationSerializer(many=True, read_only=True)
    counts = serializers.SerializerMethodField()

    class Meta:
        model = Session
        fields = [
            "id",
            "cohort",
            "phase",
            "thematic_group",
            "kind",
            "title",
            "starts_at",
            "ends_at",
            "time_zone",
            "status",
            "meeting_url",
            "agenda",
            "guiding_questions",
            "key_takeaways",
            "requested_subtopics",
            "facilitators",
            "presentations",
            "counts",
        ]

    def get_facilitators(self, session) -> list[int]:
        return [person.pk for person in session.facilitators.all()]

    @extend_schema_field(CountsSerializer)
    def get_counts(self, session) -> dict:
        return _counts_data(counts_of(session))


def _counts_data(counts) -> dict:
    return {
        "registered": counts.registered,
        "attended": counts.attended,
        "no_shows": counts.no_shows,
        "walk_ins": counts.walk_ins,
        "attendance_rate": counts.attendance_rate,
        "reported": counts.reported,
        "is_reported": counts.is_reported,
    }


class RegistrationSerializer(serializers.ModelSerializer):
    session = serializers.PrimaryKeyRelatedField(queryset=Session.objects.none())
    city = serializers.PrimaryKeyRelatedField(queryset=City.objects.none())

    class Meta:
        model = Registration
        fields = ["id", "session", "city", "full_name", "email", "is_walk_in", "attendance"]
        read_only_fields = ["is_walk_in", "attendance"]
        # The service checks duplicates and answers with its own message.
        validators = []

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None:
            fields["session"].queryset = sessions_visible_to(user=request.user)
            fields["city"].queryset = cities_of_officer(user=request.user)
        return fields


class AttendanceMarkSerializer(serializers.Serializer):
    registration = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    attendance = serializers.ChoiceField(choices=Attendance.choices)


class WalkInSerializer(serializers.Serializer):
    full_name = serializers.CharField(max_length=200)
    email = serializers.EmailField()
    # Narrowed to the cities enrolled in the session's cohort (context "session"); the service
    # checks the same, for callers other than this API.
    city = serializers.PrimaryKeyRelatedField(
        queryset=City.objects.none(), required=False, allow_null=True
    )

    def get_fields(self):
        fields = super().get_fields()
        session = self.context.get("session")
        if session is not None:
            fields["city"].queryset = cities_enrolled_in(cohort_id=session.cohort_id)
        return fields


class AttendanceInputSerializer(serializers.Serializer):
    marks = AttendanceMarkSerializer(many=True, required=False)
    walk_ins = WalkInSerializer(many=True, required=False)


class AttendanceRowSerializer(serializers.ModelSerializer):
    class Meta:
        model = Registration
        fields = ["id", "full_name", "email", "city", "is_walk_in", "attendance"]


class AttendanceSerializer(serializers.Serializer):
    counts = CountsSerializer()
    registrations = AttendanceRowSerializer(many=True)


def _cached_list(request, name: str, scopes: tuple[str, ...], read) -> Response:
    """The list's data (`read()`) for this person and this address, from the cache when nothing
    it shows has changed since.

    Keyed by the person and their admin flag (which rows they see is theirs), the full address
    with host and query (filters, search, order, page; the page links are absolute) and the
    language, and the versions of `scopes` (sessions/caching.py), which every change to the
    listed rows or to who sees them raises. The data is cached, not the rendered body, so the
    format (JSON, the browsable API) is still chosen per request. A refused filter raises
    before anything is stored.
    """
    user = request.user
    key = cache_key(
        name,
        [
            get_language(),
            request.build_absolute_uri(),
            user.pk,
            is_programme_admin(user),
            versions(*scopes),
        ],
    )
    data = cache.get(key)
    if data is None:
        data = read()
        cache.set(key, data, TIMEOUT_SECONDS)
    return Response(data)


class SessionViewSet(viewsets.ReadOnlyModelViewSet):
    """Sessions the caller may see, with presenting cities and derived participation counts."""

    permission_required = "peer_sessions.view_session"
    serializer_class = SessionSerializer
    filterset_class = SessionFilter
    search_fields = ["title"]
    ordering_fields = ["starts_at", "title"]
    ordering = ["starts_at", "pk"]

    def get_queryset(self):
        queryset = sessions_visible_to(user=self.request.user)
        return sessions_with_counts(session_with_programme(queryset)).order_by("starts_at", "pk")

    def list(self, request, *args, **kwargs):
        return _cached_list(
            request,
            "api:sessions",
            (SESSIONS, VISIBILITY, CITIES),
            lambda: super(SessionViewSet, self).list(request, *args, **kwargs).data,
        )

    def _attendance_payload(self, session) -> dict:
        return {
            "counts": _counts_data(counts_of(session)),
            "registrations": AttendanceRowSerializer(
                registrations_of_session(session=session), many=True
            ).data,
        }

    @extend_schema(request=AttendanceInputSerializer, responses=AttendanceSerializer)
    @action(detail=True, methods=["get", "post"])
    def attendance(self, request, pk=None):
        """Read or record attendance: facilitators of the session's cohort and admins."""
        session = self.get_object()
        if request.method == "POST":
            data = AttendanceInputSerializer(data=request.data, context={"session": session})
            if not data.is_valid():
                # Only someone who may record attendance is told what is wrong with the data.
                permission_check(request.user, "peer_sessions.record_attendance", session)
                raise serializers.ValidationError(data.errors)
            services.attendance_record(
                session=session,
                marks={
                    m["registration"]: m["attendance"] for m in data.validated_data.get("marks", [])
                },
                walk_ins=[
                    (w["full_name"], w["email"], w.get("city"))
                    for w in data.validated_data.get("walk_ins", [])
                ],
                acting_user=request.user,
            )
            session = self.get_object()  # its annotated counts were read before the change
        else:
            permission_check(request.user, "peer_sessions.record_attendance", session)
        return Response(self._attendance_payload(session))


class PresentingCitySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    country = serializers.CharField(source="country.iso_code")


class PresentedClimateActionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()


class PresentationRowSerializer(serializers.ModelSerializer):
    """A city presenting in a session, as the session page lists it, with the session named."""

    session_title = serializers.CharField(source="session.title", read_only=True)
    cohort = serializers.IntegerField(source="session.cohort_id", read_only=True)
    starts_at = serializers.DateTimeField(source="session.starts_at", read_only=True)
    city = PresentingCitySerializer(read_only=True)
    climate_actions = PresentedClimateActionSerializer(many=True, read_only=True)

    class Meta:
        model = SessionPresentation
        fields = [
            "id",
            "session",
            "session_title",
            "cohort",
            "starts_at",
            "position",
            "city",
            "topics",
            "climate_actions",
        ]
        read_only_fields = fields


class PresentationViewSet(viewsets.ReadOnlyModelViewSet):
    """Mission Cities presenting in sessions, with the climate actions they present: those of
    the sessions the caller may see (the same as /sessions/; any other is a 404). Filter by
    session, presenting city, cohort, climate action or the session's start."""

    permission_required = "peer_sessions.view_session"
    serializer_class = PresentationRowSerializer
    filterset_class = PresentationFilter
    ordering_fields = ["session__starts_at", "position"]
    search_fields = ["city__name", "topics", "session__title"]

    def get_queryset(self):
        return presentations_visible_to(user=self.request.user)

    def list(self, request, *args, **kwargs):
        return _cached_list(
            request,
            "api:presentations",
            (SESSIONS, VISIBILITY, CITIES, NAMES),
            lambda: super(PresentationViewSet, self).list(request, *args, **kwargs).data,
        )


class RegistrationViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """People registered for sessions: facilitators see their sessions' lists, officers their
    own cities' registrations. Officers register and remove people before the session."""

    permission_required = "peer_sessions.view_registration"
    serializer_class = RegistrationSerializer
    filterset_class = RegistrationFilter
    ordering = ["session", "full_name"]

    def get_queryset(self):
        return (
            registrations_visible_to(user=self.request.user)
            .select_related("session", "city")
            .order_by("session__starts_at", "full_name", "pk")
        )

    def list(self, request, *args, **kwargs):
        return _cached_list(
            request,
            "api:registrations",
            (SESSIONS, VISIBILITY),
            lambda: super(RegistrationViewSet, self).list(request, *args, **kwargs).data,
        )

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        registration = services.registration_create(
            acting_user=request.user, **serializer.validated_data
        )
        return Response(self.get_serializer(registration).data, status=status.HTTP_201_CREATED)

    def destroy(self, request, *args, **kwargs):
        registration = self.get_object()
        services.registration_delete(registration=registration, acting_user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
