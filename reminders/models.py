from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from notifications.enums import ReminderKind


class ReminderRule(models.Model):
    """An admin's setting of one rule: on or off, and its timing. A rule without a row runs with
    the defaults written in reminders.catalogue; saving the settings page writes the row."""

    kind = models.CharField(_("kind"), max_length=40, choices=ReminderKind.choices, unique=True)
    enabled = models.BooleanField(_("on"), default=True)
    # Minutes: before the event for the "before" rules, after it for the "after" rules, from
    # Monday 00:00 in the recipient's zone for the weekly digest. Read by the rule's Timing.
    offsets = models.JSONField(_("when"), default=list)
    # Surveys: at most this many reminders to one person, at least this many days apart.
    max_reminders = models.PositiveSmallIntegerField(_("at most"), null=True, blank=True)
    min_gap_days = models.PositiveSmallIntegerField(_("days apart"), null=True, blank=True)
    updated_at = models.DateTimeField(_("last changed"), default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("last changed by"),
    )

    class Meta:
        verbose_name = _("reminder rule")
        verbose_name_plural = _("reminder rules")
        ordering = ["kind"]

    def __str__(self):
        return self.get_kind_display()


class ReminderOptOut(models.Model):
    """A person does not want reminders of one kind by email.

    Decision: kept by email address (lower case), not by account, because session reminders
    also go to people a city registered who have no account; the preferences page and the
    unsubscribe link both write here. An account whose address changes starts again with
    every reminder on."""

    address = models.EmailField(_("email address"))
    kind = models.CharField(_("kind"), max_length=40, choices=ReminderKind.choices)
    created_at = models.DateTimeField(_("since"), default=timezone.now)

    class Meta:
        verbose_name = _("reminder opt-out")
        verbose_name_plural = _("reminder opt-outs")
        ordering = ["address", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["address", "kind"], name="reminder_opt_out_once")
        ]

    def __str__(self):
        return f"{self.address} · {self.get_kind_display()}"
