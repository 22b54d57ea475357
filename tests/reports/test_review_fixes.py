"""What a read-only review of the reports found, held: a cohort's report counts only its own
cities' applications, a date range keeps anonymous surveys by the day they close, and a
programme-wide survey's answers reach programme admins only."""

import datetime

from feedback.enums import ResponseStatus, SurveyScope
from reports.cohort_report import cohort_report
from reports.figures import programme_figures
from tests import factories
from tests.reports.conftest import filters_of, rows

NOW = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)


def test_a_cohort_report_counts_only_its_own_cities_applications(w):
    report = cohort_report(cohort=w.cohort_a, now=NOW)

    # The call is open to cohorts A and B; B's city applied too, and is not A's to count.
    assert [call.submitted for call in report.figures.calls] == [len(report.applications)] == [1]


def test_a_date_range_keeps_anonymous_surveys_by_the_day_they_close(w):
    every = programme_figures(filters_of(w.admin), now=NOW)
    dated = programme_figures(filters_of(w.admin, date_from="2024-01-01"), now=NOW)

    assert every.rated > 0
    assert (dated.rated, dated.surveys_counted) == (every.rated, every.surveys_counted)


def test_programme_wide_survey_answers_reach_admins_only(w):
    twinning = factories.CohortFactory(number=9, name="Twin", programme="twinning")
    twinning.facilitators.add(w.lead_a)
    survey = factories.SurveyFactory(
        scope=SurveyScope.PROGRAMME,
        programme="twinning",
        cohort=None,
        title="Programme-wide",
        is_published=True,
    )
    factories.ResponseFactory(
        survey=survey,
        user=w.officer,
        city=w.lisbon,
        respondent="x",
        status=ResponseStatus.SUBMITTED,
        submitted_at=NOW,
    )

    assert not any(row[0] == survey.pk for row in rows(w.lead_a, "survey-responses"))
    assert any(row[0] == survey.pk for row in rows(w.admin, "survey-responses"))
