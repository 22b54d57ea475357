"""The rows of the reviewer assignment page's table (templates/visits/review_assignment_body.html).

Decision: as the allocation page's rows (visits.templatetags.visits_allocation), each row is
written here as plain strings (names escaped with `html.escape`), not by the template engine: a
page of 50 applications with three reviews each, each review its name, its status and, while
it is to score, its "Remove" form, made the template's variables, tags and `{% url %}` per row
most of the page's time when drawn afresh after a change of the reviews
(benchmarks/bench_visits_reviewing.py; the page is kept in the cache otherwise).
"""

from html import escape

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from visits.enums import ReviewStatus

register = template.Library()


@register.simple_tag(takes_context=True)
def assignment_rows(context, rows):
    """The <tr> of each of `rows` (visits.reviewing.AssignmentRow): the application's city
    (linked to its review page) and country, its reviewers with their status and, for a review
    still to score, the form that removes it, with the CSRF token (in the page's cached
    fragment: its slot, filled in per request)."""
    csrf_input = str(
        format_html(
            '<input type="hidden" name="csrfmiddlewaretoken" value="{}">',
            context.get("csrf_token"),
        )
    )
    statuses = {value: escape(str(label)) for value, label in ReviewStatus.choices}
    remove = escape(_("Remove"))
    nobody = escape(_("No reviewer yet."))
    before, after = (escape(part) for part in reverse("review_detail", args=[0]).rsplit("/0/", 1))
    written = []
    for row in rows:
        application = row.application
        pk = application.pk
        city = application.city
        items = []
        for review in row.reviews:
            reviewer = review.reviewer
            name = escape(reviewer.full_name or reviewer.email)
            form = (
                f' <form method="post" class="inline">{csrf_input}<input type="hidden"'
                ' name="action" value="remove"><input type="hidden" name="review"'
                f' value="{review.pk}"><button type="submit" class="link">{remove}</button>'
                "</form>"
                if review.status == ReviewStatus.ASSIGNED
                else ""
            )
            items.append(
                f'<li data-reviewer="{review.reviewer_id}">{name} · '
                f"{statuses.get(review.status, escape(review.status))}{form}</li>"
            )
        listed = "".join(items) or f'<li class="empty">{nobody}</li>'
        written.append(
            f'<tr data-application="{pk}"><td><a href="{before}/{pk}/{after}">'
            f"{escape(city.name)}</a> ({escape(city.country.name)})</td>"
            f'<td><ul class="plain-list">{listed}</ul></td></tr>'
        )
    return mark_safe("\n".join(written))
