"""The pages of answering a survey (issue 11): its introduction, one page per section, and the
confirmation. No script is needed: each page is a form that saves the draft on the server
(Previous, Next, Save draft; Submit on the last), so a person resumes on any device."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from cities.selectors import cities_of_officer
from feedback import answering, needs_prefill
from feedback.enums import ResponseStatus, ResponseUnit
from feedback.forms_answer import decorate, read_page, values_of
from feedback.models import Answer, Survey
from feedback.selectors import (
    SURVEYS,
    city_responses,
    has_participated,
    own_answers,
    own_response,
    structure_scope,
)
from portal.errors import ApplicationError
from portal.fragments import TIMEOUT_SECONDS, cache_key, joined, version_map
from portal.permissions import PermissionRefused
from sessions.caching import SESSIONS, VISIBILITY
from sessions.selectors import session_access_of

# Refusals that mean the page cannot be answered at all: back to the introduction, which
# says why.
_LEAVE = {"closed", "not_open", "already_answered", "already_submitted"}


def _survey(request, pk) -> Survey:
    """The survey, for a person it asks. Those who build or read it get 403; everyone else
    404 (its existence is not revealed). `structure_version`: its structure's version, read in
    one query with that of the rules' kept facts of the person."""
    scope = structure_scope(pk)
    found = version_map(VISIBILITY, scope, SURVEYS, SESSIONS)
    session_access_of(request.user, visibility=found[VISIBILITY])
    # The survey and its session as the rules read them, kept under the versions raised by
    # every save of a survey (SURVEYS) and of a session (SESSIONS): many people answer the
    # same survey, and its row costs a query and the ORM's compiling on each of their pages.
    key = cache_key("feedback:answer-survey", [pk, joined(found, SURVEYS, SESSIONS)])
    survey = cache.get(key)
    if survey is None:
        survey = get_object_or_404(Survey.objects.select_related("session"), pk=pk)
        cache.set(key, survey, TIMEOUT_SECONDS)
    survey.structure_version = found[scope]
    user = request.user
    if user.has_perm(answering.ANSWER_PERM, survey):
        return survey
    if user.has_perm("feedback.change_survey", survey) or user.has_perm(
        "feedback.view_survey_results", survey
    ):
        raise PermissionRefused
    raise Http404


def _state(survey: Survey, now) -> str:
    if now < survey.opens_at:
        return "not_open"
    if now >= survey.closes_at:
        return "closed"
    return "open"


def _chosen_city(request, survey):
    """The city a per-city survey is answered for: the one named in the request (one of the
    person's cities), or their only city. None for a per-person survey."""
    if survey.response_unit != ResponseUnit.CITY:
        return None
    cities = list(cities_of_officer(user=request.user))
    raw = request.POST.get("city") or request.GET.get("city")
    if raw:
        city = next((c for c in cities if str(c.pk) == raw), None)
        if city is None:
            raise Http404
        return city
    if len(cities) == 1:
        return cities[0]
    return None


def _page_url(survey, page, city=None) -> str:
    url = reverse("survey_answer", args=[survey.pk, page])
    return f"{url}?{urlencode({'city': city.pk})}" if city is not None else url


@login_required
@require_http_methods(["GET", "POST"])
def survey_intro(request, pk):
    survey = _survey(request, pk)
    now = timezone.now()
    error = ""
    if request.method == "POST":
        city = _chosen_city(request, survey)
        try:
            response = answering.response_for(survey=survey, acting_user=request.user, city=city)
        except ApplicationError as refusal:
            error = refusal.message
        else:
            return redirect(_page_url(survey, response.page, city))
    context = {"survey": survey, "state": _state(survey, now), "error": error}
    if survey.response_unit == ResponseUnit.CITY:
        cities = list(cities_of_officer(user=request.user))
        # Only the cities the survey asks (one of their cities may be in another cohort).
        asked = answering.city_ids_asked(survey, [c.pk for c in cities])
        cities = [city for city in cities if city.pk in asked]
        responses = city_responses(survey=survey, city_ids=[c.pk for c in cities])
        for city in cities:
            city.response = responses.get(city.pk)
        context["cities"] = cities
    elif survey.is_anonymous and has_participated(survey=survey, user=request.user):
        context["participated"] = True
    else:
        context["response"] = own_response(survey=survey, user=request.user)
    # The kept structure's (answering.survey_structure): no query when it is kept.
    structure = answering.survey_structure(survey, page=0, version=survey.structure_version)
    context["page_count"] = len(structure.sections)
    return render(request, "feedback/answer/intro.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def survey_answer(request, pk, page):
    survey = _survey(request, pk)
    if _state(survey, timezone.now()) != "open":
        return redirect("survey_intro", pk=survey.pk)
    city = _chosen_city(request, survey)
    if survey.response_unit == ResponseUnit.CITY and city is None:
        return redirect("survey_intro", pk=survey.pk)
    structure = answering.survey_structure(survey, page=page, version=survey.structure_version)
    if not 1 <= page <= len(structure.sections):
        raise Http404
    section = structure.sections[page - 1]
    questions = structure.by_section.get(section.pk, [])
    last = page == len(structure.sections)
    errors: dict[int, str] = {}
    error = ""
    missing = []
    values = None
    response = None
    if request.method == "POST":
        data, errors = read_page(questions, request.POST)
        values = data
        action = request.POST.get("action", "save")
        if not errors:
            try:
                response = answering.response_for(
                    survey=survey, acting_user=request.user, city=city
                )
                response = answering.response_page_save(
                    response=response,
                    section=section,
                    data=data,
                    acting_user=request.user,
                    structure=structure,
                    resume_at=page + 1 if action == "next" and not last else page,
                )
                if action == "submit" and last:
                    submitted = answering.response_submit(
                        response=response, acting_user=request.user
                    )
                    if submitted.facts_filled:
                        messages.info(
                            request,
                            _("Your answers also filled in what was still empty: %(what)s.")
                            % {"what": "; ".join(submitted.facts_filled)},
                        )
                    done = reverse("survey_answer_done", args=[survey.pk])
                    return redirect(done)
            except answering.AnswersInvalid as refusal:
                errors = refusal.errors
            except answering.ResponseIncomplete as refusal:
                error = refusal.message
                missing = [
                    (
                        question,
                        _page_url(
                            survey, structure.page_number(_section_of(structure, question)), city
                        )
                        + f"#q{question.pk}",
                    )
                    for question in refusal.questions
                ]
            except ApplicationError as refusal:
                if refusal.code in _LEAVE:
                    messages.error(request, refusal.message)
                    return redirect("survey_intro", pk=survey.pk)
                error = refusal.message
            else:
                if action == "previous" and page > 1:
                    return redirect(_page_url(survey, page - 1, city))
                if action == "next" and not last:
                    return redirect(_page_url(survey, page + 1, city))
                messages.success(request, _("Your draft is saved."))
                return redirect(_page_url(survey, page, city))
    if response is None:
        if survey.is_anonymous and has_participated(survey=survey, user=request.user):
            return redirect("survey_intro", pk=survey.pk)
        # The response's state and its answers in one query; the rows as named tuples (the
        # attributes the page reads): no model to build for each.
        status, stored = own_answers(survey=survey, user=request.user, city=city)
    else:
        status = response.status
        stored = list(
            Answer.objects.filter(response=response).values_list(
                "question_id", "option_id", "number", "not_applicable", "text", named=True
            )
        )
    chosen = answering.chosen_options(stored)
    if values is not None:
        # What was posted is shown again as it was, with its messages.
        chosen |= {
            value.get("option")
            for value in values.values()
            if isinstance(value, dict) and value.get("option")
        }
        for value in values.values():
            chosen |= set(value.get("options") or [])
    else:
        values = values_of(stored)
    shown = []
    for question in questions:
        condition = question.shown_if
        if condition is not None:
            owner = next(q for q in structure.questions if q.pk == condition.question_id)
            question.condition_question = owner
            question.condition_here = owner.section_id == section.pk
            if not question.condition_here and condition.pk not in chosen:
                continue
        shown.append(question)
    needs_prefill.reuse_notes(survey, shown)
    decorate(shown, values, errors)
    return render(
        request,
        "feedback/answer/page.html",
        {
            "survey": survey,
            "section": section,
            "questions": shown,
            "page": page,
            "page_count": len(structure.sections),
            "last": last,
            "city": city,
            "was_submitted": status == ResponseStatus.SUBMITTED,
            "errors": [q for q in shown if q.error],
            "error": error,
            "missing": missing,
        },
        status=200,
    )


def _section_of(structure, question):
    return next(s for s in structure.sections if s.pk == question.section_id)


@login_required
def survey_answer_done(request, pk):
    survey = _survey(request, pk)
    return render(request, "feedback/answer/done.html", {"survey": survey})
