"""The site header is rendered once per kind of page and person and reused
(portal/templatetags/portal_layout.py): what differs between people, pages, languages and
requests must still differ."""

import re

import pytest

from portal.templatetags import portal_layout
from tests import factories


@pytest.fixture(autouse=True)
def empty_header_cache():
    portal_layout._headers.clear()
    yield
    portal_layout._headers.clear()


def header(response) -> str:
    html = response.content.decode()
    return html[html.index('<header class="site-header">') : html.index("</header>")]


def test_each_role_gets_its_own_header_from_the_cache(client, db):
    officer = factories.city_officer()
    facilitator = factories.UserFactory(is_facilitator=True)
    admin = factories.UserFactory(is_programme_admin=True)

    seen = {}
    for name, person in [("officer", officer), ("facilitator", facilitator), ("admin", admin)]:
        client.force_login(person)
        seen[name] = header(client.get("/cities/"))
    client.logout()
    seen["anonymous"] = header(client.get("/accounts/login/"))

    assert ["Invite an officer" in seen[name] for name in seen] == [False, True, True, False]
    assert ["Administration" in seen[name] for name in seen] == [False, False, True, False]
    assert ["Sign out" in seen[name] for name in seen] == [True, True, True, False]
    assert len(portal_layout._headers) == 4


def test_the_current_page_is_marked_on_each_page(client, db):
    client.force_login(factories.city_officer())

    cities = header(client.get("/cities/"))
    cohorts = header(client.get("/cohorts/"))

    assert re.findall(r'<a href="([^"]+)" aria-current="page">', cities) == ["/cities/"]
    assert re.findall(r'<a href="([^"]+)" aria-current="page">', cohorts) == ["/cohorts/"]


def test_the_language_forms_next_is_this_requests_path_escaped(client, db):
    client.force_login(factories.city_officer())
    client.get("/cities/?name=a")  # fills the cache for the directory

    html = header(client.get('/cities/?name="><b>x'))

    assert '<input name="next" type="hidden" value="/cities/?name=%22%3E%3Cb%3Ex">' in html


def test_each_request_gets_a_working_csrf_token(client, db):
    client.force_login(factories.city_officer())
    client.get("/cities/")
    csrf_client = type(client)(enforce_csrf_checks=True)
    csrf_client.force_login(factories.city_officer())

    html = header(csrf_client.get("/cities/"))
    tokens = re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    response = csrf_client.post("/accounts/logout/", {"csrfmiddlewaretoken": tokens[0]})

    assert len(tokens) == 2  # sign-out and language forms
    assert response.status_code == 302


def test_a_french_page_has_a_french_header_after_an_english_one(client, db):
    client.force_login(factories.city_officer(language="en"))
    english = header(client.get("/cities/"))
    client.force_login(factories.city_officer(language="fr"))
    french = header(client.get("/cities/"))

    assert "Sign out" in english
    assert "Sign out" not in french
    assert "Se déconnecter" in french
