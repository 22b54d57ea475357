"""Signed calendar links: a registered person's own link to their session's .ics.

The emails to registered people carry one (sessions.services.session_notice_queue), and many
of them have no account: the link opens without signing in, and the signature in it is the
credential, as the secret address of a personal feed is.

Decision: the link signs the registration and its session, not a person or a time.
- No expiry. A calendar link in an email must open whenever the email is read, also an older
  email after the session moved again (it then gives the event as it is now, with a higher
  SEQUENCE, so the calendar updates it), or after it was cancelled (STATUS:CANCELLED, so the
  calendar drops it). What it shows is what the email itself showed: the title, the times and
  the meeting link. A time limit would only break old emails.
- It is revoked with the registration: once the city takes the person off the session's list,
  the link answers 404. Rotating SECRET_KEY (with the old key in SECRET_KEY_FALLBACKS until the
  links sent with it no longer matter) revokes all of them.
- The session is part of what is signed, so a link never opens another session's calendar,
  whatever happens to the registration's row.
- Its own salt, so no other signature the portal makes (sign-in links, CSRF, sessions) is ever
  accepted here.
"""

from django.core import signing
from django.urls import reverse

from portal.links import site_url
from sessions.models import Registration

SALT = "sessions.calendar_links.registration"


def _signed_value(*, registration_pk: int, session_pk: int) -> str:
    return f"registration:{registration_pk}:session:{session_pk}"


def registration_calendar_signature(registration: Registration) -> str:
    """The signature in the registration's calendar link (URL-safe base64)."""
    return signing.Signer(salt=SALT).signature(
        _signed_value(registration_pk=registration.pk, session_pk=registration.session_id)
    )


def registration_calendar_signature_is_valid(
    *, registration_pk: int, session_pk: int, signature: str
) -> bool:
    """Whether `signature` was made for this registration of this session (with SECRET_KEY or
    one of SECRET_KEY_FALLBACKS)."""
    signer = signing.Signer(salt=SALT)
    value = _signed_value(registration_pk=registration_pk, session_pk=session_pk)
    try:
        signer.unsign(f"{value}{signer.sep}{signature}")
    except signing.BadSignature:
        return False
    return True


def registration_calendar_url(registration: Registration) -> str:
    """The absolute link, on SITE_URL, to the registration's session as an .ics file."""
    return site_url(
        reverse(
            "registration_calendar",
            args=[registration.pk, registration_calendar_signature(registration)],
        )
    )
