"""How sessions answers the lower apps' signals and hooks (connected in PeerSessionsConfig.ready).

cities and cohorts never import sessions (ARCHITECTURE.md): their pages ask, and these answer.
"""

from django.dispatch import receiver
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from accounts.rules import is_programme_admin
from cities import signals as city_signals
from cohorts import signals as cohort_signals
from sessions import selectors
from sessions.caching import NAMES, SESSIONS, VISIBILITY
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
    # their cohorts' names (NAMES), in the person's time zone. The sessions' titles and the
    # cohorts' names are links to the pages the person may open (`linked`; `cohort_pages`, also
    # read by the "Cohorts" part of cohorts.receivers, drawn in the same fragment): those
    # depend on the person's facts
    # (VISIBILITY), so the part is kept per person (an admin opens every cohort: one for all).
    # The facts are read only when the part is drawn afresh.
    person = "admin" if is_programme_admin(user) else f"person:{user.pk}"
    return city_signals.ProfilePart(
        context={
            "sessions": SimpleLazyObject(
                lambda: selectors.sessions_of_city_seen_by(city=city, user=user)
            ),
            "cohort_pages": SimpleLazyObject(lambda: selectors.cohort_pages_of(user)),
        },
        scopes=(SESSIONS, NAMES, VISIBILITY),
        key=f"{timezone.get_current_timezone_name()}:{person}",
    )
