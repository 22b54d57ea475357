"""The allocation page's benchmark (benchmarks/bench_visits_allocation.py), on small scale
data: its call is made and allocated once, found again by its title, and the page lists it."""

import pytest
from django.core.management import call_command

from benchmarks import bench_visits_allocation, harness
from visits.enums import Decision
from visits.models import Application, Call

NAME = "visit allocation page: programme admin, 400 ranked applications"


@pytest.mark.django_db
def test_the_benchmark_call_is_made_once_allocated_and_shown(settings, monkeypatch):
    settings.ROOT_URLCONF = "benchmarks.urls"
    call_command("seed_scale", "--cities", "50", "--users", "300", "--cohorts", "3", verbosity=0)
    monkeypatch.setattr(bench_visits_allocation, "APPLICATIONS", 40)

    call = bench_visits_allocation.allocation_call()
    assert bench_visits_allocation.allocation_call() == call
    assert Call.objects.filter(title=bench_visits_allocation.CALL_TITLE).count() == 1
    decisions = sorted(Application.objects.filter(call=call).values_list("decision", flat=True))
    # Three visits of 10 places: 30 selected, the 10 others on a waitlist of up to 30.
    assert (
        decisions.count(Decision.SELECTED),
        decisions.count(Decision.WAITLISTED),
        decisions.count(Decision.NOT_SELECTED),
    ) == (30, 10, 0)

    harness.discover()
    page = harness.REGISTRY[NAME].setup()()
    assert page.status_code == 200
    assert page.content.decode().count('data-application="') == 40
