"""Filters of cities and climate actions, shared by the HTML pages and the API so both filter the
same way."""

import django_filters
from django import forms
from django.utils.choices import BaseChoiceIterator
from django.utils.translation import gettext_lazy as _

from cities.enums import CityType
from cities.models import City, ClimateAction, Country
from portal.api.filters import IdFilter
from taxonomy.models import ThematicSector

CITY_TYPE_FIELDS = {
    CityType.MISSION_CITY: "is_mission_city",
    CityType.MISSION_MINDED: "is_mission_minded",
    CityType.PILOT: "is_pilot_city",
    CityType.TWIN: "is_twin_city",
}


class _QueriedChoices(BaseChoiceIterator):
    """Choices read from the database on first use, then kept for that form.

    The API validates these filters but never renders them, so it runs no query for them; a
    page renders each list once (a plain callable would be queried again by the `required`
    check of the select). Every form gets a fresh copy of its widgets, and so of this.
    """

    def __init__(self, empty_label, load):
        self.empty_label = empty_label
        self.load = load
        self._choices = None

    def __copy__(self):
        return _QueriedChoices(self.empty_label, self.load)

    def __iter__(self):
        if self._choices is None:
            self._choices = [("", self.empty_label), *self.load()]
        yield from self._choices


def _countries():
    return Country.objects.values_list("iso_code", "name")


def _thematic_sectors():
    return ThematicSector.objects.values_list("slug", "name")


class CityFilter(django_filters.FilterSet):
    """Filters of the directory; pass `request`, whose user decides the cohorts offered.

    The apps above add their own filters with `city_filter_add` (cohorts: "Took part in
    cohort", after these).
    """

    name = django_filters.CharFilter(lookup_expr="icontains", label=_("Name contains"))
    # Free-text ISO code for the API (`?country=pt` works), a list of countries in the page.
    country = django_filters.CharFilter(
        field_name="country__iso_code",
        lookup_expr="iexact",
        label=_("Country"),
        widget=forms.Select(choices=_QueriedChoices(_("Any country"), _countries)),
    )
    type = django_filters.ChoiceFilter(
        choices=CityType.choices,
        method="filter_type",
        label=_("City type"),
        empty_label=_("Any type"),
    )
    thematic_interest = django_filters.CharFilter(
        field_name="thematic_interests__slug",
        label=_("Thematic interest"),
        widget=forms.Select(choices=_QueriedChoices(_("Any thematic interest"), _thematic_sectors)),
    )

    class Meta:
        model = City
        fields = ["name", "country", "type", "thematic_interest"]

    def filter_type(self, queryset, name, value):
        return queryset.filter(**{CITY_TYPE_FIELDS[value]: True})


# The directory's own filters, before the apps above add theirs: what these select depends only
# on the query and the cities' data, the same for every signed-in person (cities/scopes.py).
CITY_OWN_FILTERS = frozenset(CityFilter.base_filters)


def city_filters_added(filterset: CityFilter) -> list[str]:
    """The names of the filters of `filterset` that the apps above added (city_filter_add)."""
    return [name for name in filterset.filters if name not in CITY_OWN_FILTERS]


def city_filters_added_in_use(data) -> bool:
    """Whether the query `data` gives a value to a filter an app above added. What such a
    filter selects depends on that app's data and on the person (the cohorts they may see),
    which the cities' versions do not cover, so the cities it selects are never cached."""
    return any(
        value
        for name in CityFilter.base_filters
        if name not in CITY_OWN_FILTERS
        for value in data.getlist(name)
    )


def city_filters_added_scopes() -> list[str]:
    """The data-version scopes the added filters' choices show (their `choices_scopes`), for
    the page to read with its own versions in one query."""
    return [
        scope
        for name, filter_ in CityFilter.base_filters.items()
        if name not in CITY_OWN_FILTERS
        for scope in getattr(filter_, "choices_scopes", ())
    ]


def city_filters_added_choices(filterset: CityFilter, found: dict[str, str]) -> list:
    """What the added filters offer this person, as (value, label) pairs: a cached filter form
    is keyed by it, so each person gets the form with their own choices. Each list is read once
    (one query) and kept in its field, so a form rendered afresh does not read it again.

    `found`: the versions of at least `city_filters_added_scopes()`, by scope."""
    key = []
    for name in city_filters_added(filterset):
        filter_ = filterset.filters[name]
        choices_key = getattr(filter_, "choices_key", None)
        if choices_key is not None:
            # The app names what its choices for this person depend on without reading them.
            data = [found[scope] for scope in getattr(filter_, "choices_scopes", ())]
            key.append((name, choices_key(filterset.request), data))
            continue
        widget = filterset.form.fields[name].widget
        if not hasattr(widget, "choices"):
            continue
        # The widget draws these: kept as a list, a model choice list is not queried again.
        # (Through iter(): list() would first ask a model choice list its length, a COUNT.)
        widget.choices = choices = list(iter(widget.choices))
        key.append((name, [(str(value), str(label)) for value, label in choices]))
    return key


def city_filter_add(name: str, filter_: django_filters.Filter) -> None:
    """Add a filter to the city directory, the page and the API alike, after the others.

    For an app above cities, from its AppConfig.ready (cohorts.apps): cities may not import
    it (ARCHITECTURE.md), so the app brings its filter here.

    The directory's filter form is cached, keyed by what each added filter offers the person
    (`city_filters_added_choices`): by default its choices, read on every request. A filter may
    instead have a `choices_key(request)` method returning a string that changes whenever its
    choices for that person may change (their id, the facts about them the choices depend on),
    and a `choices_scopes` tuple naming the data versions of what the choices show (read with
    the page's own, in one query): the directory then reads the choices only when it draws the
    form afresh.
    """
    CityFilter.base_filters[name] = filter_


class CountryFilter(django_filters.FilterSet):
    name = django_filters.CharFilter(lookup_expr="icontains")
    iso_code = django_filters.CharFilter(lookup_expr="iexact")

    class Meta:
        model = Country
        fields = ["name", "iso_code"]


class ClimateActionFilter(django_filters.FilterSet):
    city = IdFilter(field_name="city_id", label=_("City (id)"))
    sector = django_filters.CharFilter(field_name="sector__slug", label=_("Thematic sector (slug)"))

    class Meta:
        model = ClimateAction
        fields = ["city", "sector"]
