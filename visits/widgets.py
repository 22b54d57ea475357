"""Form widgets with Django's own HTML, written in Python rather than with Django's widget
templates (three template renders per option): the admins' forms of Group Study Visits list
every cohort of the programme (200 at EU scale) and every reviewer (500), and the templates
per option were most of those pages' time (benchmarks/bench_visits_calls.py,
bench_visits_reviewing.py)."""

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html
from django.utils.safestring import mark_safe


def _options(widget: dict):
    for _group, options, _index in widget["optgroups"]:
        yield from options


def _value(option: dict) -> str:
    return "" if option["value"] is None else str(option["value"])


class CheckboxList(forms.CheckboxSelectMultiple):
    """Django's checkbox list (no option groups)."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        options = [
            format_html(
                '<div>\n    <label for="{}"><input type="{}" name="{}" value="{}"{}> {}</label>'
                "</div>",
                option["attrs"].get("id", ""),
                option["type"],
                option["name"],
                _value(option),
                flatatt(option["attrs"]),
                option["label"],
            )
            for option in _options(widget)
        ]
        return format_html(
            "<div{}>{}\n</div>",
            flatatt(
                {key: widget["attrs"][key] for key in ("id", "class") if widget["attrs"].get(key)}
            ),
            mark_safe("".join(options)),
        )


class SelectList(forms.SelectMultiple):
    """Django's multiple select (no option groups)."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        options = [
            format_html(
                '\n  <option value="{}"{}>{}</option>',
                _value(option),
                flatatt(option["attrs"]),
                option["label"],
            )
            for option in _options(widget)
        ]
        return format_html(
            '<select name="{}"{}>{}\n</select>',
            widget["name"],
            flatatt(widget["attrs"]),
            mark_safe("".join(options)),
        )
