"""How Group Study Visits react to signals (their own parts' and lower apps') and answer lower
apps' hooks (ARCHITECTURE.md); each receiver calls one service."""

from django.dispatch import receiver
from django.utils.functional import SimpleLazyObject

from accounts.rules import is_programme_admin
from cities import signals as city_signals
from portal.fragments import bump_on_change
from sessions.caching import VISIBILITY
from visits import signals
from visits.allocation import DECISIONS
from visits.enums import CallStatus
from visits.models import Call

# A published call's title shows in the city profile's part; saves of calls still open raise
# nothing (their decisions are shown nowhere yet), so they cost no write.
bump_on_change(Call, lambda call: [DECISIONS] if call.status == CallStatus.PUBLISHED else [])


@receiver(signals.application_withdrawn, dispatch_uid="visits.withdrawal_reallocates")
def withdrawal_reallocates(sender, application, **kwargs):
    # A withdrawn city's place goes to the next city on the waitlist (after publishing), or
    # the allocation runs again (before): visits/decisions.py says which.
    from visits.decisions import application_withdrawal_reallocate

    application_withdrawal_reallocate(application=application)


@receiver(city_signals.city_profile, dispatch_uid="visits.city_profile_decisions")
def city_profile_decisions(sender, city, user, **kwargs):
    # The "Group Study Visits" part of the city profile: the published decisions of the city's
    # applications (the call, the decision, the visit and its dates), for the city's officers
    # and admins only (one query, read when the part is drawn afresh). Who is an officer of the
    # city is among the facts VISIBILITY versions; the part is kept per person (as the
    # sessions part already is, so no page is split further).
    from visits.decisions import decisions_of_city

    person = "admin" if is_programme_admin(user) else f"person:{user.pk}"
    return city_signals.ProfilePart(
        context={
            "visit_decisions": SimpleLazyObject(lambda: decisions_of_city(city=city, user=user))
        },
        scopes=(DECISIONS, VISIBILITY),
        key=f"visits:{person}",
    )
