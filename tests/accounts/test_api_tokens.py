"""The account page's API tokens: list, make (secret shown once), revoke; password changes and
programme admins revoke them too."""

import datetime
import re

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts import services
from accounts.models import ApiToken
from portal.permissions import PermissionRefused
from tests import factories
from tests.factories import PASSWORD
from tests.queries import session_queries

LIST_URL = "/accounts/tokens/"
NEW_PASSWORD = "a-brand-new-pass-phrase"


def make_token(user, name="script", lifetime_days=30):
    return services.api_token_create(
        user=user, name=name, lifetime_days=lifetime_days, acting_user=user
    )


def revoke_url(token) -> str:
    return f"/accounts/tokens/{token.pk}/revoke/"


def listed_names(response) -> list[str]:
    return [token.name for token in response.context["tokens"]]


def me_status(client, secret) -> int:
    return client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {secret}").status_code


def test_token_urls():
    assert (reverse("api_token_list"), reverse("api_token_revoke", args=[7])) == (
        LIST_URL,
        "/accounts/tokens/7/revoke/",
    )


def test_token_page_lists_only_the_persons_own_tokens(client, officer, facilitator):
    with time_machine.travel(timezone.now() - datetime.timedelta(days=1)):
        make_token(officer, name="older")
    make_token(officer, name="newer")
    make_token(facilitator, name="someone else's")
    client.force_login(officer)

    response = client.get(LIST_URL)

    assert response.status_code == 200
    assert listed_names(response) == ["newer", "older"]
    assert "someone else" not in response.content.decode()


def test_token_page_makes_a_token_and_shows_its_secret_once(client, officer):
    client.force_login(officer)

    response = client.post(LIST_URL, {"name": "Monthly report", "lifetime_days": "90"})

    assert response.status_code == 200
    token = ApiToken.objects.get(user=officer)
    secret = response.context["secret"]
    assert (token.name, token.expiry - token.created) == (
        "Monthly report",
        datetime.timedelta(days=90),
    )
    page = response.content.decode()
    assert f'value="{secret}"' in page
    assert "Copy it now: it is shown only this once." in page
    assert "no-store" in response["Cache-Control"]
    assert me_status(client, secret) == 200
    # The page never shows it again.
    again = client.get(LIST_URL)
    assert listed_names(again) == ["Monthly report"]
    assert secret not in again.content.decode()
    assert secret[:8] in again.content.decode()  # its first characters, to recognise it


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        ({"name": "", "lifetime_days": "30"}, {"name": ["This field is required."]}),
        (
            {"name": "x" * 101, "lifetime_days": "30"},
            {"name": ["Ensure this value has at most 100 characters (it has 101)."]},
        ),
        (
            {"name": "script", "lifetime_days": "3650"},
            {"lifetime_days": ["Select a valid choice. 3650 is not one of the available choices."]},
        ),
    ],
)
def test_token_page_refuses_what_is_not_valid(client, officer, data, errors):
    client.force_login(officer)

    response = client.post(LIST_URL, data)

    assert response.status_code == 200
    assert response.context["form"].errors == errors
    assert response.context["secret"] is None
    assert ApiToken.objects.count() == 0


def test_token_page_says_when_the_person_holds_too_many(client, officer):
    for number in range(services.API_TOKENS_PER_PERSON):
        make_token(officer, name=f"script {number}")
    client.force_login(officer)

    response = client.post(LIST_URL, {"name": "one more", "lifetime_days": "30"})

    assert response.context["form"].non_field_errors() == [
        "You already have 20 API tokens, the most one person may hold. Revoke one you no "
        "longer use on your account page, then try again."
    ]
    assert ApiToken.objects.count() == services.API_TOKENS_PER_PERSON


def test_token_page_revokes_the_persons_token(client, officer):
    token, secret = make_token(officer, name="old laptop")
    _kept, kept_secret = make_token(officer, name="server")
    client.force_login(officer)

    response = client.post(revoke_url(token), follow=True)

    assert response.redirect_chain == [(LIST_URL, 302)]
    assert [str(message) for message in response.context["messages"]] == [
        "The token “old laptop” is revoked."
    ]
    assert listed_names(response) == ["server"]
    assert (me_status(client, secret), me_status(client, kept_secret)) == (401, 200)


def test_token_revoked_twice_says_it_was_already_revoked(client, officer):
    token, _secret = make_token(officer, name="old laptop")
    client.force_login(officer)
    client.post(revoke_url(token), follow=True)

    response = client.post(revoke_url(token), follow=True)

    assert response.redirect_chain == [(LIST_URL, 302)]
    assert [str(message) for message in response.context["messages"]] == [
        "This token was already revoked."
    ]
    assert listed_names(response) == []


def test_token_of_another_person_is_answered_as_already_revoked(client, officer, facilitator):
    token, secret = make_token(facilitator)
    revoked, _secret = make_token(officer)
    services.api_token_revoke(token=revoked, acting_user=officer)
    client.force_login(officer)

    others = client.post(revoke_url(token), follow=True)
    gone = client.post(revoke_url(revoked), follow=True)

    # Nothing tells another person's token from a revoked one.
    assert others.redirect_chain == gone.redirect_chain == [(LIST_URL, 302)]
    assert [
        [str(message) for message in response.context["messages"]] for response in [others, gone]
    ] == [["This token was already revoked."]] * 2
    assert listed_names(others) == listed_names(gone) == []
    assert ApiToken.objects.filter(pk=token.pk).exists()
    assert me_status(client, secret) == 200


def test_token_revoke_needs_a_post(client, officer):
    token, _secret = make_token(officer)
    client.force_login(officer)

    response = client.get(revoke_url(token))

    assert response.status_code == 405
    assert ApiToken.objects.filter(pk=token.pk).exists()


def test_token_page_shows_an_expired_token_as_expired(client, officer):
    with time_machine.travel(datetime.datetime(2026, 1, 5, 9, tzinfo=datetime.UTC)):
        make_token(officer, name="short", lifetime_days=7)
    client.force_login(officer)

    with time_machine.travel(datetime.datetime(2026, 1, 13, 9, tzinfo=datetime.UTC)):
        response = client.get(LIST_URL)

    row = re.search(r'<tr data-token="\d+">.*?</tr>', response.content.decode(), re.DOTALL)
    assert '<span class="badge">expired</span>' in row.group()


def test_token_page_queries_do_not_grow_with_the_tokens(client, officer):
    client.force_login(officer)
    make_token(officer, name="first")

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(LIST_URL).status_code == 200
        return len(captured)

    one = queries()
    for number in range(10):
        make_token(officer, name=f"script {number}")
    many = queries()

    # (session,) user, the tokens (the header's "Invite" link asks a rule: no query)
    assert one == many == session_queries() + 2


def test_password_change_revokes_every_token(client, officer):
    tokens = [make_token(officer, name=name)[1] for name in ["laptop", "server"]]
    other_token, other_secret = make_token(factories.city_officer())
    client.force_login(officer)

    response = client.post(
        reverse("account_change_password"),
        {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )

    assert response.status_code == 302
    assert [me_status(client, secret) for secret in tokens] == [401, 401]
    assert list(ApiToken.objects.values_list("pk", flat=True)) == [other_token.pk]
    assert me_status(client, other_secret) == 200


def test_password_reset_revokes_every_token(client, officer, django_capture_on_commit_callbacks):
    _token, secret = make_token(officer)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account_reset_password"), {"email": officer.email})
    link = re.search(r"https?://testserver(/accounts/password/reset/key/\S+/)", mail.outbox[0].body)
    form_url = client.get(link.group(1))["Location"]

    response = client.post(form_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})

    assert response.status_code == 302
    assert me_status(client, secret) == 401
    assert ApiToken.objects.count() == 0


def test_password_set_by_an_admin_revokes_every_token(client, officer, programme_admin):
    _token, secret = make_token(officer)
    client.force_login(programme_admin)

    response = client.post(
        reverse("admin:auth_user_password_change", args=[officer.pk]),
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )

    assert response.status_code == 302
    assert me_status(client, secret) == 401


def test_other_changes_to_the_person_keep_their_tokens(client, officer):
    _token, secret = make_token(officer)
    officer.full_name = "A New Name"
    officer.save()
    get_user_model().objects.get(pk=officer.pk).save(update_fields=["last_login"])

    assert me_status(client, secret) == 200


def test_admin_revokes_another_persons_tokens_from_the_token_list(client, officer, programme_admin):
    token, secret = make_token(officer, name="leaked")
    _kept, kept_secret = make_token(officer, name="kept")
    client.force_login(programme_admin)

    changelist = client.get("/admin/accounts/apitoken/")
    response = client.post(
        "/admin/accounts/apitoken/",
        {"action": "revoke", "_selected_action": [token.pk]},
        follow=True,
    )

    assert [row.name for row in changelist.context["cl"].result_list] == ["kept", "leaked"]
    assert [str(message) for message in response.context["messages"]] == ["1 API token revoked."]
    assert (me_status(client, secret), me_status(client, kept_secret)) == (401, 200)


def test_admin_revokes_every_token_of_selected_people(client, officer, programme_admin):
    secrets = [make_token(officer, name=name)[1] for name in ["a", "b"]]
    other = factories.city_officer()
    _token, other_secret = make_token(other)
    client.force_login(programme_admin)

    response = client.post(
        "/admin/accounts/user/",
        {"action": "revoke_api_tokens", "_selected_action": [officer.pk]},
        follow=True,
    )

    assert [str(message) for message in response.context["messages"]] == ["2 API tokens revoked."]
    assert [me_status(client, secret) for secret in secrets] == [401, 401]
    assert me_status(client, other_secret) == 200


def test_admin_token_list_never_offers_to_make_or_edit_a_token(client, programme_admin):
    token, _secret = make_token(factories.city_officer())
    client.force_login(programme_admin)

    assert client.get("/admin/accounts/apitoken/add/").status_code == 403
    detail = client.get(f"/admin/accounts/apitoken/{token.pk}/change/")
    assert detail.status_code == 200
    assert token.digest not in detail.content.decode()


def test_nobody_revokes_or_makes_tokens_for_someone_else_through_the_services(
    officer, facilitator, programme_admin
):
    token, _secret = make_token(officer)

    with pytest.raises(PermissionRefused, match="only your own"):
        services.api_token_revoke(token=token, acting_user=facilitator)
    with pytest.raises(PermissionRefused, match="only your own"):
        services.api_tokens_revoke_all(user=officer, acting_user=facilitator)
    with pytest.raises(PermissionRefused, match="only for yourself"):
        services.api_token_create(
            user=officer, name="x", lifetime_days=30, acting_user=programme_admin
        )
    assert ApiToken.objects.filter(user=officer).count() == 1
    services.api_token_revoke(token=token, acting_user=programme_admin)
    assert ApiToken.objects.filter(user=officer).count() == 0


def test_account_pages_link_to_each_other(client, officer):
    client.force_login(officer)

    password_page = client.get(reverse("account_change_password")).content.decode()
    tokens_page = client.get(LIST_URL).content.decode()

    assert f'<a href="{LIST_URL}">API tokens</a>' in password_page
    assert '<a href="/accounts/password/change/">Password</a>' in tokens_page
    assert f'<a href="{LIST_URL}" aria-current="page">API tokens</a>' in tokens_page


def test_taking_the_password_away_revokes_every_token(client, officer):
    _token, secret = make_token(officer)

    officer.set_unusable_password()
    officer.save()

    assert me_status(client, secret) == 401


def assert_refused_as_invalid(client, secret) -> None:
    # "Invalid token.": the token is gone, not merely refused for an inactive person.
    response = client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {secret}")
    assert (response.status_code, response.json()["error"]["message"]) == (401, "Invalid token.")


def test_deactivating_a_person_revokes_their_tokens_for_good(client, officer):
    secrets = [make_token(officer, name=name)[1] for name in ["laptop", "server"]]
    _other_token, other_secret = make_token(factories.city_officer())
    person = get_user_model().objects.get(pk=officer.pk)

    person.is_active = False
    person.save()

    for secret in secrets:
        assert_refused_as_invalid(client, secret)
    person.is_active = True
    person.save()
    assert [me_status(client, secret) for secret in secrets] == [401, 401]
    assert ApiToken.objects.filter(user=officer).count() == 0
    assert me_status(client, other_secret) == 200


def test_deactivating_with_update_fields_revokes_the_tokens(client, officer):
    _token, secret = make_token(officer)
    person = get_user_model().objects.get(pk=officer.pk)

    person.is_active = False
    person.save(update_fields=["is_active"])

    assert_refused_as_invalid(client, secret)


def test_deactivating_in_the_admin_revokes_the_tokens(client, officer, programme_admin):
    _token, secret = make_token(officer)
    client.force_login(programme_admin)
    url = reverse("admin:accounts_user_change", args=[officer.pk])
    form = client.get(url).context["adminform"].form
    # The form as shown, with "active" unticked (an unticked box is not sent).
    data = {
        name: value
        for name, value in form.initial.items()
        if name in form.fields and not form.fields[name].disabled and value not in (None, False)
    }
    del data["is_active"]
    data.update({"city_memberships-TOTAL_FORMS": "0", "city_memberships-INITIAL_FORMS": "0"})

    response = client.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    assert get_user_model().objects.get(pk=officer.pk).is_active is False
    assert_refused_as_invalid(client, secret)


def test_saving_a_person_already_inactive_announces_nothing_again(officer):
    person = get_user_model().objects.get(pk=officer.pk)
    person.is_active = False
    person.save()
    # The service makes no token for an inactive person (they hold no permission at all): the
    # row is written directly, to see it survive.
    ApiToken.objects.create(user=person, expiry=datetime.timedelta(days=30), name="script")

    get_user_model().objects.get(pk=officer.pk).save()
    person.full_name = "Still Inactive"
    person.save()

    assert ApiToken.objects.filter(user=officer).count() == 1


# --- The new-token form as first shown is kept in the cache (templates/accounts/api_tokens.html)


def test_token_form_cached_in_one_language_is_not_shown_in_another(client, db):
    english = factories.UserFactory(language="en")
    french = factories.UserFactory(language="fr")

    client.force_login(english)
    english_page = client.get(LIST_URL).content.decode()
    client.force_login(french)
    french_page = client.get(LIST_URL).content.decode()

    assert '<label for="id_lifetime_days">Valid for:</label>' in english_page
    assert '<label for="id_lifetime_days">Durée de validité' in french_page
    assert "Valid for" not in french_page


def test_token_form_sent_back_with_an_error_is_not_the_cached_one(client, officer):
    client.force_login(officer)
    client.get(LIST_URL)

    page = client.post(LIST_URL, {"name": "", "lifetime_days": "30"}).content.decode()
    again = client.get(LIST_URL).content.decode()

    assert "This field is required." in page
    assert "This field is required." not in again
    assert 'name="name"' in again
