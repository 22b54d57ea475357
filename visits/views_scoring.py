"""Scoring's pages (visits/scoring.py): the call's ranking with its "Run scoring" button, for
programme admins, and an application's "why this score" page (who sees it: visits/rules.py)."""

import functools

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.rules import is_programme_admin
from cohorts.versions import PEOPLE_NAMES
from portal.fragments import versions
from portal.permissions import object_for
from visits import scoring, standings
from visits.calls import call_scope
from visits.enums import Aggregation, ApplicationStatus, CriterionKind, Decision
from visits.models import Criterion, ScoreLine
from visits.reviewing import REVIEWS
from visits.selectors import applications_visible_to, calls_visible_to

RANKING_PAGE_SIZE = 50


@login_required
@require_GET
def call_ranking(request, pk):
    call = object_for(
        request.user, calls_visible_to(user=request.user), "visits.manage_call", pk=pk
    )
    # The criteria and the ranking are one cached fragment under what they show
    # (visits/standings.py): a hit reads the call and the versions, nothing else. Counting the
    # 20,000 applications of a call and drawing a page of them was most of the page's time.
    ranking = functools.cache(lambda: _ranking(call, request.GET.get("page")))
    return render(
        request,
        "visits/ranking_call.html",
        {
            "call": call,
            "ranking": ranking,
            "ranking_key": standings.page_key(call),
            "ranking_order": scoring.RANKING_ORDER,
        },
    )


def _ranking(call, page_number) -> dict:
    """What the ranking page shows of `call`'s applications (read on a miss only): its
    criteria, the page `page_number` of the ranking with every criterion's points, and the
    numbers of applications ranked and not ranked."""
    criteria = list(Criterion.objects.filter(call=call).order_by("position", "pk"))
    counts = call.applications.aggregate(
        submitted=Count("pk", filter=Q(status=ApplicationStatus.SUBMITTED)),
        others=Count("pk", filter=~Q(status=ApplicationStatus.SUBMITTED)),
    )
    paginator = Paginator(scoring.ranked_applications(call=call), RANKING_PAGE_SIZE)
    # Both counts in one query above: the paginator need not count again.
    paginator.count = counts["submitted"]
    page = paginator.get_page(page_number)
    applications = list(page.object_list)
    lines = scoring.ranking_lines(applications=[a["pk"] for a in applications])
    # Rows of plain text made here, once per distinct value: the page of 50 rows of a call of
    # 20,000 spent most of its time formatting numbers, translating the same status words and
    # reversing the same route (benchmarks/bench_visits_scoring.py).
    number = functools.cache(lambda value: "" if value is None else formats.number_format(value))
    statuses = {value: str(label) for value, label in ApplicationStatus.choices}
    decisions = {value: str(label) for value, label in Decision.choices}
    score_url = reverse("visit_application_score", args=[0]).replace("/0/", "/{}/")
    cell = _cell_writer(number)
    rows = [
        {
            "pk": a["pk"],
            "rank": a["rank"],
            "city": a["city__name"],
            "country": a["city__country__name"],
            "total": number(a["total"]),
            "url": score_url.format(a["pk"]),
            "status": statuses.get(a["status"], a["status"]),
            "decision": decisions.get(a["decision"], ""),
            "cells": format_html_join(
                "",
                "{}",
                (
                    (cell(criterion.name, lines.get((a["pk"], criterion.pk))),)
                    for criterion in criteria
                ),
            ),
        }
        for a in applications
    ]
    return {
        "criteria": [{"criterion": c, "rule": scoring.rule_sentence(c.rule)} for c in criteria],
        "rows": rows,
        "page_obj": page,
        "not_ranked": counts["others"],
    }


def _cell_writer(number):
    """A criterion's cell as HTML: its points (empty: not scored), flagged when reviewers
    disagree, labelled with the criterion's name for narrow screens. Written here rather than
    in the template: the 350 cells of a page were most of its rendering."""
    disagree = _("reviewers disagree")
    flag = format_html(
        ' <span class="flag" data-disagreement title="{}">⚑<span class="visually-hidden"> {}'
        "</span></span>",
        disagree,
        disagree,
    )
    not_scored = format_html('<span class="empty">{}</span>', _("not scored"))

    def cell(name: str, line: tuple | None) -> str:
        points, disagreement = line if line is not None else (None, False)
        shown = number(points)
        if not shown:
            content = not_scored
        elif disagreement:
            content = format_html("{}{}", shown, flag)
        else:
            content = shown
        return format_html('<td data-label="{}" class="numeric">{}</td>', name, content)

    return cell


@login_required
@require_POST
def call_scoring_run(request, pk):
    call = object_for(request.user, calls_visible_to(user=request.user), pk=pk)
    scoring.call_scoring_run(acting_user=request.user, call=call)
    messages.success(
        request,
        _("Scoring is running: the ranking shows the new scores when it has finished."),
    )
    return redirect("visit_call_ranking", pk=call.pk)


@login_required
@require_GET
def application_score(request, pk):
    application = object_for(
        request.user,
        applications_visible_to(user=request.user).select_related("call", "city__country"),
        "visits.view_application_score",
        pk=pk,
    )
    call = application.call
    # Names of reviewers are for admins; a city's officers read "Reviewer 1, 2, ...".
    names_shown = is_programme_admin(request.user)
    return render(
        request,
        "visits/score_application.html",
        {
            "application": application,
            "call": call,
            # The lines are a cached fragment (`_lines_key`): read and laid out on a miss only.
            "lines": functools.cache(lambda: _score_lines(application, names_shown=names_shown)),
            "lines_key": _lines_key(application, names_shown=names_shown),
            "aggregation": Aggregation(call.aggregation).label,
            "ranking_order": scoring.RANKING_ORDER,
            "is_admin": names_shown,
        },
    )


def _lines_key(application, *, names_shown: bool) -> str:
    """What the "why this score" page's lines show, for its cached fragment: the versions of
    the call's criteria (visits.versions.call_scope), of the reviews and their scores
    (visits.reviewing.REVIEWS: raised by the reviewing services' writes and by every save of a
    review or a score, home/page_versions.py) and of people's names
    (cohorts.versions.PEOPLE_NAMES), one query; the time of the call's last scoring, which
    scoring writes in the same transaction as every line it changes (those are written in
    bulk, without signals); and whether reviewers are named (admins) or numbered (the city's
    officers). The total and the rank are read with the application, outside the fragment."""
    call = application.call
    return "|".join(
        (
            versions(call_scope(call.pk), REVIEWS, PEOPLE_NAMES),
            str(application.pk),
            call.scored_at.isoformat() if call.scored_at else "",
            "names" if names_shown else "numbers",
        )
    )


def _score_lines(application, *, names_shown: bool) -> list[dict]:
    """The application's lines, each with its criterion, how it is scored and the points of
    each submitted review (named or numbered): two queries."""
    lines = (
        ScoreLine.objects.filter(application=application)
        .select_related("criterion")
        .order_by("criterion__position", "criterion")
    )
    reviewers = scoring.reviewers_points(application=application)
    # The same number for a reviewer on every line.
    number_of = {
        review_id: n
        for n, review_id in enumerate(
            sorted({r.review_id for points in reviewers.values() for r in points}), start=1
        )
    }
    shown = []
    for line in lines:
        criterion = line.criterion
        points = reviewers.get(criterion.pk, [])
        shown.append(
            {
                "line": line,
                "criterion": criterion,
                "manual": criterion.kind == CriterionKind.MANUAL,
                "rule": scoring.rule_sentence(criterion.rule),
                "reviewers": [
                    {
                        "name": r.name
                        if names_shown
                        else _("Reviewer %(n)s") % {"n": number_of[r.review_id]},
                        "points": r.points,
                    }
                    for r in points
                ],
            }
        )
    return shown
