"""The reports pages in a real browser (issue 14): an admin reaches the programme dashboard from
their home page, filters it to one cohort and downloads a chart; axe and CSP clean."""

import re
from pathlib import Path

import pytest

from cohorts.models import Cohort
from tests.browser.conftest import sign_in
from tests.browser.test_pages import assert_accessible_and_csp_clean

pytestmark = pytest.mark.browser


def test_admin_filters_the_dashboard_to_one_cohort_and_downloads_a_chart(page, demo):
    sign_in(page, "programme_admin")
    page.get_by_role("link", name="See the programme dashboard").click()
    page.get_by_role("heading", level=1, name="Programme dashboard").wait_for()
    every = int(page.locator('[data-count="cities"]').inner_text())
    assert_accessible_and_csp_clean(page)

    cohort = Cohort.objects.order_by("starts_on", "number").last()
    page.get_by_role("listbox", name="Cohort").select_option(str(cohort.pk))
    page.get_by_role("button", name="Show figures").click()
    page.wait_for_url(re.compile(rf"cohort={cohort.pk}"))
    enrolled = cohort.enrolments.filter(status="accepted").values("city").distinct().count()
    assert int(page.locator('[data-count="cities"]').inner_text()) == enrolled
    assert enrolled < every
    assert_accessible_and_csp_clean(page)

    with page.expect_download() as download_info:
        page.locator('[data-download="countries"]').click()
    download = download_info.value
    assert download.suggested_filename == "programme-countries.svg"
    svg = Path(download.path()).read_text(encoding="utf-8")
    assert svg.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    assert f'<title id="chart-countries-title">Cities taking part, by country · {cohort}' in svg


def test_facilitator_opens_their_cohort_report_and_compares_cohorts(page, demo):
    cohorts = list(Cohort.objects.order_by("starts_on", "number"))
    for cohort in cohorts:
        cohort.facilitators.add(demo["facilitator"])
    sign_in(page, "facilitator")
    page.get_by_role("link", name="Reports on your cohorts").click()
    page.get_by_role("heading", level=1, name="Cohort reports").wait_for()
    assert_accessible_and_csp_clean(page)

    page.get_by_role("link", name=str(cohorts[0])).click()
    page.get_by_role("heading", level=1, name=f"Report · {cohorts[0]}").wait_for()
    assert page.locator('[data-table="sessions"] tbody tr').count() >= 1
    assert_accessible_and_csp_clean(page)

    page.get_by_role("link", name="Cohort reports and comparison").click()
    page.get_by_role("listbox", name="Cohorts to compare").select_option(
        [str(cohort.pk) for cohort in cohorts[:2]]
    )
    page.get_by_role("button", name="Compare").click()
    page.get_by_role("heading", level=1, name="Compare cohorts").wait_for()
    assert page.locator('[data-table="comparison"] thead th').count() == 3
    assert_accessible_and_csp_clean(page)


def test_admin_exports_a_list_under_the_dashboards_filters_and_downloads_it(page, demo):
    sign_in(page, "programme_admin")
    page.get_by_role("link", name="See the programme dashboard").click()
    cohort = Cohort.objects.order_by("starts_on", "number").first()
    page.get_by_role("listbox", name="Cohort").select_option(str(cohort.pk))
    page.get_by_role("button", name="Show figures").click()
    page.wait_for_url(re.compile(rf"cohort={cohort.pk}"))

    page.get_by_role("link", name="Export the lists under these filters").click()
    page.get_by_role("heading", level=1, name="Exports").wait_for()
    # The dashboard's filters came along.
    assert page.get_by_role("listbox", name="Cohort").evaluate(
        "select => [...select.selectedOptions].map(option => option.value)"
    ) == [str(cohort.pk)]
    assert_accessible_and_csp_clean(page)
    page.get_by_label("Data set").select_option("registrations")
    page.get_by_label("CSV").check()
    page.get_by_role("button", name="Build the file").click()
    page.get_by_text("Your export is being prepared.").wait_for()
    # The row polls until the file is ready (at once when tasks run in the process).
    page.locator('tr[data-export-status="ready"]').wait_for(timeout=60_000)
    assert_accessible_and_csp_clean(page)

    with page.expect_download() as download_info:
        page.get_by_role("link", name=re.compile("^Download ")).click()
    download = download_info.value
    assert download.suggested_filename.endswith(".csv")
    lines = Path(download.path()).read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].startswith("registration_id,")
    registered = sum(session.registrations.count() for session in cohort.sessions.all())
    assert len(lines) == 1 + registered
