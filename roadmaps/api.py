"""/api/v1/roadmaps/: the same selectors, rules and services as the roadmap pages.

A roadmap outside `roadmaps_visible_to` answers 404; an action the services refuse the caller
(portal.permissions.PermissionRefused) answers 403, a domain error 400. Writing a field takes
the same JSON as the page's autosave and answers the same way: 200 with the new version, 409
with both versions when someone saved the field since `base_version`, 400 with the message at
the field (a submitted roadmap too: the page's autosave answers that one with 403).
"""

from django.core.cache import cache
from django.http import Http404
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.rules import is_programme_admin
from portal.api.errors import error_body
from portal.api.schema import ErrorSerializer
from portal.dates import clock_time
from portal.fragments import TIMEOUT_SECONDS, cache_key, versions
from roadmaps import selectors, services
from roadmaps.filters import RoadmapFilter
from roadmaps.models import (
    NetZeroCitiesService,
    Roadmap,
    RoadmapChange,
    RoadmapComment,
    RoadmapTransition,
    RoadmapValue,
)
from roadmaps.scopes import REFERENCE, ROADMAPS, roadmap_versions
from roadmaps.services import RoadmapConflict, RoadmapIncomplete
from roadmaps.template import FIELDS_BY_KEY, SECTIONS, fields_of_section
from sessions.caching import VISIBILITY


def person_name(user) -> str | None:
    """The name shown for who saved, changed or wrote something; None when the account is gone
    (or nobody saved the field yet)."""
    return user.get_full_name() if user is not None else None


# The page's autosave (roadmaps.views.roadmap_autosave) answers with these two bodies too, so
# the page script and an API client read the same JSON.


def saved_body(*, value: RoadmapValue, roadmap: Roadmap) -> dict:
    """The 200 answer to a field save (the autosave contract)."""
    saved_at = timezone.localtime(value.updated_at)
    return {
        "key": value.key,
        "version": value.version,
        "saved_at": saved_at.isoformat(),
        "saved_at_display": clock_time(saved_at),
        "percent_complete": roadmap.percent_complete,
    }


def conflict_body(conflict: RoadmapConflict) -> dict:
    """The 409 answer to a field save: the error, and both versions for the person to choose."""
    theirs = conflict.theirs
    # A field never saved (the caller sent a version above 0) has no time of saving.
    at = timezone.localtime(theirs.updated_at) if theirs.pk else None
    return {
        **error_body(status_code=409, code=conflict.code, message=conflict.message),
        "conflict": {
            "key": conflict.key,
            "yours": conflict.yours,
            "theirs": theirs.value,
            "their_version": theirs.version,
            "by": person_name(theirs.updated_by),
            "at": at.isoformat() if at else None,
            "at_display": clock_time(at) if at else None,
        },
    }


class RoadmapSerializer(serializers.ModelSerializer):
    cohort_name = serializers.CharField(source="cohort.name", read_only=True)
    city_name = serializers.CharField(source="city.name", read_only=True)
    country = serializers.CharField(source="city.country.name", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Roadmap
        fields = [
            "id",
            "cohort",
            "cohort_name",
            "city",
            "city_name",
            "country",
            "status",
            "status_label",
            "percent_complete",
            "created_at",
            "updated_at",
            "submitted_at",
            "accepted_at",
        ]
        read_only_fields = fields

    def to_representation(self, roadmap):
        """The declared fields, read straight from the row: DRF's per-field machinery (source
        lookups, callable checks) was most of a page of the list's time. The same values as
        the fields give (tests/roadmaps/test_api.py compares the two)."""
        city = roadmap.city
        moment = _DATETIME.to_representation
        return {
            "id": roadmap.pk,
            "cohort": roadmap.cohort_id,
            "cohort_name": roadmap.cohort.name,
            "city": roadmap.city_id,
            "city_name": city.name,
            "country": city.country.name,
            "status": roadmap.status,
            "status_label": roadmap.get_status_display(),
            "percent_complete": roadmap.percent_complete,
            "created_at": moment(roadmap.created_at),
            "updated_at": moment(roadmap.updated_at),
            "submitted_at": moment(roadmap.submitted_at),
            "accepted_at": moment(roadmap.accepted_at),
        }


# How the roadmap list writes a time (the same as each DateTimeField of the serializer).
_DATETIME = serializers.DateTimeField()


class CommentSerializer(serializers.ModelSerializer):
    author_name = serializers.SerializerMethodField()

    class Meta:
        model = RoadmapComment
        fields = ["id", "section", "body", "author", "author_name", "created_at"]
        read_only_fields = ["id", "author", "author_name", "created_at"]

    def get_author_name(self, comment) -> str | None:
        return person_name(comment.author)

    def to_representation(self, comment):
        """The declared fields, read straight from the row (as RoadmapSerializer)."""
        return {
            "id": comment.pk,
            "section": comment.section,
            "body": comment.body,
            "author": comment.author_id,
            "author_name": person_name(comment.author),
            "created_at": _DATETIME.to_representation(comment.created_at),
        }


class RoadmapDetailSerializer(RoadmapSerializer):
    sections = serializers.SerializerMethodField()
    comments = serializers.SerializerMethodField()

    class Meta(RoadmapSerializer.Meta):
        fields = [*RoadmapSerializer.Meta.fields, "sections", "comments"]
        read_only_fields = fields

    def to_representation(self, roadmap):
        return {
            **super().to_representation(roadmap),
            "sections": self.get_sections(roadmap),
            "comments": self.get_comments(roadmap),
        }

    def get_sections(self, roadmap) -> list[dict]:
        """Each section with its opening date (None: open) and its fields with their values."""
        values = selectors.roadmap_values(roadmap=roadmap)
        opens_on = selectors.section_opens_on(roadmap=roadmap)
        sections = []
        for section in SECTIONS:
            fields = []
            for field in fields_of_section(section.key):
                saved = values.get(field.key)
                fields.append(
                    {
                        "key": field.key,
                        "label": str(field.label),
                        "kind": field.kind,
                        "required": field.required,
                        "word_limit": field.word_limit,
                        "value": saved.value if saved else "",
                        "version": saved.version if saved else 0,
                    }
                )
            sections.append(
                {
                    "key": section.key,
                    "title": str(section.title),
                    "opens_on": opens_on[section.key] and opens_on[section.key].isoformat(),
                    "fields": fields,
                }
            )
        return sections

    def get_comments(self, roadmap) -> list[dict]:
        return CommentSerializer(selectors.roadmap_comments(roadmap=roadmap), many=True).data


class FieldSaveSerializer(serializers.Serializer):
    key = serializers.CharField(max_length=80)
    # Kept exactly as typed: spaces and line breaks are part of what the officer wrote.
    value = serializers.CharField(allow_blank=True, trim_whitespace=False)
    base_version = serializers.IntegerField(min_value=0)


class FieldSavedSerializer(serializers.Serializer):
    """The 200 answer to a field save (saved_body)."""

    key = serializers.CharField()
    version = serializers.IntegerField()
    saved_at = serializers.DateTimeField()
    saved_at_display = serializers.CharField(help_text="The time of saving as the page shows it.")
    percent_complete = serializers.IntegerField()


class FieldConflictDetailSerializer(serializers.Serializer):
    key = serializers.CharField()
    yours = serializers.CharField(help_text="The value you sent.")
    theirs = serializers.CharField(help_text="The value saved in the meantime.")
    their_version = serializers.IntegerField()
    by = serializers.CharField(allow_null=True)
    at = serializers.DateTimeField(allow_null=True)
    at_display = serializers.CharField(allow_null=True)


class FieldConflictSerializer(ErrorSerializer):
    """The 409 answer to a field save (conflict_body): the error and both versions."""

    conflict = FieldConflictDetailSerializer()


class ChangeSerializer(serializers.ModelSerializer):
    label = serializers.SerializerMethodField()
    changed_by_name = serializers.SerializerMethodField()

    class Meta:
        model = RoadmapChange
        fields = [
            "id",
            "key",
            "label",
            "version",
            "old_value",
            "new_value",
            "changed_by",
            "changed_by_name",
            "changed_at",
        ]

    def get_label(self, change) -> str:
        field = FIELDS_BY_KEY.get(change.key)
        return str(field.label) if field else change.key

    def get_changed_by_name(self, change) -> str | None:
        return person_name(change.changed_by)

    def to_representation(self, change):
        """The declared fields, read straight from the row (as RoadmapSerializer)."""
        return {
            "id": change.pk,
            "key": change.key,
            "label": self.get_label(change),
            "version": change.version,
            "old_value": change.old_value,
            "new_value": change.new_value,
            "changed_by": change.changed_by_id,
            "changed_by_name": person_name(change.changed_by),
            "changed_at": _DATETIME.to_representation(change.changed_at),
        }


class NoteSerializer(serializers.Serializer):
    note = serializers.CharField(
        allow_blank=True,
        required=False,
        default="",
        max_length=RoadmapTransition._meta.get_field("note").max_length,
    )


def _kept(name: str, parts: list, build):
    """`build()`, kept in the cache under `name` and `parts` (which name everything it shows)."""
    key = cache_key(name, parts)
    data = cache.get(key)
    if data is None:
        data = build()
        cache.set(key, data, TIMEOUT_SECONDS)
    return data


def _remembered(part: str, roadmap: Roadmap, build, *more):
    """`build()`, the JSON data of one roadmap's `part`, kept in the cache under the data
    versions of everything it shows (roadmaps.scopes: the roadmap's row, fields, history and
    comments, the names of its city, country, cohort, commenters and savers, its cohort's
    phases), the language (the labels), the time zone (the times), the day (a section opens on a
    date) and `more` (the address of a page of the history). The caller has found the roadmap
    among those the person may see; the data is the same for all of them."""
    return _kept(
        f"roadmaps:api-{part}",
        [
            get_language(),
            timezone.get_current_timezone_name(),
            timezone.localdate(),
            roadmap.pk,
            roadmap_versions(roadmap),
            *more,
        ],
        build,
    )


class RoadmapViewSet(viewsets.ReadOnlyModelViewSet):
    """Roadmaps the caller may see: their cities' (officers), their cohorts' (facilitators), all
    (admins). Officers write fields and submit; the cohort's facilitators comment, return and
    accept."""

    ordering_fields = ["updated_at", "percent_complete", "city__name"]
    search_fields = ["city__name"]
    filterset_class = RoadmapFilter

    def get_queryset(self):
        return selectors.roadmaps_visible_to(user=self.request.user)

    def get_object(self):
        """A roadmap's own routes find it as the pages do (selectors.roadmap_for_user): by id,
        checked against the caller's kept facts, 404 when they may not see it."""
        roadmap = selectors.roadmap_for_user(
            user=self.request.user, pk=self.kwargs[self.lookup_url_kwarg or self.lookup_field]
        )
        if roadmap is None:
            raise Http404
        self.check_object_permissions(self.request, roadmap)
        return roadmap

    def filter_queryset(self, queryset):
        # The filters, the search and the ordering are the list's. A roadmap's own routes
        # (detail, fields, history, comments, submit, review) find it by id among those the
        # caller may see; building the filter set for them was a fifth of their time.
        if self.action != "list":
            return queryset
        return super().filter_queryset(queryset)

    def get_serializer_class(self):
        return RoadmapDetailSerializer if self.action != "list" else RoadmapSerializer

    def list(self, request, *args, **kwargs):
        """The caller's roadmaps, kept in the cache under everything that decides them: the
        person and their admin flag (roadmaps_visible_to reads their memberships and the cohorts
        and groups they facilitate, whose changes raise sessions' VISIBILITY), the full address
        with host and query (filters, search, ordering, page; the page links are absolute), the
        language (status labels), the time zone (the times), and the data versions of the
        roadmaps' rows (ROADMAPS) and of the names shown (REFERENCE). A refused filter raises
        before anything is stored. The data is cached, not the body: the format is chosen per
        request."""
        user = request.user
        return Response(
            _kept(
                "roadmaps:api-list",
                [
                    get_language(),
                    timezone.get_current_timezone_name(),
                    request.build_absolute_uri(),
                    user.pk,
                    is_programme_admin(user),
                    versions(ROADMAPS, REFERENCE, VISIBILITY),
                ],
                lambda: super(RoadmapViewSet, self).list(request, *args, **kwargs).data,
            )
        )

    def _detail(self, roadmap: Roadmap, code=status.HTTP_200_OK) -> Response:
        return Response(RoadmapDetailSerializer(roadmap).data, status=code)

    def retrieve(self, request, *args, **kwargs):
        """The roadmap with its sections and comments, cached under the data versions of what
        it shows (roadmaps.scopes), as the edit page's sections are."""
        roadmap = self.get_object()
        return Response(_remembered("detail", roadmap, lambda: self._detail(roadmap).data))

    @extend_schema(
        request=FieldSaveSerializer,
        responses={200: FieldSavedSerializer, 409: FieldConflictSerializer},
    )
    @action(detail=True, methods=["post"])
    def fields(self, request, pk=None):
        """Save one field if nobody saved it since `base_version` (the autosave contract)."""
        roadmap = self.get_object()
        data = FieldSaveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            value = services.roadmap_field_save(
                roadmap=roadmap,
                key=data.validated_data["key"],
                value=data.validated_data["value"],
                base_version=data.validated_data["base_version"],
                acting_user=request.user,
            )
        except RoadmapConflict as conflict:
            return Response(conflict_body(conflict), status=status.HTTP_409_CONFLICT)
        return Response(saved_body(value=value, roadmap=roadmap))

    @extend_schema(
        parameters=[OpenApiParameter("key", str, description="Only this field's changes")],
        responses=ChangeSerializer(many=True),
    )
    @action(detail=True, methods=["get"])
    def history(self, request, pk=None):
        """Every saved change, newest first: who, when, which field, old and new value.

        Cached as the roadmap's detail is (its history is in the roadmap's scope), under the
        full address too: the field asked for, the page, and the host of the page links."""
        roadmap = self.get_object()

        def page_of_changes():
            changes = selectors.roadmap_history(
                roadmap=roadmap, key=request.query_params.get("key")
            )
            page = self.paginate_queryset(changes)
            return self.get_paginated_response(ChangeSerializer(page, many=True).data).data

        return Response(
            _remembered("history", roadmap, page_of_changes, request.build_absolute_uri())
        )

    @extend_schema(request=None, responses=RoadmapDetailSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """Submit for review; 400 lists every required field still empty, and every field over
        its word limit, under `fields`."""
        roadmap = self.get_object()
        try:
            services.roadmap_submit(roadmap=roadmap, acting_user=request.user)
        except RoadmapIncomplete as incomplete:
            body = error_body(
                status_code=400,
                code=incomplete.code,
                message=incomplete.message,
                fields={
                    **{field.key: [_("Required to submit.")] for field in incomplete.missing},
                    **{
                        field.key: [
                            _("Too long: keep it to %(limit)s words or fewer.")
                            % {"limit": field.word_limit}
                        ]
                        for field in incomplete.too_long
                    },
                },
            )
            return Response(body, status=status.HTTP_400_BAD_REQUEST)
        return self._detail(roadmap)

    def _review(self, request, service):
        roadmap = self.get_object()
        note = NoteSerializer(data=request.data)
        note.is_valid(raise_exception=True)
        service(roadmap=roadmap, acting_user=request.user, note=note.validated_data["note"])
        return self._detail(roadmap)

    @extend_schema(request=NoteSerializer, responses=RoadmapDetailSerializer)
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_to_city(self, request, pk=None):
        """Return a submitted roadmap to the city with the comments (facilitators)."""
        return self._review(request, services.roadmap_return)

    @extend_schema(request=NoteSerializer, responses=RoadmapDetailSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        """Accept a submitted roadmap: it is completed (facilitators)."""
        return self._review(request, services.roadmap_accept)

    @extend_schema(methods=["get"], responses=CommentSerializer(many=True))
    @extend_schema(methods=["post"], request=CommentSerializer, responses={201: CommentSerializer})
    # Decision: a plain list, not pages. A roadmap has a few comments per section, and the
    # roadmap itself (GET /roadmaps/{id}/) already embeds all of them as a list.
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def comments(self, request, pk=None):
        """The facilitators' comments by section; facilitators add one with POST."""
        roadmap = self.get_object()
        if request.method == "GET":
            return Response(
                _remembered(
                    "comments",
                    roadmap,
                    lambda: (
                        CommentSerializer(
                            selectors.roadmap_comments(roadmap=roadmap), many=True
                        ).data
                    ),
                )
            )
        data = CommentSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        comment = services.roadmap_comment_add(
            roadmap=roadmap,
            section=data.validated_data["section"],
            body=data.validated_data["body"],
            acting_user=request.user,
        )
        return Response(CommentSerializer(comment).data, status=status.HTTP_201_CREATED)


class NetZeroCitiesServiceSerializer(serializers.ModelSerializer):
    # A service may have no link: an empty string, which is not a URI.
    url = serializers.CharField(read_only=True, help_text="The service's page, or empty.")

    class Meta:
        model = NetZeroCitiesService
        fields = ["id", "name", "description", "url", "position", "is_active"]
        read_only_fields = fields


class NetZeroCitiesServiceViewSet(viewsets.ReadOnlyModelViewSet):
    """The NetZeroCities services a city may pick in Phase 3 of its roadmap: a roadmap field of
    kind `services` holds their ids. Every signed-in person reads them (the roadmap page offers
    them); `is_active` false: no longer offered, kept for the roadmaps that picked it."""

    serializer_class = NetZeroCitiesServiceSerializer
    search_fields = ["name"]
    ordering_fields = ["position", "name"]

    def get_queryset(self):
        return NetZeroCitiesService.objects.order_by("position", "name", "pk")
