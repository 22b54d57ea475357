"""Hooks of roadmaps, answered by the apps above (ARCHITECTURE.md, "Showing a higher app's data
on a lower app's page: hooks").

roadmaps never imports visits: the roadmap's Phase 4 ("apply soon to a 2-day Group Study
Visit") links to the calls open to the city because visits answers `roadmap_visit_calls`.
"""

from dataclasses import dataclass

from django.dispatch import Signal


@dataclass(frozen=True)
class StudyVisitLink:
    """An answer's line in Phase 4: `text` on a link to `url`, or on a button that POSTs to it
    when `post` (starting an application is a write); `note` is said beside it (what a
    completed roadmap is worth)."""

    text: str
    url: str
    post: bool = False
    note: str = ""


# Hook: the roadmap's page is being shown. Sent with `roadmap` and `user` (who looks); each
# receiver returns a list of `StudyVisitLink`, empty when there is nothing to apply to, at most
# one query (visits.receivers: the calls open now to the roadmap's city, for its officers).
roadmap_visit_calls = Signal()


def study_visit_links(*, roadmap, user) -> list[StudyVisitLink]:
    """The answers to `roadmap_visit_calls`, in the order of the receivers."""
    links: list[StudyVisitLink] = []
    for _receiver, answer in roadmap_visit_calls.send(sender=None, roadmap=roadmap, user=user):
        links.extend(answer or [])
    return links


# A roadmap was submitted for review. Sent with `roadmap` inside roadmaps.services.roadmap_submit's
# transaction (reminders.receivers: the reminders to submit it are cancelled).
roadmap_submitted = Signal()
