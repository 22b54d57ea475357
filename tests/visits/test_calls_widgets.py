"""The call form's cohort checkboxes (visits.widgets.CheckboxList): drawn in one pass, with the
same markup, byte for byte, as Django's option dicts formatted one by one (the widget before
issue 12's speed work, kept here as the reference)."""

import pytest
from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from cohorts.models import Cohort
from tests import factories
from visits.forms_calls import CallForm
from visits.widgets import CheckboxList


class ReferenceCheckboxList(forms.CheckboxSelectMultiple):
    """The former CheckboxList: Django's `get_context` and `create_option`, each option
    formatted with `flatatt`."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        options = [
            format_html(
                '<div>\n    <label for="{}"><input type="{}" name="{}" value="{}"{}> {}</label>'
                "</div>",
                option["attrs"].get("id", ""),
                option["type"],
                option["name"],
                "" if option["value"] is None else str(option["value"]),
                flatatt(option["attrs"]),
                option["label"],
            )
            for _group, options, _index in widget["optgroups"]
            for option in options
        ]
        return format_html(
            "<div{}>{}\n</div>",
            flatatt(
                {key: widget["attrs"][key] for key in ("id", "class") if widget["attrs"].get(key)}
            ),
            mark_safe("".join(options)),
        )


def _field(widget, **kwargs):
    return forms.ModelMultipleChoiceField(
        queryset=Cohort.objects.order_by("programme", "number"), widget=widget, **kwargs
    )


@pytest.fixture
def cohorts(db):
    return [
        factories.CohortFactory(name="Cohort <1> & “friends”"),
        factories.CohortFactory(name="Cohort 2"),
        factories.CohortFactory(name="Cohort 3"),
    ]


@pytest.mark.parametrize(
    "attrs",
    [
        {"id": "id_eligible_cohorts"},
        {"id": "id_x", "aria-invalid": "true", "aria-describedby": "id_x_error", "class": "wide"},
        {"id": "id_x", "disabled": True, "data-z": 'a"b', "hidden": False},
        {},
    ],
)
def test_the_checkboxes_are_drawn_as_before(cohorts, attrs):
    ticked = [cohorts[0].pk, str(cohorts[2].pk)]

    drawn = _field(CheckboxList).widget
    reference = _field(ReferenceCheckboxList).widget

    assert drawn.render("eligible_cohorts", ticked, attrs) == reference.render(
        "eligible_cohorts", ticked, attrs
    )
    assert drawn.render("eligible_cohorts", None, attrs) == reference.render(
        "eligible_cohorts", None, attrs
    )


def test_plain_choices_are_drawn_as_before():
    choices = [("a", "Alpha"), ("b", "B & b"), (None, "None")]
    drawn = CheckboxList(choices=choices)
    reference = ReferenceCheckboxList(choices=choices)

    assert drawn.render("kind", ["b"], {"id": "id_kind"}) == reference.render(
        "kind", ["b"], {"id": "id_kind"}
    )


def test_the_call_form_reads_the_cohorts_in_one_query(cohorts, django_assert_num_queries):
    form = CallForm(initial={"eligible_cohorts": [cohorts[1]]})

    with django_assert_num_queries(1):
        html = str(form["eligible_cohorts"])

    assert html.count('type="checkbox"') == 3
    assert html.count(" checked>") == 1
    assert "Cohort &lt;1&gt; &amp; “friends”" in html
