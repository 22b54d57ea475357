"""The shared markup tags of portal/templatetags/portal_ui.py."""

import pytest
from django.core.paginator import Paginator
from django.template import Context, RequestContext, Template, TemplateSyntaxError
from django.test import RequestFactory
from django.utils import translation


def render(source, **context):
    request = context.pop("request", None)
    template = Template("{% load i18n portal_ui %}" + source)
    if request is not None:
        return template.render(RequestContext(request, context))
    return template.render(Context(context))


def squeeze(html):
    return "".join(line.strip() for line in html.splitlines())


def test_table_head_renders_one_column_per_title_with_the_numeric_ones_marked():
    html = render('{% table_head _("City") _("Population") _("Cohorts") numeric="2 3" %}')

    assert squeeze(html) == (
        '<thead><tr><th scope="col">City</th><th scope="col" class="numeric">Population</th>'
        '<th scope="col" class="numeric">Cohorts</th></tr></thead>'
    )


def test_table_head_titles_are_translated():
    with translation.override("fr"):
        html = render('{% table_head _("City") _("Country") %}')

    assert (
        squeeze(html)
        == '<thead><tr><th scope="col">Ville</th><th scope="col">Pays</th></tr></thead>'
    )


def test_table_head_refuses_a_numeric_column_it_does_not_have():
    with pytest.raises(TemplateSyntaxError, match="no column '3'"):
        render('{% table_head _("City") _("Population") numeric="3" %}')


PAGINATION = (
    '{% pagination page_obj label=_("Pages of cities") '
    'previous=_("Previous page") next=_("Next page") %}'
)


def test_pagination_links_keep_the_other_query_parameters():
    request = RequestFactory().get("/cities/", {"country": "PT", "page": "2"})
    page = Paginator(range(7), 3).get_page(2)

    html = render(PAGINATION, request=request, page_obj=page)

    assert squeeze(html) == (
        '<nav class="pagination" aria-label="Pages of cities"><ul class="nav-list">'
        '<li><a href="?country=PT&amp;page=1" rel="prev">Previous page</a></li>'
        '<li aria-current="page">Page 2 of 3</li>'
        '<li><a href="?country=PT&amp;page=3" rel="next">Next page</a></li>'
        "</ul></nav>"
    )


def test_pagination_on_the_first_page_has_no_previous_link():
    request = RequestFactory().get("/cities/")
    page = Paginator(range(7), 3).get_page(1)

    html = render(PAGINATION, request=request, page_obj=page)

    assert 'rel="prev"' not in html
    assert '<li><a href="?page=2" rel="next">Next page</a></li>' in squeeze(html)


def test_pagination_of_a_single_page_renders_nothing():
    request = RequestFactory().get("/cities/")
    page = Paginator(range(3), 3).get_page(1)

    assert render(PAGINATION, request=request, page_obj=page).strip() == ""
