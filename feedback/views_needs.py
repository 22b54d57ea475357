"""The needs assessment's results by enabling theme (feedback/needs.py): a page beside the
results page, read by the same people (feedback.view_survey_results), with the same filters
and kept in the cache the same way."""

import functools

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from feedback.needs import results_by_theme
from feedback.results import GROUP_MEMBERS, results_scope
from feedback.views_results import RESULTS, _survey_for, filters_asked
from portal.fragments import joined, version_map
from sessions.caching import CITIES, NAMES, VISIBILITY
from sessions.selectors import session_access_of


@login_required
@require_GET
# Results name cities: no shared cache keeps them, nor the browser's disk.
@cache_control(private=True, no_store=True)
def survey_results_themes(request, pk):
    # As the results page: the versions first, in one query with the person's kept facts.
    scopes = [results_scope(pk), VISIBILITY, NAMES, CITIES, GROUP_MEMBERS]
    found = version_map(*scopes)
    session_access_of(request.user, visibility=found[VISIBILITY])
    survey = _survey_for(request, pk, RESULTS)
    return render(
        request,
        "feedback/results/themes.html",
        {
            "survey": survey,
            "content": functools.cache(lambda: _themes_content(request, survey)),
            # The fragment's own key adds the page's address (its filters) and the language.
            "content_key": joined(found, *scopes),
        },
    )


def _themes_content(request, survey) -> dict:
    asked = filters_asked(request, survey)
    results, themes = None, []
    if not asked["filter_errors"]:
        results, themes = results_by_theme(survey=survey, filters=asked["filters"])
    return {**asked, "results": results, "themes": themes}
