"""The form renderer of the portal: Django's, with every <select> drawn in Python.

Why: Django draws a <select> with one template include per option. A filter form with a few
hundred options (countries, sectors, the cohorts of a programme) spent more time there than the
rest of its page (the city directory's profile, README "Benchmarks"). `FormRenderer` writes the
very same markup as Django's templates `django/forms/widgets/select.html`, `select_option.html`
and `attrs.html` (tests/portal/test_form_rendering.py compares them byte for byte), in a loop of
string joins. Any other template, or an option with a template of its own, goes to Django.
"""

from django.forms.renderers import DjangoTemplates
from django.utils.html import conditional_escape, escape
from django.utils.safestring import mark_safe

SELECT = "django/forms/widgets/select.html"
OPTION = "django/forms/widgets/select_option.html"
# A radio button drawn alone (`{% for radio in field %}{{ radio.tag }}`): three nested includes
# each, hundreds on an attendance list.
RADIO_OPTION = "django/forms/widgets/radio_option.html"


def attrs_html(attrs: dict) -> str:
    """As django/forms/widgets/attrs.html: ` name="value"`, a bare ` name` for True, nothing for
    False."""
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        parts.append(f" {conditional_escape(name)}")
        if value is not True:
            parts.append(f'="{escape(str(value))}"')
    return "".join(parts)


def select_html(widget: dict) -> str | None:
    """The markup of django/forms/widgets/select.html for this widget context, or None when an
    option asks for another template (then Django draws it)."""
    parts = [f'<select name="{conditional_escape(widget["name"])}"{attrs_html(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{conditional_escape(group_name)}">')
        for option in group_choices:
            if option["template_name"] != OPTION:
                return None
            parts.append(
                f'\n  <option value="{escape(str(option["value"]))}"'
                f"{attrs_html(option['attrs'])}>{conditional_escape(option['label'])}</option>"
                # The included option template ends with a newline, which Django keeps.
                "\n"
            )
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


def radio_option_html(widget: dict) -> str:
    """The markup of django/forms/widgets/radio_option.html, which includes input_option.html,
    which includes input.html and attrs.html. Each file ends with a newline: the one inside a
    label stays, the renderer strips those at the end."""
    value = (
        "" if widget["value"] is None else f' value="{conditional_escape(str(widget["value"]))}"'
    )
    html = (
        f'<input type="{conditional_escape(widget["type"])}" '
        f'name="{conditional_escape(widget["name"])}"{value}{attrs_html(widget["attrs"])}>'
    )
    if widget.get("wrap_label"):
        label_for = widget["attrs"].get("id")
        label_for = f' for="{conditional_escape(label_for)}"' if label_for else ""
        return f"<label{label_for}>{html}\n {conditional_escape(widget['label'])}</label>"
    return html


class FormRenderer(DjangoTemplates):
    def render(self, template_name, context, request=None):
        if template_name == SELECT:
            html = select_html(context["widget"])
            if html is not None:
                return mark_safe(html)
        if template_name == RADIO_OPTION:
            return mark_safe(radio_option_html(context["widget"]))
        return super().render(template_name, context, request=request)
