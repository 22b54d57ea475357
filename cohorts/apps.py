from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CohortsConfig(AppConfig):
    name = "cohorts"
    verbose_name = _("Cohorts")

    def ready(self):
        from cities.filters import city_filter_add
        from cohorts import receivers, versions  # noqa: F401  (connects the receivers)
        from cohorts.filters import city_cohort_filter

        # The data versions of the cached parts of the cohort pages and lists.
        versions.connect()

        # cities may not import cohorts, so cohorts brings the directory its cohort filter.
        city_filter_add("cohort", city_cohort_filter())
