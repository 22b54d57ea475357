"""Reviewing's benchmarks (benchmarks/bench_visits_reviewing.py) on small scale data: the call
is made once and found again, its reviews respect conflicts, and both pages answer with rows."""

import re

import pytest
from django.core.management import call_command

from benchmarks import bench_visits_reviewing, harness
from cities.models import CityMembership
from visits.enums import ReviewStatus
from visits.models import Call, Review


@pytest.mark.django_db
def test_reviewing_benchmarks_answer_their_pages_on_scale_data(settings):
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

    call, reviewer = bench_visits_reviewing.reviewing_call()
    assert bench_visits_reviewing.reviewing_call() == (call, reviewer)
    assert Call.objects.filter(title=bench_visits_reviewing.REVIEWING_TITLE).count() == 1
    own = Review.objects.filter(application__call=call, reviewer=reviewer)
    # 50 cities, three of them hosts: 47 applications, all assigned to the reviewer.
    assert own.count() == 47
    assert own.filter(status=ReviewStatus.SUBMITTED).count() == 47
    pairs = set(
        Review.objects.filter(application__call=call).values_list(
            "reviewer_id", "application__city_id"
        )
    )
    assert len(pairs) > 47
    assert not pairs & set(CityMembership.objects.values_list("user_id", "city_id"))

    harness.discover()
    listing = harness.REGISTRY["reviewer's list: reviewer with 100 assigned applications"].setup()()
    review_page = harness.REGISTRY[
        "review page: reviewer, submitted review, others' scores of 5 criteria"
    ].setup()()

    assert listing.status_code == review_page.status_code == 200
    assert len(re.findall(r'<tr data-review="\d+">', listing.text)) == 47
    assert 'data-table="other-reviews"' in review_page.text
