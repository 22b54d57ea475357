"""Inline styles are refused everywhere except the third-party pages that need them."""

import pytest

from tests import factories


def csp_directives(response) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    return dict(part.strip().split(" ", 1) for part in header.split(";"))


@pytest.mark.django_db
def test_csp_our_pages_allow_no_inline_style(client):
    response = client.get("/accounts/login/")

    directives = csp_directives(response)
    assert directives["style-src"] == "'self'"
    assert directives["script-src"] == "'self'"


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/admin/", "/api/docs/"])
def test_csp_admin_and_api_docs_allow_inline_style_but_no_inline_script(client, path):
    client.force_login(
        factories.UserFactory(is_programme_admin=True),
        backend="accounts.backends.UserBackend",
    )

    response = client.get(path)

    directives = csp_directives(response)
    assert response.status_code == 200
    assert directives["style-src"] == "'self' 'unsafe-inline'"
    assert directives["script-src"] == "'self'"
