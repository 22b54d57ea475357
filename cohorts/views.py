"""The cohort pages. Each fetches the object it works on with `object_for` (404 when the person
may not see it). A page that calls a service leaves the permission to the service (its
`PermissionRefused` is the 403); a form page checks it itself only to show the form, on the
paths where no service is called."""

import functools

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import prefetch_related_objects
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.rules import is_programme_admin
from cities.models import City
from cities.selectors import cities_of_officer
from cohorts import services, signals
from cohorts.enums import EnrolmentStatus
from cohorts.forms import CohortForm, EnrolmentForm, form_sectors
from cohorts.models import Cohort, Enrolment
from cohorts.selectors import (
    cohort_list_for,
    cohort_page_prefetch,
    cohort_pages_visible_to,
    cohorts_facilitated_by,
    cohorts_run_by,
    cohorts_visible_to,
    enrolled_cities_of_cohort,
    enrolments_of_cohort,
    enrolments_run_by,
    own_enrolments_in_cohort,
)
from cohorts.versions import CITIES, COHORTS, PEOPLE_NAMES, SECTORS, cohort_scope
from portal.errors import ApplicationError
from portal.fragments import versions
from portal.lazy_rows import LazyRows
from portal.permissions import object_for, permission_check


@login_required
def cohort_list(request):
    """Officers: the cohorts their cities may join or are in, with each city's status.
    Facilitators: the cohorts they facilitate. Admins: every cohort.

    The list is a cached fragment, the person's own (their cities, the cohorts they run),
    keyed by them, their roles, the day (which cohorts are still open) and the versions of
    cohorts and cities; it is read only when rendered afresh.
    """
    user = request.user
    today = timezone.localdate()

    @functools.cache
    def listing():
        cohorts, cities = cohort_list_for(user=user, today=today)
        if is_programme_admin(user):
            run_ids = {cohort.pk for cohort in cohorts}
        else:
            run_ids = set(cohorts_facilitated_by(user=user).values_list("pk", flat=True))
        for cohort in cohorts:
            # Its name links to its page where the person may open it: they run it, or one
            # of their cities takes part (cohorts.selectors.cohort_pages_visible_to).
            cohort.page_opens = cohort.pk in run_ids or any(
                row.enrolment is not None and row.enrolment.status == EnrolmentStatus.ACCEPTED
                for row in cohort.city_statuses
            )
        return cohorts, run_ids, bool(cities)

    return render(
        request,
        "cohorts/cohort_list.html",
        {
            "cohorts": LazyRows(lambda: listing()[0]),
            # Callables: the template calls them (each time; `listing` reads once).
            "run_ids": lambda: listing()[1],
            "is_officer": lambda: listing()[2],
            "today": today,
            "list_key": "|".join(
                str(part)
                for part in (user.pk, ",".join(user.roles), versions(COHORTS, CITIES), today)
            ),
        },
    )


@login_required
def cohort_detail(request, pk):
    """A cohort's page: its phases, thematic groups and facilitators, and its session
    programme (from the sessions app, through `signals.cohort_page_parts`), with two versions
    below that:
    - the facilitator's (admins, and the cohort's facilitators): per enrolled city, the groups
      it joined, its session registrations and attendance and its roadmap; the actions on
      each session and "Schedule a session";
    - the participant's (officers of an enrolled city): their own cities' enrolment, groups
      and roadmap, and nothing of the other cities.

    The page below the header is a cached fragment, keyed by the versions of the cohort's data
    and of the names it shows, by what the apps above say their parts show, and by who reads:
    for the facilitator's version, whether they may edit the cohort (the one thing on it that
    differs between the people who run it); for the participant's, the person (their cities).
    On a hit, none of its rows is read.
    """
    user = request.user
    # `cohort_pages_visible_to` holds exactly the people of `cohorts.view_cohort_programme`,
    # each cohort marked with whether they run it (`cohorts.view_cohort`): the selector is the
    # check, outside it is a 404, and asking the rules again would only repeat its queries.
    cohort = object_for(user, cohort_pages_visible_to(user=user), pk=pk)
    runs = cohort.runs
    parts = [
        part
        for _receiver, part in signals.cohort_page_parts.send(
            sender=Cohort, cohort=cohort, user=user, runs=runs
        )
    ]
    part_context = {}
    for part in parts:
        part_context.update(part.context)

    def details():
        # What the fragment shows of the cohort itself, read only when it is rendered.
        prefetch_related_objects([cohort], *cohort_page_prefetch())
        return cohort

    def listed(enrolments):
        enrolments = list(enrolments)
        for enrolment in enrolments:
            # Joined here rather than by an include per row.
            enrolment.group_names = ", ".join(
                joined.thematic_group.sector.name for joined in enrolment.groups.all()
            )
        # The apps above add their columns (roadmaps: each city's Reflection Roadmap status).
        signals.enrolled_cities_listed.send(sender=Enrolment, cohort=cohort, enrolments=enrolments)
        return enrolments

    if runs:
        reader = f"runs:{user.has_perm('cohorts.change_cohort', cohort)}"
        version_context = {
            "enrolments": LazyRows(lambda: listed(enrolled_cities_of_cohort(cohort=cohort))),
            "requested_count": lambda: cohort.enrolments.filter(
                status=EnrolmentStatus.REQUESTED
            ).count(),
            "can_change": reader == "runs:True",
        }
    else:
        # Editing the cohort is for its leads and admins, who run it: not asked here.
        reader = f"participant:{user.pk}"
        version_context = {
            "own_enrolments": LazyRows(
                lambda: listed(own_enrolments_in_cohort(user=user, cohort=cohort))
            ),
            "can_change": False,
        }
    return render(
        request,
        "cohorts/cohort_detail.html",
        {
            **part_context,
            **version_context,
            "cohort": cohort,
            "cohort_details": details,
            "runs": runs,
            "reader": reader,
            "data_versions": "|".join(
                [
                    versions(
                        cohort_scope(cohort.pk),
                        CITIES,
                        SECTORS,
                        PEOPLE_NAMES,
                        *(scope for part in parts for scope in part.scopes),
                    ),
                    *(part.key for part in parts),
                    # What the apps above show that no version follows (roadmaps' autosaves).
                    *(
                        str(state)
                        for _receiver, state in signals.cohort_page_state.send(
                            sender=Cohort, cohort=cohort
                        )
                    ),
                ]
            ),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def cohort_create(request):
    sent = request.method == "POST" and bool(request.POST)
    sectors = form_sectors()
    form = (
        CohortForm(request.POST, sectors=sectors)
        if sent
        # The empty form is the same for everyone who may create a cohort: built only when
        # its cached markup is rendered afresh.
        else SimpleLazyObject(lambda: CohortForm(sectors=sectors))
    )
    if sent and form.is_valid():
        try:
            cohort = services.cohort_create(acting_user=request.user, **form.service_kwargs())
        except ApplicationError as error:
            form.add_error(error.field, error.message)
        else:
            messages.success(request, _("%(cohort)s was created.") % {"cohort": cohort.name})
            return redirect("cohort_detail", pk=cohort.pk)
    else:
        # The form is shown only to people who may send it; a sent one, the service checks.
        permission_check(request.user, "cohorts.add_cohort")
    return render(
        request,
        "cohorts/cohort_form.html",
        {
            "form": form,
            "form_sent": sent,
            "form_media": CohortForm.media_for(sectors),
            "form_key": versions(SECTORS),
            "cohort": None,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def cohort_update(request, pk):
    cohort = object_for(request.user, cohorts_run_by(user=request.user), pk=pk)
    sent = request.method == "POST" and bool(request.POST)
    sectors = form_sectors()

    def current_form():
        # The cohort's phases, groups and facilitators, read only to render the form afresh.
        prefetch_related_objects([cohort], *cohort_page_prefetch())
        return CohortForm(cohort=cohort, sectors=sectors)

    form = CohortForm(request.POST, cohort=cohort, sectors=sectors) if sent else None
    if sent and form.is_valid():
        try:
            services.cohort_update(cohort=cohort, acting_user=request.user, **form.service_kwargs())
        except ApplicationError as error:
            form.add_error(error.field, error.message)
        else:
            messages.success(
                request, _("%(cohort)s was saved.") % {"cohort": form.cleaned_data["name"]}
            )
            return redirect("cohort_detail", pk=cohort.pk)
    else:
        permission_check(request.user, "cohorts.change_cohort", cohort)
    return render(
        request,
        "cohorts/cohort_form.html",
        {
            "form": form if sent else SimpleLazyObject(current_form),
            "form_sent": sent,
            "form_media": CohortForm.media_for(sectors),
            # The same for everyone who may edit the cohort: its values, and the names of
            # its chosen facilitators.
            "form_key": versions(cohort_scope(cohort.pk), SECTORS, PEOPLE_NAMES),
            "cohort": cohort,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def enrolment_request(request, pk):
    """A city officer asks for one of their cities to join a cohort."""
    cohort = object_for(request.user, cohorts_visible_to(user=request.user), pk=pk)

    def request_form(data=None):
        return EnrolmentForm(
            data,
            cohort=cohort,
            cities=cities_of_officer(user=request.user),
            initial={"city": request.GET.get("city")},
        )

    sent = request.method == "POST" and bool(request.POST)
    # The empty form is built only when its cached markup is rendered afresh.
    form = request_form(request.POST) if sent else SimpleLazyObject(request_form)
    if sent and form.is_valid():
        city = form.cleaned_data["city"]
        try:
            services.enrolment_request(
                cohort=cohort,
                city=city,
                acting_user=request.user,
                groups=form.selected_groups(),
            )
        except ApplicationError as error:
            form.add_error(error.field, error.message)
        else:
            messages.success(
                request,
                _("The request for %(city)s to join %(cohort)s was sent to its facilitators.")
                % {"city": city.name, "cohort": cohort.name},
            )
            return redirect("cohort_list")
    else:
        # Without a city: an officer of any city (the form offers only theirs).
        permission_check(request.user, "cohorts.request_enrolment")
    return render(
        request,
        "cohorts/enrolment_request.html",
        {
            "form": form,
            "form_sent": sent,
            # The empty form offers the person's own cities (the city asked for in the query
            # string, which is part of every fragment's key, chosen) and the cohort's groups.
            "form_key": "|".join(
                (str(request.user.pk), versions(cohort_scope(cohort.pk), CITIES, SECTORS))
            ),
            "cohort": cohort,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def enrolment_list(request, pk):
    """The cohort's requests and enrolments, with buttons to decide and a form to enrol a city
    directly (POST)."""
    cohort = object_for(request.user, cohorts_run_by(user=request.user), pk=pk)

    def direct_form(data=None):
        return EnrolmentForm(
            data, cohort=cohort, cities=City.objects.select_related("country").order_by("name")
        )

    sent = request.method == "POST" and bool(request.POST)
    # The empty form is built only when its cached markup is rendered afresh.
    form = direct_form(request.POST) if sent else SimpleLazyObject(direct_form)
    if sent and form.is_valid():
        city = form.cleaned_data["city"]
        try:
            services.enrolment_create_direct(
                cohort=cohort, city=city, acting_user=request.user, groups=form.selected_groups()
            )
        except ApplicationError as error:
            form.add_error(error.field, error.message)
        else:
            messages.success(
                request,
                _("%(city)s is enrolled in %(cohort)s.") % {"city": city.name, "cohort": cohort},
            )
            return redirect("enrolment_list", pk=cohort.pk)
    # Not sent, or not valid: no service is called, and the page is shown. `cohorts_run_by`
    # holds exactly the cohorts whose `cohorts.decide_enrolment` the person has (admins: all;
    # facilitators: theirs), so the selector above was the check.
    return render(
        request,
        "cohorts/enrolment_list.html",
        {
            "cohort": cohort,
            # Read only when the cached table is rendered afresh.
            "enrolments": LazyRows(lambda: enrolments_of_cohort(cohort=cohort)),
            "form": form,
            "form_sent": sent,
            "form_media": EnrolmentForm.every_city_media(),
            # The table and the empty form are the same for everyone who may open the page:
            # keyed by the cohort's data (its enrolments and groups), the names shown, and
            # the time zone its decision dates are shown in.
            "data_versions": "|".join(
                (
                    versions(cohort_scope(cohort.pk), CITIES, SECTORS, PEOPLE_NAMES),
                    timezone.get_current_timezone_name(),
                )
            ),
        },
    )


def _decide(request, pk, enrolment_pk, service, message):
    enrolment = object_for(
        request.user, enrolments_run_by(user=request.user), pk=enrolment_pk, cohort_id=pk
    )
    try:
        service(enrolment=enrolment, acting_user=request.user)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, message % {"city": enrolment.city.name, "cohort": enrolment.cohort.name}
        )
    return redirect("enrolment_list", pk=pk)


@login_required
@require_POST
def enrolment_accept(request, pk, enrolment_pk):
    return _decide(
        request,
        pk,
        enrolment_pk,
        services.enrolment_accept,
        _("%(city)s is enrolled in %(cohort)s; its officer was told by email."),
    )


@login_required
@require_POST
def enrolment_decline(request, pk, enrolment_pk):
    return _decide(
        request,
        pk,
        enrolment_pk,
        services.enrolment_decline,
        _("The request of %(city)s to join %(cohort)s was declined; its officer was told."),
    )
