"""The call benchmarks (benchmarks/bench_visits_calls.py) on small scale data: the call is made
once through the services, found again by its title, and each row answers the page it names."""

import pytest
from django.core.management import call_command

from benchmarks import bench_visits_calls, harness
from cities.models import City
from visits.enums import CallStatus
from visits.models import Call

# Scale data: as the other benchmark tests, left out of `make test-fast`.
pytestmark = pytest.mark.slow


@pytest.mark.django_db
def test_the_benchmark_call_is_made_once_and_its_pages_answer(settings):
    settings.ROOT_URLCONF = "benchmarks.urls"
    call_command("seed_scale", "--cities", "50", "--users", "300", "--cohorts", "3", verbosity=0)

    call = bench_visits_calls.benchmark_call()
    assert bench_visits_calls.benchmark_call() == call
    assert Call.objects.filter(title=bench_visits_calls.CALL_TITLE).count() == 1
    assert call.status == CallStatus.OPEN
    hosts = City.objects.filter(is_mission_city=True).count()
    assert call.visits.count() == min(3, hosts) > 0
    assert (
        sorted(call.criteria.values_list("kind", flat=True)) == ["automatic"] * 3 + ["manual"] * 3
    )

    harness.discover()
    admin_list = harness.REGISTRY["visits: list of calls, programme admin"].setup()()
    officer_list = harness.REGISTRY["visits: list of calls, officer of an eligible city"].setup()()
    officer_page = harness.REGISTRY["visits: call page, officer, 3 visits and 6 criteria"].setup()()
    admin_page = harness.REGISTRY[
        "visits: call page, programme admin (edit buttons, weights form)"
    ].setup()()

    assert f'data-call="{call.pk}"' in admin_list.text and "New call" in admin_list.text
    assert f'data-call="{call.pk}"' in officer_list.text
    assert officer_page.wsgi_request.path == f"/visits/calls/{call.pk}/"
    assert officer_page.text.count("<tr data-visit=") == call.visits.count()
    assert officer_page.text.count("<li data-criterion=") == 6
    assert "Save the weights" in admin_page.text and "Save the weights" not in officer_page.text


@pytest.mark.django_db
def test_the_scale_call_rows_answer_its_page(settings):
    """The rows on the scale call (devdata/scale_visits.py, found by its title: made here with
    a few applications, as a small database would hold it)."""
    from devdata.scale_visits import scale_visits_call

    settings.ROOT_URLCONF = "benchmarks.urls"
    call_command("seed_scale", "--cities", "50", "--users", "300", "--cohorts", "3", verbosity=0)
    call = scale_visits_call(applications=6)

    harness.discover()
    officer_page = harness.REGISTRY[
        "visits: call page, officer, scale call of 20,000 applications"
    ].setup()()
    admin_page = harness.REGISTRY[
        "visits: call page, programme admin, scale call of 20,000 applications"
    ].setup()()

    assert officer_page.wsgi_request.path == admin_page.wsgi_request.path
    assert admin_page.wsgi_request.path == f"/visits/calls/{call.pk}/"
    assert officer_page.text.count("<tr data-visit=") == call.visits.count() == 3
    assert "asked for by" in admin_page.text and "asked for by" not in officer_page.text
