"""The search-select widgets (portal/widgets.py): they render only the chosen options, so what
they cost does not depend on how many rows the field could choose from."""

import re

import pytest
from django import forms
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.forms import FacilitatorsField
from cities.models import City
from portal.widgets import CITIES, SearchSelect, SearchSelectMultiple
from tests import factories


class CityForm(forms.Form):
    city = forms.ModelChoiceField(
        label="City",
        queryset=City.objects.select_related("country").order_by("name"),
        widget=SearchSelect(source=CITIES),
    )


class FacilitatorsForm(forms.Form):
    facilitators = FacilitatorsField(label="Facilitators", required=False)


def options(html: str) -> list[tuple[str, str, bool]]:
    """(value, label, selected) of each <option> in the HTML."""
    return [
        (value, label, bool(selected))
        for value, selected, label in re.findall(
            r'<option value="([^"]*)"( selected)?>([^<]*)</option>', html
        )
    ]


def render_counting(form, name: str) -> tuple[str, int]:
    with CaptureQueriesContext(connection) as queries:
        html = str(form[name])
    return html, len(queries)


@pytest.fixture
def braga(db):
    return factories.CityFactory(name="Braga", country=factories.CountryFactory(iso_code="PT"))


@pytest.mark.parametrize("candidates", [1, 500])
def test_search_select_renders_only_the_chosen_city_in_one_query(braga, candidates):
    factories.CityFactory.create_batch(candidates - 1)

    html, queries = render_counting(CityForm(initial={"city": braga.pk}), "city")

    assert options(html) == [("", "---------", False), (str(braga.pk), "Braga (PT)", True)]
    assert queries == 1


def test_search_select_html_does_not_grow_with_candidates(braga):
    def page():
        return render_counting(CityForm(initial={"city": braga.pk}), "city")

    one = page()
    factories.CityFactory.create_batch(499)
    assert page() == one


def test_search_select_without_a_choice_renders_the_empty_option_and_queries_nothing(db):
    factories.CityFactory.create_batch(3)

    html, queries = render_counting(CityForm(), "city")

    assert (options(html), queries) == ([("", "---------", True)], 0)


def test_search_select_ignores_a_value_that_is_not_a_key_and_the_field_refuses_it(braga):
    form = CityForm(data={"city": "not-a-number"})

    html, _ = render_counting(form, "city")

    assert options(html) == [("", "---------", True)]
    assert form.errors == {
        "city": ["Select a valid choice. That choice is not one of the available choices."]
    }


def test_search_select_search_box_is_labelled_and_points_at_results_and_help(braga):
    html = str(CityForm()["city"])

    assert '<label for="id_city_search">Search for a city</label>' in html
    assert (
        '<input type="search" id="id_city_search" autocomplete="off" spellcheck="false" '
        'aria-controls="id_city_results" aria-describedby="id_city_search_help" '
        "data-search-input>" in html
    )
    assert '<ul class="search-select-results" id="id_city_results" data-results></ul>' in html
    assert 'data-search-url="/cities/search/"' in html
    assert '<p class="help" id="id_city_status" role="status" aria-live="polite"' in html
    assert (
        '<noscript><p class="help">Choosing another entry needs JavaScript, which is off in '
        "this browser. What is chosen above is still sent when you save.</p></noscript>" in html
    )


def test_search_select_with_an_error_points_the_search_box_at_it(db):
    form = CityForm(data={})

    html = form["city"].as_field_group()

    assert 'id="id_city_error"' in html
    assert (
        'aria-describedby="id_city_search_help id_city_error" aria-invalid="true" '
        "data-search-input>" in html
    )


def test_search_select_media_loads_its_script_deferred_and_its_stylesheet():
    assert str(CityForm().media).splitlines() == [
        '<link href="/static/css/search-select.css" media="all" rel="stylesheet">',
        '<script src="/static/js/search-select/main.js" type="module"></script>',
    ]


def test_search_select_narrowed_search_adds_the_query_to_the_url(db):
    widget = SearchSelect(source=CITIES, search_query="country=PT")

    assert 'data-search-url="/cities/search/?country=PT"' in widget.render("city", None)


@pytest.mark.parametrize("candidates", [1, 500])
def test_search_select_multiple_renders_the_chosen_facilitators_in_their_order(db, candidates):
    anna = factories.UserFactory(is_facilitator=True, full_name="Anna", organisation="Eurocities")
    ben = factories.UserFactory(is_facilitator=True, full_name="Ben")
    factories.UserFactory.create_batch(candidates - 1, is_facilitator=True)

    html, queries = render_counting(
        FacilitatorsForm(initial={"facilitators": [ben.pk, anna.pk]}), "facilitators"
    )

    assert options(html) == [(str(ben.pk), "Ben", True), (str(anna.pk), "Anna, Eurocities", True)]
    assert queries == 1
    assert '<select name="facilitators" id="id_facilitators" multiple>' in html


def test_search_select_multiple_validates_in_one_query_and_refuses_a_non_facilitator(db):
    anna = factories.UserFactory(is_facilitator=True)
    officer = factories.UserFactory()

    with CaptureQueriesContext(connection) as queries:
        valid = FacilitatorsForm(data={"facilitators": [str(anna.pk)]})
        assert valid.is_valid()
    refused = FacilitatorsForm(data={"facilitators": [str(anna.pk), str(officer.pk)]})

    assert (list(valid.cleaned_data["facilitators"]), len(queries)) == ([anna], 1)
    assert refused.errors == {
        "facilitators": [
            f"Select a valid choice. {officer.pk} is not one of the available choices."
        ]
    }


def test_search_select_with_plain_choices_renders_only_the_chosen_one():
    widget = SearchSelectMultiple(source=CITIES)
    widget.choices = [("1", "One"), ("2", "Two"), ("3", "Three")]

    assert options(widget.render("numbers", ["3"])) == [("3", "Three", True)]
