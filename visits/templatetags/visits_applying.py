"""The "Apply" action of a call's page (templates/visits/_apply_button.html)."""

from dataclasses import dataclass

from django import template
from django.db.models import OuterRef, Subquery

from cities.models import City
from visits.applying import call_is_open
from visits.models import Application, Call
from visits.selectors import eligible_cities

register = template.Library()


@dataclass(frozen=True)
class ApplyOption:
    city: City
    application_id: int | None
    is_open: bool


@register.simple_tag
def apply_options(call: Call, user) -> list[ApplyOption]:
    """For each city of `user` that may apply to `call`: its application, if any. One query;
    none for someone who is not signed in."""
    if user is None or not user.is_authenticated:
        return []
    own = Application.objects.filter(call=call, city=OuterRef("pk")).values("pk")[:1]
    cities = (
        eligible_cities(call).filter(memberships__user=user).annotate(application_id=Subquery(own))
    )
    is_open = call_is_open(call)
    return [ApplyOption(city, city.application_id, is_open) for city in cities]
