"""Forms and filters of the reminders pages: they read the input, the services decide."""

import datetime
import re

import django_filters
from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import Value
from django.db.models.functions import Concat
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from notifications.enums import DeliveryStatus, ReminderKind
from notifications.models import OutboundEmail
from reminders.catalogue import Rule
from reminders.selectors import SERVICE, outbox_day_bounds, with_when
from reminders.timing import TimingError, offsets_format, offsets_parse, timing_help


class RuleForm(forms.Form):
    """One rule's setting, its timing written as text (reminders.timing)."""

    enabled = forms.BooleanField(label=_("Send these reminders"), required=False)
    timing = forms.CharField(label=_("When"), max_length=300)
    max_reminders = forms.IntegerField(
        label=_("At most this many reminders to one person"), min_value=1, max_value=10
    )
    min_gap_days = forms.IntegerField(
        label=_("At least this many days apart"), min_value=0, max_value=365
    )

    def __init__(self, *args, rule: Rule, setting, **kwargs):
        initial = {
            "enabled": setting.enabled,
            "timing": offsets_format(setting.offsets, rule.timing),
            "max_reminders": setting.max_reminders,
            "min_gap_days": setting.min_gap_days,
        }
        super().__init__(*args, initial=initial, **kwargs)
        self.rule = rule
        self.fields["timing"].help_text = timing_help(rule.timing)
        if not rule.has_limits:
            del self.fields["max_reminders"]
            del self.fields["min_gap_days"]

    def clean_timing(self):
        try:
            return offsets_parse(self.cleaned_data["timing"], self.rule.timing)
        except TimingError as error:
            raise forms.ValidationError(error.message, code="timing") from None


# The services' field names, as this form calls them.
RULE_FIELDS = {
    "offsets": "timing",
    "max_reminders": "max_reminders",
    "min_gap_days": "min_gap_days",
}


class PreferencesForm(forms.Form):
    """A checkbox per kind of reminder that can reach the person: checked, they get it."""

    def __init__(self, *args, rules, opted_out: set[str], disabled: set[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.rules = rules
        for rule in rules:
            help_text = str(rule.description)
            if rule.kind in disabled:
                help_text += " " + str(
                    _("Programme admins have turned this reminder off for everyone for now.")
                )
            self.fields[rule.kind] = forms.BooleanField(
                label=ReminderKind(rule.kind).label,
                help_text=help_text,
                required=False,
                initial=rule.kind not in opted_out,
            )

    def kinds_off(self) -> set[str]:
        return {rule.kind for rule in self.rules if not self.cleaned_data.get(rule.kind)}


# --- The outbox ----------------------------------------------------------------------------------


def _kind_choices():
    return [(SERVICE, _("Service message")), *ReminderKind.choices]


# A date the outbox can search by: far-off years (0001, 9999) cannot be turned into a moment
# in the admin's zone and the day after.
OUTBOX_DATES = [
    MinValueValidator(
        datetime.date(2000, 1, 1), message=_("Choose a date from the year 2000 to the year 2999.")
    ),
    MaxValueValidator(
        datetime.date(2999, 12, 31), message=_("Choose a date from the year 2000 to the year 2999.")
    ),
]
# The largest id a database row can have (a 64-bit integer).
LARGEST_ID = 2**63 - 1


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class OutboxFilter(django_filters.FilterSet):
    """The outbox's filters. Dates are the admin's days, in their time zone (the active zone),
    and apply to when an email goes or went out (a planned reminder) or was queued."""

    status = django_filters.ChoiceFilter(
        choices=DeliveryStatus.choices, label=_("Status"), empty_label=_("Any status")
    )
    kind = django_filters.ChoiceFilter(
        choices=_kind_choices,
        method="filter_kind",
        label=_("Kind"),
        empty_label=_("Any kind"),
    )
    to = django_filters.CharFilter(
        lookup_expr="icontains", label=_("Recipient address contains"), max_length=254
    )
    since = django_filters.DateFilter(
        method="filter_since",
        label=_("From (date)"),
        widget=DateInput(),
        validators=OUTBOX_DATES,
    )
    until = django_filters.DateFilter(
        method="filter_until",
        label=_("To (date, included)"),
        widget=DateInput(),
        validators=OUTBOX_DATES,
    )

    class Meta:
        model = OutboundEmail
        fields = ["status", "kind", "to", "since", "until"]

    def filter_kind(self, queryset, name, value):
        kind = "" if value == SERVICE else value
        if self.form.cleaned_data.get("status"):
            # The (kind, status) index gives one status's rows of a kind newest first.
            return queryset.filter(kind=kind)
        # Decision: a kind alone is matched on an expression, which no index serves, so the
        # newest rows are read first (by primary key) until a page is full. Through the
        # (kind, status) index, every row of the kind would be read and sorted first: 7 ms for
        # 5,000 rows, and it grows with the kind, where this stops at a page (1 ms at 50,000
        # rows; a rare kind costs at most one pass over the table). An index on (kind, id)
        # would serve both.
        return queryset.alias(kind_matched=Concat("kind", Value(""))).filter(kind_matched=kind)

    def filter_since(self, queryset, name, value):
        start = outbox_day_bounds(value, timezone.get_current_timezone())
        return with_when(queryset).filter(when__gte=start)

    def filter_until(self, queryset, name, value):
        end = outbox_day_bounds(value + datetime.timedelta(days=1), timezone.get_current_timezone())
        return with_when(queryset).filter(when__lt=end)

    def get_form_class(self):
        """The form class, made once: django-filter makes it afresh for every filter set from
        the filters' fields (a third of the filtered outbox's own time), and these filters'
        fields are the same for every request (each form copies them, as Django's forms do)."""
        cls = type(self)
        if "_form_class" not in cls.__dict__:
            cls._form_class = super().get_form_class()
        return cls._form_class

    @classmethod
    def asked(cls, query) -> bool:
        """Whether `query` (request.GET) gives any filter a value."""
        return any(query.get(name) for name in cls.base_filters)

    @property
    def counted_by_kind_and_status(self) -> bool:
        """Whether what the filters select is counted by (kind, status) alone: then the number
        of rows comes from the outbox's counts, not from a count of its own."""
        data = self.form.cleaned_data
        return not (data.get("to") or data.get("since") or data.get("until"))


# An id as a checkbox sends it: ASCII digits only ("²" is a digit to str.isdigit()).
ID = re.compile(r"[0-9]{1,19}")


class EmailIdsField(forms.Field):
    """Email ids, as the outbox's checkboxes send them (`email=3&email=7`)."""

    widget = forms.MultipleHiddenInput
    default_error_messages = {"invalid": _("Choose emails from the outbox's list.")}

    def to_python(self, value):
        if not value:
            return []
        if not all(
            isinstance(item, str) and ID.fullmatch(item) and int(item) <= LARGEST_ID
            for item in value
        ):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return sorted({int(item) for item in value})


class EmailsChosenForm(forms.Form):
    """The emails an outbox action is for: the ones ticked, or the one whose button was
    pressed (`only`)."""

    email = EmailIdsField(required=False)
    only = forms.IntegerField(required=False, min_value=1, max_value=LARGEST_ID)

    def clean(self):
        data = super().clean()
        if not self.errors and not data.get("only") and not data.get("email"):
            raise forms.ValidationError(
                _("Tick the emails first: none was chosen."), code="none_chosen"
            )
        return data

    def chosen(self) -> list[int]:
        if self.cleaned_data.get("only"):
            return [self.cleaned_data["only"]]
        return self.cleaned_data["email"]
