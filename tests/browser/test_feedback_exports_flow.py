"""From a ready template to its results' file, in a real browser: a facilitator builds a survey
from the final recap template ("Start from" on /surveys/new/) and publishes it; an officer
answers page 1, closes the browser, and goes on in another one (another device) to submit; the
facilitator sees the counts on the results page and downloads the XLSX, whose content is read
back with openpyxl. axe checks the results page with its downloads, and the keyboard alone
reaches and follows the download links."""

import datetime

import openpyxl
import pytest
from django.utils import timezone

from feedback.models import Survey
from feedback.survey_templates import SATISFIED, TECHNICAL_FORMAT_OPTIONS, THEMATIC_FORMAT_OPTIONS
from tests import factories
from tests.browser.conftest import sign_in_as
from tests.browser.test_pages import assert_accessible_and_csp_clean

pytestmark = pytest.mark.browser

LOCAL = "%Y-%m-%dT%H:%M"
GAINED = "What did your city gain from the thematic and technical sessions?"
SUPPORT = (
    "Describe in one sentence a support service you would need to support your climate "
    "neutrality goal."
)
POSSIBLE = "How possible is it to become climate neutral?"


@pytest.fixture
def people(transactional_db):
    lead = factories.UserFactory(is_facilitator=True, full_name="Lea Lead", time_zone="UTC")
    cohort = factories.CohortFactory(number=1, name="Online Discussion Groups cohort 1")
    cohort.facilitators.add(lead)
    city = factories.CityFactory(name="Lisbon")
    factories.enrolment_accepted(cohort=cohort, city=city)
    officer = factories.city_officer(city=city, email="ana@lisboa.example", full_name="Ana Silva")
    return lead, officer, city


def test_recap_survey_built_answered_on_two_devices_and_downloaded(new_page, people, tmp_path):
    lead, officer, city = people

    # The facilitator builds the survey from the recap template and publishes it.
    builder = new_page()
    sign_in_as(builder, lead, factories.PASSWORD)
    builder.goto("/surveys/new/")
    builder.get_by_label("Start from").select_option(label="Final recap survey")
    builder.get_by_label("Title").fill("Cohort 1 recap")
    builder.get_by_label("About").select_option(label="Online Discussion Groups cohort 1")
    now = timezone.now()
    builder.get_by_label("Opens").fill((now - datetime.timedelta(minutes=5)).strftime(LOCAL))
    builder.get_by_label("Closes").fill((now + datetime.timedelta(days=14)).strftime(LOCAL))
    builder.get_by_role("button", name="Create the survey").click()
    builder.get_by_role("button", name="Publish").click()
    builder.get_by_text("Survey published").wait_for()
    survey = Survey.objects.get()
    assert (survey.template_key, survey.is_published) == ("final_recap", True)

    # The officer answers page 1 on one device and closes it...
    phone = new_page()
    sign_in_as(phone, officer, factories.PASSWORD)
    phone.goto(f"/surveys/{survey.pk}/")
    phone.get_by_role("button", name="Start").click()
    phone.wait_for_url(f"**/surveys/{survey.pk}/answer/1/")
    phone.get_by_label(GAINED).fill("Peer learning with Mission Cities")
    phone.get_by_role("button", name="Next").click()
    phone.wait_for_url(f"**/surveys/{survey.pk}/answer/2/")
    phone.context.close()

    # ... and goes on in another browser, where the draft resumes at page 2.
    laptop = new_page()
    sign_in_as(laptop, officer, factories.PASSWORD)
    laptop.goto(f"/surveys/{survey.pk}/")
    laptop.get_by_role("button", name="Continue").click()
    laptop.wait_for_url(f"**/surveys/{survey.pk}/answer/2/")
    laptop.get_by_label(THEMATIC_FORMAT_OPTIONS[0], exact=True).check()
    laptop.get_by_role("button", name="Next").click()
    laptop.wait_for_url(f"**/surveys/{survey.pk}/answer/3/")
    laptop.get_by_label(TECHNICAL_FORMAT_OPTIONS[0], exact=True).check()
    laptop.get_by_role("button", name="Next").click()
    laptop.wait_for_url(f"**/surveys/{survey.pk}/answer/4/")
    laptop.get_by_label(SUPPORT).fill("A technical helpdesk for our heat plan")
    possible = survey.sections.get(position=4).questions.get(position=2)
    laptop.locator(f"#q{possible.pk}-7").check()
    laptop.get_by_role("button", name="Submit").click()
    laptop.wait_for_url(f"**/surveys/{survey.pk}/answer/done/**")

    # The facilitator sees the counts...
    builder.goto(f"/surveys/{survey.pk}/results/")
    assert builder.locator('[data-stat="responses"] dd').inner_text() == "1"
    thematic = survey.sections.get(position=2).questions.get()
    rows = builder.locator(
        f'section[data-question="{thematic.pk}"] [data-table="options"] tbody tr'
    )
    assert rows.first.inner_text().split("\t") == [THEMATIC_FORMAT_OPTIONS[0], "1", "100%"]
    assert_accessible_and_csp_clean(builder)

    # ... reaches the XLSX link with the keyboard alone and downloads it.
    link = builder.get_by_role("link", name="The responses, one row each (Excel, XLSX)")
    for _ in range(200):
        builder.keyboard.press("Tab")
        if link.evaluate("element => element === document.activeElement"):
            break
    else:
        pytest.fail("The XLSX link is not reached with the Tab key.")
    with builder.expect_download() as download_info:
        builder.keyboard.press("Enter")
    download = download_info.value
    assert download.suggested_filename == f"survey-{survey.pk}-responses.xlsx"
    path = tmp_path / "responses.xlsx"
    download.save_as(path)
    sheet = openpyxl.load_workbook(path).worksheets[0]
    assert [list(row) for row in sheet.iter_rows(values_only=True)] == [
        [
            "Respondent",
            "City",
            "Country",
            f"Q1. {GAINED}",
            f"Q2. {SATISFIED}",
            f"Q2. {SATISFIED} (other, please specify)",
            f"Q3. {SATISFIED}",
            f"Q3. {SATISFIED} (other, please specify)",
            f"Q4. {SUPPORT}",
            f"Q5. {POSSIBLE}",
        ],
        [
            "Ana Silva",
            "Lisbon",
            city.country.name,
            "Peer learning with Mission Cities",
            THEMATIC_FORMAT_OPTIONS[0],
            None,
            TECHNICAL_FORMAT_OPTIONS[0],
            None,
            "A technical helpdesk for our heat plan",
            7,
        ],
    ]
