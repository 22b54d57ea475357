"""The city directory, city profiles and the pages where climate actions are written.

Who gets what when refused:
- Every signed-in person sees every city and every climate action (cities/rules.py).
- The "new climate action" page of a city someone may not write for answers 403: the city is
  public, so refusing openly reveals nothing. For a city that is not a Mission City the page does
  not exist (404): only Mission Cities have climate actions.
- The edit page of an action answers 404 to everyone who may not edit it: the action is looked up
  in `climate_actions_editable_by`, like any single object a person may not change.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from cities import selectors, services, signals
from cities.filters import CityFilter
from cities.forms import ClimateActionForm
from cities.models import City, ClimateAction
from portal.errors import ApplicationError
from portal.widgets import search_query, search_response

DIRECTORY_PAGE_SIZE = 50


def _action_url(action: ClimateAction) -> str:
    return reverse("city_detail", args=[action.city_id]) + f"#action-{action.pk}"


@login_required
@require_GET
def city_directory(request):
    """List the cities, filtered by country, type, thematic interest, cohort and name."""
    filterset = CityFilter(
        request.GET, queryset=selectors.city_directory(user=request.user), request=request
    )
    # A filter that does not validate (an unknown cohort, say) shows its message at the field and
    # no cities, rather than a list that silently ignores it.
    cities = filterset.qs if filterset.is_valid() else filterset.queryset.none()
    page = Paginator(cities, DIRECTORY_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "cities/city_directory.html",
        {"filter_form": filterset.form, "page_obj": page, "cities": page.object_list},
    )


@login_required
@require_GET
def city_search(request):
    """Cities whose name contains ?q=, as JSON for the city search boxes (portal/widgets.py)."""
    query = search_query(request)
    if query is None:
        return search_response(City.objects.none())
    return search_response(selectors.cities_matching(user=request.user, query=query))


@login_required
@require_GET
def city_detail(request, pk):
    """Show a city's profile, its cohorts and sessions, and its climate actions."""
    city = get_object_or_404(selectors.cities_visible_to(user=request.user), pk=pk)
    can_see_officers = request.user.has_perm("cities.view_city_officers", city)
    # The cohorts and sessions parts come from those apps, which answer the hook.
    parts = {}
    for _receiver, response in signals.city_profile.send(sender=City, city=city, user=request.user):
        parts.update(response)
    return render(
        request,
        "cities/city_detail.html",
        {
            **parts,
            "city": city,
            "officers": selectors.city_officers(city=city) if can_see_officers else None,
            "climate_actions": selectors.climate_actions_visible_to(user=request.user).filter(
                city=city
            ),
            # Writing a city's actions and editing each of them follow the same rule
            # (cities/rules.py), so one check serves every edit link on the page.
            "can_write_actions": request.user.has_perm("cities.add_climateaction", city),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def climate_action_create(request, city_pk):
    city = get_object_or_404(
        selectors.cities_visible_to(user=request.user), pk=city_pk, is_mission_city=True
    )
    if not request.user.has_perm("cities.add_climateaction", city):
        raise PermissionDenied
    form = ClimateActionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            action = services.climate_action_create(city=city, **form.service_arguments())
        except ApplicationError as error:
            form.add_application_error(error)
        else:
            messages.success(
                request, _("Climate action “%(title)s” saved.") % {"title": action.title}
            )
            return redirect(_action_url(action))
    return render(
        request, "cities/climate_action_form.html", {"form": form, "city": city, "action": None}
    )


@login_required
@require_http_methods(["GET", "POST"])
def climate_action_edit(request, pk):
    action = get_object_or_404(selectors.climate_actions_editable_by(user=request.user), pk=pk)
    form = ClimateActionForm(request.POST or None, action=action)
    if request.method == "POST" and form.is_valid():
        try:
            action = services.climate_action_update(action=action, **form.service_arguments())
        except ApplicationError as error:
            form.add_application_error(error)
        else:
            messages.success(
                request, _("Climate action “%(title)s” saved.") % {"title": action.title}
            )
            return redirect(_action_url(action))
    return render(
        request,
        "cities/climate_action_form.html",
        {"form": form, "city": action.city, "action": action},
    )
