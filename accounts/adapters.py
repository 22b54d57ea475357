import uuid

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.conf import settings
from django.contrib.sites.shortcuts import get_current_site
from django.template.loader import render_to_string
from django.utils import timezone, translation

from accounts.selectors import recipients_for
from notifications.services import Recipient, email_queue


class AccountAdapter(DefaultAccountAdapter):
    """People join by invitation, not by signing up: city officers are invited to a city, and
    facilitators, reviewers and admins are created by a programme admin."""

    def is_open_for_signup(self, request):
        return False

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """Send allauth's emails (address verification, password reset) through the outbox,
        in the language of the account they are about.

        Decision: they go through the outbox like every other email, so a mail server that is
        down delays them instead of losing them and a failure is visible in the Django admin.
        The row keeps the link, which works for a few days and only until it is used or the
        password changes; programme admins, who can read the rows, may change any password
        anyway. The text stays allauth's (its templates, its translations), written in the
        account's language and time zone; an address without an account (a password reset
        asked for an unknown address) gets the language of the page it was asked from. The
        links stay allauth's too, built on the address of the request that asked for them,
        which is the address the person is using. Each email has a key of its own: asking
        twice sends twice, as before.
        """
        request = allauth_context.request
        recipient = recipients_for(emails=[email])[email]
        if isinstance(recipient, Recipient):
            recipient = Recipient(email=email, language=translation.get_language() or "")
        ctx = {"request": request, "email": email, "current_site": get_current_site(request)}
        ctx.update(context)
        language = recipient.language or settings.LANGUAGE_CODE
        with (
            translation.override(language),
            timezone.override(recipient.time_zone or settings.TIME_ZONE),
        ):
            message = self.render_mail(template_prefix, email, ctx)
            html_body = next(
                (body for body, mimetype in message.alternatives if mimetype == "text/html"),
                None,
            ) or render_to_string(
                "emails/text_as_html.html", {"subject": message.subject, "text": message.body}
            )
        email_queue(
            key=f"allauth:{template_prefix}:{uuid.uuid4().hex}",
            to=email,
            subject=message.subject,
            body=message.body.strip() + "\n",
            html_body=html_body.strip() + "\n",
        )
