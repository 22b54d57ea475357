"""The visits API's benchmarks (benchmarks/bench_visits_api.py) on small scale data: each row's
list answers with the rows it names."""

import pytest
from django.core.management import call_command

from benchmarks import harness
from visits.models import Application, Review


@pytest.mark.django_db
def test_visits_api_benchmarks_answer_their_lists_on_scale_data(settings):
    settings.ROOT_URLCONF = "benchmarks.urls"
    # No scale visits call (devdata/scale_visits.py): its reviews would be this reviewer's too.
    call_command(
        "seed_scale",
        "--cities",
        "50",
        "--users",
        "300",
        "--cohorts",
        "3",
        "--visit-applications",
        "0",
        verbosity=0,
    )
    harness.discover()

    def listed(name):
        response = harness.REGISTRY[f"API: GET /api/v1/{name}"].setup()()
        assert response.status_code == 200
        return {**response.json(), "user": response.wsgi_request.user}

    calls = listed("visit-calls/ (officer of an eligible city)")
    admin = listed("visit-applications/ (programme admin, every call's)")
    reviewer = listed("visit-applications/ (reviewer with 100 assigned applications)")
    officer = listed("visit-applications/ (officer of an eligible city)")
    reviews = listed("visit-reviews/ (reviewer with 100 assigned applications)")

    assert [c["title"] for c in calls["results"]] == ["Benchmark: Group Study Visits call"]
    # 50 cities, three of them hosts: 47 applications, all assigned to the reviewer.
    assert (admin["count"], reviewer["count"], reviews["count"]) == (47, 47, 47)
    assert len(reviews["results"]) == len(admin["results"]) == 47
    assert {r["status"] for r in reviews["results"]} == {"submitted"}
    # The officer sees their own cities' applications (to the reviewing call), no other.
    own = Application.objects.filter(city__memberships__user=officer["user"])
    assert [a["id"] for a in officer["results"]] == sorted(own.values_list("pk", flat=True))
    assert Review.objects.count() >= 47 * 3
