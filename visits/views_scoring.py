"""Scoring's pages (visits/scoring.py): the call's ranking with its "Run scoring" button, for
programme admins, and an application's "why this score" page (who sees it: visits/rules.py)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.rules import is_programme_admin
from portal.permissions import object_for
from visits import scoring
from visits.enums import Aggregation, ApplicationStatus, CriterionKind
from visits.models import Criterion, ScoreLine
from visits.selectors import applications_visible_to, calls_visible_to

RANKING_PAGE_SIZE = 50


@login_required
@require_GET
def call_ranking(request, pk):
    call = object_for(
        request.user, calls_visible_to(user=request.user), "visits.manage_call", pk=pk
    )
    criteria = list(Criterion.objects.filter(call=call).order_by("position", "pk"))
    page = Paginator(scoring.ranked_applications(call=call), RANKING_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    lines = scoring.ranking_rows(call=call, applications=list(page.object_list))
    rows = [
        {
            "application": application,
            "cells": [
                {"name": criterion.name, "line": lines.get(application.pk, {}).get(criterion.pk)}
                for criterion in criteria
            ],
        }
        for application in page.object_list
    ]
    unranked = (
        call.applications.exclude(status=ApplicationStatus.SUBMITTED).values("status").order_by()
    )
    return render(
        request,
        "visits/ranking_call.html",
        {
            "call": call,
            "criteria": [{"criterion": c, "rule": scoring.rule_sentence(c.rule)} for c in criteria],
            "rows": rows,
            "page_obj": page,
            "not_ranked": unranked.count(),
            "ranking_order": scoring.RANKING_ORDER,
        },
    )


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
    lines = (
        ScoreLine.objects.filter(application=application)
        .select_related("criterion")
        .order_by("criterion__position", "criterion")
    )
    reviewers = scoring.reviewers_points(application=application)
    # Names of reviewers are for admins; a city's officers read "Reviewer 1, 2, ...".
    names_shown = is_programme_admin(request.user)
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
    return render(
        request,
        "visits/score_application.html",
        {
            "application": application,
            "call": call,
            "lines": shown,
            "aggregation": Aggregation(call.aggregation).label,
            "ranking_order": scoring.RANKING_ORDER,
            "is_admin": names_shown,
        },
    )
