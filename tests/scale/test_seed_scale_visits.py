"""The Group Study Visits call of seed_scale (devdata/scale_visits.py)."""

from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from cities.models import City
from devdata.scale import scale_cities, scale_flush, scale_users
from devdata.scale_visits import (
    APPLICANT_PREFIX,
    REVIEWS_PER_APPLICATION,
    scale_calls,
    scale_visits_call,
)
from visits import scoring
from visits.enums import ApplicationStatus, CriterionKind, ReviewStatus
from visits.models import Application, Criterion, Preference, Review, Score

pytestmark = pytest.mark.django_db

SMALL = ["--cities", "50", "--users", "400", "--cohorts", "2", "--survey-responses", "0"]


def seed(*args):
    call_command("seed_scale", *args, verbosity=0)


def test_seed_scale_makes_the_call_with_two_applications_per_city_and_three_reviews_each():
    seed(*SMALL)

    call = scale_calls().get()
    applications = Application.objects.filter(call=call)
    assert applications.count() == 100
    assert set(applications.values_list("status", flat=True)) == {ApplicationStatus.SUBMITTED}
    # The 49 generated cities that are not Mission Cities, then 51 applicant cities made for it.
    assert applications.filter(city__in=scale_cities()).count() == 49
    assert City.objects.filter(name__startswith=APPLICANT_PREFIX).count() == 51
    assert scale_cities().count() == 50
    assert Preference.objects.filter(application__call=call).count() == 300
    reviews = Review.objects.filter(application__call=call)
    assert reviews.count() == 100 * REVIEWS_PER_APPLICATION
    assert set(reviews.values_list("status", flat=True)) == {ReviewStatus.SUBMITTED}
    assert set(reviews.values_list("reviewer", flat=True)) <= set(
        scale_users().filter(is_reviewer=True).values_list("pk", flat=True)
    )
    manual = Criterion.objects.filter(call=call, kind=CriterionKind.MANUAL).count()
    assert manual == 4
    assert Score.objects.filter(review__application__call=call).count() == 300 * manual
    assert set(
        Score.objects.filter(review__application__call=call).values_list("points", flat=True)
    ) <= set(range(6))


def test_the_scale_call_scores_and_flushes():
    seed(*SMALL)
    call = scale_calls().get()

    scoring.call_score(call_id=call.pk)

    ranks = list(Application.objects.filter(call=call).values_list("rank", flat=True))
    assert sorted(ranks) == list(range(1, 101))
    assert Application.objects.filter(call=call, total__gt=Decimal(0)).count() == 100

    scale_flush()
    assert not scale_calls().exists()
    assert not City.objects.filter(name__startswith=APPLICANT_PREFIX).exists()


def test_seed_scale_visit_applications_option_and_zero_means_none():
    seed(*SMALL, "--visit-applications", "7")
    assert Application.objects.filter(call=scale_calls().get()).count() == 7
    assert not City.objects.filter(name__startswith=APPLICANT_PREFIX).exists()

    seed(*SMALL, "--visit-applications", "0", "--flush")
    assert not scale_calls().exists()

    with pytest.raises(CommandError, match="--visit-applications must be between 0 and 99999"):
        seed(*SMALL, "--visit-applications", "-1", "--flush")


def test_scale_visits_call_is_found_again_or_made_in_a_database_seeded_without_it():
    seed(*SMALL, "--visit-applications", "0")

    made = scale_visits_call(applications=5)
    again = scale_visits_call(applications=50)

    assert made == again
    assert Application.objects.filter(call=made).count() == 5
