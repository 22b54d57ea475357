"""The comparison page: surveys of one ready template side by side (feedback/comparison.py).

/surveys/compare/?template=<key>&survey=<id>&survey=<id>...: those who read results of some
survey (programme admins, facilitators) pick a template, then the surveys of it whose results
they may read; the others get 403, as for the survey builder's list. A survey in the address
whose results the person may not read is a 404, as its results page is to someone it does not
ask: its existence is not revealed.

Kept in the cache: the surveys listed (per person) and everything below the choice (the
figures, tables and charts, under each survey's results version), so a page read again runs
three queries (session, person, versions) whatever the surveys' sizes.
"""

import functools

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.db.models import Q
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from accounts.rules import is_programme_admin
from feedback.building import builds_surveys
from feedback.charts import grouped_chart
from feedback.comparison import MAX_COMPARED, results_visible_to, survey_comparison
from feedback.enums import SurveyScope
from feedback.models import Survey
from feedback.results import results_scope
from feedback.selectors import SURVEYS
from feedback.survey_templates import TEMPLATES
from portal.fragments import TIMEOUT_SECONDS, cache_key, joined, version_map, versions
from portal.permissions import PermissionRefused
from sessions.caching import NAMES, SESSIONS, VISIBILITY, session_scope
from sessions.selectors import session_access_of


@login_required
@require_GET
# Results name cities and people's answers: no shared cache keeps them, nor the browser's disk.
@cache_control(private=True, no_store=True)
def survey_compare(request):
    raw = request.GET.getlist("survey")
    bad = [value for value in raw if not value.isdigit()]
    ids = list(dict.fromkeys(int(value) for value in raw if value.isdigit()))
    # The versions of what the page shows, in one query, with the rules' facts' version.
    scopes = [VISIBILITY, NAMES, *(results_scope(pk) for pk in ids)]
    found = version_map(*scopes, SURVEYS, SESSIONS)
    session_access_of(request.user, visibility=found[VISIBILITY])
    if not builds_surveys(request.user):
        raise PermissionRefused
    # The surveys asked for and every survey of their template (or of the template picked),
    # among those whose results the person may read, in one query.
    requested = request.GET.get("template", "")
    rows = []
    if ids or requested:
        # Kept in the cache, for this person, under the versions of what decides it: who
        # facilitates what (VISIBILITY), every survey's save (SURVEYS) and the names shown
        # (cohorts': NAMES; sessions': SESSIONS).
        key = cache_key(
            "feedback:compare-surveys",
            [
                joined(found, VISIBILITY, NAMES, SURVEYS, SESSIONS),
                request.user.pk,
                is_programme_admin(request.user),
                ids,
                requested,
            ],
        )
        rows = cache.get(key)
        if rows is None:
            rows = _surveys_of(request.user, ids, requested)
            cache.set(key, rows, TIMEOUT_SECONDS)
    chosen = [survey for survey in rows if survey.pk in ids]
    if len(chosen) != len(ids):
        raise Http404
    if bad:
        messages.error(request, _("Choose the surveys to compare from the list."))

    keys = {survey.template_key for survey in chosen}
    template_key = requested
    if chosen and requested and keys != {requested}:
        # Another template was picked while surveys of the first were ticked: its surveys.
        chosen, keys = [], set()
    if chosen and len(keys) == 1:
        template_key = next(iter(keys))
    candidates = [s for s in rows if template_key and s.template_key == template_key]

    problem = _problem(chosen, keys)
    if problem:
        messages.error(request, problem)
    compared = chosen if not problem and len(chosen) >= 2 else []
    extra = [session_scope(s.session_id) for s in compared if s.scope == SurveyScope.SESSION]
    content_key = (joined(found, *scopes), versions(*extra) if extra else "")
    return render(
        request,
        "feedback/results/compare.html",
        {
            "templates": [(key, template.name) for key, template in TEMPLATES.items()],
            "template_key": template_key,
            "template_name": TEMPLATES[template_key].name if template_key in TEMPLATES else "",
            "candidates": candidates,
            "chosen_ids": {survey.pk for survey in chosen},
            "compared": compared,
            "single": len(chosen) == 1 and not problem,
            "max_compared": MAX_COMPARED,
            "content": functools.cache(lambda: _content(compared)),
            "content_key": content_key,
        },
    )


def _surveys_of(user, ids: list[int], requested: str) -> list[Survey]:
    """The surveys `ids` and every survey of their template (or of the template `requested`),
    among those whose results the person may read, oldest first, in one query."""
    of_ids = Survey.objects.filter(pk__in=ids).exclude(template_key="").values("template_key")
    condition = Q(pk__in=ids) | Q(template_key__in=of_ids)
    if requested:
        condition |= Q(template_key=requested)
    return list(results_visible_to(user=user).filter(condition).order_by("opens_at", "pk"))


def _problem(chosen, keys) -> str:
    if len(keys) > 1 or (chosen and not next(iter(keys))):
        return _(
            "Only surveys copied from the same ready template can be compared: choose surveys "
            "of one template."
        )
    if len(chosen) > MAX_COMPARED:
        return ngettext(
            "Choose at most %(n)s survey to compare.",
            "Choose at most %(n)s surveys to compare.",
            MAX_COMPARED,
        ) % {"n": MAX_COMPARED}
    return ""


def _content(surveys) -> dict:
    if not surveys:
        return {"comparison": None, "blocks": []}
    comparison = survey_comparison(surveys)
    blocks = []
    for index, compared in enumerate(comparison.questions):
        blocks.append(
            {
                "compared": compared,
                "chart": grouped_chart(compared, comparison.columns),
                "chart_id": f"compare-chart-{index}",
                "rows": [
                    (line.label, list(zip(line.figures, comparison.columns, strict=True)))
                    for line in compared.lines
                ],
                "sides": list(zip(compared.sides, comparison.columns, strict=True)),
            }
        )
    return {"comparison": comparison, "blocks": blocks}
