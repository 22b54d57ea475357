"""Reviewing Group Study Visit applications (issue 12, "Scoring"): assigning reviewers, their
reviews and scores, recusal, and who sees whose scores.

Decisions:
- Only submitted applications are reviewed: a draft may still change and a withdrawn one is
  not ranked, so neither is assigned.
- Automatic assignment gives each submitted application `call.reviewers_per_application`
  reviewers who are not recused from it, never one in conflict (visits.selectors.conflicts_of),
  always to the reviewers with the fewest reviews in the call so far (ties: the lowest id).
  Applications are taken in id order, so the same data gives the same assignment and, without
  conflicts or earlier hand-made assignments, the reviewers' loads differ by at most one. It
  reads the reviewers, the applications, the call's reviews and the reviewers' memberships
  (four queries) and writes with one bulk insert, whatever the number of applications.
- A recused review is kept (it records who recused and why) and no longer counts towards the
  call's reviewers per application, so the next automatic assignment replaces it.
- The call's review deadline closes every review: after it nobody saves, submits or recuses;
  scoring can then run on reviews that no longer move. Before it a submitted review can be
  changed: it stays submitted, so every criterion must still be scored.
- Removing a reviewer removes only a review not yet submitted nor recused: those are part of
  the record the scores come from.
- Reviewers are told by email once per assignment run (one email listing how many new
  applications), not once per application: an automatic run gives each reviewer dozens.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import transaction
from django.db.models import (
    Case,
    Count,
    IntegerField,
    OuterRef,
    Prefetch,
    QuerySet,
    Subquery,
    When,
)
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.rules import is_programme_admin
from cities.models import CityMembership
from cohorts.versions import CITIES
from notifications.services import notify
from portal.dates import long_date
from portal.errors import ApplicationError
from portal.fragments import TIMEOUT_SECONDS, bump, joined
from portal.links import site_url
from portal.permissions import permission_check
from portal.text import PARAGRAPH_MAX
from visits import signals
from visits.enums import ApplicationStatus, CriterionKind, ReviewStatus
from visits.models import Anchor, Application, Call, Criterion, Review, Score
from visits.selectors import conflicts_of

# The data version of what reviewers' lists show (their reviews, their progress, the calls'
# deadlines): the reviewer's home page is keyed by it (home/selectors.py).
REVIEWS = "visits:reviews"
# The data version of the people the assignment page names: who is an active reviewer (its
# menu) and the names of the reviewers in its table. Raised by visits.receivers when a person
# is made a reviewer, changes name or email, gains or loses the role, or is (de)activated.
REVIEWERS = "visits:reviewers"
# A person's save that changes none of these changes nothing the assignment page shows of
# them (signing in saves `last_login` only).
REVIEWER_FIELDS = frozenset({"full_name", "email", "is_active", "is_reviewer"})


# --- Reads --------------------------------------------------------------------------------------


def manual_criteria(call_id: int) -> QuerySet[Criterion]:
    """The criteria reviewers score, with their anchors (two queries when evaluated)."""
    return (
        Criterion.objects.filter(call_id=call_id, kind=CriterionKind.MANUAL)
        .order_by("position", "pk")
        .prefetch_related(Prefetch("anchors", queryset=Anchor.objects.order_by("points")))
    )


def reviews_of_reviewer(*, user, progress: bool = True) -> QuerySet[Review]:
    """The reviewer's assigned reviews across calls, those still to score first, then by the
    soonest review deadline, each with its application, city, country and call, `scored` (the
    criteria they scored) and `to_score` (the call's manual criteria): one query. Applications
    they are in conflict with are left out (a membership that came after the assignment).

    `progress=False`: without `scored` and `to_score`, for a caller that counts them from rows
    it reads anyway (the API's list: a page's scores, one query): counting the reviews of a
    paginated list then needs no subqueries."""
    if not user.is_authenticated:
        return Review.objects.none()
    reviews = (
        Review.objects.filter(reviewer=user)
        .exclude(conflicts_of(user=user, prefix="application__"))
        .select_related("application__city__country", "application__call")
        .order_by(
            # What is still to score first: a reviewer with more past reviews than the home
            # page lists would otherwise not see the open one behind them.
            Case(When(status=ReviewStatus.ASSIGNED, then=0), default=1),
            "application__call__review_deadline",
            "application__call",
            "application__city__name",
            "pk",
        )
    )
    if not progress:
        return reviews
    scored = (
        Score.objects.filter(review=OuterRef("pk"), criterion__kind=CriterionKind.MANUAL)
        .order_by()
        .values("review")
        .annotate(n=Count("pk"))
        .values("n")
    )
    to_score = (
        Criterion.objects.filter(call=OuterRef("application__call"), kind=CriterionKind.MANUAL)
        .order_by()
        .values("call")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return reviews.annotate(
        scored=Coalesce(Subquery(scored, output_field=IntegerField()), 0),
        to_score=Coalesce(Subquery(to_score, output_field=IntegerField()), 0),
    )


def applications_under_review_visible_to(*, user) -> QuerySet[Application]:
    """The applications whose review page a person opens: admins, every application; a
    reviewer, the ones assigned to them that they are not in conflict with; nobody else."""
    if not user.is_authenticated:
        return Application.objects.none()
    queryset = Application.objects.select_related("call", "city__country")
    if is_programme_admin(user):
        return queryset
    return queryset.filter(reviews__reviewer=user).exclude(conflicts_of(user=user))


def application_for_review_page(*, user, pk, found: dict[str, str]) -> Application | None:
    """The application `pk` with its call, city and country if `user` may open its review
    page (as `applications_under_review_visible_to` answers), else None (the page answers 404).
    `found` holds the versions of REVIEWS and CITIES, read once for the page.

    Decision: the row and the person's access to it are kept in the cache under those
    versions, which every change of what they hold raises: the application, its call
    (REVIEWS: their saves), its city and country, and who is an officer of which city
    (CITIES: the conflicts), and the reviews (REVIEWS: who is assigned). The list's query,
    with its conflict subqueries, cost Django's compiler and the database 6 ms more than a
    plain read of the row on every review page at EU scale (2 December 2026); kept, the page
    reads neither. Programme admins see every application: only the row is asked for."""
    if not user.is_authenticated:
        return None
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    read = joined(found, REVIEWS, CITIES)
    row_key = f"visits:review-application:{pk}:{read}"
    access_key = f"visits:review-access:{user.pk}:{pk}:{read}"
    admin = is_programme_admin(user)
    kept = cache.get_many([row_key] if admin else [row_key, access_key])
    application, allowed = kept.get(row_key), True if admin else kept.get(access_key)
    if application is None:
        # Read afresh: a reviewer's row through their list (one query for the row and the
        # access), an admin's by its id.
        queryset = Application.objects if admin else applications_under_review_visible_to(user=user)
        application = queryset.select_related("call", "city__country").filter(pk=pk).first()
        if not admin:
            allowed = application is not None
            cache.set(access_key, allowed, TIMEOUT_SECONDS)
        if application is not None:
            cache.set(row_key, application, TIMEOUT_SECONDS)
    elif allowed is None:
        allowed = applications_under_review_visible_to(user=user).filter(pk=pk).exists()
        cache.set(access_key, allowed, TIMEOUT_SECONDS)
    return application if allowed else None


def own_review(*, user, application: Application) -> Review | None:
    return Review.objects.filter(application=application, reviewer=user).first()


def other_reviews(*, user, application: Application) -> list[Review] | None:
    """The other reviewers' reviews of `application` with their scores (two queries), for a
    person who may see them (visits.view_other_scores); None for anyone else."""
    if not user.has_perm("visits.view_other_scores", application):
        return None
    return list(
        Review.objects.filter(application=application)
        .exclude(reviewer=user)
        .select_related("reviewer")
        .prefetch_related(Prefetch("scores", queryset=Score.objects.order_by("criterion_id")))
        .order_by("pk")
    )


def review_is_open(call: Call, now=None) -> bool:
    return (now or timezone.now()) < call.review_deadline


@dataclass
class AssignmentRow:
    application: Application
    reviews: list


def assignment_rows(*, call: Call, applications: list[Application]) -> list[AssignmentRow]:
    """Each of `applications` (a page of the call's) with its reviews and reviewers: one query,
    of what the assignment page shows of them (its status, the reviewer's name), not their
    comments and the reviewers' other columns (the password hash, the dates)."""
    by_application = defaultdict(list)
    for review in (
        Review.objects.filter(application__in=[a.pk for a in applications])
        .select_related("reviewer")
        .only("pk", "application", "status", "reviewer", "reviewer__full_name", "reviewer__email")
        .order_by("application", "pk")
    ):
        by_application[review.application_id].append(review)
    return [AssignmentRow(application=a, reviews=by_application[a.pk]) for a in applications]


def reviewers_available() -> QuerySet:
    """The people an admin may assign, by name, holding only what assigning reads of them
    (their name for the menu and messages, the role and activity the service checks): the
    menu reads 500 of them at EU scale, and their other columns (the password hash, the
    dates) are only read and turned into objects for nothing."""
    return (
        get_user_model()
        .objects.filter(is_reviewer=True, is_active=True)
        .only("pk", "full_name", "email", "is_reviewer", "is_active")
        .order_by("full_name", "email", "pk")
    )


# --- Assigning ----------------------------------------------------------------------------------


def _notify_assigned(*, call: Call, counts: dict, marker: str) -> None:
    """Tell each reviewer how many applications of `call` they were given (after commit)."""
    if not counts:
        return
    reviewers = {u.pk: u for u in get_user_model().objects.filter(pk__in=list(counts))}
    context = {
        "call": call,
        "deadline": call.review_deadline,
        "link": site_url(reverse("review_list")),
    }

    def send():
        for reviewer_id in sorted(counts):
            notify(
                recipient=reviewers[reviewer_id],
                template="visit_reviews_assigned",
                context={**context, "count": counts[reviewer_id]},
                key=f"visit_reviews_assigned:{call.pk}:{reviewer_id}:{marker}",
            )

    transaction.on_commit(send, robust=True)


def _conflicting_names(call: Call, application: Application, reviewers: list) -> list[str]:
    memberships = CityMembership.objects.filter(user__in=[r.pk for r in reviewers])
    if call.exclude_same_country:
        memberships = memberships.filter(city__country__cities=application.city_id)
    else:
        memberships = memberships.filter(city=application.city_id)
    conflicted = set(memberships.values_list("user_id", flat=True))
    return [r.get_full_name() for r in reviewers if r.pk in conflicted]


def reviewers_assign(*, acting_user, application: Application, reviewers: list) -> list[Review]:
    """Assign `reviewers` to `application` by hand; return the reviews made now (a reviewer
    already assigned keeps their one review). A reviewer in conflict is refused, naming them."""
    call = application.call
    permission_check(acting_user, "visits.manage_call", call)
    if not reviewers:
        raise ApplicationError(_("Choose at least one reviewer."), field="reviewers")
    not_reviewers = [r.get_full_name() for r in reviewers if not r.is_reviewer or not r.is_active]
    if not_reviewers:
        raise ApplicationError(
            _("Only reviewers can be assigned: %(names)s is not one.")
            % {"names": ", ".join(not_reviewers)},
            field="reviewers",
        )
    with transaction.atomic():
        # The call first, as the automatic assignment locks it: the two never both add the
        # same reviewer to an application.
        Call.objects.select_for_update().filter(pk=call.pk).first()
        application = Application.objects.select_for_update().get(pk=application.pk)
        if application.status != ApplicationStatus.SUBMITTED:
            raise ApplicationError(
                _("Only submitted applications are reviewed; this one is %(status)s.")
                % {"status": application.get_status_display().lower()}
            )
        conflicted = _conflicting_names(call, application, reviewers)
        if conflicted:
            if call.exclude_same_country:
                message = _(
                    "%(names)s cannot review %(city)s: they are an officer of a city in the "
                    "same country, and this call excludes reviewers from the applicant's country."
                )
            else:
                message = _("%(names)s cannot review %(city)s: they are an officer of the city.")
            raise ApplicationError(
                message % {"names": ", ".join(conflicted), "city": application.city.name},
                field="reviewers",
            )
        already = set(application.reviews.values_list("reviewer_id", flat=True))
        new = [
            Review(application=application, reviewer=r, assigned_by=acting_user)
            for r in {r.pk: r for r in reviewers}.values()
            if r.pk not in already
        ]
        made = Review.objects.bulk_create(new)
        if made:
            bump(REVIEWS)
            _notify_assigned(
                call=call,
                counts={review.reviewer_id: 1 for review in made},
                marker=f"review:{min(review.pk for review in made)}",
            )
    return made


def review_unassign(*, acting_user, review: Review) -> None:
    """Remove a reviewer from an application, if their review is not submitted nor recused."""
    permission_check(acting_user, "visits.manage_call", review.application.call)
    with transaction.atomic():
        review = Review.objects.select_for_update().filter(pk=review.pk).first()
        if review is None:
            return
        if review.status != ReviewStatus.ASSIGNED:
            raise ApplicationError(
                _(
                    "This review is %(status)s: it stays, as part of the record the scores "
                    "come from."
                )
                % {"status": review.get_status_display().lower()}
            )
        review.delete()
        bump(REVIEWS)


def reviewers_assign_automatically(*, acting_user, call: Call) -> int:
    """Give each submitted application of `call` its reviewers (module docstring); return the
    number of reviews made."""
    permission_check(acting_user, "visits.manage_call", call)
    wanted = call.reviewers_per_application
    with transaction.atomic():
        # Two runs at once would each count the loads before the other's rows: one at a time.
        call = Call.objects.select_for_update().get(pk=call.pk)
        reviewers = list(
            get_user_model()
            .objects.filter(is_reviewer=True, is_active=True)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        if not reviewers:
            raise ApplicationError(
                _("There is no reviewer to assign: give people the reviewer role first.")
            )
        applications = list(
            Application.objects.filter(call=call, status=ApplicationStatus.SUBMITTED)
            .order_by("pk")
            .values_list("pk", "city_id", "city__country_id")
        )
        on_application = defaultdict(set)  # every reviewer with a review, recused or not
        counted = defaultdict(int)  # the reviews that count towards `wanted`
        load = dict.fromkeys(reviewers, 0)
        for application_id, reviewer_id, status in Review.objects.filter(
            application__call=call
        ).values_list("application_id", "reviewer_id", "status"):
            on_application[application_id].add(reviewer_id)
            if status != ReviewStatus.RECUSED:
                counted[application_id] += 1
                if reviewer_id in load:
                    load[reviewer_id] += 1
        cities_of, countries_of = defaultdict(set), defaultdict(set)
        for user_id, city_id, country_id in CityMembership.objects.filter(
            user__in=reviewers
        ).values_list("user_id", "city_id", "city__country_id"):
            cities_of[user_id].add(city_id)
            countries_of[user_id].add(country_id)

        # The reviewers by (load, id): the least loaded first.
        queue = [(load[r], r) for r in reviewers]
        heapq.heapify(queue)
        new = []
        for application_id, city_id, country_id in applications:
            need = wanted - counted[application_id]
            if need <= 0:
                continue
            taken, skipped = [], []
            while queue and len(taken) < need:
                count, reviewer_id = heapq.heappop(queue)
                in_conflict = city_id in cities_of[reviewer_id] or (
                    call.exclude_same_country and country_id in countries_of[reviewer_id]
                )
                if in_conflict or reviewer_id in on_application[application_id]:
                    skipped.append((count, reviewer_id))
                else:
                    taken.append((count, reviewer_id))
            for count, reviewer_id in taken:
                new.append(
                    Review(
                        application_id=application_id,
                        reviewer_id=reviewer_id,
                        assigned_by=acting_user,
                    )
                )
                heapq.heappush(queue, (count + 1, reviewer_id))
            for item in skipped:
                heapq.heappush(queue, item)
        made = Review.objects.bulk_create(new, batch_size=2000)
        if made:
            bump(REVIEWS)
            counts = defaultdict(int)
            for review in new:
                counts[review.reviewer_id] += 1
            # The run's first new review names it: a later run writes again.
            _notify_assigned(
                call=call, counts=dict(counts), marker=f"review:{min(r.pk for r in made)}"
            )
    return len(made)


# --- Reviewing ----------------------------------------------------------------------------------


class ReviewIncomplete(ApplicationError):
    """Submitted with manual criteria not scored: `criteria` are the ones missing."""

    def __init__(self, criteria: list[Criterion]):
        super().__init__(
            _("Score every criterion before you submit. Not scored yet: %(names)s.")
            % {"names": "; ".join(c.name for c in criteria)},
            code="incomplete",
        )
        self.criteria = criteria


def _locked_open_review(*, acting_user, review: Review) -> Review:
    """The review, locked, after the checks every change of it makes."""
    permission_check(acting_user, "visits.change_review", review)
    review = (
        Review.objects.select_for_update(of=("self",))
        .select_related("application__call")
        .get(pk=review.pk)
    )
    call = review.application.call
    if not review_is_open(call):
        raise ApplicationError(
            _("Reviews of this call were due by %(date)s: a review can no longer be changed.")
            % {"date": long_date(timezone.localdate(call.review_deadline))},
            code="closed",
        )
    if review.status == ReviewStatus.RECUSED:
        raise ApplicationError(
            _("You recused yourself from this application: your review can no longer change."),
            code="recused",
        )
    if review.application.status == ApplicationStatus.WITHDRAWN:
        raise ApplicationError(
            _("The city withdrew this application: it is no longer reviewed."), code="withdrawn"
        )
    return review


def _clean_points(criteria: list[Criterion], points: dict) -> dict[int, int | None]:
    """The points given, by criterion id, each checked against its scale; None: not scored."""
    by_id = {c.pk: c for c in criteria}
    unknown = set(points) - set(by_id)
    if unknown:
        raise ApplicationError(_("A score was given for a criterion this call does not have."))
    cleaned = {}
    for criterion_id, value in points.items():
        if value is None or value == "":
            cleaned[criterion_id] = None
            continue
        criterion = by_id[criterion_id]
        try:
            number = int(value)
        except (TypeError, ValueError):
            number = -1
        if not 0 <= number <= criterion.scale_max:
            raise ApplicationError(
                _("%(criterion)s is scored from 0 to %(max)s points.")
                % {"criterion": criterion.name, "max": criterion.scale_max},
                field=f"criterion-{criterion_id}",
            )
        cleaned[criterion_id] = number
    return cleaned


def _write_scores(review: Review, cleaned: dict[int, int | None]) -> None:
    stored = {score.criterion_id: score for score in review.scores.all()}
    created, changed, removed = [], [], []
    for criterion_id, number in cleaned.items():
        score = stored.get(criterion_id)
        if number is None:
            if score is not None:
                removed.append(score.pk)
        elif score is None:
            created.append(Score(review=review, criterion_id=criterion_id, points=number))
        elif score.points != number:
            score.points = number
            changed.append(score)
    if removed:
        Score.objects.filter(pk__in=removed).delete()
    if created:
        Score.objects.bulk_create(created)
    if changed:
        Score.objects.bulk_update(changed, ["points"])


def _check_length(text: str, field: str) -> None:
    if len(text) > PARAGRAPH_MAX:
        raise ApplicationError(
            _("Keep it to %(max)s characters; this is %(length)s.")
            % {"max": PARAGRAPH_MAX, "length": len(text)},
            field=field,
        )


def _save(*, acting_user, review: Review, points: dict, comment: str, submit: bool) -> Review:
    comment = (comment or "").strip()
    _check_length(comment, "comment")
    with transaction.atomic():
        review = _locked_open_review(acting_user=acting_user, review=review)
        criteria = list(manual_criteria(review.application.call_id))
        cleaned = _clean_points(criteria, points)
        was_submitted = review.status == ReviewStatus.SUBMITTED
        _write_scores(review, cleaned)
        review.comment = comment
        fields = ["comment"]
        if submit or was_submitted:
            scored = set(review.scores.values_list("criterion_id", flat=True))
            missing = [c for c in criteria if c.pk not in scored]
            if missing:
                # Nothing of this request is kept: the page shows what was typed again.
                raise ReviewIncomplete(missing)
            if not was_submitted:
                review.status = ReviewStatus.SUBMITTED
                review.submitted_at = timezone.now()
                fields += ["status", "submitted_at"]
        review.save(update_fields=fields)
        bump(REVIEWS)
        if review.status == ReviewStatus.SUBMITTED:
            signals.review_changed.send(sender=Review, review=review)
    return review


def review_save(*, acting_user, review: Review, points: dict, comment: str = "") -> Review:
    """Save the reviewer's scores and comment. A draft stays a draft; a submitted review is
    being changed, so it stays complete (ReviewIncomplete) and scoring hears of it."""
    return _save(
        acting_user=acting_user, review=review, points=points, comment=comment, submit=False
    )


def review_submit(*, acting_user, review: Review, points: dict, comment: str = "") -> Review:
    """Save and submit the review: every manual criterion scored, or ReviewIncomplete."""
    return _save(
        acting_user=acting_user, review=review, points=points, comment=comment, submit=True
    )


def review_recuse(*, acting_user, review: Review, reason: str) -> Review:
    """Withdraw the reviewer from the application, with the reason recorded; their scores no
    longer count (scoring reads submitted reviews only)."""
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(
            _("Say why you recuse yourself: the reason is recorded."), field="reason"
        )
    with transaction.atomic():
        review = _locked_open_review(acting_user=acting_user, review=review)
        review.status = ReviewStatus.RECUSED
        review.recused_at = timezone.now()
        review.recusal_reason = reason
        review.save(update_fields=["status", "recused_at", "recusal_reason"])
        bump(REVIEWS)
        signals.review_changed.send(sender=Review, review=review)
    return review
