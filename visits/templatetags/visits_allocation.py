"""The rows of the allocation page's tables (templates/visits/allocation_rows.html).

Decision: each row is written here with `format_html`, not by the template engine. A page
shows every selected and waitlisted city (as many as the visits' places) and a page of those
not selected: about 110 rows, each with its move form, and the template's variables and tags
per row were most of the page's time (benchmarks/bench_visits_allocation.py).
"""

from django import template
from django.utils.formats import localize
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

register = template.Library()


def _number(value) -> str:
    return "\u2013" if value is None else localize(value)


@register.simple_tag(takes_context=True)
def allocation_rows(context, rows, show_position=False):
    """The <tr> of each application of `rows`, from the page's context: `is_published`, and
    `paths` and `place_options` (visits.views_allocation.call_allocation), and the CSRF token
    (in the page's cached fragment: its slot, filled in per request)."""
    is_published = context.get("is_published")
    paths = context["paths"]
    options = context["place_options"]
    options = options() if callable(options) else options
    csrf_input = format_html(
        '<input type="hidden" name="csrfmiddlewaretoken" value="{}">', context.get("csrf_token")
    )
    words = {
        "position": _("Position"),
        "rank": _("Rank"),
        "total": _("Total"),
        "move": _("Move"),
        "by_hand": _("moved by hand"),
        "plan": _("Action plan"),
    }
    written = []
    for application in rows:
        pk = application.pk
        city = application.city
        cells = []
        if show_position:
            cells.append(
                format_html(
                    '<td data-label="{}">{}</td>',
                    words["position"],
                    _number(application.waitlist_position),
                )
            )
        cells.append(
            format_html('<td data-label="{}">{}</td>', words["rank"], _number(application.rank))
        )
        badge = (
            format_html(' <span class="badge">{}</span>', words["by_hand"])
            if application.allocated_by_hand
            else ""
        )
        plan = (
            format_html(
                ' · <a href="{}{}{}">{}</a>', paths["plan"][0], pk, paths["plan"][1], words["plan"]
            )
            if is_published and application.allocated_visit_id
            else ""
        )
        cells.append(
            format_html(
                '<th scope="row">{} <span class="muted">{}</span>{}{}</th>',
                city.name,
                city.country.name,
                badge,
                plan,
            )
        )
        cells.append(
            format_html('<td data-label="{}">{}</td>', words["total"], _number(application.total))
        )
        if not is_published:
            cells.append(
                format_html(
                    '<td data-label="{move}"><form method="post" action="{before}{pk}{after}"'
                    ' class="inline-form">{csrf}<label class="visually-hidden" for="place-{pk}">'
                    '{label}</label> <select name="place" id="place-{pk}">{options}</select>'
                    ' <button type="submit">{move}</button></form></td>',
                    move=words["move"],
                    before=paths["place"][0],
                    after=paths["place"][1],
                    pk=pk,
                    csrf=csrf_input,
                    label=_("Move %(city)s to") % {"city": city.name},
                    options=options,
                )
            )
        written.append(
            format_html(
                '<tr id="application-{}" data-application="{}">{}</tr>',
                pk,
                pk,
                mark_safe("".join(cells)),
            )
        )
    return mark_safe("\n".join(written))
