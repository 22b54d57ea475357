"""Background builds kept as rows: claimed by one task at a time and recovered by a sweeper.

A file the portal builds in the background (a cohort's ZIP of roadmaps, a report's export) is a
row with a status: waiting, then being built, then ready or failed. `BackgroundBuilds` holds
what every such row shares (README, "Background work"):

- The task is sent after the request's transaction commits (`queue`); a broker that is down
  leaves the row waiting, and the sweeper sends it again.
- A build claims its row (`claim`): `select_for_update(skip_locked=True)` and an update that
  checks the status and the attempt number again (SQLite has no row locks), so two tasks for
  one row never both build it. The claim is returned as a condition: each later write of the
  build holds only while it matches, so a build the sweeper gave up on writes nothing more.
- The sweeper (`sweep`) sends the task again for a row still waiting QUEUE_LOST_AFTER after it
  was queued, builds again one with no progress for STALLED_AFTER (its worker died), at most
  MAX_ATTEMPTS builds, and fails one still waiting after GIVE_UP_AFTER.

The model has the fields `status`, `attempts`, `queued_at`, `claimed_at`, `progressed_at` and
`finished_at`, and one progress counter (`progress_field`) put back to 0 when a build starts.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import models, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

logger = logging.getLogger(__name__)


class Superseded(Exception):
    """This build's claim no longer holds: the sweeper gave the row to another build."""


@dataclass(frozen=True)
class BackgroundBuilds:
    model: type[models.Model]
    # The status values of the model's choices.
    waiting: str
    building: str
    failed: str
    progress_field: str
    # Sends the build task of a row's id (called after commit: see `queue`).
    send_task: Callable[[int], object]
    label: str  # for the log: "Roadmap exports"
    # What a failure writes besides its status and finished_at: the worker died during each
    # build, or no worker started it.
    failed_worker_stopped: dict = field(default_factory=dict)
    failed_not_started: dict = field(default_factory=dict)
    queue_lost_after: datetime.timedelta = datetime.timedelta(minutes=5)
    stalled_after: datetime.timedelta = datetime.timedelta(minutes=10)
    give_up_after: datetime.timedelta = datetime.timedelta(minutes=30)
    max_attempts: int = 3

    @property
    def in_progress(self) -> tuple[str, str]:
        return (self.waiting, self.building)

    def queue(self, pk: int) -> None:
        """Send the row's task once the current transaction commits.

        robust: a broker that is down must not turn the committed request into an error page;
        the row stays waiting and the sweeper sends its task again.
        """
        transaction.on_commit(lambda: self.send_task(pk), robust=True)

    def last_sign_of_life_before(self, moment: datetime.datetime) -> Q:
        """Rows whose last progress (or, before any, their queuing) is older than `moment`."""
        return Q(progressed_at__lt=moment) | Q(progressed_at__isnull=True, queued_at__lt=moment)

    def stuck(self, now: datetime.datetime) -> Q:
        """In progress with no sign of life for give_up_after: what the sweeper would have
        failed or queued again by now, had it run."""
        return Q(status__in=self.in_progress) & self.last_sign_of_life_before(
            now - self.give_up_after
        )

    def is_stuck(self, row, *, now: datetime.datetime | None = None) -> bool:
        """`stuck` read on the row in hand, for a page that polls it and must stop some day
        even where no sweeper runs."""
        now = now or timezone.now()
        if row.status not in self.in_progress:
            return False
        last_sign_of_life = row.progressed_at or row.queued_at
        return last_sign_of_life is not None and last_sign_of_life < now - self.give_up_after

    def sweep(self, rows: QuerySet, now: datetime.datetime) -> int:
        """Queue again or fail what was lost among `rows`; return how many were queued again.

        Each update repeats its condition, so a build that moves meanwhile is left alone.
        """
        stalled = Q(status=self.building) & self.last_sign_of_life_before(now - self.stalled_after)
        rows.filter(stalled, attempts__gte=self.max_attempts).update(
            status=self.failed, finished_at=now, **self.failed_worker_stopped
        )
        restarted = list(
            rows.filter(stalled, attempts__lt=self.max_attempts).values_list("pk", flat=True)
        )
        rows.filter(stalled, attempts__lt=self.max_attempts, pk__in=restarted).update(
            status=self.waiting, queued_at=now, progressed_at=None, **{self.progress_field: 0}
        )
        never_started = Q(status=self.waiting, queued_at__lt=now - self.give_up_after)
        rows.filter(never_started).update(
            status=self.failed, finished_at=now, **self.failed_not_started
        )
        lost = list(
            rows.filter(status=self.waiting, queued_at__lt=now - self.queue_lost_after)
            .exclude(pk__in=restarted)
            .values_list("pk", flat=True)
        )
        for pk in sorted([*restarted, *lost]):
            self.queue(pk)
        if restarted or lost:
            logger.warning(
                "%s queued again: %s lost worker, %s lost task", self.label, restarted, lost
            )
        return len(restarted) + len(lost)

    def claim(self, pk: int) -> Q | None:
        """Mark a waiting row as being built by this build alone; return the condition under
        which the row is still this build's (its attempt number and claim time), or None.

        Both, because a restart may count attempts from 0 again: a build that was given up on
        and wakes up later must not take the row from a new build with the same attempt number.
        """
        now = timezone.now()
        with transaction.atomic():
            row = (
                self.model.objects.select_for_update(skip_locked=True)
                .filter(pk=pk, status=self.waiting)
                .first()
            )
            if row is None:
                return None  # deleted, or another task (a duplicated or re-sent one) took it
            attempt = row.attempts + 1
            # The update checks again: SQLite has no row locks, two builds may have read the row.
            claimed = self.model.objects.filter(
                pk=pk, status=self.waiting, attempts=row.attempts
            ).update(
                status=self.building,
                attempts=attempt,
                claimed_at=now,
                progressed_at=now,
                **{self.progress_field: 0},
            )
        if not claimed:
            return None
        return Q(pk=pk, status=self.building, attempts=attempt, claimed_at=now)
