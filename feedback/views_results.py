"""A survey's results page, its charts as SVG files and the reminder to those who have not
answered (issue 11).

Who may read the results (feedback.view_survey_results: the survey's cohort's facilitators and
programme admins) gets them. Someone the survey asks (who sees it to answer it) gets 403, as for
a session they see but may not edit; everyone else 404: the survey's existence is not revealed.
"""

import functools

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy, ngettext, pgettext, pgettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET, require_http_methods

from cities.enums import CityType
from cities.models import Country
from cohorts.models import ThematicGroup
from feedback.charts import chart_context, question_chart
from feedback.enums import ResponseUnit, SurveyScope
from feedback.models import Question, Survey
from feedback.reminders import reminder_refusal, survey_reminders_send
from feedback.results import (
    GROUP_MEMBERS,
    NO_FILTERS_FOR_ANONYMOUS,
    ResultFilters,
    asked_cities,
    not_answered,
    people_to_remind,
    response_rate,
    results_scope,
    survey_cohorts,
    survey_results,
)
from portal.errors import ApplicationError
from portal.fragments import TIMEOUT_SECONDS, cache_key, joined, version_map, versions
from portal.permissions import PermissionRefused
from roadmaps.summary import narrow_chart
from sessions.caching import CITIES, NAMES, VISIBILITY, session_scope
from sessions.selectors import session_access_of

RESULTS = "feedback.view_survey_results"
FILTER_NAMES = ("cohort", "group", "city_type", "country")
# Who has not answered, listed on the page; beyond, the page says how many more.
MISSING_LIMIT = 200


def _survey_for(request, pk: int, perm: str) -> Survey:
    """The survey if the person holds `perm` on it; 403 if they only see it (asked, or they
    read its results), 404 otherwise."""
    survey = get_object_or_404(Survey.objects.select_related("session", "cohort"), pk=pk)
    user = request.user
    if user.has_perm(perm, survey):
        return survey
    if user.has_perm(RESULTS, survey) or user.has_perm("feedback.answer_survey", survey):
        raise PermissionRefused
    raise Http404


class ResultFilterForm(forms.Form):
    """The filters of a named survey's results, with the choices the survey can have: its
    cohorts, their thematic groups, the countries of the cities it asks."""

    cohort = forms.ModelChoiceField(
        label=gettext_lazy("Cohort"),
        queryset=None,
        required=False,
        empty_label=pgettext_lazy("any value of a filter", "All"),
    )
    group = forms.ModelChoiceField(
        label=gettext_lazy("Thematic group"),
        queryset=None,
        required=False,
        empty_label=pgettext_lazy("any value of a filter", "All"),
    )
    city_type = forms.ChoiceField(label=gettext_lazy("City type"), required=False)
    country = forms.ModelChoiceField(
        label=gettext_lazy("Country"),
        queryset=None,
        required=False,
        empty_label=pgettext_lazy("any value of a filter", "All"),
    )

    def __init__(self, *args, survey: Survey, **kwargs):
        super().__init__(*args, **kwargs)
        cohorts = survey_cohorts(survey)
        self.fields["cohort"].queryset = cohorts.order_by("number", "pk")
        self.fields["group"].queryset = (
            ThematicGroup.objects.filter(cohort__in=cohorts)
            .select_related("cohort", "sector")
            .order_by("cohort__number", "sector__position", "pk")
        )
        self.fields["city_type"].choices = [
            ("", pgettext("any value of a filter", "All")),
            *CityType.choices,
        ]
        self.fields["country"].queryset = Country.objects.filter(
            pk__in=asked_cities(survey).values("country_id")
        ).order_by("name")

    def filters(self) -> ResultFilters:
        data = self.cleaned_data
        return ResultFilters(
            cohort_id=data["cohort"].pk if data.get("cohort") else None,
            group_id=data["group"].pk if data.get("group") else None,
            city_type=data.get("city_type") or None,
            country_id=data["country"].pk if data.get("country") else None,
        )


def _chart_context(survey: Survey, result, index: int, chart) -> dict:
    return chart_context(result, chart)


@login_required
@require_GET
# Results name cities: no shared cache keeps them, nor the browser's disk.
@cache_control(private=True, no_store=True)
def survey_results_page(request, pk):
    # The versions of what the page shows, read first and in one query: the rules' facts of
    # the person are kept under the same VISIBILITY version (sessions.selectors).
    scopes = [results_scope(pk), VISIBILITY, NAMES, CITIES, GROUP_MEMBERS]
    found = version_map(*scopes)
    session_access_of(request.user, visibility=found[VISIBILITY])
    survey = _survey_for(request, pk, RESULTS)
    may_remind = not survey.is_anonymous and request.user.has_perm("feedback.change_survey", survey)
    extra = []
    if survey.scope == SurveyScope.SESSION:
        # Who registered for the session is asked too.
        extra = [session_scope(survey.session_id)]
    # Everything below the title is one cached fragment, keyed by the versions above, the
    # page's address
    # (its filters: the fragment's own key) and whether the reader may send reminders. The
    # view hands the template a callable: a hit runs none of its queries.
    key = (
        joined(found, *scopes),
        versions(*extra) if extra else "",
        may_remind,
    )
    return render(
        request,
        "feedback/results/results.html",
        {
            "survey": survey,
            "content": functools.cache(lambda: _results_content(request, survey)),
            "content_key": key,
            "may_remind": may_remind,
            # Live mode (feedback/live.py): offered to those who may change a published survey.
            "may_present": survey.is_published
            and request.user.has_perm("feedback.change_survey", survey),
        },
    )


def filters_asked(request, survey: Survey) -> dict:
    """The filters in the page's address: `form` (None for an anonymous survey), `filters`
    (the valid ones), `filter_errors` (some could not be used: show no results) and
    `filters_ignored` (an anonymous survey's message, when some were given). The results page
    and the needs by theme (feedback.views_needs) read them alike."""
    form = None
    filters = ResultFilters()
    filters_ignored = False
    if survey.is_anonymous:
        filters_ignored = any(request.GET.get(name) for name in FILTER_NAMES)
    else:
        form = ResultFilterForm(request.GET or None, survey=survey)
        if form.is_bound and form.is_valid():
            filters = form.filters()
    return {
        "form": form,
        "filters": filters,
        "filter_errors": form is not None and form.is_bound and not form.is_valid(),
        "filters_ignored": filters_ignored and NO_FILTERS_FOR_ANONYMOUS,
    }


def _results_content(request, survey: Survey) -> dict:
    asked = filters_asked(request, survey)
    form, filters, filter_errors = asked["form"], asked["filters"], asked["filter_errors"]
    results = None if filter_errors else survey_results(survey=survey, filters=filters)

    asked_count = rate = missing = None
    missing_more = 0
    if results is not None and results.shown and not results.filtered:
        asked_count, rate = response_rate(survey, results.responses)
    if results is not None and not survey.is_anonymous and not results.filtered:
        missing = list(_missing(survey)[: MISSING_LIMIT + 1])
        if len(missing) > MISSING_LIMIT:
            missing_more = not_answered(survey).count() - MISSING_LIMIT
            missing = missing[:MISSING_LIMIT]
    blocks = []
    if results is not None:
        for index, result in enumerate(results.questions):
            chart = question_chart(result)
            blocks.append(
                {
                    "result": result,
                    "chart": chart and _chart_context(survey, result, index, chart),
                    "narrow": chart and narrow_chart(chart),
                }
            )
    return {
        "results": results,
        "blocks": blocks,
        "form": form,
        "filter_errors": filter_errors,
        "filters_ignored": asked["filters_ignored"],
        "asked": asked_count,
        "rate": rate,
        "missing": missing,
        "missing_more": missing_more,
    }


def _missing(survey: Survey):
    """Who has not answered, with what a row shows: a person's name and cities, or a city."""
    rows = not_answered(survey)
    if survey.response_unit == ResponseUnit.CITY:
        return rows.select_related("country").only("name", "country__iso_code").order_by("name")
    return rows.only("full_name", "email").order_by("full_name", "email", "pk")


@login_required
@require_GET
@cache_control(private=True, no_store=True)
def survey_results_svg(request, pk, question_id):
    """One question's chart as an SVG file, the same (wide) drawing as on the page."""
    scopes = [results_scope(pk), VISIBILITY]
    found = version_map(*scopes)
    session_access_of(request.user, visibility=found[VISIBILITY])
    survey = _survey_for(request, pk, RESULTS)
    # Kept in the cache as the page's fragment is: under the survey's version and the language
    # ("" when there is no drawing to give).
    key = cache_key(
        "feedback:results-svg",
        [found[scopes[0]], question_id, get_language()],
    )
    svg = cache.get(key)
    if svg is None:
        svg = _question_svg(request, survey, question_id)
        cache.set(key, svg, TIMEOUT_SECONDS)
    if not svg:
        # Not a question of this survey, a free-text question, or results withheld under the
        # threshold: no drawing to give.
        raise Http404
    response = HttpResponse(
        '<?xml version="1.0" encoding="UTF-8"?>\n' + svg, content_type="image/svg+xml"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="survey-{survey.pk}-question-{question_id}.svg"'
    )
    return response


def _question_svg(request, survey: Survey, question_id: int) -> str:
    question = (
        Question.objects.filter(section__survey=survey, pk=question_id)
        .prefetch_related("options")
        .first()
    )
    if question is None:
        return ""
    question.option_list = list(question.options.all())
    results = survey_results(survey=survey, questions=[question])
    chart = question_chart(results.questions[0]) if results.shown else None
    if chart is None:
        return ""
    return render_to_string(
        "roadmaps/summary_chart.html",
        _chart_context(survey, results.questions[0], 0, chart),
        request=request,
    )


@login_required
@require_http_methods(["GET", "POST"])
def survey_remind(request, pk):
    """GET: how many the reminder goes to, and a button to confirm; POST: send it."""
    # The versions the kept count is under, read with the rules' facts' version (one query).
    found = version_map(results_scope(pk), VISIBILITY)
    session_access_of(request.user, visibility=found[VISIBILITY])
    survey = _survey_for(request, pk, "feedback.change_survey")
    results_url = reverse("survey_results", args=[survey.pk])
    refusal = reminder_refusal(survey)
    if refusal and request.method == "GET":
        messages.error(request, refusal)
        return redirect(results_url)
    if request.method == "POST":
        try:
            sent = survey_reminders_send(acting_user=request.user, survey=survey)
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            if sent:
                text = ngettext("%(n)s reminder sent.", "%(n)s reminders sent.", sent)
                messages.success(request, text % {"n": sent})
            else:
                messages.info(
                    request,
                    _(
                        "No reminder sent: everyone has answered, or each person who has not "
                        "was reminded today already, has had as many reminders as the rules "
                        "allow, or chose not to get survey reminders (the outbox says which)."
                    ),
                )
        return redirect(results_url)
    return render(
        request,
        "feedback/results/remind.html",
        {"survey": survey, "count": _to_remind_count(survey, found), "results_url": results_url},
    )


def _to_remind_count(survey: Survey, found: dict[str, str]) -> int:
    """How many the reminder goes to, kept under the versions of what decides it (`found`: the
    survey's responses, who is enrolled and an officer; and for a session who registered)."""
    parts = [joined(found, results_scope(survey.pk), VISIBILITY), survey.pk]
    if survey.scope == SurveyScope.SESSION:
        parts.append(versions(session_scope(survey.session_id)))
    key = cache_key("feedback:to-remind", parts)
    count = cache.get(key)
    if count is None:
        count = people_to_remind(survey).count()
        cache.set(key, count, TIMEOUT_SECONDS)
    return count
