"""Hooks sessions sends for the apps above (ARCHITECTURE.md, "Showing a higher app's data on a
lower app's page"): sessions never imports them; they answer in their own receivers.py."""

from dataclasses import dataclass

from django.dispatch import Signal


@dataclass(frozen=True)
class SubtopicsSource:
    """Where a technical session's requested sub-topics came from: a sentence for everyone who
    sees the session, and a link for those who may follow it (empty: none)."""

    text: str
    url: str = ""


# Hook: a technical session's page shows the sub-topics cities asked for. Sent with `session`
# and `user` (who reads); each receiver returns a list of `SubtopicsSource`, read in one query
# (feedback.receivers: the post-session surveys whose chosen sub-topics were sent to it).
session_subtopics_sources = Signal()


# A scheduled session's start or end changed, or it was cancelled. Sent with `session` (as
# saved) inside the service's transaction (sessions.services.session_update / session_cancel),
# so what receivers write commits with the change (reminders.receivers: the reminders planned
# for the old time are cancelled).
session_rescheduled = Signal()
session_cancelled = Signal()
