"""How sessions answers the lower apps' signals and hooks (connected in PeerSessionsConfig.ready).

cities and cohorts never import sessions (ARCHITECTURE.md): their pages ask, and these answer.
"""

from django.dispatch import receiver
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from cities import signals as city_signals
from cohorts import signals as cohort_signals
from sessions import selectors
from sessions.caching import NAMES, SESSIONS
from sessions.cohort_page import cohort_page_sessions_part


@receiver(
    cohort_signals.enrolled_city_annotations,
    dispatch_uid="sessions.enrolment_session_counts",
)
def enrolment_session_counts(sender, cohort, **kwargs):
    # The cohort page's "Registered" and "Attended" columns, computed in its own query.
    return selectors.enrolment_session_counts()


@receiver(cohort_signals.cohort_page_parts, dispatch_uid="sessions.cohort_page_sessions")
def cohort_page_sessions(sender, cohort, user, runs, **kwargs):
    # The cohort page's session programme, with the actions for those who run the cohort.
    return cohort_page_sessions_part(cohort=cohort, user=user, runs=runs)


@receiver(city_signals.city_profile, dispatch_uid="sessions.city_profile_sessions")
def city_profile_sessions(sender, city, user, **kwargs):
    # The "Sessions" part of the city profile: the sessions the city presented in or registered
    # for (every change of a session, presentation or registration raises SESSIONS), with
    # their cohorts' names (NAMES); the same for everyone, but for the time zone the dates are
    # written in.
    return city_signals.ProfilePart(
        context={"sessions": SimpleLazyObject(lambda: selectors.sessions_of_city(city=city))},
        scopes=(SESSIONS, NAMES),
        key=timezone.get_current_timezone_name(),
    )
