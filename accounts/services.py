"""Writes for accounts: inviting city officers, accepting invitations, issuing API tokens."""

from datetime import timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token

from accounts.models import Invitation
from accounts.selectors import is_admin
from cities.models import City, CityMembership
from cohorts.models import Enrolment
from cohorts.selectors import cohorts_facilitated_by
from notifications.services import email_queue
from portal.errors import ApplicationError

User = get_user_model()


def invitation_cities_for(*, user) -> QuerySet[City]:
    """The cities this person may invite officers to: every city for an admin; for a
    facilitator, the cities with an enrolment (of any status) in a cohort they lead or where
    they facilitate a thematic group; none for anyone else.

    A facilitator already sees and works with these cities in their cohorts; any other city
    would give them (through the invitee's account) a way into cohorts run by someone else.
    """
    if is_admin(user):
        return City.objects.all()
    if not (user.is_authenticated and user.is_facilitator):
        return City.objects.none()
    return City.objects.filter(
        pk__in=Enrolment.objects.filter(
            cohort__in=cohorts_facilitated_by(user=user).values("pk")
        ).values("city")
    )


def _is_own_address(*, user, email: str) -> bool:
    # Any address of the account counts, not only the one it signs in with: allauth lets a
    # person add more.
    return (
        user.email.lower() == email
        or EmailAddress.objects.filter(user=user, email__iexact=email).exists()
    )


@transaction.atomic
def invitation_create(*, email: str, city: City, invited_by) -> Invitation:
    """Invite a person by email to be an officer of a city, and email them the link.

    The invitation never adds anyone to the city by itself: the city is added only when the
    invitee accepts on the link's page. A new address chooses a password there; an address
    that already has an account must sign in with it and confirm (so nobody can be put on a
    city, or take over an account, without the owner's consent).

    A facilitator may invite only to the cities of `invitation_cities_for`, and only an admin
    may invite their own address.
    """
    email = email.strip().lower()
    if not invitation_cities_for(user=invited_by).filter(pk=city.pk).exists():
        raise ApplicationError(
            _("You can invite officers only for cities in the cohorts you facilitate."),
            field="city",
            code="forbidden_city",
        )
    if not is_admin(invited_by) and _is_own_address(user=invited_by, email=email):
        raise ApplicationError(
            _("You cannot invite yourself. Ask a programme admin if you need to represent a city."),
            field="email",
            code="self_invitation",
        )
    if CityMembership.objects.filter(city=city, user__email=email).exists():
        raise ApplicationError(
            _("%(email)s is already an officer of %(city)s.") % {"email": email, "city": city.name},
            field="email",
        )
    now = timezone.now()
    invitation = Invitation.objects.create(
        email=email,
        city=city,
        invited_by=invited_by,
        created_at=now,
        expires_at=now + timedelta(days=settings.INVITATION_VALID_DAYS),
    )
    if User.objects.filter(email=email).exists():
        template = "accounts/email/invitation_existing_account.txt"
    else:
        template = "accounts/email/invitation.txt"
    link = settings.SITE_URL + reverse("invitation_accept", args=[invitation.token])
    email_queue(
        key=f"invitation:{invitation.pk}",
        to=email,
        subject=_("You are invited to represent %(city)s") % {"city": city.name},
        body=render_to_string(
            template, {"invitation": invitation, "link": link, "inviter": invited_by}
        ),
    )
    return invitation


def invitation_check(*, invitation: Invitation) -> None:
    """Raise if the invitation can no longer be used, saying why in the invitee's words."""
    if invitation.is_accepted:
        raise ApplicationError(
            _("This invitation has already been used. Sign in with your email and password."),
            code="used",
        )
    if invitation.is_expired:
        raise ApplicationError(
            _("This invitation has expired. Ask the person who invited you to send a new one."),
            code="expired",
        )


def _membership_add(*, invitation: Invitation, user) -> None:
    CityMembership.objects.get_or_create(city=invitation.city, user=user)
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])


@transaction.atomic
def invitation_accept(*, invitation: Invitation, full_name: str, password: str):
    """Create the invitee's account, make them an officer of the city, verify the email.

    Return the user, ready to be signed in. The email is verified because only its owner
    received the link.
    """
    invitation = Invitation.objects.select_for_update().select_related("city").get(pk=invitation.pk)
    invitation_check(invitation=invitation)
    if User.objects.filter(email=invitation.email).exists():
        # The address has an account (it had one when invited, or got one since): the link
        # must not set its password. invitation_accept_signed_in handles it.
        raise ApplicationError(
            _("An account already exists for %(email)s. Sign in, then open the link again.")
            % {"email": invitation.email},
            code="account_exists",
        )
    user = User(email=invitation.email, full_name=full_name.strip())
    try:
        password_validation.validate_password(password, user)
    except ValidationError as error:
        raise ApplicationError(" ".join(error.messages), field="password1") from error
    user.set_password(password)
    user.save()
    EmailAddress.objects.update_or_create(
        user=user, email=invitation.email, defaults={"verified": True, "primary": True}
    )
    _membership_add(invitation=invitation, user=user)
    return user


@transaction.atomic
def invitation_accept_signed_in(*, invitation: Invitation, user) -> None:
    """Add the invitation's city to the signed-in account the invitation was sent to, once its
    owner has confirmed (the view asks with a button)."""
    invitation = Invitation.objects.select_for_update().select_related("city").get(pk=invitation.pk)
    invitation_check(invitation=invitation)
    if user.email.lower() != invitation.email:
        raise ApplicationError(
            _("This invitation was sent to %(email)s. Sign in with that address to accept it.")
            % {"email": invitation.email},
            code="other_account",
        )
    _membership_add(invitation=invitation, user=user)


def api_token_issue(*, user) -> Token:
    """Return the person's API token, creating it on first use (one token per person)."""
    token, _created = Token.objects.get_or_create(user=user)
    return token
