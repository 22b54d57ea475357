"""The filters every report and export shares: programme, cohort, thematic group, country, city
type and a date range (issue 14). One form reads them from the query string; `ReportFilters`
is what the dashboard, the reports and the data sets are given.

Decisions (README, "Reports"):
- Cohorts offered are those the person may report on (`reports.selectors.reportable_cohorts`);
  a cohort outside them, or any other value the form refuses, is shown as the field's error and
  that filter is left out, so the page still answers.
- The date range is about when things happened: sessions by their start, feedback responses by
  when they were submitted, study visit applications by when they were submitted. Cities,
  enrolments and roadmaps are not dated by it.
- A thematic group keeps the cities enrolled in it and the sessions held for it.
"""

from __future__ import annotations

import datetime
import functools
from dataclasses import dataclass, field

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.rules import is_programme_admin
from cities.enums import CityType
from cities.filters import CITY_TYPE_FIELDS
from cities.models import Country
from cohorts.enums import Programme
from cohorts.models import ThematicGroup
from reports.selectors import reportable_cohorts


@dataclass(frozen=True)
class ReportFilters:
    """The filters in effect. `cohort_ids`: the cohorts reported on, those chosen or, when none
    was, every cohort the person may report on (of the programme chosen); empty when none is
    left, and then every report is empty."""

    cohort_ids: tuple[int, ...]
    programme: str = ""
    thematic_group_id: int | None = None
    country_id: int | None = None
    city_type: str = ""
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    # Programme-wide surveys' answers are programme admins' only (feedback/rules.py).
    programme_wide: bool = False
    chosen: dict = field(default_factory=dict, compare=False)  # for links: the query string

    def city_lookups(self, prefix: str = "") -> dict:
        """ORM lookups that keep the cities of the country and type chosen; `prefix` is the
        path to the city from the model queried ("city__", "enrolment__city__")."""
        lookups = {}
        if self.country_id:
            lookups[f"{prefix}country_id"] = self.country_id
        if self.city_type:
            lookups[f"{prefix}{CITY_TYPE_FIELDS[self.city_type]}"] = True
        return lookups

    def date_lookups(self, field_path: str) -> dict:
        """ORM lookups that keep the moments of `field_path` inside the date range (whole days
        in the portal's zone)."""
        lookups = {}
        if self.date_from:
            lookups[f"{field_path}__date__gte"] = self.date_from
        if self.date_to:
            lookups[f"{field_path}__date__lte"] = self.date_to
        return lookups


class ReportFilterForm(forms.Form):
    programme = forms.ChoiceField(
        label=_("Programme"), required=False, choices=[("", _("Every programme"))]
    )
    cohort = forms.TypedMultipleChoiceField(
        label=_("Cohort"), required=False, coerce=int, choices=[]
    )
    thematic_group = forms.TypedChoiceField(
        label=_("Thematic group"), required=False, coerce=int, empty_value=None, choices=[]
    )
    country = forms.TypedChoiceField(
        label=_("Country"), required=False, coerce=int, empty_value=None, choices=[]
    )
    city_type = forms.ChoiceField(
        label=_("City type"), required=False, choices=[("", _("Any type")), *CityType.choices]
    )
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, data=None, *, user, **kwargs):
        super().__init__(data, **kwargs)
        self.user = user
        self.cohorts = list(
            reportable_cohorts(user=user)
            .order_by("starts_on", "number")
            .only("pk", "programme", "number", "name", "starts_on")
        )
        ids = [cohort.pk for cohort in self.cohorts]
        self.fields["programme"].choices = [("", _("Every programme")), *Programme.choices]
        self.fields["cohort"].choices = [(cohort.pk, str(cohort)) for cohort in self.cohorts]

        # Read only when the form is drawn or a value is given (a chart's download, with no
        # group or country chosen, reads neither), and once however often they are asked.
        @functools.cache
        def groups():
            # Three values a group, not three model instances: an admin's form lists every
            # cohort's groups (1,000 on EU-scale data).
            found = (
                ThematicGroup.objects.filter(cohort_id__in=ids)
                .order_by("cohort__starts_on", "cohort_id", "sector__name")
                .values_list("pk", "cohort__name", "sector__name")
            )
            return [("", _("Every thematic group"))] + [
                (pk, f"{cohort_name} · {sector_name}") for pk, cohort_name, sector_name in found
            ]

        @functools.cache
        def countries():
            return [
                ("", _("Every country")),
                *Country.objects.order_by("name").values_list("pk", "name"),
            ]

        self.fields["thematic_group"].choices = groups
        self.fields["country"].choices = countries

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end of the range is before its start."))
        return cleaned

    def report_filters(self) -> ReportFilters:
        """The filters in effect: each valid field's value; a field with an error is left out."""
        if self.is_bound:
            self.is_valid()  # fills cleaned_data with the valid fields, errors with the others
        values = getattr(self, "cleaned_data", {}) if self.is_bound else {}
        programme = values.get("programme") or ""
        cohorts = [
            cohort
            for cohort in self.cohorts
            if (not programme or cohort.programme == programme)
            and (not values.get("cohort") or cohort.pk in values["cohort"])
        ]
        chosen = {
            name: self.data.getlist(name) if hasattr(self.data, "getlist") else self.data[name]
            for name in self.fields
            if name in values and values[name] not in (None, "", [])
        }
        return ReportFilters(
            cohort_ids=tuple(cohort.pk for cohort in cohorts),
            programme=programme,
            thematic_group_id=values.get("thematic_group"),
            country_id=values.get("country"),
            city_type=values.get("city_type") or "",
            date_from=values.get("date_from"),
            date_to=values.get("date_to"),
            programme_wide=is_programme_admin(self.user),
            chosen=chosen,
        )
