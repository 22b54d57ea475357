"""The rows of issue 14's lists (benchmarks/bench_reports_lists.py, bench_reference_lists.py and
the rows added to bench_accounts.py, bench_cohorts.py and bench_sessions.py) on small scale
data: each answers its page with the rows it names, and the rows a benchmark makes are made
once."""

from collections import Counter

import pytest
from django.core.management import call_command

from accounts.models import ApiToken
from benchmarks import bench_accounts, bench_cohorts, bench_reports_lists, harness
from reports.enums import ExportFileStatus
from reports.models import ExportFile
from sessions.models import SessionPresentation

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(settings):
    settings.ROOT_URLCONF = "benchmarks.urls"  # as harness.configure_django() sets it
    call_command(
        "seed_scale", "--cities", "50", "--users", "300", "--cohorts", "3",
        "--survey-responses", "0", "--visit-applications", "0", verbosity=0,
    )  # fmt: skip
    harness.discover()


def _run(name: str):
    return harness.REGISTRY[name].setup()()


def test_exports_page_lists_the_admins_twenty_exports_made_once(seeded):
    name = "exports page: programme admin, 20 exports of every status"
    response = _run(name)
    _run(name)  # a second run finds them again

    admin = bench_reports_lists.programme_admin()
    assert response.wsgi_request.user == admin
    exports = ExportFile.objects.filter(requested_by=admin)
    assert exports.count() == bench_reports_lists.EXPORTS == 20
    assert set(Counter(exports.values_list("status", flat=True))) == set(ExportFileStatus)
    html = response.text
    assert html.count('<tr id="export-') == 20
    # The exports in progress show a sign of life: they poll, none is given up.
    polling = exports.filter(status__in=[ExportFileStatus.WAITING, ExportFileStatus.BUILDING])
    assert html.count("hx-get=") == polling.count() > 0
    assert 'data-export-status="stuck"' not in html


def test_datasets_index_is_the_whole_dictionary_for_the_admin(seeded):
    response = _run("API: GET /api/v1/datasets/ (programme admin: the data dictionary)")

    assert "survey-answers" in [dataset["key"] for dataset in response.json()]


def test_person_tokens_page_shows_the_script_accounts_ten_tokens_made_once(seeded):
    name = "person's API tokens page: programme admin, script account with 10 tokens"
    response = _run(name)
    _run(name)

    admin, account = bench_accounts.script_account_with_tokens()
    assert response.wsgi_request.user == admin and admin.is_programme_admin
    assert response.wsgi_request.path == f"/accounts/people/{account.pk}/tokens/"
    assert account.is_script_account and not account.has_usable_password()
    assert ApiToken.objects.filter(user=account).count() == 10
    assert response.text.count("Revoke “bench script") == 10
    assert "data-script-account" in response.text


def test_api_list_rows_answer_their_lists(seeded):
    busiest = bench_cohorts.busiest_cohort()
    expected = {
        "API: GET /api/v1/phases/ (programme admin, every cohort's)": 12,
        "API: GET /api/v1/thematic-groups/ (programme admin, every cohort's)": 15,
        "API: GET /api/v1/session-presentations/?cohort=<busiest> (lead facilitator)": (
            SessionPresentation.objects.filter(session__cohort=busiest).count()
        ),
        "API: GET /api/v1/session-presentations/ (programme admin, every cohort's)": (
            SessionPresentation.objects.count()
        ),
    }
    for name, count in expected.items():
        assert _run(name).json()["count"] == count > 0, name
    for path in ["sectors", "enabling-factors", "enabling-themes", "netzerocities-services"]:
        response = _run(f"API: GET /api/v1/{path}/ (officer)")
        assert response.json()["count"] > 0, path
