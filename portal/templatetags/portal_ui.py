"""Markup that several pages share: the head of a table and the pages of a long list.

`{% load portal_ui %}`. The templates are in templates/portal/ (_table_head.html,
_pagination.html); the row markup of one app stays in that app's partials (cohorts/_*.html).
"""

from django import template

register = template.Library()


@register.inclusion_tag("portal/_table_head.html")
def table_head(*titles, numeric=""):
    """Render `<thead>` with one `<th scope="col">` per title, in order.

    `{% table_head _("City") _("Country") _("Population") numeric="3" %}`: numeric names the
    columns of numbers (right-aligned), counted from 1 and separated by spaces. (A filter on
    each title would read better, but Django's tag parser does not allow one after `_("...")`.)
    The titles are the words each row repeats in its cells' data-label, which narrow screens
    show before each value (the .stack-table rules in static/css/portal.css).
    """
    numbers = {int(number) for number in numeric.split()}
    if not numbers <= set(range(1, len(titles) + 1)):
        raise template.TemplateSyntaxError(f"table_head: no column {numeric!r} of {len(titles)}")
    return {
        "columns": [
            {"title": title, "numeric": position in numbers}
            for position, title in enumerate(titles, start=1)
        ]
    }


@register.inclusion_tag("portal/_pagination.html", takes_context=True)
def pagination(context, page_obj, *, label, previous, next, parameter="page"):
    """Render the navigation between the pages of page_obj, or nothing when there is one page.

    label names the navigation for screen readers; previous and next are the links' words
    ("Newer changes" reads better than "Previous page" on a history). The links keep the other
    query parameters (filters, a difference shown), through `{% querystring %}`, which reads the
    request of the page (the tag's own context keeps it, hence takes_context). `parameter`
    names the page's query parameter, for a page with two paginated lists.
    """
    return {
        "page_obj": page_obj,
        "label": label,
        "previous": previous,
        "next": next,
        "query": context.request.GET,
        "pages": {
            name: {parameter: number}
            for name, number in (
                ("previous", page_obj.has_previous() and page_obj.previous_page_number()),
                ("next", page_obj.has_next() and page_obj.next_page_number()),
            )
        },
    }
