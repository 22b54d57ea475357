"""The pages of live mode (feedback/live.py): the presenter's screen and its controls, the page
where a participant types the code, and the participant's question.

Who sees what: the presenter's pages are for those who may change the survey; someone the survey
asks gets 403 there, everyone else 404 (as the builder's pages). The participant's page is for
those the survey asks; those who build or read it get 403, everyone else 404 (as answering's
pages). /live/ itself, where the code is typed, needs no sign-in: the code's page does, and
sign-in comes back to it.

The two fragments polled every 2 seconds read one data version first and answer 204 when it has
not changed since the version the page holds (htmx then swaps nothing): a 204 tells nothing but
that the random 62-bit version given is still the current one.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from feedback import answering, live
from feedback.charts import question_chart
from feedback.forms_answer import decorate, read_page, values_of
from feedback.models import LivePresentation, Survey
from feedback.results import results_scope
from feedback.selectors import has_participated
from portal.errors import ApplicationError
from portal.fragments import TIMEOUT_SECONDS, cache_key, joined, version_map
from portal.permissions import PermissionRefused
from roadmaps.summary import narrow_chart
from sessions.caching import VISIBILITY
from sessions.selectors import session_access_of

RESULTS = "feedback.view_survey_results"


def _no_change():
    return HttpResponse(status=204)


# --- the presenter ------------------------------------------------------------------------------


def _presented_survey(request, pk: int) -> Survey:
    survey = get_object_or_404(Survey.objects.select_related("session", "cohort"), pk=pk)
    user = request.user
    if user.has_perm(live.PRESENT_PERM, survey):
        return survey
    if user.has_perm(answering.ANSWER_PERM, survey) or user.has_perm(RESULTS, survey):
        raise PermissionRefused
    raise Http404


def _presenter_scopes(pk: int) -> list[str]:
    return [results_scope(pk), live.live_survey_scope(pk)]


def _presenter_found(request, pk: int) -> dict[str, str]:
    """The versions the presenter's pages read, with the person's facts' (one query)."""
    found = version_map(*_presenter_scopes(pk), VISIBILITY)
    session_access_of(request.user, visibility=found[VISIBILITY])
    return found


def _live_area(request, survey: Survey, state, found: dict[str, str]) -> dict:
    """What the presenter's live area shows: the question on screen, its place, its counts."""
    version = joined(found, *_presenter_scopes(survey.pk))
    context = {"survey": survey, "state": state, "version": version}
    if state is None or state.question_id is None:
        return context
    structure = answering.survey_structure(survey)
    questions = structure.questions
    index = next((i for i, q in enumerate(questions) if q.pk == state.question_id), None)
    if index is None:
        return context  # the question on screen was deleted: the presenter picks another
    question = questions[index]
    context.update(
        question=question,
        number=index + 1,
        total=len(questions),
        previous=questions[index - 1] if index > 0 else None,
        next=questions[index + 1] if index + 1 < len(questions) else None,
        results_html=_results_html(request, survey, state, question, version),
    )
    return context


def _results_html(request, survey, state, question, version: str) -> str:
    """The counts and the chart or word cloud of the question on screen, kept in the cache under
    the versions of the survey's responses and of the presentation."""
    key = cache_key(
        "feedback:live-results", [version, state.presentation_id, question.pk, get_language()]
    )
    html = cache.get(key)
    if html is None:
        found = live.live_result(
            presentation_id=state.presentation_id, survey=survey, question=question
        )
        chart = None if found.withheld or found.is_text else question_chart(found.result)
        html = render_to_string(
            "feedback/live/_results.html",
            {
                "live": found,
                "chart": chart,
                "narrow": chart and narrow_chart(chart),
                "chart_id": f"live-chart-q{question.pk}",
                "description": ngettext(
                    "%(n)s person answered so far. Each bar is how many chose it.",
                    "%(n)s people answered so far. Each bar is how many chose it.",
                    found.answered,
                )
                % {"n": found.answered},
            },
        )
        cache.set(key, html, TIMEOUT_SECONDS)
    return html


@login_required
@require_GET
@cache_control(private=True, no_store=True)
def live_present(request, pk):
    """The presenter's screen, or the button that starts live mode."""
    found = _presenter_found(request, pk)
    survey = _presented_survey(request, pk)
    state = live.state_for_survey(survey.pk, version=found[live.live_survey_scope(pk)])
    context = _live_area(request, survey, state, found)
    if state is not None:
        join_url = request.build_absolute_uri(reverse("live_join"))
        context.update(
            join_url=join_url,
            code_url=request.build_absolute_uri(reverse("live_answer", args=[state.code])),
            poll_seconds=live.POLL_SECONDS,
        )
    return render(request, "feedback/live/present.html", context)


@login_required
@require_GET
@cache_control(private=True, no_store=True)
def live_present_poll(request, pk):
    """The presenter's live area again, or 204 when nothing it shows has changed."""
    found = version_map(*_presenter_scopes(pk), VISIBILITY)
    if request.GET.get("v") == joined(found, *_presenter_scopes(pk)):
        return _no_change()
    session_access_of(request.user, visibility=found[VISIBILITY])
    survey = _presented_survey(request, pk)
    state = live.state_for_survey(survey.pk, version=found[live.live_survey_scope(pk)])
    context = _live_area(request, survey, state, found)
    context["poll_seconds"] = live.POLL_SECONDS
    return render(request, "feedback/live/_present_area.html", context)


@login_required
@require_POST
def live_start(request, pk):
    survey = _presented_survey(request, pk)
    try:
        live.live_start(acting_user=request.user, survey=survey)
    except ApplicationError as error:
        messages.error(request, error.message)
    return redirect("survey_live", pk=survey.pk)


def _running(survey: Survey) -> LivePresentation:
    presentation = (
        LivePresentation.objects.select_related("survey")
        .filter(survey=survey, closed_at__isnull=True)
        .first()
    )
    if presentation is None:
        raise ApplicationError(_("This live presentation has ended."), code="live_closed")
    return presentation


@login_required
@require_POST
def live_move(request, pk):
    """Next, previous: the question to show is posted."""
    survey = _presented_survey(request, pk)
    try:
        question_id = int(request.POST.get("question", ""))
    except ValueError:
        question_id = 0
    try:
        live.live_move(
            acting_user=request.user, presentation=_running(survey), question_id=question_id
        )
    except ApplicationError as error:
        messages.error(request, error.message)
    return redirect("survey_live", pk=survey.pk)


@login_required
@require_POST
def live_close(request, pk):
    survey = _presented_survey(request, pk)
    try:
        closing = live.live_close(acting_user=request.user, presentation=_running(survey))
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("survey_live", pk=survey.pk)
    text = (
        _("Live mode has ended.")
        + " "
        + (
            ngettext(
                "%(n)s response answered live is submitted.",
                "%(n)s responses answered live are submitted.",
                closing.submitted,
            )
            % {"n": closing.submitted}
        )
    )
    if closing.drafts:
        text += " " + (
            ngettext(
                "%(n)s stays a draft: a required question is unanswered.",
                "%(n)s stay drafts: a required question is unanswered.",
                closing.drafts,
            )
            % {"n": closing.drafts}
        )
    messages.success(request, text)
    return redirect("survey_results", pk=survey.pk)


# --- the participants -------------------------------------------------------------------------


@require_GET
def live_join(request):
    """Where a participant types the code (no sign-in needed to type it)."""
    raw = request.GET.get("code")
    error = ""
    if raw is not None:
        code = live.normalize_code(raw)
        if code is None:
            error = _("A code is six letters and digits, as shown on the presenter's screen.")
        elif _state_of_code(code) is None:
            error = _code_unknown(code)
        else:
            return redirect("live_answer", code=code)
    return render(
        request,
        "feedback/live/join.html",
        {"error": error, "code": raw or ""},
        status=200,
    )


def _state_of_code(code: str):
    scope = live.live_scope(code)
    return live.state_for_code(code, version=version_map(scope)[scope])


def _code_unknown(code: str) -> str:
    return _(
        "No live survey is running with the code “%(code)s”. Check the code on the presenter's "
        "screen: the presentation may have ended."
    ) % {"code": code}


def _answered_survey(request, survey_id: int) -> Survey:
    """The survey, for a person it asks; 403 to those who build or read it, 404 to the rest."""
    survey = get_object_or_404(Survey.objects.select_related("session"), pk=survey_id)
    user = request.user
    if user.has_perm(answering.ANSWER_PERM, survey):
        return survey
    if user.has_perm(live.PRESENT_PERM, survey) or user.has_perm(RESULTS, survey):
        raise PermissionRefused
    raise Http404


def _participant_area(request, survey, state, version, *, values=None, errors=None, error=""):
    """What the participant's live area shows: the question on screen with their answer, or why
    there is nothing to answer."""
    context = {
        "survey": survey,
        "state": state,
        "version": version,
        "error": error,
        "poll_url": reverse("live_answer_poll", args=[state.code]),
        "poll_seconds": live.POLL_SECONDS,
    }
    now = timezone.now()
    if not survey.opens_at <= now < survey.closes_at:
        context["refusal"] = _("This survey is closed: answers are no longer taken.")
        return context
    if survey.is_anonymous and has_participated(survey=survey, user=request.user):
        context["refusal"] = _("You have already answered this anonymous survey.")
        return context
    if state.question_id is None:
        context["waiting"] = True
        return context
    structure = answering.survey_structure(survey)
    question = next((q for q in structure.questions if q.pk == state.question_id), None)
    if question is None:
        context["waiting"] = True
        return context
    stored = live.own_live_answers(survey=survey, user=request.user, question=question)
    if not answering.is_shown(question, answering.chosen_options(stored)):
        context["not_for_you"] = question
        return context
    if values is None:
        values = values_of([row for row in stored if row.question_id == question.pk])
    decorate([question], values, errors or {})
    context["question"] = question
    context["answered"] = any(row.question_id == question.pk for row in stored)
    return context


def _participant_state(request, code: str):
    """The code's presentation and the versions read with the person's facts (one query)."""
    scope = live.live_scope(code)
    found = version_map(scope, VISIBILITY)
    session_access_of(request.user, visibility=found[VISIBILITY])
    return live.state_for_code(code, version=found[scope]), found[scope]


@login_required
@require_http_methods(["GET", "POST"])
@cache_control(private=True, no_store=True)
def live_answer(request, code):
    """The question on screen, to answer (POST: the answer, saved into the person's
    response)."""
    normalized = live.normalize_code(code)
    if normalized is not None and normalized != code:
        return redirect("live_answer", code=normalized)
    state, version = _participant_state(request, code) if normalized else (None, "")
    if state is None:
        return render(
            request,
            "feedback/live/join.html",
            {"error": _code_unknown(code), "code": code},
            status=404,
        )
    survey = _answered_survey(request, state.survey_id)
    saved = False
    values = errors = None
    error = ""
    if request.method == "POST":
        outcome = _save(request, survey, state)
        if outcome is True:
            if not request.htmx:
                messages.success(request, _("Your answer is saved."))
                return redirect("live_answer", code=code)
            saved = True
        else:
            values, errors, error = outcome
    context = _participant_area(
        request, survey, state, version, values=values, errors=errors, error=error
    )
    context["saved"] = saved
    template = "feedback/live/_answer_area.html" if request.htmx else "feedback/live/answer.html"
    return render(request, template, context)


def _save(request, survey, state):
    """True when the answer is saved, else (values shown again, errors by question, message)."""
    try:
        question_id = int(request.POST.get("question", ""))
    except ValueError:
        question_id = 0
    structure = answering.survey_structure(survey)
    question = next((q for q in structure.questions if q.pk == question_id), None)
    if question is None:
        return None, None, live.not_current_message()
    data, errors = read_page([question], request.POST)
    if errors:
        return data, errors, ""
    presentation = LivePresentation.objects.select_related("survey").get(pk=state.presentation_id)
    try:
        live.live_answer_save(
            acting_user=request.user,
            presentation=presentation,
            question_id=question_id,
            value=data[question_id],
        )
    except answering.AnswersInvalid as refusal:
        return data, refusal.errors, ""
    except ApplicationError as refusal:
        return None, None, refusal.message
    return True


@login_required
@require_GET
@cache_control(private=True, no_store=True)
def live_answer_poll(request, code):
    """The participant's live area again, or 204 while the same question is on screen."""
    normalized = live.normalize_code(code)
    if normalized is None:
        raise Http404
    scope = live.live_scope(code)
    found = version_map(scope, VISIBILITY)
    if request.GET.get("v") == found[scope]:
        return _no_change()
    session_access_of(request.user, visibility=found[VISIBILITY])
    state = live.state_for_code(code, version=found[scope])
    if state is None:
        return render(
            request,
            "feedback/live/_answer_ended.html",
            {"survey_url": _ended_survey_url(request)},
        )
    survey = _answered_survey(request, state.survey_id)
    context = _participant_area(request, survey, state, found[scope])
    return render(request, "feedback/live/_answer_area.html", context)


def _ended_survey_url(request) -> str:
    """The survey's page, when the ended presentation's survey is named in the poll."""
    survey = request.GET.get("survey", "")
    return reverse("survey_intro", args=[int(survey)]) if survey.isdigit() else ""
