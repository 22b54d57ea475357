import pytest
from django.core.management import call_command

from benchmarks import harness
from benchmarks.harness import BASELINE, Result, format_counts, format_table, measure, percentile
from cohorts.selectors import cohorts_facilitated_by


def test_percentile_nearest_rank():
    assert percentile([5.0, 1.0, 4.0, 2.0, 3.0], 0.95) == 5.0
    assert percentile([float(n) for n in range(1, 21)], 0.95) == 19.0
    assert percentile([float(n) for n in range(1, 21)], 0.5) == 10.0
    assert percentile([7.0], 0.95) == 7.0


def test_percentile_no_samples_raises():
    with pytest.raises(ValueError, match="No samples"):
        percentile([], 0.95)


def test_format_table_gives_median_p95_and_ratio_to_baseline():
    results = [
        Result(BASELINE, (1.0, 2.0, 3.0)),
        Result("home page: programme admin", (10.0, 12.0, 30.0, 11.0)),
    ]

    assert format_table(results) == (
        "benchmark                   median ms  p95 ms  x baseline\n"
        "--------------------------  ---------  ------  ----------\n"
        "baseline: GET /health/           2.00    3.00        1.00\n"
        "home page: programme admin      11.50   30.00        5.75"
    )


def test_format_table_without_baseline_raises():
    with pytest.raises(ValueError, match="was not measured"):
        format_table([Result("home page: facilitator", (1.0,))])


def test_format_counts_aligns_names_and_groups_thousands():
    assert format_counts({"cities": 10_000, "mission cities": 100}) == (
        "cities             10,000\nmission cities        100"
    )


def test_measure_times_repeat_runs_after_warmup():
    calls = []

    def setup():
        calls.append("setup")
        return lambda: calls.append("run")

    result = measure(setup, name="counting", repeat=5, warmup=2)

    assert calls == ["setup"] + ["run"] * 7
    assert result.name == "counting"
    assert len(result.samples_ms) == 5
    assert all(sample >= 0 for sample in result.samples_ms)


def test_benchmark_same_name_twice_raises():
    with pytest.raises(ValueError, match="already registered"):
        harness.benchmark(BASELINE)(lambda: lambda: None)


@pytest.mark.django_db
def test_registered_benchmarks_run_on_scale_data():
    call_command("seed_scale", "--cities", "50", "--users", "300", "--cohorts", "3", verbosity=0)

    assert harness.discover() == ["bench_home"]
    assert list(harness.REGISTRY) == [
        BASELINE,
        "home page: facilitator",
        "home page: programme admin",
    ]
    assert harness.REGISTRY[BASELINE].setup()().json() == {"status": "ok"}

    facilitator_page = harness.REGISTRY["home page: facilitator"].setup()()
    facilitator = facilitator_page.wsgi_request.user
    assert facilitator.email.endswith("@scale.example.org")
    assert facilitator.is_facilitator
    cohorts = list(cohorts_facilitated_by(user=facilitator).values_list("name", flat=True))
    assert cohorts
    assert all(name in facilitator_page.text for name in cohorts)

    admin_page = harness.REGISTRY["home page: programme admin"].setup()()
    assert admin_page.wsgi_request.user.email == "scale-user-00001@scale.example.org"
    assert 'data-role="programme_admin"' in admin_page.text
