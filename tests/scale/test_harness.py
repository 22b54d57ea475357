import datetime
import time
from collections import Counter

import pytest
import time_machine
from django.core.management import call_command

from benchmarks import bench_cities, bench_cohorts, bench_cold, harness
from benchmarks.harness import (
    FLOOR,
    HEALTH,
    EachRun,
    Result,
    format_counts,
    format_table,
    measure,
    percentile,
)
from cities.models import City
from cohorts.enums import EnrolmentStatus
from cohorts.models import Enrolment
from cohorts.selectors import cohorts_facilitated_by
from devdata.scale import scale_cities, scale_cohorts


def test_percentile_nearest_rank():
    assert percentile([5.0, 1.0, 4.0, 2.0, 3.0], 0.95) == 5.0
    assert percentile([float(n) for n in range(1, 21)], 0.95) == 19.0
    assert percentile([float(n) for n in range(1, 21)], 0.5) == 10.0
    assert percentile([7.0], 0.95) == 7.0


def test_percentile_no_samples_raises():
    with pytest.raises(ValueError, match="No samples"):
        percentile([], 0.95)


def test_format_table_gives_median_p95_and_ratios_to_floor_and_health():
    results = [
        Result(HEALTH, (0.5, 0.5, 1.0)),
        Result(FLOOR, (1.0, 2.0, 3.0)),
        Result("home page: programme admin", (10.0, 12.0, 30.0, 11.0)),
    ]

    assert format_table(results) == (
        "benchmark                                       median ms  p95 ms  x floor  x /health/\n"
        "----------------------------------------------  ---------  ------  -------  ----------\n"
        "health: GET /health/                                 0.50    1.00     0.25        1.00\n"
        "floor: signed-in officer, base layout, no data       2.00    3.00     1.00        4.00\n"
        "home page: programme admin                          11.50   30.00     5.75       23.00"
    )


@pytest.mark.parametrize("missing", [FLOOR, HEALTH])
def test_format_table_without_a_reference_raises(missing):
    results = [Result(name, (1.0,)) for name in (FLOOR, HEALTH) if name != missing]
    with pytest.raises(ValueError, match="was not measured"):
        format_table([*results, Result("home page: facilitator", (1.0,))])


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
        harness.benchmark(FLOOR)(lambda: lambda: None)


@pytest.mark.django_db
def test_registered_benchmarks_run_on_scale_data(settings):
    settings.ROOT_URLCONF = "benchmarks.urls"  # as harness.configure_django() sets it
    call_command("seed_scale", "--cities", "50", "--users", "300", "--cohorts", "3", verbosity=0)

    assert harness.discover() == [
        "bench_accounts",
        "bench_cities",
        "bench_cohorts",
        "bench_cold",
        "bench_feedback",
        "bench_feedback_answer",
        "bench_feedback_api",
        "bench_feedback_compare",
        "bench_feedback_export",
        "bench_feedback_figures",
        "bench_feedback_live",
        "bench_home",
        "bench_reference_lists",
        "bench_reminders",
        "bench_reminders_pages",
        "bench_reports",
        "bench_reports_lists",
        "bench_roadmaps",
        "bench_sessions",
        "bench_visits_allocation",
        "bench_visits_api",
        "bench_visits_applying",
        "bench_visits_calls",
        "bench_visits_exports",
        "bench_visits_reviewing",
        "bench_visits_scoring",
    ]
    # Sorted: the registry's order is the order the modules were first imported in.
    assert sorted(harness.REGISTRY) == sorted(
        [
            HEALTH,
            FLOOR,
            "account page: officer",
            "API tokens page: officer with 5 tokens",
            "person's API tokens page: programme admin, script account with 10 tokens",
            "city directory: officer, no filter",
            "city directory: officer, country + type + name",
            "city detail: officer, city with the most climate actions",
            "city profile form: officer, city with the most climate actions",
            "city search: officer, ?q=<search term>",
            "climate action form: officer, new action",
            "climate action form: officer, edit the action with the most levers",
            "invitation form: programme admin",
            "invitation form: facilitator with the most enrolled cities",
            "API: GET /api/v1/countries/",
            "API: GET /api/v1/climate-actions/",
            "cohort page: lead facilitator, busiest cohort",
            "cohort page: officer of an enrolled city, busiest cohort",
            "API: GET /api/v1/cities/",
            "API: GET /api/v1/sessions/?cohort=<busiest>",
            "enrolments page: lead facilitator, busiest cohort",
            "new cohort form: lead facilitator",
            "cohort list: lead facilitator",
            "cohort list: officer with the most enrolments",
            "cohort edit form: lead facilitator, busiest cohort",
            "enrolment request page: officer, open cohort",
            "API: GET /api/v1/cohorts/",
            "API: GET /api/v1/enrolments/",
            "API: GET /api/v1/phases/ (programme admin, every cohort's)",
            "API: GET /api/v1/thematic-groups/ (programme admin, every cohort's)",
            "survey introduction: officer with a draft",
            "survey page: officer, page 1 of 2 with a draft, ten questions",
            "live presenter area: lead facilitator, 100,000 responses (counts kept)",
            "empty cache: live presenter area: lead facilitator, 100,000 responses",
            "live presenter page: lead facilitator, 100,000 responses",
            "live participant page: officer, the question on screen",
            "live participant poll: officer, the same question on screen (204)",
            "home page: facilitator",
            "home page: programme admin",
            "home page: officer with the most enrolments",
            "home page: reviewer",
            "API: GET /api/v1/sectors/ (officer)",
            "API: GET /api/v1/enabling-factors/ (officer)",
            "API: GET /api/v1/enabling-themes/ (officer)",
            "API: GET /api/v1/netzerocities-services/ (officer)",
            "roadmap PDF: full roadmap (WeasyPrint)",
            "roadmap autosave: roadmap_field_save service",
            "roadmap autosave: POST /roadmaps/<id>/autosave/",
            "roadmap PDF: first download, GET /roadmaps/<id>/pdf/ (printed and stored)",
            "roadmap PDF: repeat download, GET /roadmaps/<id>/pdf/ (stored file)",
            "roadmap overview: facilitator, GET /roadmaps/cohort/<id>/",
            "roadmap export status: facilitator, GET /roadmaps/exports/<id>/",
            "roadmap edit page: officer, GET /roadmaps/<id>/",
            "roadmap edit page: lead facilitator, GET /roadmaps/<id>/",
            "roadmap history: officer, GET /roadmaps/<id>/history/",
            "API: GET /api/v1/roadmaps/ (lead facilitator)",
            "API: GET /api/v1/roadmaps/<id>/ (officer: fields and comments)",
            "API: GET /api/v1/roadmaps/<id>/history/ (officer)",
            "API: GET /api/v1/roadmaps/<id>/comments/ (officer)",
            "session page: lead facilitator, busiest session",
            "session page: officer of a registered city, busiest session",
            "new session form: lead facilitator, busiest cohort",
            "session edit form: lead facilitator, busiest session",
            "attendance page: lead facilitator, busiest session",
            "attendance import page: lead facilitator, busiest session",
            "attendance import, Zoom report read and confirmation shown: busiest session",
            "session outcome form: lead facilitator, busiest session",
            "session .ics: officer, busiest session",
            "session .ics from an email's signed link: signed out, busiest session",
            "calendar settings page: officer",
            "calendar feed: lead facilitator of the busiest cohort",
            "API: GET /api/v1/registrations/ (lead facilitator)",
            "API: GET /api/v1/registrations/?session=<busiest> (officer)",
            "API: GET /api/v1/session-presentations/?cohort=<busiest> (lead facilitator)",
            "API: GET /api/v1/session-presentations/ (programme admin, every cohort's)",
            "sessions page: busiest facilitator",
            "sessions page: busiest facilitator, filtered by cohort and kind",
            "sessions page, month: busiest facilitator, busiest month",
            "sessions page: officer with the most enrolments",
            "sessions page, month: officer with the most enrolments, filtered by kind",
            "survey builder list: lead facilitator, busiest cohort",
            "new survey form: programme admin (every cohort and session)",
            "survey edit page: lead facilitator, 3 sections of 9 questions",
            "question form: lead facilitator, last question of 27",
            "visit application page: officer, three visits ranked, three delegates",
            *(bench_cold.COLD + name for name in bench_cold.WARM_ROWS),
            "survey results: lead facilitator, 100,000 responses of 20 questions",
            "survey results: lead facilitator, 100,000 responses, filtered by country",
            "survey results chart SVG: lead facilitator, a multiple-choice question",
            "survey reminder confirmation: lead facilitator, busiest cohort",
            bench_cold.COLD + "survey results: lead facilitator, 100,000 responses of 20 questions",
            "survey export CSV: lead facilitator, 5,000 responses of 20 questions",
            "survey export XLSX: lead facilitator, 5,000 responses of 20 questions",
            "survey report PDF: lead facilitator, 100,000 responses, repeat download (kept)",
            "survey chart PNG: lead facilitator, a multiple-choice question",
            "survey results by enabling theme: lead facilitator, 100,000 responses",
            "post-session sub-topics page: lead facilitator, 200 responses",
            "survey comparison: lead facilitator, 2,000,000 answers beside 20,000",
            bench_cold.COLD
            + "survey comparison: lead facilitator, 2,000,000 answers beside 20,000",
            "API: GET /api/v1/surveys/ (lead facilitator, busiest cohort)",
            "API: GET /api/v1/surveys/<id>/ (officer: two pages of ten questions)",
            "API: GET /api/v1/surveys/<id>/response/ (officer with a draft)",
            "API: GET /api/v1/surveys/<id>/responses/ (lead facilitator, 100,000 responses)",
            "API: GET /api/v1/surveys/<id>/results/ (lead facilitator, 100,000 responses)",
            "reminders outbox: programme admin, first page of 50,000+ emails",
            "reminders outbox: programme admin, failed emails (status filter)",
            "reminders outbox: programme admin, service messages (kind filter)",
            "reminders preferences: officer",
            "reminders preferences: programme admin (every kind)",
            "programme dashboard: programme admin, every cohort",
            "programme dashboard: programme admin, one country and city type",
            "programme dashboard chart SVG: programme admin, sessions by month",
            bench_cold.COLD + "programme dashboard: programme admin, every cohort",
            "cohort reports list: programme admin, 200 cohorts",
            "cohort report: lead facilitator, busiest cohort",
            bench_cold.COLD + "cohort report: lead facilitator, busiest cohort",
            "cohort comparison: programme admin, the busiest cohort and two more",
            "exports page: programme admin, 20 exports of every status",
            "API: GET /api/v1/datasets/ (programme admin: the data dictionary)",
            "review page: reviewer, submitted review, others' scores of 5 criteria",
            "reviewer's list: reviewer with 100 assigned applications",
            "reviewer assignment page: programme admin, scale call of 20,000 applications",
            "visit allocation page: programme admin, 400 ranked applications",
            "visit publish confirmation: programme admin, 400 ranked applications",
            "visits export: ranking CSV, programme admin, 20,000 applications, every score line",
            "visits export: ranking XLSX, programme admin, 20,000 applications, every score line",
            "visits export: allocation CSV, programme admin, 20,000 applications",
            "visits export: allocation XLSX, programme admin, 20,000 applications",
            "visits ranking page: programme admin, 20,000 applications (first 50)",
            "visits scoring: whole call of 20,000 applications again, nothing changed (not a page)",
            "visits why-this-score page: programme admin, the application ranked first",
            "visits: call page, officer, 3 visits and 6 criteria",
            "visits: call page, officer, scale call of 20,000 applications",
            "visits: call page, programme admin (edit buttons, weights form)",
            "visits: call page, programme admin, scale call of 20,000 applications",
            "visits: call edit form, programme admin",
            "visits: list of calls, officer of an eligible city",
            "visits: list of calls, programme admin",
            "API: GET /api/v1/visit-calls/ (officer of an eligible city)",
            "API: GET /api/v1/visit-applications/ (programme admin, every call's)",
            "API: GET /api/v1/visit-applications/ (reviewer with 100 assigned applications)",
            "API: GET /api/v1/visit-applications/ (officer of an eligible city)",
            "API: GET /api/v1/visit-reviews/ (reviewer with 100 assigned applications)",
            "afresh: API: GET /api/v1/visit-applications/ (programme admin, every call's)",
            "afresh: API: GET /api/v1/visit-applications/ (reviewer with 100 assigned "
            "applications)",
            "afresh: API: GET /api/v1/visit-applications/ (officer of an eligible city)",
            "afresh: reviewer assignment page: programme admin, scale call of 20,000 "
            "applications, after a change of the reviews",
            "afresh: visit allocation page: programme admin, 400 ranked applications, after a move",
        ]
    )
    assert harness.REGISTRY[HEALTH].setup()().json() == {"status": "ok"}
    floor_page = harness.REGISTRY[FLOOR].setup()()
    assert floor_page.wsgi_request.user.city_memberships.exists()
    assert b'class="site-header"' in floor_page.content

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

    tokens_page = harness.REGISTRY["API tokens page: officer with 5 tokens"].setup()()
    officer = tokens_page.wsgi_request.user
    assert officer.city_memberships.exists()
    assert tokens_page.text.count("Revoke “bench") == 5
    assert harness.REGISTRY["account page: officer"].setup()().wsgi_request.user == officer


def test_measure_pairs_each_run_with_a_floor_run_in_alternating_order():
    calls = []

    def setup():
        return lambda: calls.append("page")

    result = measure(setup, name="paired", repeat=4, warmup=1, floor=lambda: calls.append("floor"))

    assert calls == ["page", "floor"] + ["page", "floor", "floor", "page"] * 2
    assert len(result.samples_ms) == 4
    assert len(result.floor_samples_ms) == 4


def test_measure_runs_each_runs_before_untimed_right_before_every_run():
    calls = []

    def setup():
        def before():
            calls.append("before")
            time.sleep(0.05)  # untimed: far above what the run itself takes

        return EachRun(run=lambda: calls.append("page"), before=before)

    result = measure(setup, name="afresh", repeat=4, warmup=1, floor=lambda: calls.append("floor"))

    assert (
        calls
        == ["before", "page", "floor"]
        + [
            "before",
            "page",
            "floor",
            "floor",
            "before",
            "page",
        ]
        * 2
    )
    assert len(result.samples_ms) == 4
    assert max(result.samples_ms) < 50


def test_format_table_divides_a_paired_benchmark_by_its_own_floor_runs():
    results = [
        Result(HEALTH, (1.0,)),
        Result(FLOOR, (2.0,)),
        Result("home page: reviewer", (9.0, 12.0, 15.0), floor_samples_ms=(3.0, 4.0, 5.0)),
    ]

    rows = format_table(results).splitlines()

    assert rows[-1].split()[-4:] == ["12.00", "15.00", "3.00", "12.00"]


@pytest.mark.django_db
def test_city_and_cohort_benchmarks_measure_the_pages_they_name():
    # No visits call: its applicant cities (devdata/scale_visits.py) would join the directory.
    call_command(
        "seed_scale",
        "--cities",
        "200",
        "--users",
        "500",
        "--cohorts",
        "3",
        "--visit-applications",
        "0",
        verbosity=0,
    )
    harness.discover()

    directory = harness.REGISTRY["city directory: officer, no filter"].setup()()
    officer = directory.wsgi_request.user
    assert officer.email == "scale-user-00017@scale.example.org"
    assert officer.city_memberships.exists()
    assert directory.context["page_obj"].paginator.count == 200

    filtered = harness.REGISTRY["city directory: officer, country + type + name"].setup()()
    country = bench_cities.busiest_country()
    assert filtered.wsgi_request.GET.dict() == {
        "country": country,
        "type": "mission_minded",
        "name": bench_cities.SEARCH_TERM,
    }
    expected = sorted(
        scale_cities()
        .filter(
            country__iso_code=country,
            is_mission_minded=True,
            name__contains=bench_cities.SEARCH_TERM,
        )
        .values_list("name", flat=True)
    )
    assert expected  # the filters leave some cities to list
    assert [city.name for city in filtered.context["cities"]] == expected

    busiest = bench_cohorts.busiest_cohort()
    accepted = Counter(
        Enrolment.objects.filter(
            cohort__in=scale_cohorts(), status=EnrolmentStatus.ACCEPTED
        ).values_list("cohort__number", flat=True)
    )
    assert accepted[busiest.number] == max(accepted.values())
    cohort_page = harness.REGISTRY["cohort page: lead facilitator, busiest cohort"].setup()()
    assert cohort_page.wsgi_request.path == f"/cohorts/{busiest.pk}/"
    assert cohort_page.wsgi_request.user in busiest.facilitators.all()
    assert len(cohort_page.context["enrolments"]) == accepted[busiest.number]

    api_cities = harness.REGISTRY["API: GET /api/v1/cities/"].setup()()
    assert api_cities.json()["count"] == City.objects.count()
    api_sessions = harness.REGISTRY["API: GET /api/v1/sessions/?cohort=<busiest>"].setup()()
    assert api_sessions.json()["count"] == 10


@pytest.mark.django_db
def test_cohort_and_home_benchmarks_of_issue_9_answer_their_pages():
    call_command("seed_scale", "--cities", "200", "--users", "500", "--cohorts", "3", verbosity=0)
    harness.discover()
    busiest = bench_cohorts.busiest_cohort()
    officer = bench_cohorts.busiest_officer()

    # Each benchmark fails unless its page answers 200 (harness.page). Three generated cohorts
    # may all have ended: the request page is measured on a day the last one is open.
    last_day = bench_cohorts.open_cohort().ends_on
    with time_machine.travel(datetime.datetime.combine(last_day, datetime.time(9)), tick=False):
        request_page = harness.REGISTRY["enrolment request page: officer, open cohort"].setup()()
    assert request_page.wsgi_request.path == f"/cohorts/{bench_cohorts.open_cohort().pk}/enrol/"
    assert request_page.wsgi_request.user == officer
    edit_form = harness.REGISTRY["cohort edit form: lead facilitator, busiest cohort"].setup()()
    assert edit_form.wsgi_request.path == f"/cohorts/{busiest.pk}/edit/"
    officer_list = harness.REGISTRY["cohort list: officer with the most enrolments"].setup()()
    assert officer_list.wsgi_request.user == officer
    assert harness.REGISTRY["cohort list: lead facilitator"].setup()().status_code == 200
    assert harness.REGISTRY["API: GET /api/v1/cohorts/"].setup()().json()["count"] >= 1
    assert harness.REGISTRY["API: GET /api/v1/enrolments/"].setup()().json()["count"] >= 1
    officer_home = harness.REGISTRY["home page: officer with the most enrolments"].setup()()
    assert 'data-role="city_officer"' in officer_home.text
    reviewer_home = harness.REGISTRY["home page: reviewer"].setup()()
    assert 'data-role="reviewer"' in reviewer_home.text


@pytest.mark.django_db
def test_cities_benchmarks_answer_their_pages_on_scale_data():
    call_command("seed_scale", "--cities", "200", "--users", "500", "--cohorts", "3", verbosity=0)
    harness.discover()

    city = bench_cities.busiest_action_city()
    officer = bench_cities.officer_of(city)
    assert city.climate_actions.exists()
    assert officer.city_memberships.filter(city=city).exists()
    detail = harness.REGISTRY["city detail: officer, city with the most climate actions"]
    assert detail.setup()().wsgi_request.path == f"/cities/{city.pk}/"
    edit = harness.REGISTRY["climate action form: officer, edit the action with the most levers"]
    action = bench_cities.richest_action(city)
    assert edit.setup()().wsgi_request.path == f"/cities/actions/{action.pk}/edit/"
    profile_form = harness.REGISTRY[
        "city profile form: officer, city with the most climate actions"
    ]
    assert profile_form.setup()().wsgi_request.path == f"/cities/{city.pk}/edit/"
    search = harness.REGISTRY["city search: officer, ?q=<search term>"].setup()()
    assert search.json()["results"]
    facilitator_form = harness.REGISTRY[
        "invitation form: facilitator with the most enrolled cities"
    ].setup()()
    assert facilitator_form.wsgi_request.user.is_facilitator
    assert 'data-reason="no_cities"' not in facilitator_form.text
    for name in [
        "climate action form: officer, new action",
        "invitation form: programme admin",
        "API: GET /api/v1/countries/",
        "API: GET /api/v1/climate-actions/",
    ]:
        assert harness.REGISTRY[name].setup()().status_code == 200, name


@pytest.mark.django_db
def test_session_benchmarks_measure_the_busiest_session():
    from benchmarks import bench_sessions
    from sessions.models import Registration

    call_command("seed_scale", "--cities", "200", "--users", "500", "--cohorts", "3", verbosity=0)
    harness.discover()
    busiest = bench_sessions.busiest_session()
    counts = Counter(Registration.objects.values_list("session_id", flat=True))
    assert counts[busiest.pk] == max(counts.values())

    for name in [n for n in harness.REGISTRY if "session" in n or "calendar" in n]:
        response = harness.REGISTRY[name].setup()()
        assert response.status_code == 200, name
    attendance = harness.REGISTRY["attendance page: lead facilitator, busiest session"].setup()()
    assert (
        attendance.text.count("<tr data-registration=")
        == Registration.objects.filter(session=busiest, is_walk_in=False).count()
    )
    officer_page = harness.REGISTRY[
        "session page: officer of a registered city, busiest session"
    ].setup()()
    assert officer_page.wsgi_request.user.city_memberships.filter(
        city__session_registrations__session=busiest
    ).exists()


@pytest.mark.django_db
def test_empty_cache_rows_answer_their_page_with_nothing_cached(settings):
    """Each "empty cache" row draws the same page as its warm row, and starts from nothing."""
    from django.core.cache import cache

    settings.ROOT_URLCONF = "benchmarks.urls"
    call_command("seed_scale", "--cities", "50", "--users", "300", "--cohorts", "3", verbosity=0)
    harness.discover()

    for name in bench_cold.WARM_ROWS:
        warm = harness.REGISTRY[name].setup()()
        cache.set("left-by-an-earlier-request", 1)
        cold = harness.REGISTRY[bench_cold.COLD + name].setup()()
        assert cache.get("left-by-an-earlier-request") is None, name
        assert cold.status_code == 200, name
        assert cold.wsgi_request.path == warm.wsgi_request.path, name
