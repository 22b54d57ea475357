"""Writes for accounts: API tokens and the account page. (Invitations of city officers are
cities.services: they need the city.)"""

import logging
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from knox.models import get_digest_token
from knox.settings import CONSTANTS as KNOX

from accounts.models import ApiToken
from portal.dates import time_zone_choices
from portal.errors import ApplicationError
from portal.permissions import permission_check
from portal.text import SHORT_TEXT_MAX

User = get_user_model()
logger = logging.getLogger(__name__)

# How long a new API token may be valid: the choices offered, in days (the first is the default
# of the token endpoint), and the most active tokens one person may hold.
API_TOKEN_LIFETIME_DAYS = (30, 7, 90, 365)
API_TOKENS_PER_PERSON = 20


@transaction.atomic
def api_token_create(*, user, name: str, lifetime_days: int, acting_user) -> tuple[ApiToken, str]:
    """Make a named API token for `user`, valid for `lifetime_days`; return it and its secret.

    The secret is returned only here: the database keeps a hash (django-rest-knox), so it can
    be shown once and never again. A person holds at most API_TOKENS_PER_PERSON tokens that
    have not expired, so a script asking for a new token on every run is told to keep one.
    """
    permission_check(
        acting_user,
        "accounts.create_api_token",
        user,
        message=_(
            "You can make API tokens only for yourself, and programme admins for script accounts."
        ),
    )
    if not user.is_active:
        raise ApplicationError(
            _("This account is deactivated: its tokens would not work."), code="inactive"
        )
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
    logger.info("API token %s of user %s created by user %s", token.pk, user.pk, acting_user.pk)
    return token, secret


@transaction.atomic
def api_token_revoke(*, token: ApiToken, acting_user) -> None:
    """Revoke one API token: its owner's own, or anyone's for a programme admin."""
    permission_check(
        acting_user,
        "accounts.revoke_api_token",
        token,
        message=_("You can revoke only your own API tokens."),
    )
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
    if acting_user is not None:
        permission_check(
            acting_user,
            "accounts.revoke_api_tokens_of",
            user,
            message=_("You can revoke only your own API tokens."),
        )
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
    permission_check(
        acting_user,
        "accounts.change_own_account",
        user,
        message=_("You can change only your own account."),
    )
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
