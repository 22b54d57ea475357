"""Queue and deliver emails through Celery after the transaction commits, retrying what failed.

What is guaranteed (README, "Background work"): an email is handed to the mail server again only
when a delivery was claimed, the server accepted the message, and the row was not marked sent
(the process died, or the server's reply was lost). Every other path claims the row first, and
a row is claimed by one delivery at a time.
"""

import logging
import smtplib
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.errors import HeaderParseError
from email.headerregistry import AddressHeader
from email.utils import make_msgid
from typing import NamedTuple, Protocol

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.encoding import punycode

from notifications.enums import DeliveryStatus
from notifications.models import OutboundEmail
from portal.links import site_domain

logger = logging.getLogger(__name__)

# A row left in "sending" this long was claimed by a worker that died; the sweeper frees it.
STUCK_AFTER = timedelta(minutes=15)
# Celery kills a delivery that runs longer (notifications.tasks), well before STUCK_AFTER, so the
# sweeper never frees a row whose delivery is still running.
DELIVERY_TIME_LIMIT = timedelta(minutes=5)
# Seconds the SMTP connection waits for each answer of the server, unless EMAIL_TIMEOUT is set.
SEND_TIMEOUT_SECONDS = 60
MAX_ATTEMPTS = 8
# After a temporary failure: 5 minutes, then twice as long after each further failure, at most
# 2 hours, so 8 attempts span about 6.5 hours (the sweeper runs every 5 minutes).
RETRY_FIRST_DELAY = timedelta(minutes=5)
RETRY_MAX_DELAY = timedelta(hours=2)


class EmailRecipient(Protocol):
    """Whom notify() writes to: a user (accounts.User has these fields) or a Recipient."""

    email: str
    language: str
    time_zone: str


@dataclass(frozen=True)
class Recipient:
    """Someone written to by address alone (an invited person, a registered participant), with
    no account whose language and time zone could be read. accounts.selectors.recipients_for
    gives the account instead where the address has one."""

    email: str
    language: str = ""  # "" is settings.LANGUAGE_CODE
    time_zone: str = ""  # "" is settings.TIME_ZONE


def notify(
    *,
    recipient: EmailRecipient,
    template: str,
    context: dict,
    key: str,
    kind: str = "",
    topic: str = "",
) -> OutboundEmail:
    """Write to one person with the templates emails/<template>/subject.txt, body.txt and
    body.html, in the recipient's language and with times in the recipient's time zone, and
    queue the email (sent once the current transaction commits; the same key goes out once).

    The templates get `context` plus `recipient`, and the bodies `subject`. Links in them are
    absolute: build them with portal.links.site_url(reverse(...)), never from a request.

    A reminder written now (feedback's "send reminder") names its `kind` (a
    notifications.enums.ReminderKind) and `topic`: the outbox groups it with the planned ones,
    and the person's choices are honoured (email_queue).
    """
    headers = {}
    if kind and _reminder_extras is not None:
        # The unsubscribe link of the kind, in the footer and the List-Unsubscribe header, as
        # on the planned reminders (reminders.planning.reminder_extras).
        extra_context, headers = _reminder_extras(address=recipient.email, kind=kind)
        context = {**context, **extra_context}
    subject, body, html_body = message_render(
        recipient=recipient, template=template, context=context
    )
    return email_queue(
        key=key,
        to=recipient.email,
        subject=subject,
        body=body,
        html_body=html_body,
        headers=headers,
        kind=kind,
        topic=topic,
        # An account (not a Recipient written to by address alone): the outbox names the person.
        recipient_id=recipient.pk if isinstance(recipient, get_user_model()) else None,
    )


def message_render(
    *, recipient: EmailRecipient, template: str, context: dict
) -> tuple[str, str, str]:
    """The subject, plain-text body and HTML body of emails/<template>/, in the recipient's
    language with times in their zone (notify() and the reminders rendered when sent)."""
    language = recipient.language or settings.LANGUAGE_CODE
    zone = recipient.time_zone or settings.TIME_ZONE
    context = {**context, "recipient": recipient}
    with translation.override(language), timezone.override(zone):
        # Template tags leave line breaks and blank lines at the edges; a subject is one line.
        subject = " ".join(render_to_string(f"emails/{template}/subject.txt", context).split())
        # The HTML part's <title> (emails/base.html) is the subject.
        context["subject"] = subject
        body = render_to_string(f"emails/{template}/body.txt", context)
        html_body = render_to_string(f"emails/{template}/body.html", context)
    return subject, body.strip() + "\n", html_body.strip() + "\n"


# --- Reminders rendered when they are sent --------------------------------------------------


@dataclass(frozen=True)
class Rendered:
    """A planned reminder, written now: its template and context (rendered by message_render
    for `recipient`), extra headers (List-Unsubscribe) and attachments as
    (filename, content, MIME type)."""

    recipient: EmailRecipient
    template: str
    context: dict
    headers: dict = field(default_factory=dict)
    attachments: list = field(default_factory=list)


@dataclass(frozen=True)
class Cancel:
    """A planned reminder that no longer applies when its time comes, and why (the outbox shows
    the reason)."""

    reason: str


# kind -> function(email: OutboundEmail) -> Rendered | Cancel. Registered by the app that plans
# the kind's rows (reminders.apps), so this layer renders messages it knows nothing about.
_renderers: dict = {}


def renderer_register(kind: str, renderer) -> None:
    _renderers[kind] = renderer


def _render_planned(email: OutboundEmail) -> Cancel | None:
    """Fill in a planned row's subject, bodies, headers and attachments, or say why it is not
    sent. Called on the claimed row, before the first attempt."""
    renderer = _renderers.get(email.kind)
    if renderer is None:
        return Cancel(reason=f"No renderer for the kind {email.kind!r}.")
    written = renderer(email)
    if isinstance(written, Cancel):
        return written
    email.subject, email.body, email.html_body = message_render(
        recipient=written.recipient, template=written.template, context=written.context
    )
    email.headers = dict(written.headers)
    email.attachments = [list(attachment) for attachment in written.attachments]
    OutboundEmail.objects.filter(pk=email.pk).update(
        subject=email.subject[:250],
        body=email.body,
        html_body=email.html_body,
        headers=email.headers,
        attachments=email.attachments,
    )
    return None


def _record_cancel(email: OutboundEmail, reason: str) -> None:
    OutboundEmail.objects.filter(
        pk=email.pk, status=DeliveryStatus.SENDING, claimed_at=email.claimed_at
    ).update(status=DeliveryStatus.CANCELLED, cancelled_at=timezone.now(), cancel_reason=reason)


def new_message_id() -> str:
    """A Message-ID on the site's domain, not on the sending machine's name ("@localhost")."""
    return make_msgid(domain=site_domain())


# Checks of a reminder written now (one with a kind, not planned by a rule): each is called as
# check(address=, kind=, topic=, recipient_id=) and returns why it is not sent, or None.
# Registered by the app that keeps people's choices (reminders.apps), so that this layer honours
# them without importing it.
_suppressions: list = []
# function(address=, kind=) -> (context, headers): what every reminder email carries besides its
# own text (the unsubscribe link); registered by the reminders app.
_reminder_extras = None


def reminder_extras_register(extras) -> None:
    global _reminder_extras
    _reminder_extras = extras


def suppression_register(check) -> None:
    if check not in _suppressions:
        _suppressions.append(check)


def suppression_reason(
    *, address: str, kind: str, topic: str, recipient_id: int | None
) -> str | None:
    """Why a reminder of `kind` written now to `address` is not sent, or None."""
    for check in _suppressions:
        reason = check(address=address, kind=kind, topic=topic, recipient_id=recipient_id)
        if reason:
            return reason
    return None


def email_queue(
    *,
    key: str,
    to: str,
    subject: str,
    body: str,
    html_body: str = "",
    headers: dict | None = None,
    kind: str = "",
    topic: str = "",
    recipient_id: int | None = None,
) -> OutboundEmail:
    """Record an email and send it once the current transaction commits.

    Queuing the same key twice returns the first row and sends nothing more. Emails to people
    are written with notify(); this is the outbox underneath it.

    A reminder (`kind` set) that a registered check suppresses (suppression_register: the
    person unsubscribed from the kind, say) is recorded cancelled, with the reason, and not sent.
    """
    from notifications.tasks import deliver_email

    defaults = {
        "to": to,
        "subject": subject,
        "body": body,
        "html_body": html_body,
        "message_id": new_message_id(),
        "headers": headers or {},
        "kind": kind,
        "topic": topic,
        "recipient_id": recipient_id,
    }
    reason = None
    if kind and not OutboundEmail.objects.filter(key=key).exists():
        reason = suppression_reason(address=to, kind=kind, topic=topic, recipient_id=recipient_id)
    if reason:
        defaults.update(
            status=DeliveryStatus.CANCELLED, cancelled_at=timezone.now(), cancel_reason=reason[:200]
        )
    email, created = OutboundEmail.objects.get_or_create(key=key, defaults=defaults)
    if created and not reason:
        # robust: a broker that is down must not turn a committed request into an error page;
        # the row stays "pending" and the sweeper queues it again.
        transaction.on_commit(lambda email_id=email.pk: deliver_email.delay(email_id), robust=True)
    return email


def _queue_delivery(email_id: int) -> None:
    from notifications.tasks import deliver_email

    # robust: a broker that is down must not turn a committed request into an error page;
    # the row stays "pending" and the sweeper queues it again.
    transaction.on_commit(lambda: deliver_email.delay(email_id), robust=True)


def emails_send_again(*, email_ids: list[int], acting_user) -> int:
    """Give failed emails a fresh set of attempts (an admin fixed the address or the mail
    settings); return how many were queued. Emails that have not failed are left alone: a
    sent one would go out twice, one in progress already has its delivery."""
    if not acting_user.has_perm("notifications.change_outboundemail"):
        raise PermissionDenied
    with transaction.atomic():
        failed = list(
            OutboundEmail.objects.select_for_update()
            .filter(pk__in=email_ids, status=DeliveryStatus.FAILED)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        # The status is checked again in the update: SQLite has no row locks.
        OutboundEmail.objects.filter(pk__in=failed, status=DeliveryStatus.FAILED).update(
            status=DeliveryStatus.PENDING, attempts=0, next_attempt_at=None
        )
        for email_id in failed:
            _queue_delivery(email_id)
    logger.info("Emails %s queued again by user %s", failed, acting_user.pk)
    return len(failed)


def retry_delay(attempts: int) -> timedelta:
    """How long to wait after the `attempts`-th attempt failed for a temporary reason."""
    return min(RETRY_FIRST_DELAY * 2 ** (attempts - 1), RETRY_MAX_DELAY)


def recipient_address_error(address: str) -> ValueError | None:
    """Why Django's SMTP backend cannot write this recipient address, or None if it can.

    The checks of Django 6's smtp.EmailBackend.prep_address, which the send applies later:
    django.core.mail.message.sanitize_address is deprecated since Django 6.0 and no longer what
    the backend uses (it lets "officer@braga\\n.org" and a non-ASCII local part through, which
    the backend refuses, so they would be retried for hours instead of failed at once).
    """
    try:
        parsed = AddressHeader.value_parser(address)
        # Django allows local mailboxes such as "webmaster" (#15042).
        defects = {str(defect) for defect in parsed.all_defects} - {
            "addr-spec local part with no domain"
        }
        if defects:
            return ValueError(f"Invalid address {address!r}: {'; '.join(sorted(defects))}")
        if len(parsed.all_mailboxes) != 1:
            return ValueError(f"Invalid address {address!r}: must be a single address")
        domain = parsed.all_mailboxes[0].domain
        if domain and not domain.isascii():
            punycode(domain)  # the backend sends the domain IDNA-encoded
    except (HeaderParseError, ValueError) as error:  # UnicodeError is a ValueError
        return ValueError(f"Invalid address {address!r}: {error}")
    return None


def is_permanent_refusal(error: Exception) -> bool:
    """Whether the mail server refused this very message for good.

    Decision: only refusals of the recipient or of the message are permanent (every recipient
    refused with a 5xx code, such as 550 unknown mailbox, or the message refused with 5xx after
    DATA); an address Django cannot write is found before connecting (recipient_address_error).
    Any other error, a ValueError included (an IDNA or empty EMAIL_HOST, say), may come from
    the portal's configuration, which fails every email alike and which an admin can fix: it is
    retried like a 4xx answer, a 5xx to the sender or the login, or a server that cannot be
    reached, within MAX_ATTEMPTS.
    """
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _message in error.recipients.values()]
        return bool(codes) and all(code >= 500 for code in codes)
    if isinstance(error, smtplib.SMTPDataError):
        return error.smtp_code >= 500
    return False


def _text(message) -> str:
    return message.decode(errors="replace") if isinstance(message, bytes) else str(message)


def describe_error(error: Exception) -> str:
    """The mail server's answer as an admin reads it, e.g. "550 5.1.1 unknown mailbox"."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return "; ".join(
            f"{address}: {code} {_text(message)}"
            for address, (code, message) in error.recipients.items()
        )
    if isinstance(error, smtplib.SMTPResponseException):
        return f"{error.smtp_code} {_text(error.smtp_error)}"
    return f"{type(error).__name__}: {error}"


def _due(now: datetime) -> Q:
    """Rows a delivery may claim: waiting (and, if planned, whose time has come), or waiting
    to retry and due."""
    return (
        Q(status=DeliveryStatus.PENDING, send_after__isnull=True)
        | Q(status=DeliveryStatus.PENDING, send_after__lte=now)
        | Q(status=DeliveryStatus.RETRY, next_attempt_at__lte=now)
    )


def _claim(email_id: int | None, now: datetime) -> OutboundEmail | None:
    """Mark the email "sending" for this delivery alone, or return None. With no id, the oldest
    due planned email that no other delivery holds (the batch delivery of reminders)."""
    with transaction.atomic():
        locked = OutboundEmail.objects.select_for_update(skip_locked=True)
        if email_id is None:
            email = _next_planned(locked, now)
        else:
            email = locked.filter(_due(now), pk=email_id).first()
        if email is None:
            return None  # gone, sent, not due yet, or being sent by another worker
        # The update checks the status again: SQLite has no row locks, so two deliveries may
        # both have read the row; only one of them changes it.
        claimed = (
            OutboundEmail.objects.filter(_due(now), pk=email.pk).update(
                status=DeliveryStatus.SENDING,
                claimed_at=now,
                attempts=F("attempts") + 1,
                next_attempt_at=None,
            )
            == 1
        )
    if not claimed:
        return None
    email.refresh_from_db()
    return email


def _next_planned(locked, now: datetime) -> OutboundEmail | None:
    """The oldest due planned row: pending ones first (read from the partial index
    outbound_planned_due), then those waiting to retry."""
    pending = (
        locked.filter(status=DeliveryStatus.PENDING, send_after__isnull=False, send_after__lte=now)
        .order_by("send_after", "id")
        .first()
    )
    if pending is not None:
        return pending
    return (
        locked.filter(
            status=DeliveryStatus.RETRY, send_after__isnull=False, next_attempt_at__lte=now
        )
        .order_by("next_attempt_at", "id")
        .first()
    )


# Not sent yet, and not being sent: what a cancellation may still stop.
UNSENT = [DeliveryStatus.PENDING, DeliveryStatus.RETRY]

# How many emails one batch delivery sends before it hands over to a new task, so a worker
# stopped or restarted loses at most its current email's claim, and other tasks get a turn.
BATCH_SIZE = 50
# A batch stops claiming after this long and hands over to a new task: well inside
# DELIVERY_TIME_LIMIT, which would otherwise kill it in the middle of an email.
BATCH_TIME_BUDGET = DELIVERY_TIME_LIMIT / 2


class Batch(NamedTuple):
    claimed: int
    sent: int
    # Whether more may be due: the batch was full, or stopped at its time budget.
    more: bool


def emails_deliver_batch(
    *,
    limit: int = BATCH_SIZE,
    now: datetime | None = None,
    budget: timedelta = BATCH_TIME_BUDGET,
) -> Batch:
    """Claim and send due planned emails one at a time (two deliveries running at once never
    take the same row), up to `limit` emails or `budget` of time, whichever comes first (so a
    slow mail server never lets Celery's time limit kill a delivery in the middle of an
    email); return how many were claimed and sent (a claimed reminder may be cancelled
    instead, or fail), and whether more may be due."""
    claimed = sent = 0
    started = time.monotonic()
    while claimed < limit:
        if time.monotonic() - started > budget.total_seconds():
            return Batch(claimed, sent, more=True)
        email = _claim(None, now or timezone.now())
        if email is None:
            return Batch(claimed, sent, more=False)
        claimed += 1
        sent += _send_claimed(email)
    return Batch(claimed, sent, more=True)


def emails_deliver_due(*, limit: int = BATCH_SIZE, now: datetime | None = None) -> int:
    """Send up to `limit` due planned emails; return how many were sent."""
    return emails_deliver_batch(limit=limit, now=now).sent


def emails_due_exist(*, now: datetime | None = None) -> bool:
    """Whether a planned email is due (what the batch delivery sends)."""
    return OutboundEmail.objects.filter(
        _due(now or timezone.now()), send_after__isnull=False
    ).exists()


def emails_cancel(*, email_ids: list[int], acting_user, reason: str) -> int:
    """Cancel emails not sent yet (an admin, from the outbox); return how many. One being sent
    at this moment, or already sent or failed, is left as it is."""
    if not acting_user.has_perm("notifications.change_outboundemail"):
        raise PermissionDenied
    cancelled = OutboundEmail.objects.filter(
        pk__in=email_ids, status__in=[DeliveryStatus.PENDING, DeliveryStatus.RETRY]
    ).update(
        status=DeliveryStatus.CANCELLED,
        cancelled_at=timezone.now(),
        cancel_reason=reason[:200],
        cancelled_by=acting_user,
        next_attempt_at=None,
    )
    logger.info("Emails %s cancelled by user %s", email_ids, acting_user.pk)
    return cancelled


def emails_cancel_planned(*, kinds, topic: str, reason: str, keep_key_suffix: str = "") -> int:
    """Cancel the planned reminders of `kinds` about `topic` that have not gone out (waiting,
    or waiting to retry), except those whose key ends with `keep_key_suffix` (a moved
    session's reminders for its new time); return how many."""
    rows = OutboundEmail.objects.filter(
        kind__in=list(kinds),
        topic=topic,
        status__in=UNSENT,
        send_after__isnull=False,
    )
    if keep_key_suffix:
        rows = rows.exclude(key__endswith=keep_key_suffix)
    return rows.update(
        status=DeliveryStatus.CANCELLED,
        cancelled_at=timezone.now(),
        cancel_reason=reason,
        next_attempt_at=None,
    )


def _record_failure(email: OutboundEmail, error: Exception, *, permanent: bool) -> None:
    """Schedule a retry after a temporary failure; give up on a refusal or the last attempt."""
    reason = describe_error(error)[:2000]
    if permanent:
        changes = {"status": DeliveryStatus.FAILED, "last_error": f"Refused for good: {reason}"}
    elif email.attempts >= MAX_ATTEMPTS:
        changes = {
            "status": DeliveryStatus.FAILED,
            "last_error": f"Gave up after {email.attempts} attempts: {reason}",
        }
    else:
        changes = {
            "status": DeliveryStatus.RETRY,
            "last_error": reason,
            "next_attempt_at": timezone.now() + retry_delay(email.attempts),
        }
    logger.warning("Sending email %s failed (%s): %s", email.pk, changes["status"], reason)
    # Only while this delivery's claim holds: never overwrite what a later delivery wrote.
    OutboundEmail.objects.filter(
        pk=email.pk, status=DeliveryStatus.SENDING, claimed_at=email.claimed_at
    ).update(**changes)


def email_deliver(*, email_id: int) -> bool:
    """Claim a due email, send it and mark it sent. Return whether this call sent it."""
    email = _claim(email_id, timezone.now())
    if email is None:
        return False
    return _send_claimed(email)


def _send_claimed(email: OutboundEmail) -> bool:
    """Send an email this delivery claimed; return whether it went out."""
    # A planned reminder is written again before every attempt, a retry included: its rule
    # checks again that it still applies (a session cancelled while the mail server was down
    # is not reminded of), and the text follows the person's language of that moment.
    if email.send_after is not None and email.kind:
        try:
            cancel = _render_planned(email)
        except Exception as error:  # a bug in a renderer: recorded and retried, not lost
            logger.exception("Rendering email %s failed", email.pk)
            _record_failure(email, error, permanent=False)
            return False
        if cancel is not None:
            _record_cancel(email, cancel.reason)
            return False
    # The one error that is this email's own for good, told apart from the configuration's
    # errors before anything is connected.
    address_error = recipient_address_error(email.to)
    if address_error is not None:
        _record_failure(email, address_error, permanent=True)
        return False
    try:
        connection = get_connection(timeout=settings.EMAIL_TIMEOUT or SEND_TIMEOUT_SECONDS)
        message = EmailMultiAlternatives(
            email.subject,
            email.body,
            to=[email.to],
            connection=connection,
            headers={**email.headers, "Message-ID": email.message_id or new_message_id()},
        )
        if email.html_body:
            message.attach_alternative(email.html_body, "text/html")
        for filename, content, mimetype in email.attachments:
            message.attach(filename, content, mimetype)
        message.send()
    except Exception as error:  # whatever went wrong, the row records it and decides the retry
        _record_failure(email, error, permanent=is_permanent_refusal(error))
        return False
    # Whoever holds the row now: the server has the message, so it must not be sent again.
    OutboundEmail.objects.filter(pk=email.pk).update(
        status=DeliveryStatus.SENT, sent_at=timezone.now(), last_error="", next_attempt_at=None
    )
    return True


def emails_sweep_stuck(*, now: datetime | None = None) -> int:
    """Queue again what should have gone out by now; count the emails queued.

    That is: emails stuck in "sending" (their worker died), "pending" ones older than
    STUCK_AFTER (their task was lost, e.g. the broker was down at commit) and those waiting to
    retry whose next_attempt_at has come. An email stuck in "sending" with no attempts left is
    marked failed for a person to look at.
    """
    from notifications.tasks import deliver_email

    now = now or timezone.now()
    stuck_sending = Q(status=DeliveryStatus.SENDING, claimed_at__lt=now - STUCK_AFTER)
    OutboundEmail.objects.filter(stuck_sending, attempts__gte=MAX_ATTEMPTS).update(
        status=DeliveryStatus.FAILED,
        last_error=f"Gave up after {MAX_ATTEMPTS} attempts: stuck while sending.",
    )
    # A delivery that died after the mail server accepted the message: sending it again is the
    # one way an email can go out twice (see the module docstring).
    OutboundEmail.objects.filter(stuck_sending, attempts__lt=MAX_ATTEMPTS).update(
        status=DeliveryStatus.PENDING
    )
    # Messages written now are queued again one by one; planned reminders, which may be
    # thousands at once, by one batch delivery that queues itself again while any are due.
    due = list(
        OutboundEmail.objects.filter(
            Q(status=DeliveryStatus.PENDING, created_at__lt=now - STUCK_AFTER)
            # Freed from "sending" just above, or by an earlier sweep whose task was lost too.
            | Q(status=DeliveryStatus.PENDING, claimed_at__lt=now - STUCK_AFTER)
            | Q(status=DeliveryStatus.RETRY, next_attempt_at__lte=now),
            send_after__isnull=True,
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for email_id in due:
        transaction.on_commit(lambda email_id=email_id: deliver_email.delay(email_id), robust=True)
    planned_due = OutboundEmail.objects.filter(_due(now), send_after__isnull=False).count()
    if planned_due:
        deliver_due_soon()
    return len(due) + planned_due


def deliver_due_soon() -> None:
    """Queue a batch delivery of the due planned reminders once the transaction commits."""
    from notifications.tasks import deliver_due

    transaction.on_commit(deliver_due.delay, robust=True)
