"""Friendly error pages: they keep the layout (403, 404) or need nothing that could fail (500)."""

import pytest
from django.test import RequestFactory

from home.views import server_error
from tests.portal_pages.helpers import sign_in


@pytest.mark.django_db
def test_error_404_renders_friendly_page_in_layout(client, settings):
    assert settings.DEBUG is False

    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert [t.name for t in response.templates][:2] == ["errors/404.html", "base.html"]
    html = response.content.decode()
    assert "<title>Page not found · City peer-learning portal</title>" in html
    assert "<h1>We could not find this page</h1>" in html
    assert '<a class="skip-link" href="#main">Skip to main content</a>' in html
    assert '<main id="main" class="container" tabindex="-1">' in html


@pytest.mark.django_db
def test_error_403_renders_friendly_page_for_officer_on_invitation_form(client, officer):
    sign_in(client, officer)

    response = client.get("/invitations/new/")

    assert response.status_code == 403
    assert [t.name for t in response.templates][:2] == ["errors/403.html", "base.html"]
    html = response.content.decode()
    assert "<h1>You cannot open this page</h1>" in html
    # The layout knows who is signed in: the officer keeps a way to sign out.
    assert "Sign out</button>" in html


def test_error_500_renders_without_database():
    # No `db` fixture: pytest-django fails the test on any query, which is the point: the 500
    # page must render even when the database is what failed.
    request = RequestFactory().get("/broken/")

    response = server_error(request)

    assert response.status_code == 500
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert "<title>Something went wrong · City peer-learning portal</title>" in html
    assert "<h1>Something went wrong on our side</h1>" in html
    assert '<link rel="stylesheet" href="/static/css/portal.css">' in html
