"""Reminding those who have not answered a named survey (issue 11's "send reminder" action; the
reminders issue will send the same email on a schedule).

Decisions (README):
- Named surveys only: an anonymous survey keeps no list of who answered what, and its
  participations (feedback.models.Participation) are not read here.
- A survey answered once per city reminds every officer of each city that has not answered.
- Each person gets at most one reminder of a survey a day (in the portal's time zone): the
  email's key holds the day, so a second click that day sends nothing more, and the message
  says how many went.
- Only a published survey that is open now is reminded of: before it opens or after it closes
  there is nothing to answer.
- These emails are reminders of the kind SURVEY_UNANSWERED about the topic "survey:<id>", as
  the scheduled ones (reminders.rules_feedback) are: the scheduled reminders count them in their
  limits (at most N to a person, M days apart), and the person's choices are honoured when they
  are queued (notifications.services.suppression_register, answered by the reminders app: one
  who unsubscribed from survey reminders, or who had the most reminders allowed, or one less
  than M days ago, is not written to; the outbox keeps the row, cancelled, with the reason).
"""

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from feedback.models import Survey
from feedback.results import people_to_remind
from notifications.enums import DeliveryStatus, ReminderKind
from notifications.models import OutboundEmail
from notifications.services import notify
from portal.errors import ApplicationError
from portal.links import site_url
from portal.permissions import permission_check


def survey_topic(survey: Survey) -> str:
    """What a survey's reminders are about, in the outbox (scheduled and sent by hand alike)."""
    return f"survey:{survey.pk}"


def reminder_key(survey: Survey, user_id: int, day) -> str:
    return f"survey_reminder:{survey.pk}:person:{user_id}:{day.isoformat()}"


def reminder_refusal(survey: Survey) -> str | None:
    """Why no reminder of `survey` can be sent now, in the user's words, or None."""
    if survey.is_anonymous:
        return _(
            "Reminders go to those who have not answered a named survey; this one is anonymous."
        )
    now = timezone.now()
    if not survey.is_published or not survey.opens_at <= now < survey.closes_at:
        return _("Reminders are sent only while the survey is open.")
    return None


def survey_reminders_send(*, acting_user, survey: Survey) -> int:
    """Queue a reminder to each person who has not answered; return how many were queued now
    (those already reminded today are not written to again, nor those whose choices or the
    reminders' limits hold it back)."""
    permission_check(acting_user, "feedback.change_survey", survey)
    refusal = reminder_refusal(survey)
    if refusal:
        raise ApplicationError(refusal)
    day = timezone.localdate()
    with transaction.atomic():
        people = list(people_to_remind(survey).order_by("pk"))
        keys = {person.pk: reminder_key(survey, person.pk, day) for person in people}
        already = set(
            OutboundEmail.objects.filter(key__in=keys.values()).values_list("key", flat=True)
        )
        # The survey's own page: it opens the person's draft or starts one.
        context = {
            "survey": survey,
            "page_url": site_url(reverse("survey_intro", args=[survey.pk])),
        }
        sent = 0
        for person in people:
            if keys[person.pk] in already:
                continue
            email = notify(
                recipient=person,
                template="survey_reminder",
                context=context,
                key=keys[person.pk],
                kind=ReminderKind.SURVEY_UNANSWERED,
                topic=survey_topic(survey),
            )
            if email.status != DeliveryStatus.CANCELLED:
                sent += 1
    return sent
