"""Filters shared by the API's filter sets."""

import django_filters
from django import forms
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
