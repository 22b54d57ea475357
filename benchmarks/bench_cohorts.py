"""The cohort pages (list, page, forms, enrolments) and the API lists of cities, cohorts,
enrolments, phases, thematic groups and a cohort's sessions."""

from django.db.models import Count

from benchmarks.harness import benchmark, page, signed_in_client
from cohorts.enums import EnrolmentStatus
from devdata.scale import busiest_scale_cohort, scale_cohorts, scale_users


def busiest_cohort():
    """The generated cohort with the most accepted enrolments (the longest list of cities)."""
    return busiest_scale_cohort()


def lead_facilitator(cohort):
    return cohort.facilitators.order_by("email").first()


@benchmark("cohort page: lead facilitator, busiest cohort")
def cohort_page():
    cohort = busiest_cohort()
    return page(signed_in_client(lead_facilitator(cohort)), f"/cohorts/{cohort.pk}/")


def enrolled_officer(cohort):
    """An officer of one of the cohort's accepted cities (the first by email)."""
    return (
        scale_users()
        .filter(
            city_memberships__city__enrolments__cohort=cohort,
            city_memberships__city__enrolments__status=EnrolmentStatus.ACCEPTED,
        )
        .order_by("email")
        .first()
    )


@benchmark("cohort page: officer of an enrolled city, busiest cohort")
def cohort_page_officer():
    cohort = busiest_cohort()
    return page(signed_in_client(enrolled_officer(cohort)), f"/cohorts/{cohort.pk}/")


@benchmark("API: GET /api/v1/cities/")
def api_cities():
    cohort = busiest_cohort()
    return page(signed_in_client(lead_facilitator(cohort)), "/api/v1/cities/")


@benchmark("API: GET /api/v1/sessions/?cohort=<busiest>")
def api_sessions_of_cohort():
    cohort = busiest_cohort()
    return page(signed_in_client(lead_facilitator(cohort)), f"/api/v1/sessions/?cohort={cohort.pk}")


# The two form pages whose selects used to list every city (10,000) or every facilitator
# (1,000 per thematic group); the search-select widgets now render only what is chosen.
@benchmark("enrolments page: lead facilitator, busiest cohort")
def enrolments_page():
    cohort = busiest_cohort()
    return page(signed_in_client(lead_facilitator(cohort)), f"/cohorts/{cohort.pk}/enrolments/")


@benchmark("new cohort form: lead facilitator")
def cohort_form_page():
    cohort = busiest_cohort()
    return page(signed_in_client(lead_facilitator(cohort)), "/cohorts/new/")


def open_cohort():
    """The generated cohort that ends last: one an officer may still ask to join."""
    return scale_cohorts().order_by("-ends_on", "number").first()


def busiest_officer():
    """The generated officer whose cities have the most enrolments."""
    return (
        scale_users()
        .filter(is_facilitator=False, is_reviewer=False, is_programme_admin=False)
        .annotate(enrolment_count=Count("city_memberships__city__enrolments"))
        .order_by("-enrolment_count", "email")
        .first()
    )


@benchmark("cohort list: lead facilitator")
def cohort_list_facilitator():
    cohort = busiest_cohort()
    return page(signed_in_client(lead_facilitator(cohort)), "/cohorts/")


@benchmark("cohort list: officer with the most enrolments")
def cohort_list_officer():
    return page(signed_in_client(busiest_officer()), "/cohorts/")


@benchmark("cohort edit form: lead facilitator, busiest cohort")
def cohort_edit_form_page():
    cohort = busiest_cohort()
    return page(signed_in_client(lead_facilitator(cohort)), f"/cohorts/{cohort.pk}/edit/")


@benchmark("enrolment request page: officer, open cohort")
def enrolment_request_page():
    return page(signed_in_client(busiest_officer()), f"/cohorts/{open_cohort().pk}/enrol/")


@benchmark("API: GET /api/v1/cohorts/")
def api_cohorts():
    cohort = busiest_cohort()
    return page(signed_in_client(lead_facilitator(cohort)), "/api/v1/cohorts/")


@benchmark("API: GET /api/v1/enrolments/")
def api_enrolments():
    cohort = busiest_cohort()
    return page(signed_in_client(lead_facilitator(cohort)), "/api/v1/enrolments/")


# The cohorts' phases and thematic groups (issue 14): a programme admin sees every cohort's (200
# cohorts: 800 phases, 1,000 groups with two facilitators each), a page of 50 of them.
def _programme_admin():
    return scale_users().filter(is_programme_admin=True).order_by("email").first()


@benchmark("API: GET /api/v1/phases/ (programme admin, every cohort's)")
def api_phases():
    return page(signed_in_client(_programme_admin()), "/api/v1/phases/")


@benchmark("API: GET /api/v1/thematic-groups/ (programme admin, every cohort's)")
def api_thematic_groups():
    return page(signed_in_client(_programme_admin()), "/api/v1/thematic-groups/")
