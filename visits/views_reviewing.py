"""The pages of reviewing (visits/reviewing.py): the reviewer's list, the review page of one
application (read-only application, the score form with anchors, recusal, and the other
reviewers' scores once one's own is in), and the admin's assignment page of a call."""

import functools

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from cohorts.versions import CITIES
from portal.errors import ApplicationError
from portal.fragments import TIMEOUT_SECONDS, bumps_made, cache_key, joined, version_map
from portal.lazy_rows import LazyRows
from portal.permissions import PermissionRefused, object_for, permission_check
from visits import reviewing, standings
from visits.enums import ApplicationStatus, ReviewStatus
from visits.forms_reviewing import AssignForm, RecuseForm, UnassignForm, points_from
from visits.models import Application
from visits.selectors import calls_visible_to

ASSIGNMENT_PAGE_SIZE = 50


@login_required
def review_list(request):
    """The person's assigned applications, kept in the cache (`{% fragment %}`) under their id,
    their time zone (the deadlines' times), the reviews' version (visits.reviewing.REVIEWS:
    reviews, scores, calls, criteria) and the cities' (names, countries, and officers, which
    make conflicts): a hit reads one row of versions and nothing else."""
    user = request.user
    found = version_map(reviewing.REVIEWS, CITIES)
    key = [user.pk, timezone.get_current_timezone_name(), joined(found, reviewing.REVIEWS, CITIES)]
    return render(
        request,
        "visits/review_list.html",
        {
            "reviews": LazyRows(lambda: reviewing.reviews_of_reviewer(user=user)),
            "list_key": "|".join(str(part) for part in key),
        },
    )


def _review_versions(request) -> dict[str, str]:
    """The versions of what the review page shows (REVIEWS, CITIES, and REVIEWERS: the other
    reviewers' names), read once for the request (the application's row and the page's body
    are kept under them), and again only if this process wrote something since
    (`bumps_made`)."""
    kept = getattr(request, "_review_versions", None)
    if kept is None or kept[0] != bumps_made():
        kept = (bumps_made(), version_map(reviewing.REVIEWS, CITIES, reviewing.REVIEWERS))
        request._review_versions = kept
    return kept[1]


def _application(request, pk) -> Application:
    application = reviewing.application_for_review_page(
        user=request.user, pk=pk, found=_review_versions(request)
    )
    if application is None:
        raise Http404
    return application


class _ReviewPageParts:
    """What the review page shows below its heading, read only when the page's fragment is
    rendered afresh (a cache hit reads none of it)."""

    def __init__(self, request, application, *, review, values, missing):
        self.request, self.application = request, application
        self.review, self.values, self.missing = review, values, missing

    @functools.cached_property
    def own_review(self):
        if self.review is _UNREAD:
            return reviewing.own_review(user=self.request.user, application=self.application)
        return self.review

    @functools.cached_property
    def criteria(self) -> list:
        criteria = list(reviewing.manual_criteria(self.application.call_id))
        values = self.values
        if values is None:
            review = self.own_review
            stored = {s.criterion_id: s.points for s in review.scores.all()} if review else {}
            values = {c.pk: "" if stored.get(c.pk) is None else str(stored[c.pk]) for c in criteria}
        missing_ids = {c.pk for c in self.missing}
        for criterion in criteria:
            criterion.value = values.get(criterion.pk, "")
            anchors = {a.points: a.description for a in criterion.anchors.all()}
            criterion.points = [
                (str(n), anchors.get(n, "")) for n in range(criterion.scale_max + 1)
            ]
            criterion.is_missing = criterion.pk in missing_ids
        return criteria

    @functools.cached_property
    def others(self) -> list | None:
        others = reviewing.other_reviews(user=self.request.user, application=self.application)
        for other in others or []:
            by_criterion = {s.criterion_id: s.points for s in other.scores.all()}
            other.points = [by_criterion.get(c.pk) for c in self.criteria]
        return others

    def questions(self) -> list:
        return [
            {
                "text": q.get("text", ""),
                "answer": self.application.answers.get(q.get("key", ""), ""),
            }
            for q in self.application.call.questions
            if isinstance(q, dict)
        ]


_UNREAD = object()


def _review_page(
    request,
    application,
    *,
    review=_UNREAD,
    values=None,
    error="",
    missing=(),
    recuse_form=None,
    status=200,
):
    """The review page. A plain GET keeps its body in the cache (`{% fragment %}`) under the
    person, the application, their time zone, whether reviews are still open, and the versions
    of the reviews (visits.reviewing.REVIEWS: reviews, scores, the call, its criteria and
    anchors, the application and its preferences, delegates and visits), of the cities
    (names, countries, officers: conflicts) and of the reviewers (REVIEWERS: the other
    reviewers' names). A page shown again after a refusal is not kept:
    it holds what was typed."""
    parts = _ReviewPageParts(request, application, review=review, values=values, missing=missing)
    call = application.call
    is_open = reviewing.review_is_open(call)
    page_key = ""
    if request.method == "GET":
        found = _review_versions(request)
        key = [
            request.user.pk,
            application.pk,
            timezone.get_current_timezone_name(),
            is_open,
            joined(found, reviewing.REVIEWS, CITIES, reviewing.REVIEWERS),
        ]
        page_key = "|".join(str(part) for part in key)

    def comment():
        if "comment" in request.POST:
            # What was typed, after a refusal; else what is stored.
            return request.POST["comment"]
        return parts.own_review.comment if parts.own_review else ""

    context = {
        "application": application,
        "call": call,
        "page_key": page_key,
        # Callables and lazy rows: the template reads them only when the body is rendered.
        "review": lambda: parts.own_review,
        "criteria": LazyRows(lambda: parts.criteria),
        "others": LazyRows(lambda: parts.others or []),
        "may_see_others": lambda: parts.others is not None,
        "preferences": application.preferences.select_related(
            "visit__host_city", "visit__sector"
        ).order_by("rank"),
        "delegates": application.delegates.order_by("position", "pk"),
        "questions": LazyRows(parts.questions),
        "is_open": is_open,
        "error": error,
        "recuse_form": recuse_form or RecuseForm(),
        "comment": comment,
    }
    return render(request, "visits/review_detail.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def review_detail(request, pk):
    application = _application(request, pk)
    if request.method == "GET":
        return _review_page(request, application)
    review = reviewing.own_review(user=request.user, application=application)
    if review is None:
        # An admin sees every application but scores none.
        raise PermissionRefused(_("You are not a reviewer of this application."))
    criteria = list(reviewing.manual_criteria(application.call_id))
    values = points_from(request.POST, criteria)
    action = request.POST.get("action", "save")
    service = reviewing.review_submit if action == "submit" else reviewing.review_save
    try:
        review = service(
            acting_user=request.user,
            review=review,
            points=values,
            comment=request.POST.get("comment", ""),
        )
    except reviewing.ReviewIncomplete as refusal:
        return _review_page(
            request,
            application,
            review=review,
            values=values,
            error=refusal.message,
            missing=refusal.criteria,
            status=400,
        )
    except ApplicationError as refusal:
        return _review_page(
            request, application, review=review, values=values, error=refusal.message, status=400
        )
    if action == "submit" or review.status == ReviewStatus.SUBMITTED:
        messages.success(request, _("Your review is submitted."))
    else:
        messages.success(request, _("Your draft is saved."))
    return redirect("review_detail", pk=application.pk)


@login_required
@require_POST
def review_recuse(request, pk):
    application = _application(request, pk)
    review = reviewing.own_review(user=request.user, application=application)
    if review is None:
        raise PermissionRefused(_("You are not a reviewer of this application."))
    form = RecuseForm(request.POST)
    if not form.is_valid():
        return _review_page(
            request,
            application,
            review=review,
            recuse_form=form,
            error=_("Your recusal was not recorded."),
            status=400,
        )
    try:
        reviewing.review_recuse(
            acting_user=request.user, review=review, reason=form.cleaned_data["reason"]
        )
    except ApplicationError as refusal:
        return _review_page(
            request, application, review=review, recuse_form=form, error=refusal.message, status=400
        )
    messages.success(
        request, _("You recused yourself from this application. Your reason is recorded.")
    )
    return redirect("review_detail", pk=application.pk)


class _AssignmentParts:
    """What the assignment page shows below its introduction: the page of the call's submitted
    applications (by city name) with their reviews, and the form to assign by hand. Read only
    when the page's fragment is drawn afresh: a cache hit reads none of it."""

    def __init__(self, request, call, assign_form=None, count_version=""):
        self.request, self.call, self._assign_form = request, call, assign_form
        self._count_version = count_version

    @functools.cached_property
    def page(self):
        applications = (
            Application.objects.filter(call=self.call, status=ApplicationStatus.SUBMITTED)
            .select_related("city__country")
            # What the table and the application menu show: the city's and country's names.
            .only("pk", "city", "city__name", "city__country", "city__country__name")
            .order_by("city__name", "pk")
        )
        paginator = Paginator(applications, ASSIGNMENT_PAGE_SIZE)
        if self._count_version:
            # The number of submitted applications, kept under the call's applications'
            # version (visits.standings.applications_scope: raised by a submission, a
            # withdrawal, a creation or a deletion), which a change of the reviews leaves as
            # it was: counting the scale call's 20,000 was a third of the page drawn afresh.
            key = cache_key("visits:assignment-count", [self.call.pk, self._count_version])
            count = cache.get(key)
            if count is None:
                count = paginator.count
                cache.set(key, count, TIMEOUT_SECONDS)
            paginator.count = count
        return paginator.get_page(self.request.GET.get("page"))

    @functools.cached_property
    def shown(self) -> list:
        return list(self.page.object_list)

    @functools.cached_property
    def rows(self) -> list:
        return reviewing.assignment_rows(call=self.call, applications=self.shown)

    @functools.cached_property
    def assign_form(self) -> AssignForm:
        form = self._assign_form or AssignForm(
            call=self.call, reviewers=reviewing.reviewers_available()
        )
        form.offer(self.shown)
        return form


@login_required
@require_http_methods(["GET", "POST"])
def call_reviewers(request, pk):
    """The admin's assignment page of a call. A plain GET keeps everything below the
    introduction in the cache (`{% fragment %}`, under the page's address) under the versions
    of the reviews (visits.reviewing.REVIEWS: reviews, applications, calls), of the reviewers
    (REVIEWERS: the menu's people and the names in the table) and of the cities (names,
    countries): a hit reads the call and one row of versions. Inside it, the reviewers' menu
    is kept under REVIEWERS alone: drawn afresh after a review changed, the body reads the
    page's applications and reviews but not the 500 reviewers, nor the number of submitted
    applications (kept under the call's applications' version). Everyone who may open the page
    sees the same page, so the reader is not part of the key. A page shown again after a
    refusal is not kept: it holds what was chosen."""
    call = object_for(request.user, calls_visible_to(user=request.user), pk=pk)
    permission_check(request.user, "visits.manage_call", call)
    assign_form = None
    error = ""
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "auto":
                made = reviewing.reviewers_assign_automatically(acting_user=request.user, call=call)
                messages.success(request, _("%(count)s reviews assigned.") % {"count": made})
                return redirect("call_reviewers", pk=call.pk)
            if action == "remove":
                form = UnassignForm(request.POST, call=call)
                if form.is_valid():
                    reviewing.review_unassign(
                        acting_user=request.user, review=form.cleaned_data["review"]
                    )
                    messages.success(request, _("The reviewer is removed."))
                    return redirect("call_reviewers", pk=call.pk)
                error = _("That review is no longer there.")
            else:
                assign_form = AssignForm(
                    request.POST, call=call, reviewers=reviewing.reviewers_available()
                )
                if assign_form.is_valid():
                    made = reviewing.reviewers_assign(
                        acting_user=request.user,
                        application=assign_form.cleaned_data["application"],
                        reviewers=list(assign_form.cleaned_data["reviewers"]),
                    )
                    messages.success(
                        request, _("%(count)s reviewers assigned.") % {"count": len(made)}
                    )
                    return redirect("call_reviewers", pk=call.pk)
                error = _("Choose an application and at least one reviewer.")
        except ApplicationError as refusal:
            error = refusal.message
    page_key = menu_key = count_version = ""
    if request.method == "GET":
        scopes = (reviewing.REVIEWS, reviewing.REVIEWERS, CITIES)
        counted = standings.applications_scope(call.pk)
        found = version_map(*scopes, counted)
        page_key = joined(found, *scopes)
        # The reviewers' menu shows nothing else: a change of the reviews leaves it kept.
        menu_key = joined(found, reviewing.REVIEWERS)
        count_version = joined(found, counted)
    parts = _AssignmentParts(request, call, assign_form, count_version)
    return render(
        request,
        "visits/review_assignment.html",
        {
            "call": call,
            "page_key": page_key,
            "menu_key": menu_key,
            # Read by the template only when the body is drawn afresh.
            "parts": parts,
            "error": error,
        },
        status=400 if error else 200,
    )
