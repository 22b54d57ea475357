"""The sessions' part of a cohort's page (the `cohorts.signals.cohort_page_parts` hook,
answered in sessions.receivers): the cohort's session programme, upcoming and past, with the
actions on each session for the people who run the cohort, and "Schedule a session".

cohorts never imports sessions (ARCHITECTURE.md): its page asks, and this answers from the
sessions app's own rules and rows.
"""

from dataclasses import dataclass, field

from django.db import connection
from django.utils import timezone
from django.utils.functional import SimpleLazyObject, cached_property
from django.utils.translation import gettext_lazy as _

from cohorts.models import Cohort
from cohorts.signals import CohortPagePart
from sessions.caching import NAMES, SESSIONS
from sessions.enums import SessionStatus
from sessions.models import Session


def sessions_of_cohort(*, cohort: Cohort):
    """Every session of the cohort, cancelled ones included, in the order they take place, with
    the thematic group each belongs to."""
    return (
        Session.objects.filter(cohort=cohort)
        .select_related("thematic_group__sector")
        .order_by("starts_at", "pk")
    )


def _next_start(*, cohort: Cohort, now) -> str:
    """When the cohort's next session starts ("None": none is still to start): the moment its
    programme next divides differently into upcoming and past, and its "Cancel" buttons change.
    One query, on the (cohort, starts_at) index.

    Decision: written as SQL (tables and columns from the model), a key rather than a value
    shown: it is asked on every reading of the cohort page, and the ORM's query costs more to
    build than the database takes to answer it.
    """
    quote = connection.ops.quote_name
    meta = Session._meta
    starts_at = quote(meta.get_field("starts_at").column)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT MIN({starts_at}) FROM {quote(meta.db_table)} "
            f"WHERE {quote(meta.get_field('cohort').column)} = %s AND {starts_at} > %s",
            [cohort.pk, connection.ops.adapt_datetimefield_value(now)],
        )
        return str(cursor.fetchone()[0])


@dataclass
class CohortProgramme:
    """The cohort's sessions as its page lists them, read when first used.

    `with_actions`: whether each session carries what the reader may do with it (`can_edit`,
    `can_record` for attendance and takeaways, `can_cancel`), asked of the sessions rules.
    """

    cohort: Cohort
    user: object
    with_actions: bool
    now: object = field(default_factory=timezone.now)

    @cached_property
    def _rows(self) -> list[Session]:
        rows = list(sessions_of_cohort(cohort=self.cohort))
        for session in rows:
            session.is_past = session.starts_at <= self.now
            if self.with_actions:
                self._add_actions(session)
        return rows

    def _add_actions(self, session: Session) -> None:
        # The same rules, and the same states, as the session's own page offers.
        may_change = self.user.has_perm("peer_sessions.change_session", session)
        session.can_edit = may_change and session.status != SessionStatus.CANCELLED
        # Attendance (`record_attendance`) and takeaways (`change_session`): once it has begun.
        session.can_record = (
            session.is_past
            and may_change
            and self.user.has_perm("peer_sessions.record_attendance", session)
        )
        session.can_cancel = self.user.has_perm("peer_sessions.cancel_session", session)

    @property
    def upcoming(self) -> list[Session]:
        return [session for session in self._rows if not session.is_past]

    @property
    def past(self) -> list[Session]:
        """The most recent first."""
        return [session for session in reversed(self._rows) if session.is_past]

    @property
    def sections(self):
        return [
            (_("Upcoming sessions"), self.upcoming, "upcoming"),
            (_("Past sessions"), self.past, "past"),
        ]


def cohort_page_sessions_part(*, cohort: Cohort, user, runs: bool) -> CohortPagePart:
    """The part, keyed by what it shows and what changes it:
    - `SESSIONS` (every change of a session, raised with its own scope) and `NAMES` (the
      thematic groups' sector names);
    - `runs`: the people who run the cohort (admins and its facilitators: `cohorts.view_cohort`)
      are offered the actions and "Schedule a session" (`peer_sessions.add_session` is the same
      people), the others (its participants) a programme to read. A person who is named on one
      session only acts on it from that session's page;
    - the next session's start: until then the programme divides into upcoming and past, and
      offers "Cancel", as it did;
    - the time zone its times are written in.
    """
    now = timezone.now()
    programme = CohortProgramme(cohort=cohort, user=user, with_actions=runs, now=now)
    return CohortPagePart(
        context={
            "cohort_sessions": SimpleLazyObject(lambda: programme),
            "can_schedule": runs,
        },
        scopes=(SESSIONS, NAMES),
        key=":".join(
            (
                "sessions",
                str(runs),
                _next_start(cohort=cohort, now=now),
                timezone.get_current_timezone_name(),
            )
        ),
    )
