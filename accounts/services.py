"""Writes for accounts: inviting city officers, accepting invitations, API tokens."""

import logging
from datetime import timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from knox.models import get_digest_token
from knox.settings import CONSTANTS as KNOX

from accounts.models import ApiToken, Invitation
from accounts.rules import is_programme_admin
from accounts.selectors import recipients_for
from cities.models import City, CityMembership
from cohorts.models import Enrolment
from cohorts.selectors import cohorts_facilitated_by
from notifications.services import Recipient, notify
from portal.dates import time_zone_choices
from portal.errors import ApplicationError
from portal.links import site_url
from portal.text import SHORT_TEXT_MAX

User = get_user_model()
logger = logging.getLogger(__name__)

# How long a new API token may be valid: the choices offered, in days (the first is the default
# of the token endpoint), and the most active tokens one person may hold.
API_TOKEN_LIFETIME_DAYS = (30, 7, 90, 365)
API_TOKENS_PER_PERSON = 20


def invitation_cities_for(*, user) -> QuerySet[City]:
    """The cities this person may invite officers to: every city for an admin; for a
    facilitator, the cities with an enrolment (of any status) in a cohort they lead or where
    they facilitate a thematic group; none for anyone else.

    A facilitator already sees and works with these cities in their cohorts; any other city
    would give them (through the invitee's account) a way into cohorts run by someone else.
    """
    if is_programme_admin(user):
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
    if not is_programme_admin(invited_by) and _is_own_address(user=invited_by, email=email):
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
    recipient = recipients_for(emails=[email])[email]
    # An address with an account is told to sign in with it; the email is in that account's
    # language and time zone.
    template = "invitation" if isinstance(recipient, Recipient) else "invitation_existing_account"
    notify(
        recipient=recipient,
        template=template,
        context={
            "invitation": invitation,
            "link": site_url(reverse("invitation_accept", args=[invitation.token])),
            "inviter": invited_by,
        },
        key=f"invitation:{invitation.pk}",
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


@transaction.atomic
def api_token_create(*, user, name: str, lifetime_days: int, acting_user) -> tuple[ApiToken, str]:
    """Make a named API token for `user`, valid for `lifetime_days`; return it and its secret.

    The secret is returned only here: the database keeps a hash (django-rest-knox), so it can
    be shown once and never again. A person holds at most API_TOKENS_PER_PERSON tokens that
    have not expired, so a script asking for a new token on every run is told to keep one.
    """
    if acting_user.pk != user.pk:
        # Nobody makes a token that acts as someone else, admins included.
        raise ApplicationError(_("You can make API tokens only for yourself."), code="forbidden")
    name = name.strip()
    if not name:
        raise ApplicationError(_("Give the token a name."), field="name", code="required")
    max_length = ApiToken._meta.get_field("name").max_length
    if len(name) > max_length:
        raise ApplicationError(
            _("Use at most %(count)d characters.") % {"count": max_length}, field="name"
        )
    if lifetime_days not in API_TOKEN_LIFETIME_DAYS:
        raise ApplicationError(
            _("Choose one of %(choices)s days.")
            % {"choices": ", ".join(str(days) for days in sorted(API_TOKEN_LIFETIME_DAYS))},
            field="lifetime_days",
        )
    # The row lock on the person serialises two requests that would each pass the cap.
    User.objects.select_for_update().filter(pk=user.pk).first()
    now = timezone.now()
    ApiToken.objects.filter(user=user, expiry__lte=now).delete()
    if ApiToken.objects.filter(user=user).count() >= API_TOKENS_PER_PERSON:
        raise ApplicationError(
            _(
                "You already have %(count)d API tokens, the most one person may hold. Revoke "
                "one you no longer use on your account page, then try again."
            )
            % {"count": API_TOKENS_PER_PERSON},
            code="too_many_tokens",
        )
    # knox's manager would read the clock twice (for the expiry, then for `created`).
    digest, secret = get_digest_token()
    token = ApiToken(
        user=user,
        name=name,
        digest=digest,
        token_key=secret[: KNOX.TOKEN_KEY_LENGTH],
        created=now,
        expiry=now + timedelta(days=lifetime_days),
    )
    token.save(force_insert=True)
    logger.info("API token %s of user %s created", token.pk, user.pk)
    return token, secret


@transaction.atomic
def api_token_revoke(*, token: ApiToken, acting_user) -> None:
    """Revoke one API token: its owner's own, or anyone's for a programme admin."""
    if token.user_id != acting_user.pk and not is_programme_admin(acting_user):
        raise ApplicationError(_("You can revoke only your own API tokens."), code="forbidden")
    ApiToken.objects.filter(pk=token.pk).delete()
    logger.info(
        "API token %s of user %s revoked by user %s", token.pk, token.user_id, acting_user.pk
    )


@transaction.atomic
def api_tokens_revoke_all(*, user, acting_user=None, cause: str = "") -> int:
    """Revoke every API token of `user`; return how many there were.

    Called when the password changes or the account is deactivated (accounts.receivers), so
    a token obtained with the old password, or copied by someone who knew it, stops working
    with it, and reactivating an account brings none back. `acting_user` is the programme
    admin who asked, or None when such a change did; `cause` names the change, for the log.
    """
    if (
        acting_user is not None
        and acting_user.pk != user.pk
        and not is_programme_admin(acting_user)
    ):
        raise ApplicationError(_("You can revoke only your own API tokens."), code="forbidden")
    count, _by_model = ApiToken.objects.filter(user=user).delete()
    if count:
        logger.info(
            "%s API tokens of user %s revoked by %s",
            count,
            user.pk,
            f"user {acting_user.pk}" if acting_user else cause,
        )
    return count


@transaction.atomic
def user_profile_update(*, user, full_name: str, language: str, time_zone: str, acting_user):
    """Save the name, language and time zone a person gives on their account page.

    Emails to them are written in that language with times in that zone
    (notifications.services.notify); the pages follow the language from their next sign-in,
    or at once when they save it here (accounts.middleware).
    """
    if acting_user.pk != user.pk:
        # Each person edits their own; programme admins have the Django admin.
        raise ApplicationError(_("You can change only your own account."), code="forbidden")
    full_name = full_name.strip()
    if not full_name:
        raise ApplicationError(_("Write your name."), field="full_name")
    if len(full_name) > SHORT_TEXT_MAX:
        raise ApplicationError(
            _("Write at most %(count)d characters.") % {"count": SHORT_TEXT_MAX},
            field="full_name",
        )
    if language not in dict(settings.LANGUAGES):
        raise ApplicationError(
            _("Choose one of the portal's languages."), field="language", code="unknown_language"
        )
    if time_zone not in dict(time_zone_choices()):
        raise ApplicationError(
            _("“%(value)s” is not a time zone the portal offers: choose one from the list.")
            % {"value": time_zone},
            field="time_zone",
            code="unknown_time_zone",
        )
    user.full_name, user.language, user.time_zone = full_name, language, time_zone
    user.save(update_fields=["full_name", "language", "time_zone"])
    logger.info("User %s changed their name, language or time zone", user.pk)
    return user
