"""Who may do what with sessions, registrations and attendance: programme admins included.

Which sessions a person sees at all is `sessions.selectors.sessions_visible_to`; a session
outside it answers 404 before any of these rules is asked. These rules decide what a person may
do with a session they can see. Admins are named in each rule that grants them something
(`accounts.backends.ProgrammeAdminBackend` grants nothing here), so a state (scheduled, not
started) holds for them as for everyone: an admin is not offered "Cancel" on a session that
has started, and the service refuses it.

The services ask these rules themselves (`portal.permissions.permission_check`); pages ask them
with `user.has_perm` only to decide which buttons to show.
"""

import rules
from django.utils import timezone

from accounts.rules import is_programme_admin
from cities.rules import is_officer_of_city
from cohorts.rules import is_cohort_facilitator
from sessions.enums import SessionStatus
from sessions.selectors import session_access_of

# The two predicates below read the person's facts from `session_access_of` (kept in the
# cache, keyed by the version of those facts): a page asks several rules about one session.


@rules.predicate
def is_session_facilitator(user, session):
    """A facilitator of the session's cohort (leading it or one of its thematic groups), or one
    named on the session itself."""
    if session is None or not user.is_authenticated:
        return False
    return session_access_of(user).facilitates(session)


@rules.predicate
def is_officer_of_enrolled_city(user, session):
    """An officer of a city whose enrolment in the session's cohort was accepted."""
    if session is None or not user.is_authenticated:
        return False
    return session.cohort_id in session_access_of(user).enrolled_cohorts


@rules.predicate
def is_scheduled(user, session):
    return session is not None and session.status == SessionStatus.SCHEDULED


@rules.predicate
def has_not_started(user, session):
    return session is not None and session.starts_at > timezone.now()


@rules.predicate
def is_officer_of_registration_city(user, registration):
    if registration is None or registration.city_id is None or not user.is_authenticated:
        return False
    return user.city_memberships.filter(city_id=registration.city_id).exists()


@rules.predicate
def facilitates_registration_session(user, registration):
    return registration is not None and is_session_facilitator(user, registration.session)


runs_session = is_programme_admin | is_session_facilitator

# Lists: every signed-in person may ask (admins too); `sessions_visible_to` decides which rows
# they get.
rules.add_perm("peer_sessions.view_session", rules.is_authenticated)
# The object is the cohort. services.session_create.
rules.add_perm("peer_sessions.add_session", is_programme_admin | is_cohort_facilitator)
# Changing the session's fields, presenting cities and outcome, and cancelling it (services
# session_update, session_set_presentations, session_record_outcome, session_cancel). Whether
# the session can still be changed or cancelled is the services' answer, read on the locked
# row, with a message that says why (a cancelled session, a session that has started).
rules.add_perm("peer_sessions.change_session", runs_session)
# Whether to offer "Cancel the session": once a session has started it took place (or is
# taking place): it is a record, not a plan, for admins too. services.session_cancel checks the
# same state again on the locked row and explains a refusal.
rules.add_perm("peer_sessions.cancel_session", runs_session & is_scheduled & has_not_started)
rules.add_perm("peer_sessions.record_attendance", runs_session)
# Whether to offer "Register people" for this session: the registration page registers people
# of one's own cities (sessions.selectors.cities_registrable_by), so officers of a city enrolled
# in the cohort, while the session is scheduled and has not started. Admins are not granted it
# as admins: they are no city's officer, and the page would have no city to offer them (they
# register a city's people through the service: register_city below).
rules.add_perm(
    "peer_sessions.add_registration",
    is_officer_of_enrolled_city & is_scheduled & has_not_started,
)
# The object is the city whose people are registered: its officers, or a programme admin.
# services.registration_create also requires the city to be enrolled (accepted) in the
# session's cohort and the session to be open, for admins too, and says so in a message rather
# than a refusal.
rules.add_perm("peer_sessions.register_city", is_officer_of_city | is_programme_admin)
rules.add_perm("peer_sessions.view_registration", rules.is_authenticated)
rules.add_perm(
    "peer_sessions.delete_registration",
    is_officer_of_registration_city | is_programme_admin | facilitates_registration_session,
)
# A person's own calendar feed (services.calendar_feed_reset acts only on the acting person's).
rules.add_perm("peer_sessions.reset_calendar_feed", rules.is_authenticated)
