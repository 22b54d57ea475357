"""Sending a post-session survey's chosen sub-topics to the technical session that follows
(feedback/subtopics.py): GET shows what would be written, with each sub-topic's count; POST
writes it."""

import functools

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from feedback import subtopics
from feedback.results import results_scope
from feedback.subtopics import SEND_PERM, subtopics_proposal
from feedback.views_results import _survey_for
from portal.errors import ApplicationError
from portal.fragments import joined, version_map
from sessions.caching import SESSIONS, VISIBILITY
from sessions.selectors import session_access_of


@login_required
@require_http_methods(["GET", "POST"])
def survey_subtopics_page(request, pk):
    # What the page shows depends on the survey's answers (its results' version), on which
    # technical session follows and what it holds (SESSIONS: any session's change), and on
    # what the reader may do (VISIBILITY, their kept facts): read in one query, first.
    scopes = [results_scope(pk), SESSIONS, VISIBILITY]
    found = version_map(*scopes)
    session_access_of(request.user, visibility=found[VISIBILITY])
    survey = _survey_for(request, pk, SEND_PERM)
    results_url = reverse("survey_results", args=[survey.pk])
    if request.method == "POST":
        try:
            sent = subtopics.survey_subtopics_send(survey=survey, acting_user=request.user)
        except ApplicationError as error:
            messages.error(request, error.message)
            return redirect(request.path)
        messages.success(
            request,
            _("The sub-topics are now those of “%(session)s”.") % {"session": sent.session.title},
        )
        return redirect(results_url)
    return render(
        request,
        "feedback/results/subtopics.html",
        {
            "survey": survey,
            "results_url": results_url,
            "content": functools.cache(lambda: _content(request, survey)),
            # Whether the reader may change the technical session is part of what is drawn:
            # kept per reader.
            "content_key": (joined(found, *scopes), request.user.pk),
        },
    )


def _content(request, survey) -> dict:
    try:
        proposal = subtopics_proposal(survey)
    except ApplicationError as error:
        return {"proposal": None, "refusal": error.message, "may_change_session": False}
    return {
        "proposal": proposal,
        "refusal": "",
        "may_change_session": request.user.has_perm(
            "peer_sessions.change_session", proposal.session
        ),
    }
