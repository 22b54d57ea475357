"""Who may open what: one table of pages by role, and one of django-rules permissions by role.

Decisions the tables hold:
- Pages need sign-in: anonymous people are redirected to allauth's sign-in with ?next=.
- API data endpoints answer 401 to anonymous calls (with `WWW-Authenticate: Token`) and 403 to a
  signed-in person without the permission (REST_FRAMEWORK authentication order, settings.py).
- The OpenAPI schema and the docs are public (portal/api/urls.py says why).
- /admin/ is for programme admins. Everyone else is redirected to /admin/login/, which sends
  anonymous people on to allauth's sign-in and answers 403 to a signed-in non-admin
  (secure_admin_login, config/urls.py): the admin has no sign-in form of its own.
- An invitation link opens for anyone who holds it: the link is the credential.
"""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from cities import services
from tests import factories

ROLES = ["anonymous", "city_officer", "facilitator", "reviewer", "programme_admin"]
LOGIN = "302 to sign-in"
ADMIN_LOGIN = "302 to admin sign-in"
INVITATION_LINK = "<invitation accept link>"

# fmt: off
PAGES = {
    #                              anonymous    officer      facilitator  reviewer     admin
    "/":                          (LOGIN,       200,         200,         200,         200),
    "/invitations/new/":          (LOGIN,       403,         200,         403,         200),
    INVITATION_LINK:              (200,         200,         200,         200,         200),
    "/accounts/profile/":         (LOGIN,       200,         200,         200,         200),
    "/accounts/password/change/": (LOGIN,       200,         200,         200,         200),
    "/accounts/tokens/":          (LOGIN,       200,         200,         200,         200),
    # Revoking is a POST: a GET is refused once signed in (a POST for someone else's token is
    # answered as for a revoked one: tests/accounts/test_api_tokens.py).
    "/accounts/tokens/1/revoke/": (LOGIN,       405,         405,         405,         405),
    "/admin/accounts/apitoken/":  (ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, 200),
    "/admin/":                    (ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, 200),
    "/admin/cities/city/":        (ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, 200),
    "/admin/login/":              (LOGIN,       403,         403,         403,         302),
    "/api/v1/me/":                (401,         200,         200,         200,         200),
    # Public: email and password are the credentials (a GET is refused, for anyone).
    "/api/v1/auth/token/":        (405,         405,         405,         405,         405),
    "/api/v1/cities/":            (401,         200,         200,         200,         200),
    "/api/v1/countries/":         (401,         200,         200,         200,         200),
    "/api/schema/":               (200,         200,         200,         200,         200),
    "/api/docs/":                 (200,         200,         200,         200,         200),
    "/cities/":                   (LOGIN,       200,         200,         200,         200),
    "/cohorts/":                  (LOGIN,       200,         200,         200,         200),
    "/cohorts/new/":              (LOGIN,       403,         200,         403,         200),
    "/api/v1/climate-actions/":   (401,         200,         200,         200,         200),
    "/api/v1/cohorts/":           (401,         200,         200,         200,         200),
    "/api/v1/enrolments/":        (401,         200,         200,         200,         200),
    "/sessions/calendar/":        (LOGIN,       200,         200,         200,         200),
    "/api/v1/sessions/":          (401,         200,         200,         200,         200),
    "/api/v1/registrations/":     (401,         200,         200,         200,         200),
    "/api/v1/roadmaps/":          (401,         200,         200,         200,         200),
}
# fmt: on


def make_user(role: str):
    if role == "anonymous":
        return None
    if role == "city_officer":
        return factories.city_officer()
    return factories.UserFactory(**{f"is_{role}": True})


@pytest.mark.parametrize(
    ("page", "role", "expected"),
    [
        pytest.param(page, role, expected, id=f"{page} {role}")
        for page, row in PAGES.items()
        for role, expected in zip(ROLES, row, strict=True)
    ],
)
def test_page_access_by_role(client, db, page, role, expected):
    user = make_user(role)
    if page == INVITATION_LINK:
        invitation = services.invitation_create(
            acting_user=factories.UserFactory(is_programme_admin=True),
            email="invitee@example.org",
            city=factories.CityFactory(),
        )
        page = reverse("invitation_accept", args=[invitation.token])
    if user is not None:
        client.force_login(user)

    response = client.get(page)

    if expected in (LOGIN, ADMIN_LOGIN):
        login_url = reverse("account_login" if expected == LOGIN else "admin:login")
        location = urlsplit(response["Location"])
        assert response.status_code == 302
        assert (location.path, parse_qs(location.query)) == (login_url, {"next": [page]})
    else:
        assert response.status_code == expected
    if page.startswith("/api/v1/") and expected == 401:
        assert response["WWW-Authenticate"] == "Token"
        assert response.json()["error"]["code"] == "not_authenticated"


def test_admin_login_sends_anonymous_people_to_allauth_sign_in(client, db):
    response = client.get("/admin/", follow=True)

    assert response.redirect_chain == [
        ("/admin/login/?next=/admin/", 302),
        ("/accounts/login/?next=%2Fadmin%2F", 302),
    ]
    assert response.status_code == 200


def test_admin_for_signed_in_facilitator_ends_in_403(client, facilitator):
    client.force_login(facilitator)

    response = client.get("/admin/", follow=True)

    assert response.redirect_chain == [("/admin/login/?next=/admin/", 302)]
    assert response.status_code == 403


# fmt: off
PERMISSIONS = {
    #                                       anonymous officer facilitator reviewer admin
    ("cities.add_invitation", None):        (False,   False,  True,       False,   True),
    ("cities.view_invitation", None):       (False,   False,  True,       False,   True),
    ("cities.view_city", None):             (False,   True,   True,       True,    True),
    ("cities.view_country", None):          (False,   True,   True,       True,    True),
    ("cities.change_city", None):           (False,   False,  False,      False,   True),
    ("cities.view_city_officers", "own"):   (False,   True,   True,       False,   True),
    ("cities.view_city_officers", "other"): (False,   False,  True,       False,   True),
    ("cities.view_climateaction", None):    (False,   True,   True,       True,    True),
    ("cities.add_climateaction", "own"):    (False,   True,   True,       False,   True),
    ("cities.add_climateaction", "other"):  (False,   False,  True,       False,   True),
}
# fmt: on


@pytest.mark.parametrize(
    ("permission", "city", "role", "expected"),
    [
        pytest.param(permission, city, role, expected, id=f"{permission} {city} {role}")
        for (permission, city), row in PERMISSIONS.items()
        for role, expected in zip(ROLES, row, strict=True)
    ],
)
def test_rule_by_role(db, permission, city, role, expected):
    from django.contrib.auth.models import AnonymousUser

    own_city = factories.CityFactory()
    user = make_user(role) if role != "city_officer" else factories.city_officer(city=own_city)
    user = user or AnonymousUser()
    obj = {None: None, "own": own_city, "other": factories.CityFactory()}[city]

    assert user.has_perm(permission, obj) is expected
