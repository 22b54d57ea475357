"""Inviting a city officer by email, and accepting the invitation from the link."""

import datetime
import re

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import User
from cities import selectors, services
from cities import signals as city_signals
from cities.forms import InvitationForm
from cities.models import CityMembership, Invitation
from cohorts import receivers as cohort_receivers
from cohorts import services as cohort_services
from cohorts.models import Enrolment, EnrolmentGroup
from notifications.models import OutboundEmail
from portal.errors import ApplicationError
from portal.permissions import PermissionRefused
from tests import factories
from tests.cities.test_caching import queries_of
from tests.factories import PASSWORD
from tests.portal_pages.helpers import sign_in
from tests.queries import session_queries

NEW_PASSWORD = "a-long-pass-phrase-42"


def enrol(city, cohort, status="requested"):
    """Enrol `city` in `cohort` with the given status. An accepted one goes through the service
    as an admin enrols a city directly; a request is the city officers' act, so it is written
    as a row (the city needs no officer here), and a declined one is that request declined by
    the service."""
    admin = factories.UserFactory(is_programme_admin=True)
    group = factories.ThematicGroupFactory(cohort=cohort)
    if status == "accepted":
        return cohort_services.enrolment_create_direct(
            cohort=cohort, city=city, acting_user=admin, groups=[(group, "")]
        )
    enrolment = Enrolment.objects.create(cohort=cohort, city=city, status="requested")
    EnrolmentGroup.objects.create(enrolment=enrolment, thematic_group=group)
    if status == "declined":
        cohort_services.enrolment_decline(enrolment=enrolment, acting_user=admin)
    return enrolment


@pytest.fixture
def facilitated_cohort(facilitator):
    """A cohort led by the `facilitator` fixture."""
    cohort = factories.CohortFactory(name="Cohort of A")
    cohort.facilitators.add(facilitator)
    return cohort


@pytest.fixture
def lisbon(db, facilitated_cohort):
    """Lisbon, enrolled in the facilitator's cohort: a city they may invite officers to."""
    city = factories.CityFactory(name="Lisbon", country=factories.CountryFactory(iso_code="PT"))
    enrol(city, facilitated_cohort)
    return city


@pytest.fixture
def other_facilitator(db):
    return factories.UserFactory(is_facilitator=True, email="b.facilitator@example.org")


@pytest.fixture
def bergen(db, other_facilitator):
    """A city enrolled only in a cohort that another facilitator (B) leads."""
    cohort = factories.CohortFactory(name="Cohort of B")
    cohort.facilitators.add(other_facilitator)
    city = factories.CityFactory(name="Bergen", country=factories.CountryFactory(iso_code="SE"))
    enrol(city, cohort, status="accepted")
    return city


def invite(client, inviter, city, email, capture):
    client.force_login(inviter)
    with capture(execute=True):
        return client.post(reverse("invitation_create"), {"email": email, "city": city.pk})


def accept_link_path(body: str) -> str:
    match = re.search(settings.SITE_URL + r"(/invitations/[\w-]+/)", body)
    assert match is not None, body
    return match.group(1)


@pytest.mark.parametrize("inviter_fixture", ["facilitator", "programme_admin"])
def test_invitation_create_by_staff_sends_one_email_with_the_link(
    client, request, lisbon, inviter_fixture, django_capture_on_commit_callbacks
):
    inviter = request.getfixturevalue(inviter_fixture)

    response = invite(
        client, inviter, lisbon, "Ana.Silva@Lisboa.example", django_capture_on_commit_callbacks
    )

    assert (response.status_code, response["Location"]) == (302, reverse("invitation_create"))
    invitation = Invitation.objects.get()
    assert (invitation.email, invitation.city, invitation.invited_by) == (
        "ana.silva@lisboa.example",
        lisbon,
        inviter,
    )
    assert invitation.expires_at - invitation.created_at == datetime.timedelta(
        days=settings.INVITATION_VALID_DAYS
    )
    outbound = OutboundEmail.objects.get(key__startswith="invitation:")
    assert (outbound.key, outbound.to, outbound.status) == (
        f"invitation:{invitation.pk}",
        "ana.silva@lisboa.example",
        "sent",
    )
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.to == ["ana.silva@lisboa.example"]
    assert sent.subject == "You are invited to represent Lisbon"
    assert accept_link_path(sent.body) == f"/invitations/{invitation.token}/"
    response = client.get(reverse("invitation_create"))
    assert [str(m) for m in response.context["messages"]] == [
        "Invitation sent to ana.silva@lisboa.example for Lisbon."
    ]


@pytest.mark.parametrize("role_fixture", ["officer", "reviewer"])
def test_invitation_create_by_officer_or_reviewer_is_forbidden(
    client, request, lisbon, role_fixture, django_capture_on_commit_callbacks
):
    response = invite(
        client,
        request.getfixturevalue(role_fixture),
        lisbon,
        "ana@example.org",
        django_capture_on_commit_callbacks,
    )

    assert response.status_code == 403
    assert Invitation.objects.count() == 0
    assert mail.outbox == []


def test_invitation_create_for_existing_officer_of_the_city_is_refused_at_email(
    client, facilitator, lisbon, django_capture_on_commit_callbacks
):
    factories.city_officer(city=lisbon, email="ana@example.org")

    response = invite(
        client, facilitator, lisbon, "ANA@example.org", django_capture_on_commit_callbacks
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "email": ["ana@example.org is already an officer of Lisbon."]
    }
    assert Invitation.objects.count() == 0
    assert mail.outbox == []


def test_invitation_create_for_existing_account_adds_nothing_until_confirmed(
    client, facilitator, lisbon, django_capture_on_commit_callbacks
):
    porto_officer = factories.city_officer(email="ana@example.org")
    porto = porto_officer.city_memberships.get().city

    response = invite(
        client, facilitator, lisbon, "ana@example.org", django_capture_on_commit_callbacks
    )

    assert (response.status_code, response["Location"]) == (302, reverse("invitation_create"))
    assert list(
        CityMembership.objects.filter(user=porto_officer).values_list("city", flat=True)
    ) == [porto.pk]
    invitation = Invitation.objects.get()
    assert (invitation.accepted_at, invitation.accepted_by) == (None, None)
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert (sent.to, sent.subject) == (["ana@example.org"], "You are invited to represent Lisbon")
    url = f"{settings.SITE_URL}/invitations/{invitation.token}/"
    expiry = invitation.expires_at.strftime("%-d %B %Y")
    assert sent.body == (
        f"Hello,\n\n{facilitator.full_name} invites you to represent Lisbon on the city "
        "peer-learning portal of the EU Cities Mission.\n\n"
        "You already have an account with this email address. Open this link, sign in with "
        "your usual password and confirm to add Lisbon to your account:\n"
        f"{url}\n\n"
        f"The link works once and until {expiry}. Nothing changes on your account until you "
        "confirm.\n"
    )
    porto_officer.refresh_from_db()
    assert porto_officer.check_password(PASSWORD)
    response = client.get(reverse("invitation_create"))
    assert [str(m) for m in response.context["messages"]] == [
        "Invitation sent to ana@example.org for Lisbon."
    ]


def test_invitation_existing_account_joins_only_after_signing_in_and_confirming(
    client, facilitator, lisbon
):
    ana = factories.UserFactory(email="ana@example.org", full_name="Ana Silva")
    invitation = services.invitation_create(
        email="ana@example.org", city=lisbon, acting_user=facilitator
    )
    url = reverse("invitation_accept", args=[invitation.token])

    # Anonymous: the page asks to sign in; a POST neither adds the city nor sets a password.
    response = client.get(url)
    assert response.status_code == 200
    assert response.context["signed_in_as_invitee"] is False
    assert f'href="/accounts/login/?next={url}"' in response.content.decode()
    response = client.post(
        url, {"full_name": "Eve", "password1": "eve-takes-over-9", "password2": "eve-takes-over-9"}
    )
    assert response.status_code == 200
    ana.refresh_from_db()
    assert (ana.full_name, ana.check_password(PASSWORD)) == ("Ana Silva", True)
    assert CityMembership.objects.filter(user=ana).count() == 0

    # Signed in as the invitee, opening the link only asks: the button does it.
    client.force_login(ana)
    response = client.get(url)
    assert response.context["signed_in_as_invitee"] is True
    assert (
        "You are invited to represent Lisbon with your account ana@example.org. "
        "Add Lisbon to your account?" in response.content.decode()
    )
    assert '<button type="submit">Represent Lisbon</button>' in response.content.decode()
    assert CityMembership.objects.filter(user=ana).count() == 0

    response = client.post(url)

    assert (response.status_code, response["Location"]) == (302, "/")
    assert list(CityMembership.objects.filter(user=ana).values_list("city__name", flat=True)) == [
        "Lisbon"
    ]
    invitation.refresh_from_db()
    assert invitation.accepted_by == ana
    home = client.get("/")
    assert [str(m) for m in home.context["messages"]] == ["You now also represent Lisbon."]


def test_invitation_existing_account_signed_in_as_other_person_is_told_to_switch(
    client, facilitator, lisbon
):
    factories.UserFactory(email="ana@example.org")
    invitation = services.invitation_create(
        email="ana@example.org", city=lisbon, acting_user=facilitator
    )
    url = reverse("invitation_accept", args=[invitation.token])
    client.force_login(facilitator)

    response = client.get(url)

    assert response.status_code == 200
    assert (
        f"You are signed in as {facilitator.email}, but this invitation is for ana@example.org. "
        "Sign out, then sign in with ana@example.org to accept it." in response.content.decode()
    )
    assert f'href="/accounts/logout/?next={url}"' in response.content.decode()


# The probe of the security review: facilitator A must not become (or make a colleague) an
# officer of a city that only facilitator B's cohort holds.
@pytest.mark.parametrize("email", ["own", "colleague"])
def test_invitation_create_for_city_of_another_facilitators_cohort_is_refused(
    facilitator, other_facilitator, bergen, email, django_capture_on_commit_callbacks
):
    address = facilitator.email if email == "own" else other_facilitator.email

    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(ApplicationError) as raised,
    ):
        services.invitation_create(email=address, city=bergen, acting_user=facilitator)

    assert (raised.value.field, raised.value.message) == (
        "city",
        "You can invite officers only for cities in the cohorts you facilitate.",
    )
    assert (Invitation.objects.count(), CityMembership.objects.count(), mail.outbox) == (0, 0, [])


def test_invitation_create_page_refuses_city_of_another_facilitators_cohort(
    client, facilitator, lisbon, bergen, django_capture_on_commit_callbacks
):
    response = invite(
        client, facilitator, bergen, facilitator.email, django_capture_on_commit_callbacks
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "city": ["Select a valid choice. That choice is not one of the available choices."]
    }
    assert (Invitation.objects.count(), CityMembership.objects.count(), mail.outbox) == (0, 0, [])


@pytest.mark.parametrize(
    "address", ["{email}", "  {upper}  ", "second.address@example.org"], ids=str
)
def test_invitation_create_own_address_by_facilitator_is_refused_at_email(
    facilitator, lisbon, address
):
    EmailAddress.objects.create(user=facilitator, email="second.address@example.org")
    address = address.format(email=facilitator.email, upper=facilitator.email.upper())

    with pytest.raises(ApplicationError) as raised:
        services.invitation_create(email=address, city=lisbon, acting_user=facilitator)

    assert (raised.value.field, raised.value.message) == (
        "email",
        "You cannot invite yourself. Ask a programme admin if you need to represent a city.",
    )
    assert (Invitation.objects.count(), CityMembership.objects.count()) == (0, 0)


def test_invitation_create_page_refuses_own_address_at_email(
    client, facilitator, lisbon, django_capture_on_commit_callbacks
):
    response = invite(
        client, facilitator, lisbon, facilitator.email, django_capture_on_commit_callbacks
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "email": [
            "You cannot invite yourself. Ask a programme admin if you need to represent a city."
        ]
    }
    assert (Invitation.objects.count(), mail.outbox) == (0, [])


def test_invitation_create_by_group_facilitator_for_a_city_of_their_cohort_is_pending(
    client, other_facilitator, django_capture_on_commit_callbacks
):
    # A thematic-group facilitator (not a lead) of a cohort, and a city declined there: any
    # enrolment status opens the city to invitations.
    cohort = factories.CohortFactory()
    factories.ThematicGroupFactory(cohort=cohort).facilitators.add(other_facilitator)
    ghent = factories.CityFactory(name="Ghent")
    enrol(ghent, cohort, status="declined")
    colleague = factories.UserFactory(is_facilitator=True, email="c.facilitator@example.org")

    response = invite(
        client, other_facilitator, ghent, colleague.email, django_capture_on_commit_callbacks
    )

    assert (response.status_code, response["Location"]) == (302, reverse("invitation_create"))
    invitation = Invitation.objects.get()
    assert (invitation.email, invitation.city, invitation.accepted_at) == (
        "c.facilitator@example.org",
        ghent,
        None,
    )
    assert CityMembership.objects.count() == 0


def test_invitation_create_by_admin_for_any_city_and_own_address(
    client, programme_admin, bergen, django_capture_on_commit_callbacks
):
    response = invite(
        client, programme_admin, bergen, programme_admin.email, django_capture_on_commit_callbacks
    )

    assert (response.status_code, response["Location"]) == (302, reverse("invitation_create"))
    invitation = Invitation.objects.get()
    assert (invitation.email, invitation.city, invitation.accepted_at) == (
        programme_admin.email,
        bergen,
        None,
    )
    assert CityMembership.objects.count() == 0
    # Even an admin's own account joins the city only once they confirm.
    response = client.post(reverse("invitation_accept", args=[invitation.token]))
    assert (response.status_code, response["Location"]) == (302, "/")
    assert list(CityMembership.objects.values_list("user", "city")) == [
        (programme_admin.pk, bergen.pk)
    ]


def test_invitation_form_offers_a_facilitator_exactly_the_cities_of_their_cohorts(
    facilitator, facilitated_cohort, lisbon, bergen
):
    # Lisbon (requested) in the cohort the facilitator leads; Aarhus (accepted) and Zagreb
    # (declined) in a cohort where they facilitate a thematic group; Bergen in someone else's
    # cohort; Oslo in no cohort.
    group_cohort = factories.CohortFactory()
    factories.ThematicGroupFactory(cohort=group_cohort).facilitators.add(facilitator)
    aarhus = factories.CityFactory(name="Aarhus")
    zagreb = factories.CityFactory(name="Zagreb")
    enrol(aarhus, group_cohort, status="accepted")
    enrol(zagreb, group_cohort, status="declined")
    enrol(lisbon, group_cohort, status="accepted")
    factories.CityFactory(name="Oslo")

    form = InvitationForm(user=facilitator)

    assert list(form.fields["city"].queryset) == [aarhus, lisbon, zagreb]


def test_invitation_form_offers_an_admin_every_city(programme_admin, lisbon, bergen):
    oslo = factories.CityFactory(name="Oslo")

    form = InvitationForm(user=programme_admin)

    assert list(form.fields["city"].queryset) == [bergen, lisbon, oslo]


def test_invitation_create_page_without_cities_says_why(client, facilitator, bergen):
    client.force_login(facilitator)

    response = client.get(reverse("invitation_create"))

    assert response.status_code == 200
    assert list(response.context["form"].fields["city"].queryset) == []
    assert (
        "You can invite officers only for cities in the cohorts you facilitate, and none of "
        "your cohorts has a city yet." in response.content.decode()
    )


def test_invitation_accept_sets_password_verifies_email_and_signs_in(
    client, facilitator, lisbon, django_capture_on_commit_callbacks
):
    invitation = services.invitation_create(
        email="ana@example.org", city=lisbon, acting_user=facilitator
    )

    response = client.post(
        reverse("invitation_accept", args=[invitation.token]),
        {"full_name": "Ana Silva", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )

    assert (response.status_code, response["Location"]) == (302, "/")
    user = User.objects.get(email="ana@example.org")
    assert user.full_name == "Ana Silva"
    assert user.check_password(NEW_PASSWORD)
    assert list(CityMembership.objects.filter(user=user).values_list("city__name", flat=True)) == [
        "Lisbon"
    ]
    assert list(
        EmailAddress.objects.filter(user=user).values_list("email", "verified", "primary")
    ) == [("ana@example.org", True, True)]
    invitation.refresh_from_db()
    assert invitation.accepted_by == user
    assert client.session["_auth_user_id"] == str(user.pk)

    home = client.get("/")
    assert home.status_code == 200
    assert [str(m) for m in home.context["messages"]] == ["Welcome! You now represent Lisbon."]
    assert [city.name for city in home.context["sections"][0].cities] == ["Lisbon"]
    officer_section = re.search(
        r'<section[^>]*data-role="city_officer".*?</section>', home.content.decode(), re.S
    )
    assert officer_section is not None
    assert "Lisbon" in officer_section.group(0)


def test_invitation_accept_then_sign_in_with_the_new_password(client, facilitator, lisbon):
    invitation = services.invitation_create(
        email="ana@example.org", city=lisbon, acting_user=facilitator
    )
    client.post(
        reverse("invitation_accept", args=[invitation.token]),
        {"full_name": "Ana Silva", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    client.post(reverse("account_logout"))

    response = client.post(
        reverse("account_login"), {"login": "ana@example.org", "password": NEW_PASSWORD}
    )

    assert (response.status_code, response["Location"]) == (302, "/")


def test_invitation_accept_reused_link_says_already_used(client, facilitator, lisbon):
    invitation = services.invitation_create(
        email="ana@example.org", city=lisbon, acting_user=facilitator
    )
    url = reverse("invitation_accept", args=[invitation.token])
    client.post(url, {"full_name": "Ana", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    client.post(reverse("account_logout"))

    response = client.get(url)

    assert response.status_code == 410
    assert response.context["reason"] == "used"
    assert (
        "This invitation has already been used. Sign in with your email and password."
        in response.content.decode()
    )


def test_invitation_accept_post_on_used_link_changes_nothing(client, facilitator, lisbon):
    invitation = services.invitation_create(
        email="ana@example.org", city=lisbon, acting_user=facilitator
    )
    url = reverse("invitation_accept", args=[invitation.token])
    client.post(url, {"full_name": "Ana", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    client.post(reverse("account_logout"))

    response = client.post(
        url, {"full_name": "Eve", "password1": "eve-takes-over-9", "password2": "eve-takes-over-9"}
    )

    assert response.status_code == 410
    user = User.objects.get(email="ana@example.org")
    assert (user.full_name, user.check_password(NEW_PASSWORD)) == ("Ana", True)


def test_invitation_accept_expired_link_says_expired(client, facilitator, lisbon):
    with time_machine.travel(datetime.datetime(2025, 3, 1, 9, 0, tzinfo=datetime.UTC)):
        invitation = services.invitation_create(
            email="ana@example.org", city=lisbon, acting_user=facilitator
        )
    url = reverse("invitation_accept", args=[invitation.token])
    last_valid = invitation.expires_at - datetime.timedelta(seconds=1)

    with time_machine.travel(last_valid):
        assert client.get(url).status_code == 200
    with time_machine.travel(invitation.expires_at):
        response = client.get(url)

    assert response.status_code == 410
    assert response.context["reason"] == "expired"
    assert (
        "This invitation has expired. Ask the person who invited you to send a new one."
        in response.content.decode()
    )
    assert not User.objects.filter(email="ana@example.org").exists()


def test_invitation_accept_unknown_token_is_404(client, db):
    response = client.get(reverse("invitation_accept", args=["no-such-token"]))

    assert response.status_code == 404


def test_invitation_accept_mismatched_passwords_keep_the_name(client, facilitator, lisbon):
    invitation = services.invitation_create(
        email="ana@example.org", city=lisbon, acting_user=facilitator
    )

    response = client.post(
        reverse("invitation_accept", args=[invitation.token]),
        {"full_name": "Ana Silva", "password1": NEW_PASSWORD, "password2": "something-else-42"},
    )

    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors == {"password2": ["The two passwords are not the same."]}
    assert "The two passwords are not the same." in response.content.decode()
    assert 'value="Ana Silva"' in response.content.decode()
    assert not User.objects.filter(email="ana@example.org").exists()


def test_invitation_accept_too_short_password_is_refused_at_the_field(client, facilitator, lisbon):
    invitation = services.invitation_create(
        email="ana@example.org", city=lisbon, acting_user=facilitator
    )

    response = client.post(
        reverse("invitation_accept", args=[invitation.token]),
        {"full_name": "Ana Silva", "password1": "x7#q", "password2": "x7#q"},
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "password1": ["This password is too short. It must contain at least 8 characters."]
    }
    assert "This password is too short. It must contain at least 8 characters." in (
        response.content.decode()
    )
    assert 'value="Ana Silva"' in response.content.decode()
    assert not User.objects.filter(email="ana@example.org").exists()
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


def test_invitation_accept_when_account_appeared_later_needs_sign_in(client, facilitator, lisbon):
    invitation = services.invitation_create(
        email="ana@example.org", city=lisbon, acting_user=facilitator
    )
    ana = factories.UserFactory(email="ana@example.org")
    url = reverse("invitation_accept", args=[invitation.token])

    # Anonymous: the link cannot set the existing account's password.
    response = client.post(
        url, {"full_name": "Eve", "password1": "eve-takes-over-9", "password2": "eve-takes-over-9"}
    )
    assert response.status_code == 200
    assert f'href="/accounts/login/?next={url}"' in response.content.decode()
    ana.refresh_from_db()
    assert ana.check_password(PASSWORD)
    assert CityMembership.objects.filter(user=ana).count() == 0

    # Signed in as the invitee: one click adds the city.
    client.force_login(ana)
    response = client.post(url)
    assert (response.status_code, response["Location"]) == (302, "/")
    assert list(CityMembership.objects.filter(user=ana).values_list("city__name", flat=True)) == [
        "Lisbon"
    ]


def test_invitation_accept_signed_in_as_someone_else_adds_nothing(client, facilitator, lisbon):
    invitation = services.invitation_create(
        email="ana@example.org", city=lisbon, acting_user=facilitator
    )
    factories.UserFactory(email="ana@example.org")
    client.force_login(facilitator)

    response = client.post(reverse("invitation_accept", args=[invitation.token]))

    assert response.status_code == 200
    assert response.context["signed_in_as_invitee"] is False
    assert CityMembership.objects.count() == 0
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


def test_invitation_create_page_lists_cities_for_staff(client, facilitator, lisbon, bergen):
    client.force_login(facilitator)

    response = client.get(reverse("invitation_create"))

    assert response.status_code == 200
    assert list(response.context["form"].fields["city"].queryset) == [lisbon]
    assert "none of your cohorts has a city yet" not in response.content.decode()


def test_invitation_accept_page_names_city_and_email(client, facilitator, lisbon):
    invitation = services.invitation_create(
        email="ana@example.org", city=lisbon, acting_user=facilitator
    )

    response = client.get(reverse("invitation_accept", args=[invitation.token]))

    content = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Represent Lisbon</h1>" in content
    assert "Choose a password for ana@example.org." in content
    assert timezone.now() < invitation.expires_at


def _city_options(html: str) -> list[tuple[str, str, bool]]:
    select = re.search(r'<select name="city"[^>]*>(.*?)</select>', html, re.S)
    assert select, "no city select in the page"
    return [
        (value, label, bool(selected))
        for value, selected, label in re.findall(
            r'<option value="([^"]*)"( selected)?>([^<]*)</option>', select.group(1)
        )
    ]


def test_invitation_create_page_has_an_admin_search_for_the_city(
    client, programme_admin, lisbon, bergen
):
    client.force_login(programme_admin)

    def page():
        response = client.get(reverse("invitation_create"))
        return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())

    one = page()
    factories.CityFactory.create_batch(40)
    html = page()

    # The same page however many cities there are: none is listed, the admin searches.
    assert html == one
    assert _city_options(html) == [("", "---------", True)]
    assert 'data-search-url="/cities/search/"' in html
    assert "Lisbon" not in html


def test_invitation_create_page_refused_keeps_the_city_the_admin_chose(
    client, programme_admin, lisbon
):
    client.force_login(programme_admin)

    response = client.post(
        reverse("invitation_create"), {"email": "not-an-address", "city": lisbon.pk}
    )

    assert _city_options(response.content.decode()) == [
        ("", "---------", False),
        (str(lisbon.pk), "Lisbon (PT)", True),
    ]
    assert Invitation.objects.count() == 0


def test_invitation_create_page_lists_a_facilitators_cities_in_a_plain_select(
    client, facilitator, lisbon, bergen
):
    client.force_login(facilitator)

    html = client.get(reverse("invitation_create")).content.decode()

    assert _city_options(html) == [("", "---------", True), (str(lisbon.pk), "Lisbon (PT)", False)]
    assert "data-search-select" not in html


def test_invitation_email_to_a_french_account_is_in_french_with_its_link_on_site_url(
    facilitator, lisbon, settings, django_capture_on_commit_callbacks
):
    # Served by `make run PORT=8803`: the link must lead there, not to port 8000.
    settings.SITE_URL = "http://127.0.0.1:8803"
    factories.UserFactory(email="marie@lisboa.pt", language="fr")
    facilitator.full_name = "Lea Lead"

    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        invitation = services.invitation_create(
            email="marie@lisboa.pt", city=lisbon, acting_user=facilitator
        )

    [sent] = mail.outbox
    url = f"http://127.0.0.1:8803/invitations/{invitation.token}/"
    assert sent.subject == "Vous êtes invité à représenter Lisbon"
    assert sent.body.startswith(
        "Bonjour,\n\nLea Lead vous invite à représenter Lisbon sur le portail d'apprentissage "
        "entre villes de la Mission européenne pour les villes.\n\n"
        "Vous avez déjà un compte avec cette adresse e-mail. Ouvrez ce lien, connectez-vous "
        "avec votre mot de passe habituel et confirmez pour ajouter Lisbon à votre compte :\n"
        f"{url}\n\n"
    )
    html = sent.alternatives[0].content
    assert f'<p><a href="{url}">{url}</a></p>' in html
    assert "<p>Bonjour,</p>\n\n<p>Lea Lead vous invite à représenter Lisbon" in html
    assert sent.message()["Message-ID"].endswith("@127.0.0.1>")


@pytest.mark.parametrize("role", ["nobody", "officer", "reviewer"])
def test_invitation_create_without_permission_is_refused_and_sends_nothing(
    request, lisbon, role, django_capture_on_commit_callbacks
):
    person = None if role == "nobody" else request.getfixturevalue(role)

    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(PermissionRefused) as raised,
    ):
        services.invitation_create(acting_user=person, email="ana@example.org", city=lisbon)

    assert raised.value.message == "You do not have permission to do this."
    assert (Invitation.objects.count(), mail.outbox) == (0, [])


@pytest.mark.parametrize("role", ["facilitator", "programme_admin"])
def test_invitation_accept_signed_in_for_someone_else_is_refused(request, lisbon, role):
    # Nobody accepts an invitation for another account, programme admins included.
    person = request.getfixturevalue(role)
    invitation = services.invitation_create(
        acting_user=factories.UserFactory(is_programme_admin=True),
        email="ana@example.org",
        city=lisbon,
    )
    factories.UserFactory(email="ana@example.org")

    with pytest.raises(PermissionRefused) as raised:
        services.invitation_accept_signed_in(acting_user=person, invitation=invitation)

    assert raised.value.message == (
        "This invitation was sent to ana@example.org. Sign in with that address to accept it."
    )
    invitation.refresh_from_db()
    assert (invitation.accepted_at, CityMembership.objects.count()) == (None, 0)


# fmt: off
INVITATION_RULES = {
    #                                         officer reviewer facilitator admin
    ("cities.add_invitation", None):          (False, False,   True,       True),
    ("cities.add_invitation", "lisbon"):      (False, False,   True,       True),
    ("cities.add_invitation", "bergen"):      (False, False,   False,      True),
    ("cities.view_invitation", None):         (False, False,   True,       True),
    ("cities.accept_invitation", "to_them"):  (True,  True,    True,       True),
    ("cities.accept_invitation", "to_ana"):   (False, False,   False,      False),
}
# fmt: on


@pytest.mark.parametrize(
    ("permission", "obj", "role", "expected"),
    [
        pytest.param(permission, obj, role, expected, id=f"{permission} {obj} {role}")
        for (permission, obj), row in INVITATION_RULES.items()
        for role, expected in zip(
            ["officer", "reviewer", "facilitator", "programme_admin"], row, strict=True
        )
    ],
)
def test_invitation_rule_by_role(request, lisbon, bergen, permission, obj, role, expected):
    # lisbon is in the cohort the `facilitator` fixture leads, bergen only in another one.
    person = request.getfixturevalue(role)
    objects = {
        None: lambda: None,
        "lisbon": lambda: lisbon,
        "bergen": lambda: bergen,
        "to_them": lambda: Invitation(email=person.email, city=lisbon),
        "to_ana": lambda: Invitation(email="ana@example.org", city=lisbon),
    }

    assert person.has_perm(permission, objects[obj]()) is expected


def test_a_facilitators_cities_come_from_the_apps_answering_the_hook(facilitator, lisbon):
    # cities does not know cohorts: without cohorts' answer, a facilitator has no city.
    assert list(selectors.cities_facilitated_by(user=facilitator)) == [lisbon]
    assert city_signals.facilitated_cities.disconnect(dispatch_uid="cohorts.facilitated_cities")
    try:
        assert list(selectors.cities_facilitated_by(user=facilitator)) == []
        assert list(selectors.invitation_cities_for(user=facilitator)) == []
        assert facilitator.has_perm("cities.add_invitation", lisbon) is False
    finally:
        city_signals.facilitated_cities.connect(
            cohort_receivers.facilitated_cities, dispatch_uid="cohorts.facilitated_cities"
        )
    assert list(selectors.cities_facilitated_by(user=facilitator)) == [lisbon]


# The cached invitation form (cities/views.py invitation_create).


def test_invitation_form_two_facilitators_each_see_their_cities(
    client, facilitator, lisbon, other_facilitator, bergen
):
    sign_in(client, facilitator)
    own = client.get("/invitations/new/").content.decode()
    sign_in(client, other_facilitator)
    other = client.get("/invitations/new/").content.decode()

    assert f'<option value="{lisbon.pk}">Lisbon (PT)</option>' in own
    assert "Bergen" not in own
    assert f'<option value="{bergen.pk}">Bergen (SE)</option>' in other
    assert "Lisbon" not in other


def test_invitation_form_offers_a_city_enrolled_since_and_a_renamed_one(
    client, facilitator, facilitated_cohort, lisbon
):
    sign_in(client, facilitator)
    client.get("/invitations/new/")

    porto = factories.CityFactory(name="Porto", country=lisbon.country)
    factories.EnrolmentFactory(cohort=facilitated_cohort, city=porto, status="requested")
    lisbon.name = "Lisboa"
    lisbon.save()

    html = client.get("/invitations/new/").content.decode()
    assert f'<option value="{lisbon.pk}">Lisboa (PT)</option>' in html
    assert f'<option value="{porto.pk}">Porto (PT)</option>' in html


def test_invitation_form_query_count(client, facilitator, lisbon):
    sign_in(client, facilitator)

    cold, _ = queries_of(client, "/invitations/new/")
    warm, _ = queries_of(client, "/invitations/new/")

    # Cold: (session,) user, the cities offered (the key), whether there are any, the cities
    # offered (the select).
    assert cold == session_queries() + 4
    # Kept: (session,) user and the cities offered (the key).
    assert warm == session_queries() + 2
