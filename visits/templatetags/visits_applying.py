"""The "Apply" action of a call's page (templates/visits/_apply_button.html)."""

from dataclasses import dataclass

from django import template
from django.core.cache import cache
from django.db.models import OuterRef, Subquery

from cities.models import City
from portal.fragments import TIMEOUT_SECONDS
from visits.applying import call_is_open
from visits.models import Application, Call
from visits.selectors import eligible_cities

register = template.Library()

# Part of the kept options' key: raise it when what is kept changes shape.
KEPT_SHAPE = 1


@dataclass(frozen=True)
class ApplyOption:
    city: City
    application_id: int | None
    is_open: bool


def _options_read(call: Call, user) -> list[tuple[int, str, int | None]]:
    """For each city of `user` that may apply to `call`: (id, name, its application's id or
    None). One query."""
    own = Application.objects.filter(call=call, city=OuterRef("pk")).values("pk")[:1]
    cities = (
        eligible_cities(call).filter(memberships__user=user).annotate(application_id=Subquery(own))
    )
    return [(city.pk, city.name, city.application_id) for city in cities]


@register.simple_tag
def apply_options(call: Call, user, kept_under: str = "") -> list[ApplyOption]:
    """For each city of `user` that may apply to `call`: its application, if any. One query;
    none for someone who is not signed in, nor when `kept_under` (the versions of
    `visits.calls.call_apply_scopes`, read by the page with its own) finds them kept.

    Kept per person and call: a stale option would only offer what the services check again
    (starting an application, opening one's page); whether the call is open is asked each time
    (it changes with the clock)."""
    if user is None or not user.is_authenticated:
        return []
    if kept_under:
        key = f"visits:apply-options:{KEPT_SHAPE}:{user.pk}:{call.pk}:{kept_under}"
        rows = cache.get(key)
        if rows is None:
            rows = _options_read(call, user)
            cache.set(key, rows, TIMEOUT_SECONDS)
    else:
        rows = _options_read(call, user)
    is_open = call_is_open(call)
    return [
        ApplyOption(City(pk=pk, name=name), application_id, is_open)
        for pk, name, application_id in rows
    ]
