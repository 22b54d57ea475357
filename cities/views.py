"""The city directory, city profiles, the pages where climate actions are written, and the
invitations of city officers.

Who gets what when refused:
- Every signed-in person sees every city and every climate action (cities/rules.py).
- The "new climate action" page of a city someone may not write for answers 403: the city is
  public, so refusing openly reveals nothing. For a city that is not a Mission City the page does
  not exist (404): only Mission Cities have climate actions.
- The edit page of an action answers 404 to everyone who may not edit it: the action is looked up
  in `climate_actions_editable_by`, like any single object a person may not change.
- The profile edit page of a city answers 404 to everyone who may not edit it (its officers and
  programme admins may): the city is looked up in `cities_profile_editable_by`, as an action's
  edit page looks up the editable actions.
- The invitation page answers 403 to people who do not invite officers; an invitation link
  opens for anyone who holds it (the link is the credential), 404 for an unknown token.

A permission is checked once per call path: a page that saves through a service lets the
service check (its PermissionRefused is the 403), and checks the same permission itself only
on the path that shows the form without calling it (a GET, or a POST the form refused).
"""

from django.contrib import messages
from django.contrib.auth import REDIRECT_FIELD_NAME, get_user_model, login
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accounts.rules import is_facilitator, is_programme_admin
from cities import scopes, selectors, services, signals
from cities.filters import (
    CityFilter,
    city_filters_added_choices,
    city_filters_added_in_use,
    city_filters_added_scopes,
)
from cities.forms import CityProfileForm, ClimateActionForm, InvitationAcceptForm, InvitationForm
from cities.models import City, ClimateAction, Invitation
from portal.errors import ApplicationError
from portal.fragments import TIMEOUT_SECONDS, cache_key, versions
from portal.permissions import object_for, permission_check
from portal.widgets import search_query, search_response

DIRECTORY_PAGE_SIZE = 50


def _action_url(action: ClimateAction) -> str:
    return reverse("city_detail", args=[action.city_id]) + f"#action-{action.pk}"


@login_required
@require_GET
def city_directory(request):
    """List the cities, filtered by country, type, thematic interest, cohort and name.

    The filter form and the list are cached fragments (templates/cities/city_directory.html):
    every signed-in person sees every city (cities/rules.py), so the list for a query is the
    same for all, keyed by the cities' data version; the form is keyed by the same version and
    by the choices the apps above offer this person (the cohorts they may see), named by the
    filter's `choices_key` and `choices_scopes` without reading them (cohorts.filters). A query
    that uses such a filter lists afresh: what it selects is that app's data. The page and its
    cities are lazy, so a kept page runs no query but the session's, the user's and the
    versions' (one query for every scope).
    """
    filterset = CityFilter(
        request.GET, queryset=selectors.city_directory(user=request.user), request=request
    )

    def page():
        # A filter that does not validate (an unknown cohort, say) shows its message at the
        # field and no cities, rather than a list that silently ignores it.
        cities = filterset.qs if filterset.is_valid() else filterset.queryset.none()
        return Paginator(cities, DIRECTORY_PAGE_SIZE).get_page(request.GET.get("page"))

    page_obj = SimpleLazyObject(page)
    # The cities' version and those of the added filters' choices, in one query.
    found = scopes.versions_by_scope(scopes.DIRECTORY, *city_filters_added_scopes())
    return render(
        request,
        "cities/city_directory.html",
        {
            "filter_form": SimpleLazyObject(lambda: filterset.form),
            "page_obj": page_obj,
            "cities": SimpleLazyObject(lambda: page_obj.object_list),
            "data_version": found[scopes.DIRECTORY],
            "filter_choices": city_filters_added_choices(filterset, found),
            "cache_results": not city_filters_added_in_use(request.GET),
        },
    )


@login_required
@require_GET
def city_search(request):
    """Cities whose name contains ?q=, as JSON for the city search boxes (portal/widgets.py).

    The answer to a query is kept, keyed by the cities' data version: it is the same for every
    signed-in person (every city is visible to all, cities/rules.py), and finding the matches
    reads every city's name (a LIKE '%...%' uses no index)."""
    query = search_query(request)
    if query is None:
        return search_response(City.objects.none())
    key = cache_key("cities:search", [versions(scopes.DIRECTORY), query])
    body = cache.get(key)
    if body is None:
        body = search_response(selectors.cities_matching(user=request.user, query=query)).content
        cache.set(key, body, TIMEOUT_SECONDS)
    return HttpResponse(body, content_type="application/json")


@login_required
@require_GET
def city_detail(request, pk):
    """Show a city's profile, its officers, cohorts and sessions, and its climate actions.

    Each part is a cached fragment (templates/cities/city_detail.html), keyed, besides the city
    (in the path), by the data versions of what it shows (cities/scopes.py) and what about the
    person changes it:
    - the profile: the cities' version, the same for everyone;
    - the officers, cohorts and sessions: whether the person may see the officers, the cities'
      and officers' names' versions, and what the apps that answer the `city_profile` hook
      (cohorts, sessions) say their parts show (`signals.ProfilePart`: scopes and a key);
    - the climate actions: the cities' and actions' versions, and whether the person may write
      them (it adds the edit links).
    Every version is read in one query; the variables are lazy, read only for a part drawn
    afresh.
    """
    # Without the prefetch of thematic interests: only the cached profile shows them, and reads
    # them when it is drawn afresh.
    city = object_for(
        request.user, selectors.cities_visible_to(user=request.user).prefetch_related(None), pk=pk
    )
    # Seeing the officers and writing the climate actions (and editing each, cities/rules.py)
    # are one rule, `works_with_city`: one check serves both.
    works_with_city = request.user.has_perm("cities.view_city_officers", city)
    # The cohorts and sessions parts come from those apps, which answer the hook.
    answers = signals.city_profile.send(sender=City, city=city, user=request.user)
    parts = [part for _receiver, part in answers]
    part_scopes = [scope for part in parts for scope in part.scopes]
    found = scopes.versions_by_scope(
        scopes.DIRECTORY, scopes.OFFICER_NAMES, scopes.CLIMATE_ACTIONS, *part_scopes
    )
    context = {}
    for part in parts:
        context.update(part.context)
    return render(
        request,
        "cities/city_detail.html",
        {
            **context,
            "city": city,
            "officers": (
                SimpleLazyObject(lambda: list(selectors.city_officers(city=city)))
                if works_with_city
                else None
            ),
            "climate_actions": SimpleLazyObject(
                lambda: selectors.climate_actions_visible_to(user=request.user).filter(city=city)
            ),
            "can_write_actions": works_with_city,
            "can_edit_profile": _may_edit_profile(request.user, city, works_with_city),
            "profile_version": found[scopes.DIRECTORY],
            "parts_key": "|".join(
                [
                    str(works_with_city),
                    scopes.key_of(found, scopes.DIRECTORY, scopes.OFFICER_NAMES, *part_scopes),
                    *(part.key for part in parts),
                ]
            ),
            "actions_version": scopes.key_of(found, scopes.DIRECTORY, scopes.CLIMATE_ACTIONS),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def city_profile_edit(request, pk):
    """Edit a city's population, description and thematic interests (cities/rules.py says who
    may, and what only admins change).

    A form the person has not posted is cached, keyed by the cities' data version (the city's
    row, its interests and the sectors offered all raise it, cities/scopes.py) and, through the
    path, by the city: it is the same for everyone who may open the page (the lookup decided
    that), so it is built only when it is drawn."""
    # Outside what the person may edit, the city is a 404 (as an action's edit page).
    city = object_for(request.user, selectors.cities_profile_editable_by(user=request.user), pk=pk)
    form = (
        CityProfileForm(request.POST, city=city)
        if request.method == "POST"
        else SimpleLazyObject(lambda: CityProfileForm(city=city))
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.city_profile_update(
                acting_user=request.user, city=city, **form.service_arguments()
            )
        except ApplicationError as error:
            form.add_application_error(error)
        else:
            messages.success(request, _("Profile of %(city)s saved.") % {"city": city.name})
            return redirect("city_detail", pk=city.pk)
    return render(
        request,
        "cities/city_profile_form.html",
        {
            "form": form,
            "city": city,
            "form_version": versions(scopes.DIRECTORY) if request.method == "GET" else "",
        },
    )


def _may_edit_profile(user, city: City, works_with_city: bool) -> bool:
    """`cities.change_city_profile` (admins and the city's officers), asked from what
    `works_with_city` (admins, facilitators and the city's officers) already answered, so the
    profile reads the person's membership once: someone who works with the city and is neither
    an admin nor a facilitator is one of its officers. Only a facilitator is asked the rule."""
    if not works_with_city:
        return False
    if is_facilitator(user) and not is_programme_admin(user):
        return user.has_perm("cities.change_city_profile", city)
    return True


def _climate_action_page(request, *, form, city, action):
    """The climate action form page. A form the person has not posted is cached, keyed by the
    versions of what it shows (the city's name, the action, the sectors and the enabling
    factors) and, through the path, by the city or action: it is the same for everyone who may
    open the page (the view decided that), so it is built only when it is rendered."""
    return render(
        request,
        "cities/climate_action_form.html",
        {
            "form": form,
            "city": city,
            "action": action,
            "form_version": (
                versions(scopes.DIRECTORY, scopes.CLIMATE_ACTIONS)
                if request.method == "GET"
                else ""
            ),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def climate_action_create(request, city_pk):
    city = object_for(
        request.user,
        selectors.cities_visible_to(user=request.user).prefetch_related(None),
        pk=city_pk,
        is_mission_city=True,
    )
    # A GET's form is built only if the cached page does not hold it.
    form = (
        ClimateActionForm(request.POST or None)
        if request.method == "POST"
        else SimpleLazyObject(ClimateActionForm)
    )
    if request.method == "POST" and form.is_valid():
        try:
            action = services.climate_action_create(
                acting_user=request.user, city=city, **form.service_arguments()
            )
        except ApplicationError as error:
            form.add_application_error(error)
        else:
            messages.success(
                request, _("Climate action “%(title)s” saved.") % {"title": action.title}
            )
            return redirect(_action_url(action))
    else:
        # The form is shown without reaching the service: the page asks its permission.
        permission_check(
            request.user,
            "cities.add_climateaction",
            city,
            message=_("You may not write climate actions for this city."),
        )
    return _climate_action_page(request, form=form, city=city, action=None)


@login_required
@require_http_methods(["GET", "POST"])
def climate_action_edit(request, pk):
    # Outside what the person may edit, the action is a 404 (cities/rules.py says who may).
    action = object_for(
        request.user, selectors.climate_actions_editable_by(user=request.user), pk=pk
    )
    form = (
        ClimateActionForm(request.POST or None, action=action)
        if request.method == "POST"
        else SimpleLazyObject(lambda: ClimateActionForm(action=action))
    )
    if request.method == "POST" and form.is_valid():
        try:
            action = services.climate_action_update(
                acting_user=request.user, action=action, **form.service_arguments()
            )
        except ApplicationError as error:
            form.add_application_error(error)
        else:
            messages.success(
                request, _("Climate action “%(title)s” saved.") % {"title": action.title}
            )
            return redirect(_action_url(action))
    return _climate_action_page(request, form=form, city=action.city, action=action)


@login_required
@require_http_methods(["GET", "POST"])
def invitation_create(request):
    form = InvitationForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            invitation = services.invitation_create(
                acting_user=request.user,
                email=form.cleaned_data["email"],
                city=form.cleaned_data["city"],
            )
        except ApplicationError as error:
            form.add_error(error.field, error.message)
        else:
            messages.success(
                request,
                _("Invitation sent to %(email)s for %(city)s.")
                % {"email": invitation.email, "city": invitation.city.name},
            )
            return redirect("invitation_create")
    else:
        # The form is shown without reaching the service: the page asks its permission.
        permission_check(request.user, "cities.add_invitation")
    # An empty form is the same for everyone offered the same cities.
    form_key = form.cities_key() if not form.is_bound else ""
    return render(request, "cities/invitation_create.html", {"form": form, "form_key": form_key})


def _invalid(request, error: ApplicationError):
    # 410 Gone: the link existed but can no longer be used (accepted or expired).
    return render(
        request,
        "cities/invitation_invalid.html",
        {"message": error.message, "reason": error.code},
        status=410,
    )


@require_http_methods(["GET", "POST"])
def invitation_accept(request, token):
    """Let an invited city officer choose a password and sign in, from the emailed link."""
    # The token is the credential: whoever holds the link sees the invitation.
    invitation = object_for(request.user, Invitation.objects.select_related("city"), token=token)
    try:
        services.invitation_check(invitation=invitation)
    except ApplicationError as error:
        return _invalid(request, error)

    if get_user_model().objects.filter(email=invitation.email).exists():
        return _invitation_accept_existing_account(request, invitation)

    form = InvitationAcceptForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.invitation_accept(
                invitation=invitation,
                full_name=form.cleaned_data["full_name"],
                password=form.cleaned_data["password1"],
            )
        except ApplicationError as error:
            if error.field is None:
                return _invalid(request, error)
            form.add_error(error.field, error.message)
        else:
            # The service verified the address, so the session can start without allauth's
            # verification step.
            login(request, user, backend="accounts.backends.UserBackend")
            messages.success(
                request, _("Welcome! You now represent %(city)s.") % {"city": invitation.city.name}
            )
            return redirect("home")
    return render(
        request, "cities/invitation_accept.html", {"form": form, "invitation": invitation}
    )


def _invitation_accept_existing_account(request, invitation):
    """The address has an account (it had one when invited, or got one since): never set its
    password from the link, and never add the city on a GET; the owner signs in with that
    address and confirms with the button (a POST)."""
    signed_in_as_invitee = request.user.has_perm("cities.accept_invitation", invitation)
    if request.method == "POST" and signed_in_as_invitee:
        try:
            services.invitation_accept_signed_in(acting_user=request.user, invitation=invitation)
        except ApplicationError as error:
            return _invalid(request, error)
        messages.success(
            request, _("You now also represent %(city)s.") % {"city": invitation.city.name}
        )
        return redirect("home")
    return render(
        request,
        "cities/invitation_existing_account.html",
        {
            "invitation": invitation,
            "signed_in_as_invitee": signed_in_as_invitee,
            "redirect_field_name": REDIRECT_FIELD_NAME,
        },
    )
