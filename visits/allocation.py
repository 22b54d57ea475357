"""The allocation of a call: which city goes to which visit, who waits, who is not selected
(issue 12, "Ranking, allocation, decisions"); the admin's moves by hand before publishing.

The method, as the admin and the cities are told it:

1. Only submitted applications that scoring ranked (`Application.rank`) take part, in rank
   order (rank 1 first; equal ranks by the application's number, which scoring never gives
   but which keeps the order fixed).
2. Applications an admin placed by hand (`allocated_by_hand`) keep their place. Those placed
   in a visit use up its room first.
3. Then, in rank order, each city gets its highest preference (`Preference.rank`, 1 first)
   among the visits it asked for that still have room (`Visit.capacity_cities`). A city is
   never sent to a visit it did not ask for.
4. The cities not placed form the waitlist in rank order, positions 1, 2, 3...
   Decision: the waitlist is as long as the call's total room (the sum of its visits'
   capacities): beyond it a city is "not selected", because a place that far down would free
   only if every selected city withdrew. A city an admin put on the waitlist by hand stays on
   it even past that length; one they marked "not selected" stays so.
5. Applications that take no part (drafts, withdrawn, submitted but not ranked) have no
   decision.

Running it reads the call's visits, applications and preferences in three queries, whatever
their number, and writes only the rows whose decision changed, in one statement on
PostgreSQL (`_write`): a second run gives the same answer and writes nothing. Once the
decisions are published the allocation is fixed; only a withdrawal changes it
(visits/decisions.py promotes the next city on the waitlist).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db import transaction
from django.db.models import Count, F, Max, Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from portal.bulk import rows_update
from portal.errors import ApplicationError
from portal.fragments import bump
from portal.permissions import permission_check
from visits.enums import ApplicationStatus, CallStatus, Decision
from visits.models import Application, Call, Preference, Visit

MANAGE = "visits.manage_call"
# The data-version scope of the decisions (portal/fragments.py): every write of a decision, a
# placement or a publication raises it, so the city profile's part (visits/receivers.py) is
# drawn afresh.
DECISIONS = "visits:decisions"
# The fields an allocation writes.
PLACEMENT_FIELDS = ("decision", "allocated_visit", "waitlist_position", "allocated_by_hand")
# True: write through Django's bulk_update on PostgreSQL too (portal/bulk.py), as on SQLite.
# Only tests set it, to show both paths give the same rows.
PORTABLE_WRITES = False


@dataclass(frozen=True)
class AllocationResult:
    selected: int
    waitlisted: int
    not_selected: int
    changed: int


@dataclass
class _Row:
    pk: int
    status: str
    rank: int | None
    decision: str
    visit_id: int | None
    position: int | None
    by_hand: bool

    @property
    def order(self) -> tuple:
        # Unranked applications (placed by hand before scoring) after the ranked ones.
        return (self.rank is None, self.rank or 0, self.pk)

    def placement(self) -> tuple:
        return (self.decision, self.visit_id, self.position, self.by_hand)


def _locked_call(call: Call) -> Call:
    """The call's row, locked: two admins allocating, moving or publishing at once wait for
    each other, and a withdrawal's promotion waits for them too."""
    return Call.objects.select_for_update().get(pk=call.pk)


def _refuse_if_published(call: Call) -> None:
    if call.status == CallStatus.PUBLISHED:
        raise ApplicationError(
            _(
                "The decisions of this call are published: the allocation can no longer be "
                "changed. A city that withdraws frees its place for the next city on the "
                "waitlist."
            )
        )


def allocation_run(*, acting_user, call: Call) -> AllocationResult:
    """Allocate the call's ranked applications to its visits (the module's method) as
    `acting_user`, an admin (visits.manage_call); refused once the decisions are published."""
    permission_check(acting_user, MANAGE, call)
    with transaction.atomic():
        call = _locked_call(call)
        _refuse_if_published(call)
        return allocate(call)


def allocate(call: Call) -> AllocationResult:
    """The allocation itself, for a call already locked by the caller (allocation_run, and a
    withdrawal before publishing): no permission is asked here."""
    capacity = dict(Visit.objects.filter(call=call).values_list("pk", "capacity_cities"))
    rows = [
        _Row(pk, status, rank, decision, visit_id, position, by_hand)
        for pk, status, rank, decision, visit_id, position, by_hand in Application.objects.filter(
            call=call
        ).values_list(
            "pk",
            "status",
            "rank",
            "decision",
            "allocated_visit_id",
            "waitlist_position",
            "allocated_by_hand",
        )
    ]
    preferences = defaultdict(list)
    for application_id, visit_id in (
        Preference.objects.filter(application__call=call)
        .order_by("application_id", "rank")
        .values_list("application_id", "visit_id")
    ):
        preferences[application_id].append(visit_id)
    before = {row.pk: row.placement() for row in rows}

    taken = dict.fromkeys(capacity, 0)
    by_hand, ranked, outside = [], [], []
    for row in sorted(rows, key=lambda r: r.order):
        if row.status == ApplicationStatus.SUBMITTED and row.by_hand and row.decision:
            by_hand.append(row)
        elif row.status == ApplicationStatus.SUBMITTED and row.rank is not None:
            ranked.append(row)
        else:
            outside.append(row)

    for row in outside:
        row.decision, row.visit_id, row.position, row.by_hand = "", None, None, False
    for row in by_hand:
        if row.decision == Decision.SELECTED and row.visit_id in taken:
            taken[row.visit_id] += 1
    unplaced = [row for row in by_hand if row.decision == Decision.WAITLISTED]
    for row in ranked:
        visit_id = next(
            (v for v in preferences[row.pk] if v in taken and taken[v] < capacity[v]), None
        )
        if visit_id is None:
            unplaced.append(row)
            continue
        taken[visit_id] += 1
        row.decision, row.visit_id, row.position = Decision.SELECTED, visit_id, None

    waitlist_length = sum(capacity.values())
    waitlist = []
    for row in sorted(unplaced, key=lambda r: r.order):
        if row.by_hand or len(waitlist) < waitlist_length:
            waitlist.append(row)
            row.decision, row.visit_id = Decision.WAITLISTED, None
            row.position = len(waitlist)
        else:
            row.decision, row.visit_id, row.position = Decision.NOT_SELECTED, None, None
    for row in by_hand:
        if row.decision == Decision.NOT_SELECTED:
            row.visit_id, row.position = None, None

    changed = [row for row in rows if row.placement() != before[row.pk]]
    _write(changed)
    decided = [row.decision for row in rows]
    return AllocationResult(
        selected=decided.count(Decision.SELECTED),
        waitlisted=decided.count(Decision.WAITLISTED),
        not_selected=decided.count(Decision.NOT_SELECTED),
        changed=len(changed),
    )


def _write(rows: list[_Row]) -> None:
    """Write the placements of `rows` (and raise the decisions' version): on PostgreSQL in one
    statement whatever their number (portal/bulk.py; a first allocation of 20,000
    applications writes 20,000 rows), elsewhere in bulk updates of 2,000."""
    if not rows:
        return
    rows_update(
        Application,
        ["decision", "allocated_visit_id", "waitlist_position", "allocated_by_hand"],
        [(row.pk, row.decision, row.visit_id, row.position, row.by_hand) for row in rows],
        portable=PORTABLE_WRITES,
    )
    bump(DECISIONS)


def waitlist_renumber(call: Call) -> None:
    """Number the call's waitlist 1, 2, 3... again in its order (position, then rank), after
    a city joined or left it (two queries: the read and one bulk update)."""
    waiting = list(
        Application.objects.filter(
            call=call, decision=Decision.WAITLISTED, status=ApplicationStatus.SUBMITTED
        ).values_list("pk", "waitlist_position", "rank")
    )
    waiting.sort(
        key=lambda r: (r[1] is None, r[1] or 0, r[2] is None, r[2] or 0, r[0]),
    )
    moved = [
        Application(pk=pk, waitlist_position=number)
        for number, (pk, position, _rank) in enumerate(waiting, start=1)
        if position != number
    ]
    if moved:
        Application.objects.bulk_update(moved, ["waitlist_position"], batch_size=1000)
        bump(DECISIONS)


# --- Moves by hand --------------------------------------------------------------------------


def application_place(
    *, acting_user, application: Application, decision: str, visit: Visit | None = None
) -> Application:
    """Place one application by hand before publishing, as `acting_user`, an admin
    (visits.manage_call): in `visit` (`decision` SELECTED; refused when the visit is full),
    on the waitlist (it joins at its rank's place: the waitlist stays in rank order), or not
    selected. A later allocation run keeps the place (`allocated_by_hand`)."""
    permission_check(acting_user, MANAGE, application.call)
    if decision not in Decision.values:
        raise ApplicationError(_("Choose a visit, the waitlist or “not selected”."))
    if decision == Decision.SELECTED and visit is None:
        raise ApplicationError(_("Choose the visit to place the city in."), field="place")
    with transaction.atomic():
        call = _locked_call(application.call)
        _refuse_if_published(call)
        application = Application.objects.select_for_update().get(pk=application.pk)
        if application.status != ApplicationStatus.SUBMITTED:
            raise ApplicationError(
                _("Only a submitted application can be placed: this one is %(status)s.")
                % {"status": application.get_status_display().lower()}
            )
        if decision == Decision.SELECTED:
            _check_room(call=call, visit=visit, application=application)
        application.decision = decision
        application.allocated_visit = visit if decision == Decision.SELECTED else None
        application.allocated_by_hand = True
        if decision == Decision.WAITLISTED:
            application.waitlist_position = _position_by_rank(call, application)
        else:
            application.waitlist_position = None
        application.save(update_fields=[*PLACEMENT_FIELDS, "updated_at"])
        waitlist_renumber(call)
        bump(DECISIONS)
        application.refresh_from_db(fields=["waitlist_position"])
    return application


def _check_room(*, call: Call, visit: Visit, application: Application) -> None:
    if visit.call_id != call.pk:
        raise ApplicationError(_("Choose a visit of this call."), field="place")
    taken = (
        Application.objects.filter(
            allocated_visit=visit,
            decision=Decision.SELECTED,
            status=ApplicationStatus.SUBMITTED,
        )
        .exclude(pk=application.pk)
        .count()
    )
    if taken >= visit.capacity_cities:
        raise ApplicationError(
            ngettext(
                "“%(visit)s” is full: its %(capacity)s place is taken. Move a city out of it "
                "first, or choose another visit.",
                "“%(visit)s” is full: its %(capacity)s places are taken. Move a city out of it "
                "first, or choose another visit.",
                visit.capacity_cities,
            )
            % {"visit": visit, "capacity": visit.capacity_cities},
            field="place",
        )


def _position_by_rank(call: Call, application: Application) -> int:
    """Where `application` joins the waitlist: before the first waiting city ranked below it
    (renumbered right after by waitlist_renumber), or at its end."""
    waiting = Application.objects.filter(
        call=call, decision=Decision.WAITLISTED, status=ApplicationStatus.SUBMITTED
    ).exclude(pk=application.pk)
    if application.rank is not None:
        below = (
            waiting.filter(rank__gt=application.rank)
            .exclude(waitlist_position=None)
            .order_by("waitlist_position")
            .values_list("waitlist_position", flat=True)
            .first()
        )
        if below is not None:
            # It takes that place; those from there on move one down.
            waiting.filter(waitlist_position__gte=below).update(
                waitlist_position=F("waitlist_position") + 1
            )
            return below
    last = waiting.aggregate(last=Max("waitlist_position"))["last"]
    return (last or 0) + 1


# --- What the allocation page shows -----------------------------------------------------------


@dataclass
class VisitPlaces:
    visit: Visit
    selected: list

    @property
    def room_left(self) -> int:
        return self.visit.capacity_cities - len(self.selected)


@dataclass
class AllocationOverview:
    visits: list[VisitPlaces]
    waitlist: list
    # One page each (django.core.paginator.Page, OVERVIEW_PAGE_SIZE rows): a call of 20,000
    # applicants has as many cities not selected, or with no decision before its first
    # allocation. Their numbers: `not_selected.paginator.count`, `undecided.paginator.count`.
    not_selected: Page
    # Submitted applications with no decision yet (not ranked, or not allocated since).
    undecided: Page


OVERVIEW_PAGE_SIZE = 50
# The fields of an application (and of its city) the overview's readers show.
OVERVIEW_FIELDS = (
    "call_id",
    "status",
    "rank",
    "total",
    *PLACEMENT_FIELDS,
    "city__name",
    "city__country__name",
)


def _page_of(rows: QuerySet, count: int, number) -> Page:
    """Page `number` of `rows` (counted already: the paginator need not count again)."""
    paginator = Paginator(rows, OVERVIEW_PAGE_SIZE)
    paginator.count = count
    if not count:
        # No query for an empty list.
        return Page([], 1, paginator)
    return paginator.get_page(number)


def allocation_overview(
    call: Call, *, not_selected_page=None, undecided_page=None
) -> AllocationOverview:
    """The call's visits with their selected cities and the waitlist in order (as many as the
    visits' places, all shown), then one page of the cities not selected and one of those
    with no decision yet, in rank order: at most five queries, whatever their number."""
    places = {
        visit.pk: VisitPlaces(visit=visit, selected=[])
        for visit in Visit.objects.filter(call=call).select_related("host_city__country")
    }
    submitted = (
        Application.objects.filter(call=call, status=ApplicationStatus.SUBMITTED)
        .select_related("city__country")
        # What the page and the API show of a row (not the answers, motivation...): the
        # full rows of the cities and their applications were a third of the reading.
        .only(*OVERVIEW_FIELDS)
        .order_by(F("rank").asc(nulls_last=True), "pk")
    )
    waitlist = []
    placed = submitted.filter(
        Q(decision=Decision.SELECTED, allocated_visit__in=list(places))
        | Q(decision=Decision.WAITLISTED)
    )
    for application in placed:
        if application.decision == Decision.WAITLISTED:
            waitlist.append(application)
        else:
            places[application.allocated_visit_id].selected.append(application)
    waitlist.sort(key=lambda a: (a.waitlist_position or 0, a.pk))
    not_selected = Q(decision=Decision.NOT_SELECTED)
    # Everything else: no decision, or selected for a visit that is no longer the call's.
    undecided = ~Q(decision__in=[Decision.NOT_SELECTED, Decision.WAITLISTED]) & ~Q(
        decision=Decision.SELECTED, allocated_visit__in=list(places)
    )
    counts = submitted.order_by().aggregate(
        not_selected=Count("pk", filter=not_selected),
        undecided=Count("pk", filter=undecided),
    )
    return AllocationOverview(
        visits=list(places.values()),
        waitlist=waitlist,
        not_selected=_page_of(
            submitted.filter(not_selected), counts["not_selected"], not_selected_page
        ),
        undecided=_page_of(submitted.filter(undecided), counts["undecided"], undecided_page),
    )


@dataclass(frozen=True)
class AllocationCounts:
    """The numbers of submitted applications in each list of `allocation_overview`."""

    selected: int
    waitlisted: int
    not_selected: int
    undecided: int


def allocation_counts(call: Call) -> AllocationCounts:
    """How many cities `allocation_overview` lists in each part (the publish confirmation's
    numbers), without reading its rows: one query. The parts share out the submitted
    applications, so those with no decision are the rest."""
    counts = Application.objects.filter(call=call, status=ApplicationStatus.SUBMITTED).aggregate(
        submitted=Count("pk"),
        # Selected for one of the call's own visits, as the overview's visits list them.
        selected=Count("pk", filter=Q(decision=Decision.SELECTED, allocated_visit__call=call)),
        waitlisted=Count("pk", filter=Q(decision=Decision.WAITLISTED)),
        not_selected=Count("pk", filter=Q(decision=Decision.NOT_SELECTED)),
    )
    submitted = counts.pop("submitted")
    return AllocationCounts(**counts, undecided=submitted - sum(counts.values()))
