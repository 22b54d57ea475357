"""Writes for accounts: inviting city officers and accepting invitations."""

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

from accounts.models import Invitation
from cities.models import City, CityMembership
from notifications.services import email_queue
from portal.errors import ApplicationError

User = get_user_model()


@transaction.atomic
def invitation_create(*, email: str, city: City, invited_by) -> Invitation:
    """Invite a person by email to be an officer of a city, and email them the link."""
    email = email.strip().lower()
    if CityMembership.objects.filter(city=city, user__email=email).exists():
        raise ApplicationError(
            _("%(email)s is already an officer of %(city)s.") % {"email": email, "city": city.name},
            field="email",
        )
    invitation = Invitation.objects.create(
        email=email,
        city=city,
        invited_by=invited_by,
        expires_at=timezone.now() + timedelta(days=settings.INVITATION_VALID_DAYS),
    )
    link = settings.SITE_URL + reverse("invitation_accept", args=[invitation.token])
    email_queue(
        key=f"invitation:{invitation.pk}",
        to=email,
        subject=_("You are invited to represent %(city)s") % {"city": city.name},
        body=render_to_string(
            "accounts/email/invitation.txt",
            {"invitation": invitation, "link": link, "inviter": invited_by},
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


@transaction.atomic
def invitation_accept(*, invitation: Invitation, full_name: str, password: str):
    """Create or reuse the invitee's account, make them an officer of the city, verify the email.

    Return the user, ready to be signed in.
    """
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    invitation_check(invitation=invitation)
    user = User.objects.filter(email=invitation.email).first()
    if user is None:
        user = User(email=invitation.email, full_name=full_name.strip())
    elif full_name.strip():
        user.full_name = full_name.strip()
    try:
        password_validation.validate_password(password, user)
    except ValidationError as error:
        raise ApplicationError(" ".join(error.messages), field="password1") from error
    user.set_password(password)
    user.save()
    CityMembership.objects.get_or_create(city=invitation.city, user=user)
    EmailAddress.objects.update_or_create(
        user=user, email=invitation.email, defaults={"verified": True, "primary": True}
    )
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    return user
