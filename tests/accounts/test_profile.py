"""The account page: a person's name, language and time zone; the pages follow the account's
language from sign-in on (accounts.middleware says why)."""

import re

import pytest
from django.conf import settings
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from accounts import services
from cities import services as city_services
from portal.errors import ApplicationError
from portal.permissions import PermissionRefused
from tests import factories
from tests.factories import PASSWORD
from tests.queries import session_tables

URL = "/accounts/profile/"
COOKIE = settings.LANGUAGE_COOKIE_NAME


def post(client, **fields):
    data = {"full_name": "Ana Silva", "language": "en", "time_zone": "Europe/Lisbon", **fields}
    return client.post(URL, data)


def test_profile_url_is_the_headers_account_link(client, officer):
    client.force_login(officer)

    page = client.get(reverse("api_token_list")).content.decode()

    assert reverse("profile_edit") == URL
    assert '<li><a href="/accounts/profile/">Account</a></li>' in page


def test_profile_page_shows_the_persons_values_and_links_to_the_other_account_pages(client, db):
    ana = factories.city_officer(full_name="Ana Silva", language="fr", time_zone="Europe/Lisbon")
    client.force_login(ana)
    # The language cookie, as the header's switcher sets it, decides the pages' language.
    client.cookies[COOKIE] = "en"

    response = client.get(URL)

    page = response.content.decode()
    assert response.status_code == 200
    assert response.context["form"].initial == {
        "full_name": "Ana Silva",
        "language": "fr",
        "time_zone": "Europe/Lisbon",
    }
    assert '<label for="id_full_name">Your full name:</label>' in page
    assert '<label for="id_language">Your language:</label>' in page
    assert '<label for="id_time_zone">Your time zone:</label>' in page
    assert '<option value="fr" selected>français</option>' in page
    assert '<option value="Europe/Lisbon" selected>Europe/Lisbon</option>' in page
    assert (
        '<a href="/accounts/profile/" aria-current="page">Name, language and time zone</a>'
    ) in page
    assert '<a href="/accounts/password/change/">Password</a>' in page
    assert '<a href="/accounts/tokens/">API tokens</a>' in page
    assert f"You sign in as {ana.email}." in page
    password_page = client.get(reverse("account_change_password")).content.decode()
    assert '<a href="/accounts/profile/">Name, language and time zone</a>' in password_page


def test_profile_save_changes_name_language_and_zone_and_the_pages_follow(client, officer):
    client.force_login(officer)

    response = post(client, full_name="  Ana  Silva ", language="fr", time_zone="Europe/Lisbon")

    assert (response.status_code, response["Location"]) == (302, URL)
    assert response.cookies[COOKIE].value == "fr"
    officer.refresh_from_db()
    assert (officer.full_name, officer.language, officer.time_zone) == (
        "Ana  Silva",
        "fr",
        "Europe/Lisbon",
    )
    page = client.get(URL)
    with translation.override("fr"):
        saved = translation.gettext("Your account is saved.")
    assert [str(message) for message in page.context["messages"]] == [saved]
    assert '<html lang="fr">' in page.content.decode()


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        (
            {"time_zone": "Mars/Olympus_Mons"},
            "time_zone",
            "“Mars/Olympus_Mons” is not a time zone the portal offers: choose one from the list.",
        ),
        # A real zone, but not one of the list the page offers.
        (
            {"time_zone": "America/New_York"},
            "time_zone",
            "“America/New_York” is not a time zone the portal offers: choose one from the list.",
        ),
        ({"language": "xx"}, "language", "Choose one of the portal's languages."),
        ({"full_name": "   "}, "full_name", "This field is required."),
        ({"full_name": "x" * 201}, "full_name", None),
    ],
    ids=["unknown-zone", "zone-not-offered", "unknown-language", "blank-name", "long-name"],
)
def test_profile_save_refuses_bad_values_and_saves_nothing(client, db, fields, field, message):
    ana = factories.city_officer(full_name="Ana Silva", time_zone="Europe/Brussels")
    client.force_login(ana)

    response = post(client, **fields)

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == [field]
    if message is not None:
        assert errors[field] == [message]
        assert escape(message) in response.content.decode()
    assert COOKIE not in response.cookies
    ana.refresh_from_db()
    assert (ana.full_name, ana.language, ana.time_zone) == ("Ana Silva", "en", "Europe/Brussels")


def test_user_profile_update_checks_what_the_form_checks(officer):
    with pytest.raises(ApplicationError) as zone:
        services.user_profile_update(
            user=officer,
            full_name="Ana",
            language="en",
            time_zone="Mars/Olympus_Mons",
            acting_user=officer,
        )
    with pytest.raises(ApplicationError) as language:
        services.user_profile_update(
            user=officer, full_name="Ana", language="xx", time_zone="UTC", acting_user=officer
        )
    with pytest.raises(ApplicationError) as name:
        services.user_profile_update(
            user=officer, full_name=" ", language="en", time_zone="UTC", acting_user=officer
        )

    assert (zone.value.field, zone.value.code) == ("time_zone", "unknown_time_zone")
    assert (language.value.field, language.value.code) == ("language", "unknown_language")
    assert (name.value.field, name.value.message) == ("full_name", "Write your name.")


def test_user_profile_update_by_someone_else_is_refused(officer, programme_admin):
    before = (officer.full_name, officer.language, officer.time_zone)

    with pytest.raises(PermissionRefused) as error:
        services.user_profile_update(
            user=officer,
            full_name="Changed",
            language="fr",
            time_zone="UTC",
            acting_user=programme_admin,
        )

    officer.refresh_from_db()
    assert error.value.message == "You can change only your own account."
    assert (officer.full_name, officer.language, officer.time_zone) == before


def test_profile_page_queries(client, officer):
    client.force_login(officer)
    client.get(URL)  # warm up: content types and the like are cached after the first request

    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL)

    assert response.status_code == 200
    # The session and the signed-in person; the header's "Invite an officer" check asks a
    # rule (no query: accounts/backends.py), and the form's choices are settings and zoneinfo.
    assert [query["sql"].split(" FROM ")[1].split()[0] for query in queries] == [
        *session_tables(),
        '"accounts_user"',
    ]


# --- The pages' language follows the account's --------------------------------------------------


def sign_in(client, user):
    return client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})


def test_sign_in_sets_the_pages_language_to_the_accounts(client, db):
    marie = factories.city_officer(language="fr")
    client.cookies[COOKIE] = "en"  # chosen on the sign-in page before signing in

    response = sign_in(client, marie)

    assert response.status_code == 302
    assert response.cookies[COOKIE].value == "fr"
    assert '<html lang="fr">' in client.get("/").content.decode()


def test_first_sign_in_without_a_chosen_language_keeps_the_pages_language(client, db):
    # Accounts made before languages were stored, or by an invitation, have none: signing in
    # from French pages must not switch the person to English; the account takes French.
    jeanne = factories.city_officer(language="")
    client.cookies[COOKIE] = "fr"

    response = sign_in(client, jeanne)

    assert response.status_code == 302
    assert COOKIE not in response.cookies
    assert '<html lang="fr">' in client.get("/").content.decode()
    jeanne.refresh_from_db()
    assert jeanne.language == "fr"


def test_an_invitation_accepted_on_french_pages_gives_a_french_account(client, db):
    facilitator = factories.UserFactory(is_programme_admin=True)
    invitation = city_services.invitation_create(
        email="jeanne@example.org", city=factories.CityFactory(), acting_user=facilitator
    )
    client.cookies[COOKIE] = "fr"

    response = client.post(
        reverse("invitation_accept", args=[invitation.token]),
        {"full_name": "Jeanne Martin", "password1": "jeanne-lit-9", "password2": "jeanne-lit-9"},
    )

    assert response.status_code == 302
    assert COOKIE not in response.cookies
    assert factories.User.objects.get(email="jeanne@example.org").language == "fr"


def test_language_switcher_still_wins_after_sign_in(client, db):
    marie = factories.city_officer(language="fr")
    sign_in(client, marie)

    client.post("/i18n/setlang/", {"language": "en", "next": "/"})

    assert '<html lang="en">' in client.get("/").content.decode()
    marie.refresh_from_db()
    assert marie.language == "fr"  # the switcher changes the pages, not the emails


def test_signed_in_person_without_a_language_cookie_sees_the_accounts_language(client, db):
    marie = factories.city_officer(language="fr")
    client.force_login(marie)

    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en")

    assert '<html lang="fr">' in response.content.decode()
    assert COOKIE not in response.cookies
    anonymous = client.__class__().get(reverse("account_login"), HTTP_ACCEPT_LANGUAGE="en")
    assert '<html lang="en">' in anonymous.content.decode()


# --- allauth's emails ---------------------------------------------------------------------------


def test_password_reset_email_goes_through_the_outbox_in_the_accounts_language(
    client, db, settings, django_capture_on_commit_callbacks
):
    from notifications.models import OutboundEmail

    settings.SITE_URL = "https://portal.example.eu"
    marie = factories.city_officer(language="fr", email="marie@lisboa.pt")

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account_reset_password"), {"email": "Marie@Lisboa.pt"})

    [sent] = mail.outbox
    row = OutboundEmail.objects.get()
    with translation.override("fr"):
        subject = translation.gettext("Password Reset Email")
    # allauth writes to the address the account has.
    assert (sent.to, row.to, row.status) == (["marie@lisboa.pt"], "marie@lisboa.pt", "sent")
    assert sent.subject == f"[City peer learning] {subject}"
    assert subject != "Password Reset Email"  # allauth's French catalogue has it
    assert re.match(r"allauth:account/email/password_reset_key:[0-9a-f]{32}$", row.key)
    link = re.search(r"https?://testserver/accounts/password/reset/key/\S+/", sent.body).group()
    html = sent.alternatives[0].content
    assert (sent.alternatives[0].mimetype, '<html lang="fr">' in html) == ("text/html", True)
    assert f'<a href="{link}" rel="nofollow">{link}</a>' in html
    assert sent.message()["Message-ID"].endswith("@portal.example.eu>")
    assert marie.language == "fr"


# --- The fields as first shown are kept in the cache (templates/accounts/profile.html) -----------


def _field_values(page: str) -> tuple[str, str, str]:
    name = re.search(r'name="full_name" value="([^"]*)"', page).group(1)
    language = re.search(r'<option value="(\w+)" selected>', page).group(1)
    zone = re.search(r'<option value="([\w/]+)" selected>', page.split('name="time_zone"')[1])
    return name, language, zone.group(1)


def test_profile_fields_follow_a_change_after_they_were_cached(client, officer):
    client.force_login(officer)
    client.get(URL)

    services.user_profile_update(
        user=officer,
        full_name="Ana Maria Silva",
        language="en",
        time_zone="Europe/Lisbon",
        acting_user=officer,
    )
    assert _field_values(client.get(URL).content.decode()) == (
        "Ana Maria Silva",
        "en",
        "Europe/Lisbon",
    )

    # A save outside the service (the Django admin, the shell).
    officer.full_name = "Ana M. Silva"
    officer.time_zone = "Europe/Berlin"
    officer.save()
    assert _field_values(client.get(URL).content.decode()) == (
        "Ana M. Silva",
        "en",
        "Europe/Berlin",
    )


def test_profile_fields_cached_for_one_person_are_not_shown_to_another(client, db):
    ana = factories.UserFactory(full_name="Ana Silva", time_zone="Europe/Lisbon")
    bea = factories.UserFactory(full_name="Bea Braun", time_zone="Europe/Berlin")

    client.force_login(ana)
    ana_page = client.get(URL).content.decode()
    client.force_login(bea)
    bea_page = client.get(URL).content.decode()

    assert _field_values(ana_page) == ("Ana Silva", "en", "Europe/Lisbon")
    assert _field_values(bea_page) == ("Bea Braun", "en", "Europe/Berlin")
    assert "Ana Silva" not in bea_page
