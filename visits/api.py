"""Group Study Visits under /api/v1/ (issue 12, "Outputs and API"): the same selectors, rules
and services as the pages.

- `GET /visit-calls/`, `GET /visit-calls/{id}/`: the calls the caller sees
  (visits.selectors.calls_visible_to); a call comes with its visits and its criteria (with
  their anchors, and an automatic criterion's rule in words). Any other: 404.
- `GET /visit-calls/{id}/allocation/`: the call's allocation. Programme admins see all of it;
  an officer whose city applied sees only their city's decision, once the decisions are
  published; anyone else who sees the call: 403, as the allocation page.
- `POST /visit-calls/{id}/scoring/`, `/allocation/run/`, `/allocation/publish/`: the admin's
  "Run scoring" (queued: 202), "Allocate" and "Publish the decisions", through
  visits.scoring, visits.allocation and visits.decisions.
- `GET /visit-applications/`, `GET /visit-applications/{id}/`: the applications the caller sees
  (visits.selectors.applications_visible_to: an officer, their cities'; a reviewer, those
  assigned to them and not in conflict; admins, all). `POST` starts one (an officer, for one
  of their eligible cities), `PUT` saves the whole draft, `.../submit/` and `.../withdraw/`,
  through visits.applying: the same checks and messages as the application page.
- `GET /visit-applications/{id}/score/`: "why this score", as the page of that name
  (visits.view_application_score: admins; the city's officers once the decisions are
  published; reviewers, who see the application, 403).
- `GET /visit-reviews/`, `GET /visit-reviews/{id}/`: the caller's own reviews
  (visits.reviewing.reviews_of_reviewer: never one of an application they are in conflict
  with). `PUT` saves the scores and the comment, `.../submit/` submits, `.../recuse/` recuses,
  through visits.reviewing. Another person's review answers 404.

Decisions:
- The routes are named `visit-...`: `/api/v1/sessions/` and `/api/v1/surveys/` are other apps'
  words, and "calls", "applications" and "reviews" alone would say nothing of what they are.
- Scores, totals, ranks and decisions ride on an application only where the pages show them:
  total and rank to those who may read its "why this score" (admins; its officers once
  published), the decision to admins and, once published, to its officers. Reviewers see
  neither: they score without being told how others fared.
- A review shows the other reviewers' scores (names, status, points, comment) only to those
  visits.view_other_scores allows: its reviewer once their own is submitted or recused. Until
  then `others` is null.
- A body a write cannot take (not JSON, the wrong shape) is refused (400) before the object is
  looked up, as feedback's API does: the refusal says nothing of the object. What the body
  says (a visit ranked twice, a score off the scale) is the service's to refuse, after its
  permission check.
- `PUT` is the whole draft (application) or the whole score sheet (review): what is left out is
  empty, as on the pages, whose forms send every field.
- Every list is a fixed number of queries (the query-count tests). A reviewer's list of reviews
  is kept in the cache under the same versions as their list page; the applications list under
  the applications' version (visits/versions.py: raised by every save of an application, the
  autosave's included, one statement more in its transaction) and those of the decisions,
  reviews, calls and cities; the calls are read afresh. Figures: benchmarks/bench_visits_api.py.
"""

import functools

import django_filters
from django.core.cache import cache
from django.db import connection, models
from django.db.models import Count, Prefetch
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from accounts.rules import is_programme_admin
from cities.models import City
from cities.selectors import cities_of_officer
from cohorts.versions import CITIES
from portal.api.errors import error_body
from portal.api.filters import MAX_ID, IdFilter
from portal.api.pagination import ShortFirstPageRows
from portal.api.schema import ErrorSerializer
from portal.errors import ApplicationError
from portal.fragments import TIMEOUT_SECONDS, cache_key, joined, version_map
from portal.permissions import PermissionRefused, object_for
from portal.text import PARAGRAPH_MAX
from visits import allocation, applying, decisions, reviewing, scoring
from visits.allocation import DECISIONS
from visits.calls import call_for_page, call_list_rows, rule_in_words
from visits.enums import (
    Aggregation,
    ApplicationStatus,
    CallStatus,
    CriterionKind,
    Decision,
    ReviewStatus,
)
from visits.models import (
    Application,
    Call,
    Criterion,
    Delegate,
    Preference,
    Review,
    Score,
    ScoreLine,
)
from visits.selectors import applications_visible_to, calls_visible_to
from visits.versions import APPLICATIONS, OPEN_CALLS

MANAGE = "visits.manage_call"
VIEW_SCORE = "visits.view_application_score"
OTHER_SCORES = "visits.view_other_scores"
# What a list or a draft may hold at most: far above any call's visits or delegates, so that
# too many is told by the service's own message rather than cut.
PREFERENCES_MAX = 100
DELEGATES_MAX = 50

_MOMENT = serializers.DateTimeField()
_DAY = serializers.DateField()
_DECIMAL = serializers.DecimalField(max_digits=9, decimal_places=3, coerce_to_string=True)


def _moment(value):
    return _MOMENT.to_representation(value) if value is not None else None


def _decimal(value):
    return _DECIMAL.to_representation(value) if value is not None else None


FORBIDDEN = OpenApiResponse(ErrorSerializer, "Signed in and shown it, but not allowed to do this.")


# --- Calls, their visits and criteria ----------------------------------------------------------


class StudyVisitSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField(help_text="Empty: named by its host city and dates.")
    host_city = serializers.IntegerField()
    host_city_name = serializers.CharField()
    host_country = serializers.CharField()
    sector = serializers.CharField(help_text="The thematic sector's slug.")
    sector_name = serializers.CharField()
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    capacity_cities = serializers.IntegerField(help_text="Cities it takes.")
    delegates_per_city = serializers.IntegerField()

    def to_representation(self, visit):
        host = visit.host_city
        return {
            "id": visit.pk,
            "title": visit.title,
            "host_city": visit.host_city_id,
            "host_city_name": host.name,
            "host_country": host.country.name,
            "sector": visit.sector.slug,
            "sector_name": visit.sector.name,
            "starts_on": _DAY.to_representation(visit.starts_on),
            "ends_on": _DAY.to_representation(visit.ends_on),
            "capacity_cities": visit.capacity_cities,
            "delegates_per_city": visit.delegates_per_city,
        }


class CriterionAnchorSerializer(serializers.Serializer):
    points = serializers.IntegerField()
    description = serializers.CharField()


class CriterionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    description = serializers.CharField()
    kind = serializers.ChoiceField(choices=CriterionKind.choices)
    rule = serializers.CharField(help_text="An automatic criterion's rule; empty for manual.")
    rule_in_words = serializers.CharField(help_text="What the rule computes, as the pages say.")
    weight = serializers.DecimalField(max_digits=6, decimal_places=2)
    scale_max = serializers.IntegerField(help_text="Manual: scored from 0 to this.")
    independent = serializers.BooleanField(help_text="Shown beside the score, not counted.")
    anchors = CriterionAnchorSerializer(many=True, help_text="Manual: what each point means.")

    def to_representation(self, criterion):
        return {
            "id": criterion.pk,
            "name": criterion.name,
            "description": criterion.description,
            "kind": criterion.kind,
            "rule": criterion.rule,
            "rule_in_words": rule_in_words(criterion.rule),
            "weight": f"{criterion.weight:.2f}",
            "scale_max": criterion.scale_max,
            "independent": criterion.independent,
            "anchors": [
                {"points": anchor.points, "description": anchor.description}
                for anchor in criterion.anchors.all()
            ],
        }


class CallQuestionSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="An application's `answers` are by this key.")
    text = serializers.CharField()
    required = serializers.BooleanField()


class CallSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    description = serializers.CharField()
    status = serializers.ChoiceField(choices=CallStatus.choices)
    opens_at = serializers.DateTimeField()
    closes_at = serializers.DateTimeField()
    review_deadline = serializers.DateTimeField()
    is_open = serializers.BooleanField(help_text="Whether it takes applications now.")
    eligible_city_types = serializers.ListField(child=serializers.CharField())
    aggregation = serializers.ChoiceField(choices=Aggregation.choices)
    reviewers_per_application = serializers.IntegerField()
    exclude_same_country = serializers.BooleanField()
    questions = CallQuestionSerializer(many=True, help_text="Further questions it asks applicants.")
    published_at = serializers.DateTimeField(allow_null=True)
    visit_count = serializers.IntegerField()

    def to_representation(self, call):
        return {
            "id": call.pk,
            "title": call.title,
            "description": call.description,
            "status": call.status,
            "opens_at": _moment(call.opens_at),
            "closes_at": _moment(call.closes_at),
            "review_deadline": _moment(call.review_deadline),
            "is_open": applying.call_is_open(call),
            "eligible_city_types": list(call.eligible_city_types),
            "aggregation": call.aggregation,
            "reviewers_per_application": call.reviewers_per_application,
            "exclude_same_country": call.exclude_same_country,
            "questions": [
                {"key": q["key"], "text": q["text"], "required": bool(q.get("required"))}
                for q in call.questions
            ],
            "published_at": _moment(call.published_at),
            "visit_count": call.visit_count
            if hasattr(call, "visit_count")
            else len(call.visits.all()),
        }


class CallDetailSerializer(CallSerializer):
    eligible_cohorts = serializers.ListField(child=serializers.IntegerField())
    visits = StudyVisitSerializer(many=True)
    criteria = CriterionSerializer(many=True)

    def to_representation(self, call):
        return {
            **super().to_representation(call),
            "eligible_cohorts": [cohort.pk for cohort in call.eligible_cohorts.all()],
            "visits": [StudyVisitSerializer().to_representation(v) for v in call.visits.all()],
            "criteria": [CriterionSerializer().to_representation(c) for c in call.criteria.all()],
        }


class CallFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=CallStatus.choices)

    class Meta:
        model = Call
        fields = ["status"]


# --- The allocation ----------------------------------------------------------------------------


class PlacedSerializer(serializers.Serializer):
    application = serializers.IntegerField()
    city = serializers.IntegerField()
    city_name = serializers.CharField()
    country = serializers.CharField()
    rank = serializers.IntegerField(allow_null=True)
    total = serializers.DecimalField(max_digits=9, decimal_places=3, allow_null=True)
    decision = serializers.ChoiceField(choices=Decision.choices, allow_blank=True)
    allocated_visit = serializers.IntegerField(allow_null=True)
    waitlist_position = serializers.IntegerField(allow_null=True)
    allocated_by_hand = serializers.BooleanField()


def _placed(application: Application) -> dict:
    return {
        "application": application.pk,
        "city": application.city_id,
        "city_name": application.city.name,
        "country": application.city.country.name,
        "rank": application.rank,
        "total": _decimal(application.total),
        "decision": application.decision,
        "allocated_visit": application.allocated_visit_id,
        "waitlist_position": application.waitlist_position,
        "allocated_by_hand": application.allocated_by_hand,
    }


class VisitPlacesSerializer(serializers.Serializer):
    visit = StudyVisitSerializer()
    room_left = serializers.IntegerField()
    selected = PlacedSerializer(many=True)


class AllocationSerializer(serializers.Serializer):
    call = serializers.IntegerField()
    published = serializers.BooleanField()
    published_at = serializers.DateTimeField(allow_null=True)
    visits = VisitPlacesSerializer(many=True)
    waitlist = PlacedSerializer(many=True, help_text="In waitlist order.")
    not_selected = PlacedSerializer(many=True)
    undecided = PlacedSerializer(many=True, help_text="Submitted, no decision yet.")


class AllocationResultSerializer(serializers.Serializer):
    selected = serializers.IntegerField()
    waitlisted = serializers.IntegerField()
    not_selected = serializers.IntegerField()
    changed = serializers.IntegerField(help_text="Applications whose place changed.")


class PublishedSerializer(serializers.Serializer):
    told = serializers.IntegerField(help_text="Applications whose cities are being emailed.")


class QueuedSerializer(serializers.Serializer):
    message = serializers.CharField()


def _allocation_data(call: Call, overview, shown: set[int] | None) -> dict:
    """The overview as the API gives it; `shown`: the only applications the caller may see
    (None: all of them)."""

    def rows(applications):
        return [_placed(a) for a in applications if shown is None or a.pk in shown]

    return {
        "call": call.pk,
        "published": call.status == CallStatus.PUBLISHED,
        "published_at": _moment(call.published_at),
        "visits": [
            {
                "visit": StudyVisitSerializer().to_representation(places.visit),
                "room_left": places.room_left,
                "selected": rows(places.selected),
            }
            for places in overview.visits
        ],
        "waitlist": rows(overview.waitlist),
        "not_selected": rows(overview.not_selected),
        "undecided": rows(overview.undecided) if shown is None else [],
    }


class CallViewSet(viewsets.ReadOnlyModelViewSet):
    """Group Study Visit calls the caller may see, with their visits and criteria."""

    serializer_class = CallSerializer
    filterset_class = CallFilter
    search_fields = ["title"]
    ordering_fields = ["opens_at", "closes_at", "title"]

    def get_queryset(self):
        calls = calls_visible_to(user=self.request.user)
        if self.action == "list":
            return call_list_rows(calls)
        return calls.order_by("-opens_at", "pk")

    def get_serializer_class(self):
        return CallDetailSerializer if self.action == "retrieve" else CallSerializer

    def filter_queryset(self, queryset):
        # The filters, search and order are the list's; a call's own routes find it by id.
        if self.action != "list":
            return queryset
        return super().filter_queryset(queryset)

    def paginate_queryset(self, queryset):
        # A person sees a few calls: a short first page is its own count.
        return super().paginate_queryset(
            ShortFirstPageRows.for_request(queryset, paginator=self.paginator, request=self.request)
        )

    def _call(self, pk, perm=None) -> Call:
        return object_for(self.request.user, calls_visible_to(user=self.request.user), perm, pk=pk)

    def retrieve(self, request, pk=None):
        """The call with its cohorts (ids), visits and criteria."""
        call = object_for(
            request.user, call_for_page(calls_visible_to(user=request.user)), pk=_pk(pk)
        )
        return Response(CallDetailSerializer().to_representation(call))

    @extend_schema(responses={200: AllocationSerializer, 403: FORBIDDEN})
    @action(detail=True, methods=["get"])
    def allocation(self, request, pk=None):
        """The visits with their selected cities, the waitlist, the cities not selected and
        those not decided yet (admins); an officer's own city's decision once published."""
        call = self._call(_pk(pk))
        shown = None
        if not request.user.has_perm(MANAGE, call):
            shown = set(
                applications_visible_to(user=request.user)
                .filter(
                    call=call,
                    city__memberships__user=request.user,
                    status=ApplicationStatus.SUBMITTED,
                )
                .values_list("pk", flat=True)
            )
            if not shown:
                raise PermissionRefused()
            if call.status != CallStatus.PUBLISHED:
                raise PermissionRefused(
                    _("The decisions of this call are not published yet: they are shown here then.")
                )
        return Response(_allocation_data(call, allocation.allocation_overview(call), shown))

    @extend_schema(request=None, responses={200: AllocationResultSerializer, 403: FORBIDDEN})
    @action(detail=True, methods=["post"], url_path="allocation/run", url_name="allocation-run")
    def allocation_run(self, request, pk=None):
        """Allocate the ranked applications to the visits (the allocation page's method);
        refused once the decisions are published."""
        result = allocation.allocation_run(acting_user=request.user, call=self._call(_pk(pk)))
        return Response(
            {
                "selected": result.selected,
                "waitlisted": result.waitlisted,
                "not_selected": result.not_selected,
                "changed": result.changed,
            }
        )

    @extend_schema(request=None, responses={200: PublishedSerializer, 403: FORBIDDEN})
    @action(
        detail=True,
        methods=["post"],
        url_path="allocation/publish",
        url_name="allocation-publish",
    )
    def allocation_publish(self, request, pk=None):
        """Publish the decisions, once: each applicant's officers are emailed theirs."""
        told = decisions.call_publish_decisions(acting_user=request.user, call=self._call(_pk(pk)))
        return Response({"told": told})

    @extend_schema(request=None, responses={202: QueuedSerializer, 403: FORBIDDEN})
    @action(detail=True, methods=["post"])
    def scoring(self, request, pk=None):
        """Score the whole call again in the background ("Run scoring")."""
        scoring.call_scoring_run(acting_user=request.user, call=self._call(_pk(pk)))
        return Response(
            {
                "message": _(
                    "Scoring is running: the ranking shows the new scores when it has finished."
                )
            },
            status=status.HTTP_202_ACCEPTED,
        )


def _pk(pk) -> int:
    """The id in the path; one that is no id finds nothing (not a 500 on an overflow)."""
    raw = str(pk)
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 19 and 0 < int(raw) <= MAX_ID):
        return 0
    return int(raw)


# --- Applications ------------------------------------------------------------------------------


class DelegateEntrySerializer(serializers.Serializer):
    # The service checks them (visits.applying.draft_errors), with the page's messages.
    name = serializers.CharField(allow_blank=True, required=False, default="")
    role = serializers.CharField(allow_blank=True, required=False, default="")
    email = serializers.CharField(allow_blank=True, required=False, default="")


class ApplicationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    call = serializers.IntegerField()
    city = serializers.IntegerField()
    city_name = serializers.CharField()
    status = serializers.ChoiceField(choices=ApplicationStatus.choices)
    is_editable = serializers.BooleanField(help_text="A draft of a call open now.")
    preferences = serializers.ListField(
        child=serializers.IntegerField(), help_text="Visits (ids), first choice first."
    )
    motivation = serializers.CharField()
    spotlight_challenge = serializers.CharField()
    delegates = DelegateEntrySerializer(many=True)
    answers = serializers.DictField(
        child=serializers.CharField(), help_text="By the call's question key."
    )
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    withdrawn_at = serializers.DateTimeField(allow_null=True)
    total = serializers.DecimalField(
        max_digits=9,
        decimal_places=3,
        allow_null=True,
        help_text="For those who may read its score (admins; its officers once published).",
    )
    rank = serializers.IntegerField(allow_null=True)
    decision = serializers.ChoiceField(
        choices=Decision.choices,
        allow_blank=True,
        help_text="Admins; its officers once the decisions are published. Else empty.",
    )
    allocated_visit = serializers.IntegerField(allow_null=True)
    waitlist_position = serializers.IntegerField(allow_null=True)


class ApplicationInputSerializer(serializers.Serializer):
    preferences = serializers.ListField(
        child=serializers.IntegerField(min_value=0, max_value=MAX_ID),
        required=False,
        default=list,
        max_length=PREFERENCES_MAX,
        help_text="Visits (ids) by preference, first choice first; each at most once.",
    )
    motivation = serializers.CharField(allow_blank=True, required=False, default="")
    spotlight_challenge = serializers.CharField(allow_blank=True, required=False, default="")
    delegates = DelegateEntrySerializer(
        many=True, required=False, default=list, max_length=DELEGATES_MAX
    )
    answers = serializers.DictField(
        child=serializers.CharField(allow_blank=True),
        required=False,
        default=dict,
        help_text="The call's further questions, by key.",
    )


class ApplicationStartSerializer(serializers.Serializer):
    call = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    city = serializers.IntegerField(
        min_value=1,
        max_value=MAX_ID,
        required=False,
        allow_null=True,
        help_text="Which of your cities applies; needed when several of them may.",
    )


class ApplicationFilter(django_filters.FilterSet):
    call = IdFilter(field_name="call_id")
    city = IdFilter(field_name="city_id")
    status = django_filters.ChoiceFilter(choices=ApplicationStatus.choices)

    class Meta:
        model = Application
        fields = ["call", "city", "status"]


class _Reader:
    """What the caller may read of an application's score and decision (the module's
    "Decisions"), worked out once per request: admin or not, and their cities."""

    def __init__(self, user):
        self.is_admin = is_programme_admin(user)
        self._user = user
        self._cities = None

    def officer_of(self, city_id) -> bool:
        if self._cities is None:
            self._cities = set(cities_of_officer(user=self._user).values_list("pk", flat=True))
        return city_id in self._cities

    def sees_results(self, *, call_status: str, city_id: int) -> bool:
        if self.is_admin:
            return True
        return call_status == CallStatus.PUBLISHED and self.officer_of(city_id)


# What the API shows of an application, read as values: its own columns (its city's name and
# its call's state beside them: `_gathered`).
_OWN_COLUMNS = (
    "pk",
    "call_id",
    "city_id",
    "status",
    "motivation",
    "spotlight_challenge",
    "answers",
    "created_at",
    "updated_at",
    "submitted_at",
    "withdrawn_at",
    "total",
    "rank",
    "decision",
    "allocated_visit_id",
    "waitlist_position",
)


def _row_data(row: dict, *, preferences, delegates, is_editable: bool, reader: _Reader) -> dict:
    """The API's body of one application, from its row (`_OWN_COLUMNS`, and the city's name
    and the call's state as `_gathered` names them)."""
    results = reader.sees_results(call_status=row["call_status"], city_id=row["city_id"])
    return {
        "id": row["pk"],
        "call": row["call_id"],
        "city": row["city_id"],
        "city_name": row["city_name"],
        "status": row["status"],
        "is_editable": is_editable,
        "preferences": preferences,
        "motivation": row["motivation"],
        "spotlight_challenge": row["spotlight_challenge"],
        "delegates": delegates,
        "answers": dict(row["answers"]),
        "created_at": _moment(row["created_at"]),
        "updated_at": _moment(row["updated_at"]),
        "submitted_at": _moment(row["submitted_at"]),
        "withdrawn_at": _moment(row["withdrawn_at"]),
        "total": _decimal(row["total"]) if results else None,
        "rank": row["rank"] if results else None,
        "decision": row["decision"] if results else "",
        "allocated_visit": row["allocated_visit_id"] if results else None,
        "waitlist_position": row["waitlist_position"] if results else None,
    }


def _application_data(application: Application, reader: _Reader) -> dict:
    """One application read as a model (`_applications`): the list's body of its row."""
    call = application.call
    row = {name: getattr(application, name) for name in _OWN_COLUMNS}
    row.update(
        city_name=application.city.name,
        call_status=call.status,
        call_opens_at=call.opens_at,
        call_closes_at=call.closes_at,
    )
    return _row_data(
        row,
        preferences=[p.visit_id for p in application.preferences.all()],
        delegates=[
            {"name": d.name, "role": d.role, "email": d.email} for d in application.delegates.all()
        ],
        is_editable=applying.application_is_editable(application),
        reader=reader,
    )


def _listed_data(rows: list[dict], reader: _Reader) -> list[dict]:
    """The bodies of a page of application rows (`_Rows`), each read with its preferences (in
    rank order) and its delegates.

    Decision: the list reads values, not models. Built as models (the call and city selected
    with each, preferences and delegates prefetched), a page of 50 spent more time making
    and prefetching objects than PostgreSQL spent finding them (issue 12's profile)."""
    now = timezone.now()
    return [
        _row_data(
            row,
            preferences=row["gathered_preferences"],
            delegates=[
                {"name": name, "role": role, "email": email}
                for name, role, email in row["gathered_delegates"]
            ],
            is_editable=(window := _draft_window(row)) is not None and _call_is_open(window, now),
            reader=reader,
        )
        for row in rows
    ]


def _draft_window(row: dict) -> tuple | None:
    """A draft's call's state and dates (what decides whether it is editable now); None for
    an application that is no draft, never editable."""
    if row["status"] != ApplicationStatus.DRAFT:
        return None
    return (row["call_status"], row["call_opens_at"], row["call_closes_at"])


def _call_is_open(window: tuple, now) -> bool:
    """visits.applying's rule, on the call's state and dates read with the row."""
    status, opens_at, closes_at = window
    return applying.call_is_open(Call(status=status, opens_at=opens_at, closes_at=closes_at), now)


# What the applications list shows, by data version: the applications with their preferences
# and delegates (visits/versions.py), the decisions' bulk writes, the reviews (which a reviewer
# sees), the calls (states and dates, raised with every call's save), and the cities (names,
# countries, and their officers: who sees which, conflicts, who reads results).
_LIST_SCOPES = (APPLICATIONS, DECISIONS, reviewing.REVIEWS, OPEN_CALLS, CITIES)


class _Rows(ShortFirstPageRows):
    """The list's applications as the paginator takes them: a page read as values with its
    city's and call's columns and its preferences and delegates (`_gathered`), in one query;
    counted on the applications alone, unless the first page is shorter than a page
    (`ShortFirstPageRows`). (As one values() queryset, the count joined every application's
    city and call: 110 ms for an admin's 20,000 on the scale data.)"""

    def read(self, window: slice) -> list[dict]:
        return list(self._queryset[window].values(*_OWN_COLUMNS, **_gathered()))


def _gathered() -> dict:
    """What a page's row shows beside its own columns, each a correlated subquery of the
    page's query: its city's name and its call's state and dates (the names `_row_data`
    reads), its preferences (visit ids, first choice first) and its delegates ([name, role,
    email] by position) as JSON.

    Decisions (issue 12's profile of the list read afresh, after any application's save):
    - Preferences and delegates gathered in the page's query rather than read in one query
      each: the list was five queries against the floor's two, and each round trip and each
      queryset's compilation counted. JSON aggregation on PostgreSQL; SQLite (3.40 has no
      ORDER BY within an aggregate) gathers the rows of an ordered subquery.
    - The city and the call read by subqueries, not joins: PostgreSQL evaluates them for the
      page's rows only, after its LIMIT, where the joins were made for every visible row
      before the sort (a reviewer's 220, four times over when the calls' statistics said
      one call): 9.5 ms to 5.5 ms for the reviewer's page, planning 2 ms to 0.7 ms.
    - As SQL built once (RawSQL), not Subquery expressions, which take longer to build and
      compile than these take to run."""
    return {
        name: RawSQL(statement, [], output_field=field)
        for (name, field), statement in zip(_GATHERED_FIELDS.items(), _gathered_sql(), strict=True)
    }


_GATHERED_FIELDS = {
    "city_name": models.CharField(),
    "call_status": models.CharField(),
    "call_opens_at": models.DateTimeField(),
    "call_closes_at": models.DateTimeField(),
    "gathered_preferences": models.JSONField(),
    "gathered_delegates": models.JSONField(),
}


@functools.cache
def _gathered_sql() -> tuple[str, ...]:
    quote = connection.ops.quote_name
    application = quote(Application._meta.db_table)
    city = quote(City._meta.db_table)
    call = quote(Call._meta.db_table)
    outer = f"{application}.{quote('id')}"
    preference = quote(Preference._meta.db_table)
    delegate = quote(Delegate._meta.db_table)
    of_call = f" FROM {call} c WHERE c.id = {application}.{quote('call_id')}"
    joined = (
        f"SELECT t.name FROM {city} t WHERE t.id = {application}.{quote('city_id')}",
        f"SELECT c.status{of_call}",
        f"SELECT c.opens_at{of_call}",
        f"SELECT c.closes_at{of_call}",
    )
    if connection.vendor == "postgresql":
        return (
            *joined,
            (
                "SELECT COALESCE(jsonb_agg(p.visit_id ORDER BY p.rank), '[]'::jsonb)"
                f" FROM {preference} p WHERE p.application_id = {outer}"
            ),
            (
                "SELECT COALESCE(jsonb_agg(jsonb_build_array(d.name, d.role, d.email)"
                " ORDER BY d.position, d.id), '[]'::jsonb)"
                f" FROM {delegate} d WHERE d.application_id = {outer}"
            ),
        )
    return (
        *joined,
        (
            "SELECT json_group_array(visit_id) FROM (SELECT p.visit_id"
            f" FROM {preference} p WHERE p.application_id = {outer} ORDER BY p.rank)"
        ),
        (
            "SELECT json_group_array(json_array(name, role, email)) FROM (SELECT d.name,"
            f" d.role, d.email FROM {delegate} d WHERE d.application_id = {outer}"
            " ORDER BY d.position, d.id)"
        ),
    )


def _applications(queryset):
    """Applications with what the API shows of them: call and city in the query, preferences
    (in rank order) and delegates in one query each."""
    return queryset.select_related("call", "city").prefetch_related(
        Prefetch("preferences", queryset=Preference.objects.order_by("rank")),
        Prefetch("delegates", queryset=Delegate.objects.order_by("position", "pk")),
    )


def _draft_fields(errors: dict[str, str]) -> dict:
    """visits.applying's errors (by the form's field names) by the API's fields:
    `preferences.<position from 0>`, `delegates.<index>.<part>`, `answers.<key>`."""
    fields: dict = {}
    for name, message in errors.items():
        if name.startswith("choice_"):
            position = int(name.removeprefix("choice_")) - 1
            fields.setdefault("preferences", {})[str(position)] = [message]
        elif name.startswith("delegate-"):
            _prefix, index, part = name.split("-", 2)
            fields.setdefault("delegates", {}).setdefault(index, {})[part] = [message]
        elif name == "delegates":
            fields.setdefault("delegates", {})["non_field_errors"] = [message]
        elif name.startswith("question-"):
            fields.setdefault("answers", {})[name.removeprefix("question-")] = [message]
        else:
            fields[name] = [message]
    return fields


def _refused(code: str, message: str, fields: dict) -> Response:
    body = error_body(status_code=400, code=code, message=message, fields=fields)
    return Response(body, status=status.HTTP_400_BAD_REQUEST)


# --- "Why this score" --------------------------------------------------------------------------


class ReviewerPointsSerializer(serializers.Serializer):
    reviewer = serializers.CharField(help_text="A name for admins; “Reviewer 1”... for others.")
    points = serializers.IntegerField()


class ScoreLineSerializer(serializers.Serializer):
    criterion = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.ChoiceField(choices=CriterionKind.choices)
    rule_in_words = serializers.CharField()
    weight = serializers.DecimalField(max_digits=6, decimal_places=2)
    independent = serializers.BooleanField()
    points = serializers.DecimalField(max_digits=9, decimal_places=3, allow_null=True)
    weighted = serializers.DecimalField(max_digits=9, decimal_places=3)
    reviewers = serializers.IntegerField(help_text="Manual: the reviews counted.")
    deviation = serializers.DecimalField(max_digits=9, decimal_places=3, allow_null=True)
    disagreement = serializers.BooleanField()
    reviewer_points = ReviewerPointsSerializer(many=True)


class ScoreSheetSerializer(serializers.Serializer):
    application = serializers.IntegerField()
    call = serializers.IntegerField()
    city_name = serializers.CharField()
    total = serializers.DecimalField(max_digits=9, decimal_places=3, allow_null=True)
    rank = serializers.IntegerField(allow_null=True)
    aggregation = serializers.ChoiceField(choices=Aggregation.choices)
    ranking_order = serializers.CharField()
    scored_at = serializers.DateTimeField(allow_null=True)
    lines = ScoreLineSerializer(many=True)


def _score_sheet(application: Application, *, names: bool) -> dict:
    """The why-page's data (visits.views_scoring.application_score): the same rows."""
    lines = (
        ScoreLine.objects.filter(application=application)
        .select_related("criterion")
        .order_by("criterion__position", "criterion")
    )
    reviewers = scoring.reviewers_points(application=application)
    number_of = {
        review_id: n
        for n, review_id in enumerate(
            sorted({r.review_id for points in reviewers.values() for r in points}), start=1
        )
    }
    call = application.call
    return {
        "application": application.pk,
        "call": call.pk,
        "city_name": application.city.name,
        "total": _decimal(application.total),
        "rank": application.rank,
        "aggregation": call.aggregation,
        "ranking_order": str(scoring.RANKING_ORDER),
        "scored_at": _moment(call.scored_at),
        "lines": [
            {
                "criterion": line.criterion_id,
                "name": line.criterion.name,
                "kind": line.criterion.kind,
                "rule_in_words": rule_in_words(line.criterion.rule),
                "weight": f"{line.criterion.weight:.2f}",
                "independent": line.criterion.independent,
                "points": _decimal(line.points),
                "weighted": _decimal(line.weighted),
                "reviewers": line.reviewers,
                "deviation": _decimal(line.deviation),
                "disagreement": line.disagreement,
                "reviewer_points": [
                    {
                        "reviewer": r.name
                        if names
                        else _("Reviewer %(n)s") % {"n": number_of[r.review_id]},
                        "points": r.points,
                    }
                    for r in reviewers.get(line.criterion_id, [])
                ],
            }
            for line in lines
        ],
    }


class ApplicationViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Study visit applications the caller sees: officers their cities', reviewers those
    assigned to them (never one they are in conflict with), admins all. Officers start, save,
    submit and withdraw their city's."""

    serializer_class = ApplicationSerializer
    filterset_class = ApplicationFilter
    search_fields = ["city__name"]
    ordering_fields = ["created_at", "submitted_at", "city__name"]

    def get_queryset(self):
        return _applications(applications_visible_to(user=self.request.user)).order_by("pk")

    def filter_queryset(self, queryset):
        if self.action != "list":
            return queryset
        return super().filter_queryset(queryset)

    def _application(self, pk, perm=None) -> Application:
        return object_for(self.request.user, self.get_queryset(), perm, pk=_pk(pk))

    def _answer(self, application: Application, code=status.HTTP_200_OK) -> Response:
        # Read again with its rows: the service changed them.
        fresh = _applications(Application.objects.filter(pk=application.pk)).get()
        return Response(_application_data(fresh, _Reader(self.request.user)), status=code)

    def list(self, request, *args, **kwargs):
        """The applications the caller sees, by id.

        Kept in the cache under what decides them (`_LIST_SCOPES`): the person (their id, and
        whether they are an admin), the address (filters, search, order, page, the host of the
        page links), the language and the time zone (of the times shown). Whether a draft is
        still editable is worked out afresh from its call's dates, kept beside it."""
        reader = _Reader(request.user)
        found = version_map(*_LIST_SCOPES)
        key = cache_key(
            "visits:api-applications",
            [
                request.user.pk,
                reader.is_admin,
                get_language(),
                timezone.get_current_timezone_name(),
                request.build_absolute_uri(),
                joined(found, *_LIST_SCOPES),
            ],
        )
        kept = cache.get(key)
        if kept is None:
            visible = self.filter_queryset(
                applications_visible_to(user=request.user).order_by("pk")
            )
            page = self.paginate_queryset(
                _Rows.for_request(visible, paginator=self.paginator, request=request)
            )
            kept = (
                self.get_paginated_response(_listed_data(page, reader)).data,
                [_draft_window(row) for row in page],
            )
            cache.set(key, kept, TIMEOUT_SECONDS)
        data, windows = kept
        now = timezone.now()
        for row, window in zip(data["results"], windows, strict=True):
            row["is_editable"] = window is not None and _call_is_open(window, now)
        return Response(data)

    def retrieve(self, request, pk=None):
        """The application: preferences, texts, delegates, answers (and its score and decision
        for those who may read them)."""
        application = self._application(pk)
        return Response(_application_data(application, _Reader(request.user)))

    @extend_schema(request=ApplicationStartSerializer, responses={201: ApplicationSerializer})
    def create(self, request):
        """Start your city's application to a call (one per city and call): its spotlight
        challenge is prefilled from the city's Reflection Roadmap."""
        data = ApplicationStartSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        call = calls_visible_to(user=request.user).filter(pk=data.validated_data["call"]).first()
        if call is None:
            raise ValidationError({"call": [_("There is no such call.")]})
        city = None
        city_id = data.validated_data.get("city")
        if city_id is not None:
            city = City.objects.filter(pk=city_id).first()
            if city is None:
                raise ValidationError({"city": [_("There is no such city.")]})
        application = applying.application_start(
            acting_user=request.user, call=call, city=city, existing_ok=False
        )
        return self._answer(application, status.HTTP_201_CREATED)

    @extend_schema(request=ApplicationInputSerializer, responses={200: ApplicationSerializer})
    def update(self, request, pk=None):
        """Save the whole draft (what is left out is empty); refused whole, with a message at
        each field at fault, and nothing saved."""
        # The body first: one this endpoint cannot take is refused as such (400), to anyone,
        # which tells nothing of the application.
        data = ApplicationInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        application = self._application(pk)
        values = data.validated_data
        draft = applying.ApplicationDraft(
            preferences=list(values["preferences"]),
            motivation=values["motivation"],
            spotlight_challenge=values["spotlight_challenge"],
            delegates=[
                applying.DelegateEntry(
                    name=d.get("name", ""), role=d.get("role", ""), email=d.get("email", "")
                )
                for d in values["delegates"]
            ],
            answers=dict(values["answers"]),
        )
        try:
            applying.application_save(
                acting_user=request.user, application=application, draft=draft
            )
        except applying.ApplicationInvalid as refusal:
            return _refused(refusal.code, refusal.message, _draft_fields(refusal.errors))
        return self._answer(application)

    @extend_schema(request=None, responses={200: ApplicationSerializer})
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """Submit the draft before the call closes; 400 lists what is missing (`missing`)."""
        application = self._application(pk)
        try:
            applying.application_submit(acting_user=request.user, application=application)
        except applying.ApplicationIncomplete as refusal:
            missing = [str(item) for item in refusal.missing]
            return _refused(
                refusal.code, f"{refusal.message} {'; '.join(missing)}.", {"missing": missing}
            )
        return self._answer(application)

    @extend_schema(request=None, responses={200: ApplicationSerializer})
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        """Withdraw the application (a place it held goes to the next city on the waitlist)."""
        application = self._application(pk)
        applying.application_withdraw(acting_user=request.user, application=application)
        return self._answer(application)

    @extend_schema(responses={200: ScoreSheetSerializer, 403: FORBIDDEN})
    @action(detail=True, methods=["get"])
    def score(self, request, pk=None):
        """Why this score: every line, its rule or its reviewers' points, its weight and its
        points; the total and the rank."""
        application = object_for(
            request.user,
            applications_visible_to(user=request.user).select_related("call", "city"),
            VIEW_SCORE,
            pk=_pk(pk),
        )
        return Response(_score_sheet(application, names=is_programme_admin(request.user)))


# --- Reviews -----------------------------------------------------------------------------------


class OtherVisitReviewSerializer(serializers.Serializer):
    reviewer = serializers.CharField()
    status = serializers.ChoiceField(choices=ReviewStatus.choices)
    recusal_reason = serializers.CharField()
    comment = serializers.CharField()
    points = serializers.DictField(
        child=serializers.IntegerField(), help_text="By criterion id (scored ones only)."
    )


class VisitReviewSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    application = serializers.IntegerField()
    call = serializers.IntegerField()
    call_title = serializers.CharField()
    city = serializers.IntegerField()
    city_name = serializers.CharField()
    country = serializers.CharField()
    status = serializers.ChoiceField(choices=ReviewStatus.choices)
    review_deadline = serializers.DateTimeField()
    is_open = serializers.BooleanField(help_text="Whether the review can still be changed.")
    scored = serializers.IntegerField(help_text="Manual criteria scored so far.")
    to_score = serializers.IntegerField(help_text="The call's manual criteria.")
    points = serializers.DictField(child=serializers.IntegerField(), help_text="By criterion id.")
    comment = serializers.CharField()
    recusal_reason = serializers.CharField()
    assigned_at = serializers.DateTimeField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    recused_at = serializers.DateTimeField(allow_null=True)


class VisitReviewDetailSerializer(VisitReviewSerializer):
    criteria = CriterionSerializer(many=True, help_text="The manual criteria to score.")
    others = OtherVisitReviewSerializer(
        many=True,
        allow_null=True,
        help_text="The other reviewers' reviews: null until yours is submitted or recused.",
    )


def _review_data(review: Review) -> dict:
    application, call = review.application, review.application.call
    return {
        "id": review.pk,
        "application": review.application_id,
        "call": call.pk,
        "call_title": call.title,
        "city": application.city_id,
        "city_name": application.city.name,
        "country": application.city.country.name,
        "status": review.status,
        "review_deadline": _moment(call.review_deadline),
        "is_open": reviewing.review_is_open(call),
        "scored": review.scored,
        "to_score": review.to_score,
        "points": {str(s.criterion_id): s.points for s in review.scores.all()},
        "comment": review.comment,
        "recusal_reason": review.recusal_reason,
        "assigned_at": _moment(review.assigned_at),
        "submitted_at": _moment(review.submitted_at),
        "recused_at": _moment(review.recused_at),
    }


class ReviewInputSerializer(serializers.Serializer):
    points = serializers.DictField(
        # Any whole number: the service checks it against the criterion's scale, with the
        # page's message.
        child=serializers.IntegerField(allow_null=True),
        required=False,
        default=dict,
        help_text="Points by criterion id; a criterion left out (or null) is not scored.",
    )
    comment = serializers.CharField(
        allow_blank=True, required=False, default="", trim_whitespace=False
    )


class RecuseSerializer(serializers.Serializer):
    reason = serializers.CharField(
        allow_blank=True, required=False, default="", max_length=PARAGRAPH_MAX
    )


class ReviewFilter(django_filters.FilterSet):
    call = IdFilter(field_name="application__call_id")
    application = IdFilter(field_name="application_id")
    status = django_filters.ChoiceFilter(choices=ReviewStatus.choices)

    class Meta:
        model = Review
        fields = ["call", "application", "status"]


def _criterion_key(raw: str) -> int:
    # A criterion id written as a JSON object's key; one that is no number matches none (the
    # service then says the call has no such criterion).
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 19 else -1


def _with_progress(reviews: list[Review]) -> list[Review]:
    """Set `scored` (the manual criteria scored, from the prefetched scores) and `to_score`
    (their calls' manual criteria, one query) on `reviews`."""
    calls = {review.application.call_id for review in reviews}
    counts = dict(
        Criterion.objects.filter(call__in=calls, kind=CriterionKind.MANUAL)
        .order_by()
        .values("call")
        .annotate(n=Count("pk"))
        .values_list("call", "n")
    )
    for review in reviews:
        review.scored = len(review.scores.all())
        review.to_score = counts.get(review.application.call_id, 0)
    return reviews


class ReviewViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The caller's own reviews of study visit applications (never one they are in conflict
    with): read them, save the scores, submit, recuse."""

    serializer_class = VisitReviewSerializer
    filterset_class = ReviewFilter
    ordering_fields = ["assigned_at", "submitted_at"]

    def get_queryset(self):
        # Progress is counted here from the page's rows (`_with_progress`), not annotated: the
        # count of the paginated list then reads the reviews alone.
        return reviewing.reviews_of_reviewer(
            user=self.request.user, progress=False
        ).prefetch_related(
            Prefetch(
                "scores",
                queryset=Score.objects.filter(criterion__kind=CriterionKind.MANUAL).order_by(
                    "criterion_id"
                ),
            )
        )

    def filter_queryset(self, queryset):
        if self.action != "list":
            return queryset
        return super().filter_queryset(queryset)

    def _review(self, pk) -> Review:
        review = object_for(self.request.user, self.get_queryset(), pk=_pk(pk))
        return _with_progress([review])[0]

    def list(self, request, *args, **kwargs):
        """Your assigned reviews, the soonest review deadline first.

        Kept in the cache as the reviewer's list page keeps its rows (views_reviewing.
        review_list): under the person, the versions of the reviews (visits.reviewing.REVIEWS:
        reviews, scores, calls, criteria) and of the cities (names, countries, and officers,
        which make conflicts), plus the address (filters, order, page, host of the page links),
        the language and the time zone. Whether each review is still open is worked out afresh
        from its deadline, kept beside it."""
        found = version_map(reviewing.REVIEWS, CITIES)
        key = cache_key(
            "visits:api-reviews",
            [
                request.user.pk,
                get_language(),
                timezone.get_current_timezone_name(),
                request.build_absolute_uri(),
                joined(found, reviewing.REVIEWS, CITIES),
            ],
        )
        kept = cache.get(key)
        if kept is None:
            queryset = self.filter_queryset(self.get_queryset())
            page = _with_progress(self.paginate_queryset(queryset))
            kept = (
                self.get_paginated_response([_review_data(review) for review in page]).data,
                [review.application.call.review_deadline for review in page],
            )
            cache.set(key, kept, TIMEOUT_SECONDS)
        data, deadlines = kept
        now = timezone.now()
        for row, deadline in zip(data["results"], deadlines, strict=True):
            row["is_open"] = now < deadline
        return Response(data)

    def _detail(self, review: Review) -> Response:
        review = self._review(review.pk)  # read again: scores and counts changed
        application = review.application
        criteria = list(reviewing.manual_criteria(application.call_id))
        others = reviewing.other_reviews(user=self.request.user, application=application)
        return Response(
            {
                **_review_data(review),
                "criteria": [CriterionSerializer().to_representation(c) for c in criteria],
                "others": None
                if others is None
                else [
                    {
                        "reviewer": other.reviewer.get_full_name(),
                        "status": other.status,
                        "recusal_reason": other.recusal_reason,
                        "comment": other.comment,
                        "points": {str(s.criterion_id): s.points for s in other.scores.all()},
                    }
                    for other in others
                ],
            }
        )

    @extend_schema(responses=VisitReviewDetailSerializer)
    def retrieve(self, request, pk=None):
        """Your review with the criteria to score (and their anchors), and the other
        reviewers' reviews once yours is in."""
        return self._detail(self._review(pk))

    def _save(self, request, pk, service):
        data = ReviewInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)  # the body first, as for an application
        review = self._review(pk)
        criteria = reviewing.manual_criteria(review.application.call_id).values_list(
            "pk", flat=True
        )
        given = {_criterion_key(key): value for key, value in data.validated_data["points"].items()}
        # The whole sheet, as the page sends it: a criterion left out is not scored.
        points = dict.fromkeys(criteria) | given
        try:
            service(
                acting_user=request.user,
                review=review,
                points=points,
                comment=data.validated_data["comment"],
            )
        except reviewing.ReviewIncomplete as refusal:
            return _refused(
                refusal.code,
                refusal.message,
                {"points": {str(c.pk): [_("Required to submit.")] for c in refusal.criteria}},
            )
        except ApplicationError as refusal:
            if refusal.field and refusal.field.startswith("criterion-"):
                fields = {"points": {refusal.field.removeprefix("criterion-"): [refusal.message]}}
                return _refused(refusal.code, refusal.message, fields)
            raise
        return self._detail(review)

    @extend_schema(request=ReviewInputSerializer, responses=VisitReviewDetailSerializer)
    def update(self, request, pk=None):
        """Save your scores and comment (a submitted review stays submitted, so complete)."""
        return self._save(request, pk, reviewing.review_save)

    @extend_schema(request=ReviewInputSerializer, responses=VisitReviewDetailSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """Save and submit: every manual criterion scored (400 names those that are not)."""
        return self._save(request, pk, reviewing.review_submit)

    @extend_schema(request=RecuseSerializer, responses=VisitReviewDetailSerializer)
    @action(detail=True, methods=["post"])
    def recuse(self, request, pk=None):
        """Withdraw from the application, with your reason (recorded); your scores no longer
        count."""
        data = RecuseSerializer(data=request.data)
        data.is_valid(raise_exception=True)  # the body first, as for an application
        review = self._review(pk)
        reviewing.review_recuse(
            acting_user=request.user, review=review, reason=data.validated_data["reason"]
        )
        return self._detail(review)
