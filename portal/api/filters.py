"""Filters shared by the API's filter sets."""

import datetime

import django_filters
from django import forms
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.exceptions import ValidationError
from rest_framework.filters import OrderingFilter

# The largest value of a BigAutoField (and of a 64-bit integer column): a larger id matches no
# row, and passing it to the database overflows (SQLite raises OverflowError, a 500).
MAX_ID = 2**63 - 1


class IdField(forms.IntegerField):
    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(**kwargs)


class IdFilter(django_filters.Filter):
    """Filter on a primary key or foreign key id given as a whole number from 1 to 2**63-1.

    django-filter's NumberFilter reads a Decimal, which skips Django's integer range check, so a
    huge id reached the database and answered 500. Out of range is a 400 with the field named.
    """

    field_class = IdField


class MomentField(django_filters.fields.IsoDateTimeField):
    """An ISO 8601 date and time whose offset is a real one and whose moment can be stored.

    Python accepts offsets up to +-23:59, PostgreSQL only up to +-15:59 (a larger one was a
    DataError, a 500); SQLite stores UTC, and a moment in year 1 moved to UTC can fall before
    year 1 (OverflowError, a 500). Real offsets run from -12:00 to +14:00.
    """

    MAX_OFFSET = datetime.timedelta(hours=14)

    def to_python(self, value):
        moment = super().to_python(value)
        if moment is None:
            return None
        if abs(moment.utcoffset()) > self.MAX_OFFSET:
            raise forms.ValidationError(
                _("The time zone offset must be between -12:00 and +14:00."), code="invalid"
            )
        try:
            moment.astimezone(datetime.UTC)
        except OverflowError:
            raise forms.ValidationError(
                _("Give a date and time between the years 1 and 9999."), code="invalid"
            ) from None
        return moment


class MomentFilter(django_filters.IsoDateTimeFilter):
    """IsoDateTimeFilter that answers 400, not 500, to an offset or moment no database takes."""

    field_class = MomentField


class FilterBackend(DjangoFilterBackend):
    """django-filter's backend, strict about enum values.

    django-filter reads `?kind=` (an empty value) as "no filter", which suits a page's "any"
    option but lets an API client's mistake list everything. In the API an enum filter given
    without a value, or with a value that is not one of its choices, answers 400 with the
    choices named. The pages keep their "any" option: they do not use this backend.
    """

    def get_filterset(self, request, queryset, view):
        filterset = super().get_filterset(request, queryset, view)
        if filterset is not None:
            errors = {}
            for name, choice_filter in filterset.filters.items():
                # A ModelChoiceFilter is a ChoiceFilter too, of rows by id: not an enum.
                if isinstance(choice_filter, django_filters.ChoiceFilter) and not isinstance(
                    choice_filter, django_filters.ModelChoiceFilter
                ):
                    message = _refused_choice(choice_filter, request.query_params.getlist(name))
                    if message:
                        errors[name] = [message]
            if errors:
                raise ValidationError(errors)
        return filterset


def _refused_choice(choice_filter, values: list[str]) -> str | None:
    choices = [str(value) for value, _label in choice_filter.field.choices if value != ""]
    for value in values:
        if value not in choices:
            return _("“%(value)s” is not one of the choices: %(choices)s.") % {
                "value": value,
                "choices": ", ".join(choices),
            }
    return None


class StableOrderingFilter(OrderingFilter):
    """OrderingFilter that always ends with the primary key.

    A client's `?ordering=starts_on` replaces the view's default order; rows that tie on it could
    then come back in any order and repeat or go missing across pages. The pk breaks every tie.
    """

    def get_ordering(self, request, queryset, view):
        ordering = super().get_ordering(request, queryset, view)
        if not ordering:
            return ordering
        ordering = list(ordering)
        if not any(field.lstrip("-") in {"pk", "id"} for field in ordering):
            ordering.append("pk")
        return ordering
