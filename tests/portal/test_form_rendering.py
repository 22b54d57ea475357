"""The portal's form renderer draws a <select> exactly as Django's templates do."""

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from portal.form_rendering import FormRenderer

CHOICES = [
    ("", "Any country"),
    ("pt", "Portugal"),
    ("x\"<&'", mark_safe("<b>safe</b> label")),
    (3, 'Plain <label> & "quotes"'),
    ("Group", [("a", "Alpha"), ("b", gettext_lazy("Bravo"))]),
    (None, "None value"),
]


class Sample(forms.Form):
    single = forms.ChoiceField(choices=CHOICES, required=False)
    many = forms.MultipleChoiceField(choices=CHOICES, required=False)
    flagged = forms.ChoiceField(
        choices=CHOICES,
        widget=forms.Select(attrs={"disabled": True, "hidden": False, "data-x": 'a"b', "id": "f"}),
    )
    yes_no = forms.NullBooleanField()


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"single": "pt", "many": ["a", "3"], "flagged": "x\"<&'", "yes_no": "true"},
        {"single": "no-such", "many": ["b"], "yes_no": "false"},
    ],
)
@pytest.mark.parametrize("field", ["single", "many", "flagged", "yes_no"])
def test_select_markup_is_djangos_byte_for_byte(data, field):
    ours = Sample(data=data or None, renderer=FormRenderer())[field].as_widget()
    djangos = Sample(data=data or None, renderer=DjangoTemplates())[field].as_widget()

    assert str(ours) == str(djangos)
    assert "<option" in str(ours)


def test_other_widgets_are_left_to_django():
    class Other(forms.Form):
        name = forms.CharField()
        choice = forms.ChoiceField(choices=CHOICES, widget=forms.RadioSelect)

    form = Other(renderer=FormRenderer())
    assert str(form) == str(Other(renderer=DjangoTemplates()))


def test_the_portal_uses_it(settings):
    from django.forms.renderers import get_default_renderer

    assert settings.FORM_RENDERER == "portal.form_rendering.FormRenderer"
    assert isinstance(get_default_renderer(), FormRenderer)


class Radios(forms.Form):
    plain = forms.ChoiceField(choices=CHOICES[:4], widget=forms.RadioSelect, required=False)
    flagged = forms.ChoiceField(
        choices=[(mark_safe("<i>v</i>"), "Safe value"), ("a", "Alpha")],
        widget=forms.RadioSelect(attrs={"id": "r", "data-x": 'a"b', "disabled": True}),
        initial="a",
    )


@pytest.mark.parametrize("data", [{}, {"plain": "x\"<&'", "flagged": "a"}])
@pytest.mark.parametrize("field", ["plain", "flagged"])
@pytest.mark.parametrize("wrap_label", [False, True])
def test_radio_drawn_alone_is_djangos_byte_for_byte(data, field, wrap_label):
    ours = [radio.tag(wrap_label) for radio in Radios(data or None, renderer=FormRenderer())[field]]
    djangos = [
        radio.tag(wrap_label) for radio in Radios(data or None, renderer=DjangoTemplates())[field]
    ]

    assert ours == djangos
    assert all(html.startswith("<label" if wrap_label else "<input") for html in ours)
