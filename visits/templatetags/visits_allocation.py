"""The rows of the allocation page's tables (templates/visits/allocation_rows.html).

Decision: each row is written here as plain strings (names escaped with `html.escape`), not by
the template engine nor `format_html` cell by cell. A page shows every selected and waitlisted
city (as many as the visits' places) and a page of those not selected: about 110 rows, each with
its move form, and the template's variables and tags per row, then format_html's own work per
cell, were most of the page's time when drawn afresh (benchmarks/bench_visits_allocation.py;
the page is kept in the cache otherwise: visits/standings.py).
"""

from html import escape

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
    # Everything the same on every row is escaped once; a row escapes only its city's and
    # country's names and its numbers (html.escape: what Django's escape and format_html
    # call underneath). format_html's own work per cell (its lazy wrappers, conditional
    # escapes) was most of the time of a page drawn afresh, as after each move by hand.
    csrf_input = str(
        format_html(
            '<input type="hidden" name="csrfmiddlewaretoken" value="{}">',
            context.get("csrf_token"),
        )
    )
    words = {
        name: escape(str(word))
        for name, word in (
            ("position", _("Position")),
            ("rank", _("Rank")),
            ("total", _("Total")),
            ("move", _("Move")),
            ("by_hand", _("moved by hand")),
            ("plan", _("Action plan")),
        )
    }
    move_to = _("Move %(city)s to")
    plan_before, plan_after = (escape(part) for part in paths["plan"])
    place_before, place_after = (escape(part) for part in paths["place"])
    by_hand = f' <span class="badge">{words["by_hand"]}</span>'
    written = []
    for application in rows:
        pk = application.pk
        city = application.city
        name = escape(city.name)
        row = [f'<tr id="application-{pk}" data-application="{pk}">']
        if show_position:
            position = escape(_number(application.waitlist_position))
            row.append(f'<td data-label="{words["position"]}">{position}</td>')
        row.append(f'<td data-label="{words["rank"]}">{escape(_number(application.rank))}</td>')
        badge = by_hand if application.allocated_by_hand else ""
        plan = (
            f' · <a href="{plan_before}{pk}{plan_after}">{words["plan"]}</a>'
            if is_published and application.allocated_visit_id
            else ""
        )
        row.append(
            f'<th scope="row">{name} <span class="muted">{escape(city.country.name)}</span>'
            f"{badge}{plan}</th>"
        )
        row.append(f'<td data-label="{words["total"]}">{escape(_number(application.total))}</td>')
        if not is_published:
            label = escape(move_to % {"city": city.name})
            row.append(
                f'<td data-label="{words["move"]}"><form method="post"'
                f' action="{place_before}{pk}{place_after}" class="inline-form">{csrf_input}'
                f'<label class="visually-hidden" for="place-{pk}">{label}</label>'
                f' <select name="place" id="place-{pk}">{options}</select>'
                f' <button type="submit">{words["move"]}</button></form></td>'
            )
        row.append("</tr>")
        written.append("".join(row))
    return mark_safe("\n".join(written))
