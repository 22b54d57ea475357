"""The facilitator's cohort page and the API lists of cities and of a cohort's sessions."""

from django.db.models import Count, Q

from benchmarks.harness import benchmark, page, signed_in_client
from cohorts.enums import EnrolmentStatus
from devdata.scale import scale_cohorts


def busiest_cohort():
    """The generated cohort with the most accepted enrolments (the longest list of cities)."""
    return (
        scale_cohorts()
        .annotate(
            accepted=Count("enrolments", filter=Q(enrolments__status=EnrolmentStatus.ACCEPTED))
        )
        .order_by("-accepted", "number")
        .first()
    )


def lead_facilitator(cohort):
    return cohort.facilitators.order_by("email").first()


@benchmark("cohort page: lead facilitator, busiest cohort")
def cohort_page():
    cohort = busiest_cohort()
    return page(signed_in_client(lead_facilitator(cohort)), f"/cohorts/{cohort.pk}/")


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
