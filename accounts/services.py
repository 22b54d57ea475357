"""Writes for accounts: inviting city officers, accepting invitations, issuing API tokens."""

from datetime import timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token

from accounts.models import Invitation
from cities.models import City, CityMembership
from notifications.services import email_queue
from portal.errors import ApplicationError

User = get_user_model()


@transaction.atomic
def invitation_create(*, email: str, city: City, invited_by) -> Invitation:
    """Invite a person by email to be an officer of a city, and email them.

    A new address gets a link to choose a password. An address that already has an account is
    made an officer of the city at once (the invitation is recorded as accepted) and is told so:
    there is no password to choose, and the link must not let anyone replace the one they have.
    """
    email = email.strip().lower()
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
    existing_user = User.objects.filter(email=email).first()
    if existing_user is not None:
        _membership_add(invitation=invitation, user=existing_user)
        link = settings.SITE_URL + reverse("account_login")
        template = "accounts/email/invitation_existing_account.txt"
        subject = _("You now also represent %(city)s") % {"city": city.name}
    else:
        link = settings.SITE_URL + reverse("invitation_accept", args=[invitation.token])
        template = "accounts/email/invitation.txt"
        subject = _("You are invited to represent %(city)s") % {"city": city.name}
    email_queue(
        key=f"invitation:{invitation.pk}",
        to=email,
        subject=subject,
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
        # The account was created after the invitation was sent (another invitation, or an
        # admin): the link must not set its password. invitation_accept_signed_in handles it.
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
    """Add the invitation's city to the signed-in account the invitation was sent to."""
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
