"""The signed-in home page of the roles whose sections read the most rows."""

from django.db.models import Count

from accounts.models import User
from benchmarks.harness import benchmark, page, signed_in_client
from devdata.scale import scale_users


@benchmark("home page: facilitator")
def home_facilitator():
    # The busiest generated facilitator: the most thematic groups, hence the longest cohort list.
    user = (
        scale_users()
        .filter(is_facilitator=True)
        .annotate(group_count=Count("facilitated_groups"))
        .order_by("-group_count", "email")
        .first()
    )
    return page(signed_in_client(user), "/")


@benchmark("home page: programme admin")
def home_programme_admin():
    user: User = scale_users().filter(is_programme_admin=True).order_by("email").first()
    return page(signed_in_client(user), "/")


@benchmark("home page: officer with the most enrolments")
def home_officer():
    from benchmarks.bench_cohorts import busiest_officer

    return page(signed_in_client(busiest_officer()), "/")


@benchmark("home page: reviewer")
def home_reviewer():
    user: User = scale_users().filter(is_reviewer=True).order_by("email").first()
    return page(signed_in_client(user), "/")
