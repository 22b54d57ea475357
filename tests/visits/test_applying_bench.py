"""The applying benchmark (benchmarks/bench_visits_applying.py) on small scale data: the call
and the application are made once and found again, and the page is the officer's form."""

import pytest
from django.core.management import call_command

from benchmarks import bench_visits_applying, harness
from visits.models import Application, Call


@pytest.mark.django_db
def test_application_page_row_on_small_scale_data(settings):
    settings.ROOT_URLCONF = "benchmarks.urls"
    call_command("seed_scale", "--cities", "50", "--users", "300", "--cohorts", "3", verbosity=0)

    application, officer = bench_visits_applying.applying_application()
    again, _ = bench_visits_applying.applying_application()
    harness.discover()
    response = harness.REGISTRY[
        "visit application page: officer, three visits ranked, three delegates"
    ].setup()()

    assert again == application
    assert Call.objects.filter(title=bench_visits_applying.APPLYING_TITLE).count() == 1
    assert Application.objects.filter(call__title=bench_visits_applying.APPLYING_TITLE).count() == 1
    assert application.preferences.count() == 3
    assert application.delegates.count() == 3
    assert response.status_code == 200
    assert response.wsgi_request.user == officer
    assert response.text.count('class="delegate-row"') == 3
