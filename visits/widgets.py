"""Form widgets with Django's own HTML, written in Python rather than with Django's widget
templates (three template renders per option): the admins' forms of Group Study Visits list
every cohort of the programme (200 at EU scale) and every reviewer (500), and the templates
per option were most of those pages' time (benchmarks/bench_visits_calls.py,
bench_visits_reviewing.py)."""

from django import forms
from django.forms.models import ModelChoiceIterator
from django.forms.utils import flatatt
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe


def _options(widget: dict):
    for _group, options, _index in widget["optgroups"]:
        yield from options


def _choices(choices):
    """The (value, label) pairs of a widget's choices; a model field's rows read as a list."""
    if not isinstance(choices, ModelChoiceIterator):
        yield from choices
        return
    if choices.field.empty_label is not None:
        yield "", choices.field.empty_label
    for row in choices.queryset.all():
        yield choices.choice(row)


def _value(option: dict) -> str:
    return "" if option["value"] is None else str(option["value"])


def _shared_attrs_html(shared: dict) -> tuple[str, str, dict[bool, str]]:
    """What `flatatt` writes for the attributes every option shares, split around the option's
    own `id`, and the bare attributes with and without `checked` (flatatt's order: the valued
    attributes sorted by name, then the bare ones sorted)."""
    valued = sorted(
        (key, value)
        for key, value in shared.items()
        if not isinstance(value, bool) and value is not None
    )
    bare = [key for key, value in shared.items() if value is True]

    def html(pairs):
        return "".join(f' {conditional_escape(k)}="{conditional_escape(v)}"' for k, v in pairs)

    def flags(keys):
        return "".join(f" {conditional_escape(key)}" for key in sorted(set(keys)))

    before_id = html((key, value) for key, value in valued if key < "id")
    after_id = html((key, value) for key, value in valued if key > "id")
    return before_id, after_id, {False: flags(bare), True: flags([*bare, "checked"])}


class CheckboxList(forms.CheckboxSelectMultiple):
    """Django's checkbox list (no option groups), drawn in one pass over the choices.

    Django's machinery makes a dict of attributes per option (`create_option`) and formats each
    with `flatatt` and `format_html`: most of the call form's time for 200 cohorts. Here the
    attributes every option shares are escaped once and only each option's id, value, label and
    `checked` are written per option, with the same markup, byte for byte
    (tests/visits/test_calls_widgets.py): 200 cohorts drawn in a quarter of the time (14 ms
    against 57 ms with their query, one run on a shared machine, 2 December 2026). The choices
    of a model field are read as a list, not through `QuerySet.iterator()`, which on PostgreSQL
    opens a server-side cursor (more round trips for 200 short rows)."""

    def render(self, name, value, attrs=None, renderer=None):
        shared = self.build_attrs(self.attrs, attrs)
        widget_id = shared.get("id")
        chosen = set(self.format_value(value))
        before_id, after_id, flags = _shared_attrs_html(shared)
        name_html = conditional_escape(name)
        options = []
        for index, (option_value, label) in enumerate(_choices(self.choices)):
            option_value = "" if option_value is None else str(option_value)
            option_id = conditional_escape(f"{widget_id}_{index}") if widget_id else ""
            id_html = f' id="{option_id}"' if widget_id else ""
            options.append(
                f'<div>\n    <label for="{option_id}"><input type="checkbox" name="{name_html}" '
                f'value="{conditional_escape(option_value)}"{before_id}{id_html}{after_id}'
                f"{flags[option_value in chosen]}> {conditional_escape(label)}</label></div>"
            )
        return format_html(
            "<div{}>{}\n</div>",
            flatatt({key: shared[key] for key in ("id", "class") if shared.get(key)}),
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
