from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from rules.contrib.views import permission_required

from accounts.rules import is_programme_admin
from cities.models import City
from cities.selectors import cities_of_officer
from cohorts import services, signals
from cohorts.enums import EnrolmentStatus
from cohorts.forms import CohortForm, EnrolmentForm
from cohorts.models import Enrolment
from cohorts.selectors import (
    cohort_for_page,
    cohort_list_for,
    cohorts_facilitated_by,
    cohorts_run_by,
    cohorts_visible_to,
    enrolled_cities_of_cohort,
    enrolments_of_cohort,
)
from portal.errors import ApplicationError


@login_required
def cohort_list(request):
    """Officers: the cohorts their cities may join or are in, with each city's status.
    Facilitators: the cohorts they facilitate. Admins: every cohort."""
    user = request.user
    cohorts, cities = cohort_list_for(user=user)
    if is_programme_admin(user):
        run_ids = {cohort.pk for cohort in cohorts}
    else:
        run_ids = set(cohorts_facilitated_by(user=user).values_list("pk", flat=True))
    return render(
        request,
        "cohorts/cohort_list.html",
        {
            "cohorts": cohorts,
            "run_ids": run_ids,
            "is_officer": bool(cities),
            "today": timezone.localdate(),
        },
    )


@login_required
def cohort_detail(request, pk):
    """The facilitator's page of a cohort: phases, groups and, per enrolled city, the groups
    it joined and its session registrations and attendance."""
    cohort = cohort_for_page(user=request.user, pk=pk)
    if cohort is None:
        raise Http404
    enrolments = list(enrolled_cities_of_cohort(cohort=cohort))
    # The apps above add their columns (roadmaps: each city's Reflection Roadmap status).
    signals.enrolled_cities_listed.send(sender=Enrolment, cohort=cohort, enrolments=enrolments)
    return render(
        request,
        "cohorts/cohort_detail.html",
        {
            "cohort": cohort,
            "enrolments": enrolments,
            "requested_count": cohort.enrolments.filter(status=EnrolmentStatus.REQUESTED).count(),
            "can_change": request.user.has_perm("cohorts.change_cohort", cohort),
        },
    )


@login_required
@permission_required("cohorts.add_cohort", raise_exception=True)
@require_http_methods(["GET", "POST"])
def cohort_create(request):
    form = CohortForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            cohort = services.cohort_create(created_by=request.user, **form.service_kwargs())
        except ApplicationError as error:
            form.add_error(error.field, error.message)
        else:
            messages.success(request, _("%(cohort)s was created.") % {"cohort": cohort.name})
            return redirect("cohort_detail", pk=cohort.pk)
    return render(request, "cohorts/cohort_form.html", {"form": form, "cohort": None})


@login_required
@require_http_methods(["GET", "POST"])
def cohort_update(request, pk):
    cohort = cohort_for_page(user=request.user, pk=pk)
    if cohort is None:
        raise Http404
    if not request.user.has_perm("cohorts.change_cohort", cohort):
        raise PermissionDenied
    form = CohortForm(request.POST or None, cohort=cohort)
    if request.method == "POST" and form.is_valid():
        try:
            services.cohort_update(cohort=cohort, **form.service_kwargs())
        except ApplicationError as error:
            form.add_error(error.field, error.message)
        else:
            messages.success(
                request, _("%(cohort)s was saved.") % {"cohort": form.cleaned_data["name"]}
            )
            return redirect("cohort_detail", pk=cohort.pk)
    return render(request, "cohorts/cohort_form.html", {"form": form, "cohort": cohort})


@login_required
@require_http_methods(["GET", "POST"])
def enrolment_request(request, pk):
    """A city officer asks for one of their cities to join a cohort."""
    cohort = get_object_or_404(cohorts_visible_to(user=request.user), pk=pk)
    if not request.user.has_perm("cohorts.request_enrolment"):
        raise PermissionDenied
    form = EnrolmentForm(
        request.POST or None,
        cohort=cohort,
        cities=cities_of_officer(user=request.user),
        initial={"city": request.GET.get("city")},
    )
    if request.method == "POST" and form.is_valid():
        city = form.cleaned_data["city"]
        try:
            services.enrolment_request(
                cohort=cohort,
                city=city,
                requested_by=request.user,
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
    return render(request, "cohorts/enrolment_request.html", {"form": form, "cohort": cohort})


def _cohort_to_decide(request, pk):
    cohort = get_object_or_404(cohorts_run_by(user=request.user), pk=pk)
    if not request.user.has_perm("cohorts.decide_enrolment", cohort):
        raise PermissionDenied
    return cohort


@login_required
@require_http_methods(["GET", "POST"])
def enrolment_list(request, pk):
    """The cohort's requests and enrolments, with buttons to decide and a form to enrol a city
    directly (POST)."""
    cohort = _cohort_to_decide(request, pk)
    form = EnrolmentForm(
        request.POST or None,
        cohort=cohort,
        cities=City.objects.select_related("country").order_by("name"),
    )
    if request.method == "POST" and form.is_valid():
        city = form.cleaned_data["city"]
        try:
            services.enrolment_create_direct(
                cohort=cohort, city=city, enrolled_by=request.user, groups=form.selected_groups()
            )
        except ApplicationError as error:
            form.add_error(error.field, error.message)
        else:
            messages.success(
                request,
                _("%(city)s is enrolled in %(cohort)s.") % {"city": city.name, "cohort": cohort},
            )
            return redirect("enrolment_list", pk=cohort.pk)
    return render(
        request,
        "cohorts/enrolment_list.html",
        {"cohort": cohort, "enrolments": enrolments_of_cohort(cohort=cohort), "form": form},
    )


def _decide(request, pk, enrolment_pk, service, message):
    cohort = _cohort_to_decide(request, pk)
    enrolment = get_object_or_404(
        Enrolment.objects.select_related("city"), cohort=cohort, pk=enrolment_pk
    )
    try:
        service(enrolment=enrolment, decided_by=request.user)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, message % {"city": enrolment.city.name, "cohort": cohort.name})
    return redirect("enrolment_list", pk=cohort.pk)


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
