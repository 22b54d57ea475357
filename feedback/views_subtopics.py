"""Sending a post-session survey's chosen sub-topics to the technical session that follows
(feedback/subtopics.py): GET shows what would be written, with each sub-topic's count; POST
writes it."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from feedback import subtopics
from feedback.subtopics import SEND_PERM, subtopics_proposal
from feedback.views_results import _survey_for
from portal.errors import ApplicationError


@login_required
@require_http_methods(["GET", "POST"])
def survey_subtopics_page(request, pk):
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
    proposal = refusal = None
    try:
        proposal = subtopics_proposal(survey)
    except ApplicationError as error:
        refusal = error.message
    return render(
        request,
        "feedback/results/subtopics.html",
        {
            "survey": survey,
            "proposal": proposal,
            "refusal": refusal,
            "results_url": results_url,
            "may_change_session": proposal is not None
            and request.user.has_perm("peer_sessions.change_session", proposal.session),
        },
    )
