"""Pages of the survey builder: the surveys a person builds, a new survey, and a survey's edit
page with its sections and questions (feedback.building does the work and says no).

Who reaches a survey's builder pages: those who may change it (feedback.change_survey). Anyone
else who knows of the survey (it asks them, or they read its results) is refused (403); to the
rest it does not exist (404). Dates are typed and shown in the person's own time zone.
"""

import datetime
import functools
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.paginator import Page, Paginator
from django.db.models import Count, OuterRef, Prefetch, Subquery, Window
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cohorts.enums import Programme
from feedback import building
from feedback.enums import QuestionKind
from feedback.forms_builder import (
    NewSurveyForm,
    QuestionForm,
    SectionForm,
    SurveyForm,
    about_value,
    new_question_initial,
    question_initial,
)
from feedback.models import Option, Question, Section, Survey
from feedback.results import results_scope
from feedback.selectors import STRUCTURES, SURVEYS
from feedback.survey_templates import survey_from_template
from portal.errors import ApplicationError
from portal.fragments import TIMEOUT_SECONDS, cache_key, joined, version_map, versions
from portal.permissions import PermissionRefused
from sessions.caching import NAMES, SESSIONS, VISIBILITY
from sessions.selectors import session_access_of

SURVEY_LIST_PAGE_SIZE = 25
SURVEY_FIELDS = tuple(field.name for field in Survey._meta.concrete_fields)


def _person_zone(user) -> ZoneInfo:
    try:
        return ZoneInfo(user.time_zone)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        return ZoneInfo(settings.TIME_ZONE)


def in_person_zone(view):
    """Dates typed and shown in the person's time zone (datetime-local fields have none)."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        with timezone.override(_person_zone(request.user)):
            return view(request, *args, **kwargs)

    return wrapped


def _survey(request, pk) -> Survey:
    """The survey, if this person builds it: 403 if they otherwise know of it, else 404."""
    # Only what the builder pages and the rules read of the related rows: Django took longer
    # to build a query of three joined models' every column than to run it.
    survey = (
        Survey.objects.select_related("session", "session__cohort", "cohort")
        .only(
            *SURVEY_FIELDS,
            "session__title",
            "session__cohort_id",
            "session__cohort__name",
            "cohort__name",
        )
        .filter(pk=pk)
        .first()
    )
    if survey is None:
        raise Http404
    user = request.user
    if user.has_perm("feedback.change_survey", survey):
        return survey
    if user.has_perm("feedback.view_survey_results", survey) or user.has_perm(
        "feedback.answer_survey", survey
    ):
        raise PermissionRefused
    raise Http404


def _section(survey, section_pk) -> Section:
    section = Section.objects.filter(pk=section_pk, survey=survey).first()
    if section is None:
        raise Http404
    section.survey = survey
    return section


def _question(survey, question_pk) -> Question:
    question = (
        Question.objects.select_related("section")
        .filter(pk=question_pk, section__survey=survey)
        .first()
    )
    if question is None:
        raise Http404
    question.section.survey = survey
    return question


def _show_error(form, error: ApplicationError) -> None:
    form.add_error(error.field if error.field in form.fields else None, error.message)


def _edit_url(survey, anchor: str = "") -> str:
    url = reverse("survey_build_edit", args=[survey.pk])
    return f"{url}#{anchor}" if anchor else url


# --- The list and a new survey ----------------------------------------------------------------


def _may_build(request) -> None:
    if not building.builds_surveys(request.user):
        raise PermissionRefused(_("You build no surveys: facilitators and admins do."))


# What the list of surveys shows: the surveys (SURVEYS: their fields), their numbers of
# questions (STRUCTURES), their sessions' titles (SESSIONS) and cohorts' names (NAMES), and
# which surveys the person builds (VISIBILITY: the cohorts they facilitate).
LIST_SCOPES = (SURVEYS, STRUCTURES, SESSIONS, NAMES, VISIBILITY)


@login_required
@require_GET
@in_person_zone
def survey_list(request):
    # The versions of what the list shows, in the query that gives the rules' kept facts theirs.
    found = version_map(*LIST_SCOPES)
    session_access_of(request.user, visibility=found[VISIBILITY])
    _may_build(request)
    # The table and its pages are one cached fragment, keyed by those versions, the person and
    # their admin flag (whose surveys), their time zone (the dates) and the page's address; the
    # view hands the template a callable: a hit runs none of its queries.
    key = (
        joined(found, *LIST_SCOPES),
        request.user.pk,
        request.user.is_programme_admin,
        timezone.get_current_timezone_name(),
    )
    return render(
        request,
        "feedback/builder/survey_list.html",
        {"surveys_page": functools.cache(lambda: _list_page(request)), "list_key": key},
    )


def _list_page(request) -> Page:
    # Plain values: the list shows a few fields of each survey, and building model instances
    # with three related rows each cost more than the page's queries.
    # Each survey's number of questions comes in the same query (a subquery per row of the
    # page): a query of its own was a round trip more than the page needed.
    question_count = Coalesce(
        Subquery(
            Question.objects.filter(section__survey=OuterRef("pk"))
            .order_by()
            .values("section__survey")
            .annotate(count=Count("pk"))
            .values("count")[:1]
        ),
        0,
    )
    surveys = (
        building.surveys_built_by(user=request.user)
        .order_by("-opens_at", "pk")
        .annotate(question_count=question_count)
        .values(
            "pk",
            "title",
            "opens_at",
            "closes_at",
            "is_published",
            "is_anonymous",
            "programme",
            "session_id",
            "session__title",
            "session__cohort__name",
            "cohort_id",
            "cohort__name",
            "question_count",
        )
    )
    page = _page_of(surveys, request.GET.get("page"))
    programmes = dict(Programme.choices)
    for row in page.object_list:
        row["programme_label"] = programmes.get(row["programme"], "")
    return page


def _page_of(surveys, asked) -> Page:
    """The page of the list asked for, its rows and the number of all surveys in one query (a
    window's count beside each row): the paginator's own count was a round trip of its own.
    An empty list, a page past the end or an odd number: the paginator's way (it counts, then
    gives the last page or the first)."""
    paginator = Paginator(surveys, SURVEY_LIST_PAGE_SIZE)
    number = 1 if asked is None else int(asked) if asked.isdigit() else 0
    if number >= 1:
        start = (number - 1) * SURVEY_LIST_PAGE_SIZE
        rows = list(
            surveys.annotate(total=Window(Count("pk")))[start : start + SURVEY_LIST_PAGE_SIZE]
        )
        if rows:
            paginator.count = rows[0]["total"]
            return Page(rows, number, paginator)
    return paginator.get_page(asked)


@login_required
@require_http_methods(["GET", "POST"])
@in_person_zone
def survey_create(request):
    _may_build(request)
    if request.method != "POST":
        form = SimpleLazyObject(lambda: NewSurveyForm(user=request.user))
        return render(
            request,
            "feedback/builder/survey_new.html",
            {"form": form, "form_key": _settings_form_key(request)},
        )
    form = NewSurveyForm(request.POST, user=request.user)
    if form.is_valid():
        data = form.cleaned_data
        try:
            survey = _survey_new(request.user, data)
        except ApplicationError as error:
            _show_error(form, error)
        else:
            messages.success(request, _("Survey created. Add its questions."))
            return redirect("survey_build_edit", pk=survey.pk)
    return render(
        request, "feedback/builder/survey_new.html", {"form": form, "form_is_bound": True}
    )


def _survey_new(user, data: dict):
    """An empty survey, or a copy of the template chosen (its own introduction; the minimum of
    responses is the default, changed on the edit page)."""
    about = data["about"]
    if data["template_key"]:
        return survey_from_template(
            template_key=data["template_key"],
            target=about.session or about.cohort or about.programme,
            opens_at=data["opens_at"],
            closes_at=data["closes_at"],
            is_anonymous=data["is_anonymous"],
            response_unit=data["response_unit"],
            title=data["title"],
            acting_user=user,
        )
    return building.survey_create(
        acting_user=user,
        title=data["title"],
        introduction=data["introduction"],
        attachment=about,
        opens_at=data["opens_at"],
        closes_at=data["closes_at"],
        is_anonymous=data["is_anonymous"],
        min_responses=data["min_responses"],
        response_unit=data["response_unit"],
    )


# --- A survey's edit page ---------------------------------------------------------------------


def _settings_form_key(request, *scopes, found: dict | None = None) -> list:
    """What the survey settings form shows as first drawn, for a fragment key: its "About"
    choices (the cohorts and sessions the person builds for: their facts, the sessions' and
    cohorts' names and dates; the sessions offered change with the day), the person (their
    choices and time zone), and `scopes` (the survey's own version on its edit page)."""
    user = request.user
    return [
        joined(found, VISIBILITY, SESSIONS, NAMES, *scopes)
        if found is not None
        else versions(VISIBILITY, SESSIONS, NAMES, *scopes),
        user.pk,
        user.is_programme_admin,
        timezone.get_current_timezone_name(),
        timezone.now().astimezone(datetime.UTC).date().isoformat(),
    ]


def _survey_initial(survey: Survey) -> dict:
    return {
        "title": survey.title,
        "introduction": survey.introduction,
        "about": about_value(survey),
        "opens_at": timezone.localtime(survey.opens_at),
        "closes_at": timezone.localtime(survey.closes_at),
        "is_anonymous": survey.is_anonymous,
        "min_responses": survey.min_responses,
        "response_unit": survey.response_unit,
    }


def _structure(survey: Survey) -> list[Section]:
    """The sections in order, each with its questions and their options (three queries)."""
    return list(
        survey.sections.order_by("position").prefetch_related(
            Prefetch(
                "questions",
                queryset=Question.objects.select_related("shown_if", "shown_if__question")
                .prefetch_related(Prefetch("options", queryset=Option.objects.order_by("position")))
                .order_by("position"),
            )
        )
    )


@login_required
@require_http_methods(["GET", "POST"])
@in_person_zone
def survey_edit(request, pk):
    # The versions of what the page keeps, read first in one query with the one of the rules'
    # kept facts (which the permission check then needs no query for).
    scope = building.structure_scope(pk)
    found = version_map(VISIBILITY, SESSIONS, NAMES, scope, results_scope(pk))
    session_access_of(request.user, visibility=found[VISIBILITY])
    survey = _survey(request, pk)
    if request.method == "POST":
        form = SurveyForm(request.POST, user=request.user, survey=survey)
    else:
        form = SimpleLazyObject(
            lambda: SurveyForm(user=request.user, survey=survey, initial=_survey_initial(survey))
        )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            building.survey_update(
                survey=survey,
                acting_user=request.user,
                title=data["title"],
                introduction=data["introduction"],
                attachment=data["about"],
                opens_at=data["opens_at"],
                closes_at=data["closes_at"],
                is_anonymous=data["is_anonymous"],
                min_responses=data["min_responses"],
                response_unit=data["response_unit"],
            )
        except ApplicationError as error:
            _show_error(form, error)
        else:
            messages.success(request, _("Survey settings saved."))
            return redirect("survey_build_edit", pk=survey.pk)
    # The sections, questions and history are kept in the cache under the survey's version
    # (building.structure_scope, renewed by every change): read only when drawn afresh.
    context = {
        "survey": survey,
        "form": form,
        "structure_version": found[scope],
        "form_key": _settings_form_key(request, scope, found=found),
        "form_is_bound": request.method == "POST",
        "sections": SimpleLazyObject(lambda: _structure(survey)),
        "kinds": QuestionKind.choices,
        "history": SimpleLazyObject(lambda: building.question_history(survey)),
        "zone_name": timezone.get_current_timezone_name(),
        "has_answers": _has_answers(survey, found[results_scope(pk)]),
    }
    return render(request, "feedback/builder/survey_edit.html", context)


def _has_answers(survey, results_version: str) -> bool:
    """Whether anyone has answered, kept under the survey's results version (raised with every
    response written: feedback.results.results_scope)."""
    key = cache_key("feedback:has-answers", [survey.pk, results_version])
    kept = cache.get(key)
    if kept is None:
        kept = building.survey_has_answers(survey)
        cache.set(key, kept, TIMEOUT_SECONDS)
    return kept


def _act(request, survey, action, success: str, anchor: str = ""):
    """Run a POST action of the edit page: its refusal is a message on the page."""
    try:
        action()
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, success)
    return redirect(_edit_url(survey, anchor))


@login_required
@require_POST
def survey_publish(request, pk):
    survey = _survey(request, pk)
    return _act(
        request,
        survey,
        lambda: building.survey_publish(survey=survey, acting_user=request.user),
        _("Survey published: the people it asks see it from its opening date."),
    )


@login_required
@require_POST
def survey_unpublish(request, pk):
    survey = _survey(request, pk)
    return _act(
        request,
        survey,
        lambda: building.survey_unpublish(survey=survey, acting_user=request.user),
        _("Survey unpublished: nobody is asked until you publish it again."),
    )


# --- Sections ---------------------------------------------------------------------------------


@login_required
@require_POST
def section_add(request, pk):
    survey = _survey(request, pk)
    form = SectionForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect(_edit_url(survey))
    try:
        section = building.section_add(survey=survey, acting_user=request.user, **form.cleaned_data)
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect(_edit_url(survey))
    messages.success(request, _("Section added."))
    return redirect(_edit_url(survey, f"section-{section.pk}"))


@login_required
@require_POST
def section_edit(request, pk, section_pk):
    survey = _survey(request, pk)
    section = _section(survey, section_pk)
    form = SectionForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect(_edit_url(survey, f"section-{section.pk}"))
    return _act(
        request,
        survey,
        lambda: building.section_update(
            section=section, acting_user=request.user, **form.cleaned_data
        ),
        _("Section saved."),
        f"section-{section.pk}",
    )


@login_required
@require_POST
def section_move(request, pk, section_pk):
    survey = _survey(request, pk)
    section = _section(survey, section_pk)
    direction = request.POST.get("direction")
    if direction not in (building.UP, building.DOWN):
        messages.error(request, _("Choose up or down."))
        return redirect(_edit_url(survey))
    return _act(
        request,
        survey,
        lambda: building.section_move(
            section=section, acting_user=request.user, direction=direction
        ),
        _("Section moved."),
        f"section-{section.pk}",
    )


@login_required
@require_POST
def section_delete(request, pk, section_pk):
    survey = _survey(request, pk)
    section = _section(survey, section_pk)
    return _act(
        request,
        survey,
        lambda: building.section_delete(section=section, acting_user=request.user),
        _("Section deleted."),
    )


# --- Questions --------------------------------------------------------------------------------


def _kind_asked(value, default) -> str:
    return value if value in QuestionKind.values else default


def _question_page(request, survey, *, section, question=None):
    """The question form, new (`?kind=`) or of `question`. Changing the kind of a question
    shows the form again with the new kind's fields, filled with what was written."""
    drawn = _kind_asked(
        request.POST.get("drawn_kind") or request.GET.get("kind"),
        question.kind if question else QuestionKind.SINGLE_CHOICE,
    )
    kind = _kind_asked(request.POST.get("kind"), drawn)
    context = {
        "survey": survey,
        "section": section,
        "question": question,
        "kind": kind,
        "kind_label": QuestionKind(kind).label,
        # The form as first drawn shows only the survey's structure: kept under its version.
        "structure_version": versions(building.structure_scope(survey.pk)),
    }
    if request.method != "POST":
        context["form"] = SimpleLazyObject(
            lambda: QuestionForm(
                initial=question_initial(question) if question else new_question_initial(kind),
                kind=kind,
                conditions=building.condition_choices(question or section),
            )
        )
        return render(request, "feedback/builder/question_form.html", context)
    conditions = building.condition_choices(question or section)
    initial = question_initial(question) if question else new_question_initial(kind)
    if kind != drawn:
        carried = {**initial, **new_question_initial(kind), **request.POST.dict(), "kind": kind}
        form = QuestionForm(initial=carried, kind=kind, conditions=conditions)
        messages.info(request, _("Fill in the fields of the new kind, then save."))
    else:
        form = QuestionForm(request.POST, initial=initial, kind=kind, conditions=conditions)
    if kind == drawn and form.is_valid():
        data = form.question_input()
        try:
            if question is None:
                question = building.question_add(
                    section=section, acting_user=request.user, data=data
                )
            else:
                building.question_update(question=question, acting_user=request.user, data=data)
        except ApplicationError as error:
            _show_error(form, error)
        else:
            messages.success(request, _("Question saved."))
            return redirect(_edit_url(survey, f"question-{question.pk}"))
    context["form"] = form
    context["form_is_bound"] = True
    return render(request, "feedback/builder/question_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def question_create(request, pk, section_pk):
    survey = _survey(request, pk)
    section = _section(survey, section_pk)
    return _question_page(request, survey, section=section)


@login_required
@require_http_methods(["GET", "POST"])
def question_edit(request, pk, question_pk):
    survey = _survey(request, pk)
    question = _question(survey, question_pk)
    return _question_page(request, survey, section=question.section, question=question)


@login_required
@require_POST
def question_move(request, pk, question_pk):
    survey = _survey(request, pk)
    question = _question(survey, question_pk)
    direction = request.POST.get("direction")
    if direction not in (building.UP, building.DOWN):
        messages.error(request, _("Choose up or down."))
        return redirect(_edit_url(survey))
    return _act(
        request,
        survey,
        lambda: building.question_move(
            question=question, acting_user=request.user, direction=direction
        ),
        _("Question moved."),
        f"question-{question.pk}",
    )


@login_required
@require_POST
def question_delete(request, pk, question_pk):
    survey = _survey(request, pk)
    question = _question(survey, question_pk)
    return _act(
        request,
        survey,
        lambda: building.question_delete(question=question, acting_user=request.user),
        _("Question deleted."),
        f"section-{question.section_id}",
    )
