from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Reports")

    def ready(self):
        from reports import (
            dataset_cities,
            dataset_feedback,
            dataset_roadmaps,
            dataset_sessions,
            dataset_visits,
        )
        from reports.datasets import dataset_register

        # The order of the data dictionary: who takes part, then what they did.
        for dataset in (
            dataset_cities.CITIES,
            dataset_cities.COHORTS,
            dataset_cities.ENROLMENTS,
            dataset_sessions.SESSIONS,
            dataset_sessions.REGISTRATIONS,
            dataset_roadmaps.ROADMAPS,
            dataset_roadmaps.ROADMAP_ANSWERS,
            dataset_feedback.SURVEY_RESPONSES,
            dataset_feedback.SURVEY_ANSWERS,
            dataset_visits.VISIT_APPLICATIONS,
            dataset_visits.APPLICATION_SCORES,
        ):
            dataset_register(dataset)
