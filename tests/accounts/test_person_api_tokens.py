"""A person's API tokens page for programme admins (/accounts/people/<id>/tokens/): revoke one
token or all of them, and make the tokens of a script account, an account for a program that
nobody signs in to."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts import services
from accounts.models import ApiToken
from portal.errors import ApplicationError
from portal.permissions import PermissionRefused
from tests import factories
from tests.queries import session_queries


@pytest.fixture
def script_account(db):
    account = factories.UserFactory(
        email="import@partner.example.org", full_name="Partner import", is_script_account=True
    )
    account.set_unusable_password()
    account.save()
    return account


def page_url(person) -> str:
    return f"/accounts/people/{person.pk}/tokens/"


def make_token(user, name="script", acting_user=None):
    return services.api_token_create(
        user=user, name=name, lifetime_days=30, acting_user=acting_user or user
    )


def me(client, secret):
    return client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {secret}")


def test_person_token_urls():
    assert (
        reverse("person_api_tokens", args=[3]),
        reverse("person_api_token_revoke", args=[3, 7]),
        reverse("person_api_tokens_revoke_all", args=[3]),
    ) == (
        "/accounts/people/3/tokens/",
        "/accounts/people/3/tokens/7/revoke/",
        "/accounts/people/3/tokens/revoke-all/",
    )


def test_admin_makes_a_script_accounts_token_which_then_works(
    admin_client, programme_admin, script_account, client
):
    response = admin_client.post(
        page_url(script_account), {"name": "Nightly import", "lifetime_days": "365"}
    )

    assert response.status_code == 200
    token = ApiToken.objects.get(user=script_account)
    secret = response.context["secret"]
    assert (token.name, (token.expiry - token.created).days) == ("Nightly import", 365)
    page = response.content.decode()
    assert f'value="{secret}"' in page
    assert "Copy it now and give it to the script" in page
    answer = me(client, secret)
    assert (answer.status_code, answer.json()["email"]) == (200, "import@partner.example.org")
    # Shown once: the page read again has no secret.
    assert 'id="new-token"' not in admin_client.get(page_url(script_account)).content.decode()


def test_admin_cannot_make_a_token_that_acts_as_a_person(admin_client, officer):
    page = admin_client.get(page_url(officer))
    refused = admin_client.post(page_url(officer), {"name": "As Ana", "lifetime_days": "30"})
    refused_invalid = admin_client.post(page_url(officer), {"name": "", "lifetime_days": "30"})

    assert page.status_code == 200
    assert page.context["form"] is None
    assert "Only the person makes their own tokens" in page.content.decode()
    assert (refused.status_code, refused_invalid.status_code) == (403, 403)
    assert not ApiToken.objects.filter(user=officer).exists()


def test_script_account_that_still_has_a_password_gets_no_token(admin_client, programme_admin):
    account = factories.UserFactory(is_script_account=True)  # with the factory's password

    page = admin_client.get(page_url(account))
    refused = admin_client.post(page_url(account), {"name": "Import", "lifetime_days": "30"})

    assert page.context["form"] is None
    assert "This script account still has a password." in page.content.decode()
    assert refused.status_code == 403
    with pytest.raises(PermissionRefused, match="programme admins for script accounts"):
        make_token(account, acting_user=programme_admin)


def test_deactivated_script_account_gets_no_token(admin_client, programme_admin, script_account):
    script_account.is_active = False
    script_account.save()

    response = admin_client.post(
        page_url(script_account), {"name": "Import", "lifetime_days": "30"}
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "__all__": ["This account is deactivated: its tokens would not work."]
    }
    with pytest.raises(ApplicationError):
        make_token(script_account, acting_user=programme_admin)
    assert not ApiToken.objects.filter(user=script_account).exists()


def test_nobody_but_an_admin_makes_a_script_accounts_token(script_account, facilitator, officer):
    for person in (facilitator, officer):
        with pytest.raises(PermissionRefused):
            make_token(script_account, acting_user=person)


@pytest.mark.parametrize("role", ["officer", "facilitator", "reviewer"])
def test_person_tokens_page_is_404_to_everyone_but_admins(client, request, role, script_account):
    token, _secret = make_token(script_account, acting_user=factories.UserFactory(
        is_programme_admin=True
    ))  # fmt: skip
    client.force_login(request.getfixturevalue(role))

    answers = [
        client.get(page_url(script_account)).status_code,
        client.post(page_url(script_account), {"name": "x", "lifetime_days": "30"}).status_code,
        client.post(f"{page_url(script_account)}{token.pk}/revoke/").status_code,
        client.post(f"{page_url(script_account)}revoke-all/").status_code,
    ]

    assert answers == [404, 404, 404, 404]
    assert ApiToken.objects.filter(user=script_account).count() == 1


def test_admin_revokes_one_of_a_persons_tokens(admin_client, officer, client):
    _kept, kept_secret = make_token(officer, name="kept")
    leaked, leaked_secret = make_token(officer, name="leaked")

    response = admin_client.post(f"{page_url(officer)}{leaked.pk}/revoke/", follow=True)

    assert response.redirect_chain == [(page_url(officer), 302)]
    assert [t.name for t in response.context["tokens"]] == ["kept"]
    assert "The token “leaked” is revoked." in response.content.decode()
    assert (me(client, leaked_secret).status_code, me(client, kept_secret).status_code) == (
        401,
        200,
    )


def test_admin_revoking_a_token_of_someone_else_through_a_persons_page_changes_nothing(
    admin_client, officer, facilitator
):
    others, _secret = make_token(facilitator)

    response = admin_client.post(f"{page_url(officer)}{others.pk}/revoke/", follow=True)

    assert "This token was already revoked." in response.content.decode()
    assert ApiToken.objects.filter(pk=others.pk).exists()


def test_admin_revokes_every_token_of_a_person(admin_client, officer, facilitator):
    make_token(officer, name="one")
    make_token(officer, name="two")
    untouched, _secret = make_token(facilitator)

    response = admin_client.post(f"{page_url(officer)}revoke-all/", follow=True)

    assert "2 API tokens revoked." in response.content.decode()
    assert list(ApiToken.objects.values_list("pk", flat=True)) == [untouched.pk]


def test_person_tokens_page_queries_do_not_grow(admin_client, script_account, programme_admin):
    make_token(script_account, acting_user=programme_admin)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert admin_client.get(page_url(script_account)).status_code == 200
        return len(queries)

    one = count()
    for number in range(9):
        make_token(script_account, name=f"script {number}", acting_user=programme_admin)
    many = count()

    # The session (maybe), the admin, the person, their tokens.
    assert one == many == session_queries() + 3


def test_admin_user_page_links_to_the_persons_tokens(admin_client, script_account):
    change = admin_client.get(f"/admin/accounts/user/{script_account.pk}/change/")
    listed = admin_client.get("/admin/accounts/user/?is_script_account__exact=1")

    link = f'href="{page_url(script_account)}"'
    assert link in change.content.decode()
    assert link in listed.content.decode()
    assert [user.pk for user in listed.context["cl"].result_list] == [script_account.pk]


def test_kept_token_rows_follow_revocation_and_expiry(
    admin_client, programme_admin, script_account
):
    import datetime
    import re

    import time_machine
    from django.utils import timezone

    first, _secret = make_token(script_account, name="First")
    second, _secret = make_token(script_account, name="Second")

    def rows() -> list[tuple[str, bool]]:
        html = admin_client.get(page_url(script_account)).content.decode()
        return [
            (name, "expired</span>" in row)
            for row, name in re.findall(
                r'(<tr data-token="\d+">\s*<th scope="row">([^<]+)</th>.*?</tr>)', html, re.S
            )
        ]

    assert rows() == [("Second", False), ("First", False)]
    assert rows() == [("Second", False), ("First", False)]  # the kept rows
    services.api_token_revoke(token=first, acting_user=script_account)
    assert rows() == [("Second", False)]
    # Past its expiry nothing stored changed, but the row says so.
    with time_machine.travel(second.expiry + datetime.timedelta(minutes=1)):
        assert timezone.now() > second.expiry
        admin_client.force_login(programme_admin)  # a month on: a new session
        assert rows() == [("Second", True)]
